package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TemplatesTest {

    @Test
    void render_fillsVarsAndKeepsEscapesLiteral() {
        String out = Templates.render("host=${host}\nport=${port}\nliteral=$${host}\n", Map.of("host", "10.0.0.5", "port", "1883"));

        assertThat(out).isEqualTo("host=10.0.0.5\nport=1883\nliteral=${host}\n");
    }

    @Test
    void render_neverSubstitutesInsideValues() {
        assertThat(Templates.render("a=${a}", Map.of("a", "${b}", "b", "secret"))).isEqualTo("a=${b}");
    }

    @Test
    void render_hasNoDefaults_soAnUndefinedVarIsAnError() {
        assertThatThrownBy(() -> Templates.render("x=${missing:-fallback}", Map.of()))
                .isInstanceOf(Templates.UndefinedVariableException.class)
                .hasMessage("${missing:-fallback} is not defined");
    }

    @Test
    void references_listsEachNameOnceInOrder_andSkipsEscapes() {
        assertThat(Templates.references("${b} ${a} ${b} $${c}")).containsExactly("b", "a");
    }

    @Test
    void locate_givesLineAndColumn() {
        assertThat(Templates.locate("one\n  two ${x}\n", "x")).isEqualTo(new Location(2, 7));
    }
}

package io.voltis.agent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import io.voltis.agent.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notify: list as an operator writes it: every mistake is one line naming the entry and the key. */
class NotifyTargetsTest {

    @TempDir
    Path tmp;

    private static String error(String yaml) {
        try {
            NotifierTest.targets(yaml);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void theDesignsExample_parses_withItsDefaults() throws Exception {
        List<NotifyTarget> t = NotifierTest.targets("""
                - name: ops
                  webhook: https://hooks.example.com/voltis
                  hmac-secret-file: /etc/voltis/webhook-secret
                  events: [ApplyFailed, RolledBack, ServiceDegraded, SourceFailed]
                - name: mail
                  smtp: smtps://smtp.example.com:465
                  smtp-user: voltis
                  smtp-password-file: /etc/voltis/smtp-password
                  from: voltis@example.com
                  to: [ops@example.com]
                - name: local
                  command: ["/usr/local/bin/on-voltis-event"]
                """);
        assertThat(t).extracting(NotifyTarget::name).containsExactly("ops", "mail", "local");
        assertThat(t.get(0).events()).containsExactlyInAnyOrder("ApplyFailed", "RolledBack", "ServiceDegraded", "SourceFailed");
        assertThat(t.get(0).address()).isEqualTo("https://hooks.example.com/…");
        assertThat(t.get(1).events()).isNull();
        assertThat(t.get(1).timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.get(1).maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(t.get(2).reminder()).isNull();
    }

    @Test
    void badEntries_areOneLineNamingWhatToFix() {
        assertThat(error("- {name: ops, webhook: 'not a url'}"))
                .isEqualTo("agent.yaml: notify[0] (ops): webhook: 'not a url' is not a http/https URL with a host");
        assertThat(error("- {name: ops, webhook: 'ftp://host/x'}")).contains("is not a http/https URL");
        assertThat(error("- {name: ops, webhook: 'https://h/x', smtp: 'smtp://h'}"))
                .isEqualTo("agent.yaml: notify[0] (ops): give exactly one of webhook, smtp, command (not webhook and smtp)");
        assertThat(error("- {name: ops, webhok: 'https://h/x'}")).contains("unknown key 'webhok'", "webhook");
        assertThat(error("- {name: ops, webhook: 'https://h/x', events: [ApplyFailled]}"))
                .contains("events: 'ApplyFailled' is not an event kind", "ApplyFailed");
        assertThat(error("- {name: ops, webhook: 'https://h/x', min-severity: loud}"))
                .contains("min-severity: 'loud' is not one of info|warning|error");
        assertThat(error("- {webhook: 'https://h/x'}")).contains("name: missing");
        assertThat(error("- {name: a, webhook: 'https://h/x'}\n- {name: a, command: [/bin/true]}"))
                .contains("two targets are named 'a'");
        assertThat(error("- {name: m, smtp: 'smtp://u:pw@h', from: a@b, to: [c@d]}")).contains("put no user or password in the URL")
                .doesNotContain("pw");
        assertThat(error("- {name: m, smtp: 'smtp://h', from: a@b}")).contains("to: a list of email addresses");
        assertThat(error("- {name: c, command: [on-event]}")).contains("an argv whose first word is an absolute path");
        assertThat(error("- {name: c, command: [/bin/true], hmac-secret-file: /x}"))
                .contains("hmac-secret-file does not apply to a command target");
        assertThat(error("- {name: ops, webhook: 'https://h/x', reminder: soon}")).contains("reminder:");
        assertThat(error("ops: https://h/x")).contains("notify: expected a list of targets");
    }

    @Test
    void secretFiles_areCheckedBeforeTheStart_withoutShowingTheSecret() throws Exception {
        Path secret = tmp.resolve("secret");
        List<NotifyTarget> t = NotifierTest.targets("- {name: ops, webhook: 'https://h/x', hmac-secret-file: " + secret + "}");
        assertThatThrownBy(() -> NotifyTargets.check(t)).hasMessage("notify ops: hmac-secret-file " + secret
                + " does not exist or is not readable");
        Files.writeString(secret, "hunter2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> NotifyTargets.check(t)).hasMessageContaining("is readable by everyone; chmod 600 it")
                .hasMessageNotContaining("hunter2");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        NotifyTargets.check(t);
        Path ca = tmp.resolve("ca.pem");
        Files.writeString(ca, "not a certificate\n");
        assertThatThrownBy(() -> NotifyTargets.check(NotifierTest.targets("- {name: ops, webhook: 'https://h/x', ca-file: "
                + ca + "}"))).hasMessageStartingWith("notify ops: ca-file " + ca);
    }
}

package io.voltis.cli;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON writer of the CLI: indented, stable field order as declared. */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static tools.jackson.databind.JsonNode read(String json) {
        return MAPPER.readTree(json);
    }

    static tools.jackson.databind.JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }
}

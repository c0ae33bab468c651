package io.voltis.model;

import java.util.List;

/** A parsed YAML value with the place it was written, so every problem can name line and column. */
sealed interface YamlNode {

    Location location();

    /** What a person would call this kind of value, for messages ("a list", "a mapping"). */
    String describe();

    record Mapping(List<Entry> entries, Location location) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Entry(String key, Location keyLocation, YamlNode value) {
    }

    record Sequence(List<YamlNode> items, Location location) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar keeps its text exactly as written; {@code kind} is what YAML 1.2 made of it. */
    record Scalar(String text, Kind kind, Location location) implements YamlNode {
        enum Kind { STRING, NUMBER, BOOLEAN, NULL }

        @Override
        public String describe() {
            return switch (kind) {
                case NULL -> "nothing";
                case BOOLEAN -> "a boolean";
                case NUMBER -> "a number";
                default -> "a string";
            };
        }
    }
}

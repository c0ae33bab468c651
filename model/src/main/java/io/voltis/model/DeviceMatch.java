package io.voltis.model;

/**
 * Which device file a hostname matched, and by which rule: the full name, the short name
 * (up to the first dot), or the repo's {@code devices/_default.yaml}.
 */
public record DeviceMatch(String hostname, String file, Rule rule) {

    public enum Rule implements Keyword {
        FQDN("fqdn"),
        SHORT("short"),
        DEFAULT("default");

        private final String keyword;

        Rule(String keyword) {
            this.keyword = keyword;
        }

        @Override
        public String keyword() {
            return keyword;
        }
    }
}

package io.voltis.model;

/** When a service that exited is started again. */
public enum RestartPolicy implements Keyword {
    ALWAYS("always"),
    ON_FAILURE("on-failure"),
    NEVER("never");

    private final String keyword;

    RestartPolicy(String keyword) {
        this.keyword = keyword;
    }

    @Override
    public String keyword() {
        return keyword;
    }

    /** Whether a process that exited with {@code exitCode} is to be started again. */
    public boolean restarts(int exitCode) {
        return this == ALWAYS || (this == ON_FAILURE && exitCode != 0);
    }
}

package io.voltis.model;

/** Whether a service should be running. */
public enum ServiceState implements Keyword {
    RUNNING("running"),
    STOPPED("stopped");

    private final String keyword;

    ServiceState(String keyword) {
        this.keyword = keyword;
    }

    @Override
    public String keyword() {
        return keyword;
    }
}

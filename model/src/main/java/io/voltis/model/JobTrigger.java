package io.voltis.model;

/** When a job without a {@code schedule} runs. */
public enum JobTrigger implements Keyword {
    /** Once for every newly applied revision, before services restart. */
    PER_REVISION("per-revision"),
    /** Once ever on this device. */
    ONCE("once");

    private final String keyword;

    JobTrigger(String keyword) {
        this.keyword = keyword;
    }

    @Override
    public String keyword() {
        return keyword;
    }
}

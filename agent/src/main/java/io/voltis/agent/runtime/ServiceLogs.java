package io.voltis.agent.runtime;

import java.util.List;

/**
 * Reads what services wrote, for the status API and the CLI: the last lines, and then the
 * lines written since, by cursor, so a follower never sees a line twice or skips one that is
 * still on disk. Lines are cut at {@link #MAX_LINE} characters.
 */
public interface ServiceLogs {

    /** A line longer than this is cut and ends with '…'. */
    int MAX_LINE = 16 * 1024;

    /** The last {@code lines} lines, oldest first, and the cursor just after them. */
    Chunk tail(String service, int lines);

    /**
     * The complete lines written after {@code cursor} (from an earlier chunk), at most
     * {@code max}; a line still being written is left for the next call.
     */
    Chunk after(String service, String cursor, int max);

    /** Some lines and where to go on reading. */
    record Chunk(List<String> lines, String cursor) {
        public Chunk {
            lines = List.copyOf(lines);
        }
    }

    /** For a runtime whose services write nowhere readable. */
    ServiceLogs NONE = new ServiceLogs() {
        @Override
        public Chunk tail(String service, int lines) {
            return new Chunk(List.of(), "");
        }

        @Override
        public Chunk after(String service, String cursor, int max) {
            return new Chunk(List.of(), cursor);
        }
    };
}

package io.voltis.sync;

import io.voltis.sync.git.Reason;

/** What one poll found. */
public sealed interface PollResult {

    boolean ok();

    /** The head did not move: nothing fetched, nothing written. */
    record Unchanged(String head) implements PollResult {
        @Override
        public boolean ok() {
            return true;
        }
    }

    /** The head moved and was fetched; {@code forced} when the old head is no longer on the branch. */
    record Fetched(String head, String previous, long packBytes, boolean forced) implements PollResult {
        @Override
        public boolean ok() {
            return true;
        }
    }

    /** The source could not be read; the device keeps what it has. */
    record Failed(Reason reason, String message) implements PollResult {
        @Override
        public boolean ok() {
            return false;
        }
    }
}

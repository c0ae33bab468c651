package io.voltis.model;

import java.util.Optional;

/**
 * Judges a job's {@code schedule}. The model does not own a cron parser: the agent's
 * scheduler supplies the one Quartz will use, so validation refuses exactly what Quartz would.
 */
@FunctionalInterface
public interface CronCheck {

    /** Why {@code expression} is refused, or empty when it is a valid schedule. */
    Optional<String> problem(String expression);

    /** Accepts every non-empty expression; for callers that check schedules elsewhere. */
    CronCheck LENIENT = expression -> expression.isBlank() ? Optional.of("empty schedule") : Optional.empty();
}

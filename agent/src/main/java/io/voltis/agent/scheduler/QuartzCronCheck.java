package io.voltis.agent.scheduler;

import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;

import io.voltis.model.CronCheck;
import org.quartz.CronExpression;

/**
 * Judges a job's {@code schedule} with the parser Quartz itself uses, so a repo that
 * validates is a repo the scheduler accepts; and refuses an expression that parses but never
 * fires after now (the 30th of February, a year gone by), which Quartz would refuse to schedule.
 */
public final class QuartzCronCheck implements CronCheck {

    private final Clock clock;

    public QuartzCronCheck() {
        this(Clock.systemUTC());
    }

    public QuartzCronCheck(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> problem(String expression) {
        CronExpression cron;
        try {
            cron = new CronExpression(expression);
        } catch (ParseException e) {
            String reason = e.getMessage() == null ? "unreadable" : e.getMessage().strip();
            return Optional.of(reason + " (Quartz cron has 6 or 7 fields: sec min hour day-of-month month day-of-week [year])");
        } catch (RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + " while parsing");
        }
        try {
            if (cron.getNextValidTimeAfter(Date.from(clock.instant())) == null) {
                return Optional.of("it never fires (no date after today matches it)");
            }
        } catch (RuntimeException e) {
            return Optional.of("it never fires (" + e.getClass().getSimpleName() + " while looking for the next date)");
        }
        return Optional.empty();
    }
}

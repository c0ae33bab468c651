package io.voltis.agent.scheduler;

import java.text.ParseException;
import java.util.Optional;

import io.voltis.model.CronCheck;
import org.quartz.CronExpression;

/**
 * Judges a job's {@code schedule} with the parser Quartz itself uses, so a repo that
 * validates is a repo the scheduler accepts.
 */
public final class QuartzCronCheck implements CronCheck {

    @Override
    public Optional<String> problem(String expression) {
        try {
            new CronExpression(expression);
            return Optional.empty();
        } catch (ParseException e) {
            String reason = e.getMessage() == null ? "unreadable" : e.getMessage().strip();
            return Optional.of(reason + " (Quartz cron has 6 or 7 fields: sec min hour day-of-month month day-of-week [year])");
        } catch (RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + " while parsing");
        }
    }
}

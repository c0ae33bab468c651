package io.voltis.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * {@code log-format: json}: the console appender's lines become one JSON object each
 * (logstash-logback-encoder): {@code @timestamp}, {@code level}, {@code logger_name},
 * {@code message}, and the key-value pairs a line carries ({@code event}, {@code revision},
 * {@code reason} for the agent's events; docs/decisions/0024-log-lines.md). Referenced only
 * when that format is chosen, so the encoder's classes load only then.
 */
final class JsonLogging {

    private JsonLogging() {
    }

    static void install(Logger root) {
        LoggerContext context = root.getLoggerContext();
        for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
                LogstashEncoder encoder = new LogstashEncoder();
                encoder.setContext(context);
                encoder.setIncludeContext(false);
                encoder.start();
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }
}

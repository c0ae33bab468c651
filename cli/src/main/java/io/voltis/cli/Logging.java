package io.voltis.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.voltis.agent.config.AgentConfig;
import org.slf4j.LoggerFactory;

/**
 * The daemon logs at INFO (the CLI's own commands at WARN, {@link LogConfigurator}); JGit, sshd and Quartz
 * stay at WARN. With {@code log-format: json} every line becomes one JSON object
 * ({@link JsonLogging}); that class, and the encoder's, load only then.
 */
final class Logging {

    private Logging() {
    }

    static void daemon(AgentConfig.LogFormat format) {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.voltis")).setLevel(Level.INFO);
        if (format == AgentConfig.LogFormat.JSON) {
            JsonLogging.install(root);
        }
    }
}

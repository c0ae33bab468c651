package io.voltis.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** The daemon logs at INFO (the CLI's own commands at WARN, logback.xml); JGit, sshd and Quartz stay at WARN. */
final class Logging {

    private Logging() {
    }

    static void daemon() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.voltis")).setLevel(Level.INFO);
    }
}

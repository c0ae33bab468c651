package io.voltis.agent.config;

/** The configuration is unusable; the message is one line naming the setting, its source and the rule. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }
}

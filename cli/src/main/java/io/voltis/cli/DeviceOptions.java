package io.voltis.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --state-dir} and {@code --config} of the commands that act on this device's agent.
 * Without them the settings come as {@code run} reads them: /etc/voltis/agent.yaml, then
 * VOLTIS_* variables, then the defaults (/var/lib/voltis as root, else ~/.local/state/voltis).
 */
final class DeviceOptions {

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The agent's state directory (default: as `run`).")
    String stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: /etc/voltis/agent.yaml if present).")
    Path config;

    /** The agent's settings; a bad config file is a usage error (exit 2), as for {@code run}. */
    AgentConfig load(CommandLine.Model.CommandSpec spec) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("state-dir", stateDir);
        try {
            return RunCommand.loader().loadForCommands(flags, config);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}

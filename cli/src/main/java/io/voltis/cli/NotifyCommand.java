package io.voltis.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.config.ConfigException;
import io.voltis.agent.notify.Notifier;
import io.voltis.agent.notify.NotifyTarget;
import io.voltis.agent.notify.NotifyTargets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code voltis-agent notify test [NAME]}: one test notification to each target (or the one named), now. */
@Command(name = "notify", mixinStandardHelpOptions = true,
        description = "Notification targets (the notify: list of the agent's config file).",
        subcommands = {NotifyCommand.Test.class})
final class NotifyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: notify test [NAME]");
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Send a test notification to every target, or to NAME, now and outside the outbox;",
                    "exit 1 if one was not delivered, naming why."})
    static final class Test implements Callable<Integer> {

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The target's name (default: all).")
        String name;

        @Mixin
        DeviceOptions device;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            AgentConfig cfg = device.load(spec);
            List<NotifyTarget> targets = cfg.notifyTargets();
            if (targets.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no notification targets: add a notify: list"
                        + " to the config file (docs/notifications.md)");
            }
            if (name != null) {
                targets = targets.stream().filter(t -> t.name().equals(name)).toList();
                if (targets.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "no notification target named '" + name
                            + "'" + io.voltis.model.Names.suggestion(name, cfg.notifyTargets().stream().map(NotifyTarget::name)
                            .toList()));
                }
            }
            try {
                NotifyTargets.check(targets);
            } catch (ConfigException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = Main.OK;
            for (NotifyTarget t : targets) {
                try {
                    Notifier.test(t, cfg.hostname(), System.getenv(), java.time.Clock.systemUTC());
                    out.println("sent a test notification to " + t.name() + " (" + t.type().word() + " " + t.address() + ")");
                } catch (Notifier.DeliveryFailed e) {
                    err.println("notify test: " + t.name() + ": " + e.getMessage());
                    code = Main.FAILED;
                } catch (ConfigException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            return code;
        }
    }
}

package io.voltis.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.secrets.DeviceIdentity;
import io.voltis.agent.secrets.IdentityException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code voltis-agent identity}: this device's age identity, created once, and its public
 * recipient printed alone on standard output, so {@code $(voltis-agent identity)} can go into
 * the repo's {@code recipients/<hostname>.txt}. The key itself is never printed.
 */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = {"Create this device's age identity once (0600) and print its recipient (age1...).",
                "Encrypt secrets for this device to that recipient: age -r age1... -o secret.age secret.",
                "An existing identity is never replaced; each run prints the same recipient."})
final class IdentityCommand implements Callable<Integer> {

    @Mixin
    DeviceOptions device;

    @Option(names = "--identity-file", paramLabel = "FILE",
            description = "Where the identity is (default: identity-file from the config, else identity.txt in the state directory).")
    Path identityFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        AgentConfig config = device.load(spec);
        Path file = identityFile != null ? identityFile.toAbsolutePath().normalize() : config.identityPath();
        try {
            DeviceIdentity.Created made = DeviceIdentity.create(file);
            made.identity().recipients().forEach(spec.commandLine().getOut()::println);
            spec.commandLine().getErr().println((made.created() ? "created " : "identity ") + file
                    + " (keep it private; back it up if its secrets cannot be re-encrypted)");
            return Main.OK;
        } catch (IdentityException e) {
            spec.commandLine().getErr().println("voltis-agent identity: " + e.getMessage());
            return Main.FAILED;
        }
    }
}

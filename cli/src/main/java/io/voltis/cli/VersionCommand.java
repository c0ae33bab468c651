package io.voltis.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code voltis-agent version}: the agent's version and the Java it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the agent's version.")
final class VersionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(versionLine());
        return Main.OK;
    }

    static String versionLine() {
        String version = Main.class.getPackage().getImplementationVersion();
        return "voltis-agent " + (version == null ? "dev" : version) + " (Java " + Runtime.version() + ")";
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {versionLine()};
        }
    }
}

package io.voltis.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code voltis-agent} command line. */
@Command(name = "voltis-agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Pull-based GitOps agent for fleets of edge devices.",
        subcommands = {RunCommand.class, StatusCommand.class, RevisionsCommand.class, PinCommand.class, UnpinCommand.class,
                RollbackCommand.class, RetryCommand.class, SyncCommand.class, NotifyCommand.class, IdentityCommand.class, PlanCommand.class, LogsCommand.class, ValidateCommand.class, DemoCommand.class, TrainingCommand.class,
                VersionCommand.class},
        usageHelpAutoWidth = true)
public final class Main implements Runnable {

    /** NOTE: exit codes are a contract with scripts and CI (docs/cli.md). */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** NOTE: Apache MINA sshd's switch for its BouncyCastle registrar (SecurityProviderRegistrar, name "BC"). */
    static final String SSHD_BOUNCY_CASTLE = "org.apache.sshd.security.provider.BC.enabled";

    public static void main(String[] args) {
        // BouncyCastle is on the class path for OpenPGP commit signatures only; sshd would otherwise
        // register it as its provider for every SSH transport (15-20 MiB that ed25519 via eddsa and
        // the JDK's crypto do without). Off unless the launcher asks for it.
        if (System.getProperty(SSHD_BOUNCY_CASTLE) == null) {
            System.setProperty(SSHD_BOUNCY_CASTLE, "false");
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new Main());
        line.setOut(out);
        line.setErr(err);
        line.setParameterExceptionHandler((e, a) -> {
            err.println("voltis-agent: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println(cmd.getCommandName() + ": " + oneLine(e));
            return FAILED;
        });
        return line.execute(args);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}

package io.voltis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.scheduler.QuartzCronCheck;
import io.voltis.model.DirectoryTree;
import io.voltis.model.HostResolution;
import io.voltis.model.HostResolver;
import io.voltis.sync.git.LocalRepos;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code voltis-agent demo}: the agent converging a device on the bundled example. Makes a Git
 * repo from {@code examples/repo-layout}, runs the daemon as the device {@code demo} with its
 * root and state in a folder of its own, prints what to try, and runs until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the agent on the bundled example repo as the device 'demo', until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    static final String HOST = "demo";
    /** NOTE: the README and docs/api.md name this address. */
    static final int API_PORT = 9740;

    /** NOTE: where the .deb puts the example (packaging/pom.xml), for a demo run outside a checkout. */
    static final Path PACKAGED_EXAMPLE = Path.of("/usr/share/voltis-agent/examples/repo-layout");

    @Option(names = "--example", paramLabel = "DIR",
            description = "The example infrastructure repo (default: examples/repo-layout in the Voltis checkout,"
                    + " else the one the package installs in /usr/share/voltis-agent/examples/repo-layout).")
    Path example;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the demo's repo, root and state go (default: a new folder under the system temp dir).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (example == null) {
            Path checkout = Path.of("examples/repo-layout");
            example = Files.isRegularFile(checkout.resolve("devices/" + HOST + ".yaml")) ? checkout : PACKAGED_EXAMPLE;
        }
        if (!Files.isRegularFile(example.resolve("devices/" + HOST + ".yaml"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no example repo at " + example.toAbsolutePath()
                    + ": run demo from the Voltis checkout, install the voltis-agent package, or give --example DIR");
        }
        HostResolution demo = new HostResolver(new QuartzCronCheck()).resolve(new DirectoryTree(example), HOST);
        if (!demo.valid()) {
            throw new IllegalStateException("the example is not valid: " + demo.problems().get(0));
        }
        String port = demo.device().vars().getOrDefault("port", "18080");
        requireFree(Integer.parseInt(port), "the demo's web service");
        requireFree(API_PORT, "the status page");
        Path home = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("voltis-demo-");
        Path repo = home.resolve("repo");
        if (Files.exists(repo)) {
            throw new CommandLine.ParameterException(spec.commandLine(), repo + " already exists: give another --dir");
        }
        String sha = LocalRepos.initFrom(example, repo, "Voltis demo fleet");
        AgentConfig config = new AgentConfig(repo.toString(), "main", "", HOST, Duration.ofSeconds(2), Duration.ofSeconds(1),
                home.resolve("state"), home.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:" + API_PORT, null, false,
                null, null, null, null, 2, 10, Duration.ofSeconds(5));
        Logging.daemon(config.logFormat());
        StopSignals signals = StopSignals.install();
        Agent agent = Agent.start(config, System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Voltis demo: the agent runs as device '" + HOST + "' on a Git copy of " + example + " ("
                + sha.substring(0, 12) + ").");
        out.println("  repo   " + repo + "   (the infrastructure repo the device follows)");
        out.println("  root   " + home.resolve("root") + "   (where the workload's files land)");
        out.println("  state  " + home.resolve("state"));
        out.println("Next:");
        out.println("  curl http://127.0.0.1:" + port + "/        # the greeting, a few seconds after start");
        out.println("  cd " + repo + " && sed -i 's/Hello from the Voltis demo!/Hello, pushed!/' devices/demo.yaml \\");
        out.println("    && git commit -qam 'new greeting'");
        out.println("  curl http://127.0.0.1:" + port + "/        # the new greeting, within seconds");
        out.println("Watch it on the status page http://127.0.0.1:" + API_PORT + "/ or with");
        out.println("  curl http://127.0.0.1:" + API_PORT + "/api/v1/status");
        out.println("Ctrl-C stops the agent and the demo's services.");
        out.flush();
        return signals.closeOnSignal(agent);
    }

    /** The demo's web service needs its port; say so before anything starts. */
    private static void requireFree(int port, String who) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use, and " + who + " needs it:"
                    + " stop what listens there (a demo already running?) and try again");
        } catch (IOException e) {
            throw new IllegalStateException("cannot check port " + port + ": " + e.getMessage());
        }
    }
}

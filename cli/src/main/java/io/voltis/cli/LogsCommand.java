package io.voltis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.runtime.ServiceLogs;
import io.voltis.agent.runtime.process.LogFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code voltis-agent logs SERVICE [-f]}: through the running daemon (either runtime), or, with
 * no daemon, from the process runtime's log files under the state directory.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "The last lines a service wrote; -f follows new ones (Ctrl-C stops).")
final class LogsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SERVICE", description = "A service of the applied workload.")
    String service;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines.")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "100", description = "How many of the last lines (1-10000, default 100).")
    int lines;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (lines < 1 || lines > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lines: " + lines + " is not from 1 to 10000");
        }
        AgentConfig config = device.load(spec);
        try (Device d = Device.open(config)) {
            PrintWriter out = spec.commandLine().getOut();
            if (d.daemon.isPresent()) {
                return throughDaemon(d.daemon.get(), out);
            }
            if (config.runtime() == AgentConfig.Runtime.SYSTEMD) {
                throw new IllegalStateException("the agent is not running: read the service's journal with"
                        + " journalctl -u 'voltis-*-" + service + ".service'");
            }
            return fromFiles(new io.voltis.sync.StateLayout(config.stateDir()).logs(), out);
        }
    }

    private int throughDaemon(DaemonApi api, PrintWriter out) throws IOException {
        String path = "/api/v1/services/" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "/logs?lines=" + lines;
        if (!follow) {
            HttpResponse<String> r = api.get(path, Duration.ofSeconds(30));
            if (r.statusCode() != 200) {
                throw new IllegalStateException(DaemonApi.errorLine(r.body(), r.statusCode()));
            }
            out.print(r.body());
            out.flush();
            return Main.OK;
        }
        HttpResponse<java.util.stream.Stream<String>> r = api.stream(path + "&follow=true");
        if (r.statusCode() != 200) {
            throw new IllegalStateException(DaemonApi.errorLine(String.join("\n", r.body().toList()), r.statusCode()));
        }
        r.body().filter(l -> l.startsWith("data:")).forEach(l -> {
            out.println(l.substring(5));
            out.flush();
        });
        return Main.OK;
    }

    private int fromFiles(Path dir, PrintWriter out) throws InterruptedException {
        LogFiles logs = new LogFiles(dir);
        if (!logs.exists(service)) {
            throw new IllegalStateException("no service '" + service + "' has a log in " + dir + known(dir));
        }
        ServiceLogs.Chunk chunk = logs.tail(service, lines);
        chunk.lines().forEach(out::println);
        out.flush();
        String cursor = chunk.cursor();
        while (follow) {
            Thread.sleep(500);
            ServiceLogs.Chunk next = logs.after(service, cursor, 1000);
            next.lines().forEach(out::println);
            out.flush();
            cursor = next.cursor();
        }
        return Main.OK;
    }

    private static String known(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            files.forEach(f -> names.add(f.getFileName().toString().replaceFirst("\\.log$", "")));
        } catch (IOException e) {
            return "";
        }
        java.util.Collections.sort(names);
        return names.isEmpty() ? "" : " (services with logs: " + String.join(", ", names) + ")";
    }
}

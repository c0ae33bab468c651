package io.voltis.sync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.TestRepo;

/**
 * A real Git host for the fleet benchmark: Debian's Apache (event MPM, mod_cgid) running Git's own
 * {@code git-http-backend} as a CGI, which forks {@code git upload-pack} for every request as Git
 * hosts' CGI setups do, on a loopback port, in processes of its own. Requests and bytes per second
 * come from its access log; its CPU is that of every process of its tree, with the children it
 * reaped. The repository is written with JGit (as {@link FleetServer}'s). Not a test.
 */
final class ApacheGitServer implements FleetGitServer {

    static final Path APACHE = Path.of("/usr/sbin/apache2");
    static final Path MODULES = Path.of("/usr/lib/apache2/modules");
    static final Path BACKEND = Path.of("/usr/lib/git-core/git-http-backend");

    private final Path dir;
    private final TestRepo origin;
    private final Process process;
    private final int port;
    private final long clockTicksPerSecond = FleetServerProcess.clockTicks();
    private int commits;

    private ApacheGitServer(Path dir, TestRepo origin, Process process, int port) {
        this.dir = dir;
        this.origin = origin;
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(APACHE) && Files.isRegularFile(MODULES.resolve("mod_cgid.so")) && Files.isExecutable(BACKEND);
    }

    static ApacheGitServer start(Path work) throws Exception {
        Path dir = Files.createDirectories(work.resolve("apache"));
        // the CGI runs as www-data: it must reach the repository
        for (Path p = dir; p != null && !p.equals(Path.of("/tmp")) && !p.equals(Path.of("/")); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        TestRepo origin = TestRepo.create(dir.resolve("repos/origin.git"));
        origin.commit("fleet", FleetServer.fleetRepo());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String conf = String.join("\n",
                "ServerRoot " + dir,
                "ServerName localhost",
                "Listen 127.0.0.1:" + port,
                "PidFile " + dir.resolve("apache.pid"),
                "ErrorLog " + dir.resolve("error.log"),
                "LogLevel warn",
                "LoadModule mpm_event_module " + MODULES.resolve("mod_mpm_event.so"),
                "LoadModule authz_core_module " + MODULES.resolve("mod_authz_core.so"),
                "LoadModule alias_module " + MODULES.resolve("mod_alias.so"),
                "LoadModule cgid_module " + MODULES.resolve("mod_cgid.so"),
                "LoadModule env_module " + MODULES.resolve("mod_env.so"),
                "User www-data",
                "Group www-data",
                "ScriptSock " + dir.resolve("cgid.sock"),
                // sized for a fleet on 2 cores: 400 requests at once, the rest queue in the listen backlog
                "ServerLimit 16",
                "ThreadsPerChild 25",
                "MaxRequestWorkers 400",
                "ListenBacklog 4096",
                "KeepAlive On",
                "KeepAliveTimeout 5",
                "LogFormat \"%{%s}t %B %>s\" fleet",
                "CustomLog " + dir.resolve("access.log") + " fleet",
                "SetEnv GIT_PROJECT_ROOT " + dir.resolve("repos"),
                "SetEnv GIT_HTTP_EXPORT_ALL 1",
                // the repository is root's, the CGI www-data's: git refuses that unless told
                "SetEnv GIT_CONFIG_COUNT 1",
                "SetEnv GIT_CONFIG_KEY_0 safe.directory",
                "SetEnv GIT_CONFIG_VALUE_0 *",
                "ScriptAlias /git/ " + BACKEND + "/",
                "<Directory /usr/lib/git-core>",
                "  Require all granted",
                "</Directory>",
                "");
        Path file = dir.resolve("httpd.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(APACHE.toString(), "-f", file.toString(), "-DFOREGROUND")
                .redirectErrorStream(true).redirectOutput(dir.resolve("apache.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("apache2 exited: " + Files.readString(dir.resolve("apache.out"))
                        + read(dir.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                // a bench stopped by a signal must not leave the server running
                Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "fleet-apache-stop"));
                return new ApacheGitServer(dir, origin, p, port);
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("apache2 did not listen on " + port + " in 20 s");
    }

    @Override
    public String describe() {
        return "Apache 2 (event MPM, mod_cgid) + git-http-backend (CGI, git upload-pack per request)";
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/git/origin.git";
    }

    /** From the access log: one reading at the end of every second that has requests, cumulative. */
    @Override
    public List<Sample> ticks() {
        TreeMap<Long, long[]> bySecond = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("access.log"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 2) {
                    continue;
                }
                long[] c = bySecond.computeIfAbsent(Long.parseLong(f[0]), k -> new long[2]);
                c[0]++;
                c[1] += f[1].equals("-") ? 0 : Long.parseLong(f[1]);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the access log: " + e.getMessage(), e);
        }
        List<Sample> out = new ArrayList<>();
        if (bySecond.isEmpty()) {
            return out;
        }
        long requests = 0;
        long bytes = 0;
        out.add(new Sample(bySecond.firstKey() * 1000, 0, 0));
        for (long s = bySecond.firstKey(); s <= bySecond.lastKey(); s++) {
            long[] c = bySecond.getOrDefault(s, new long[2]);
            requests += c[0];
            bytes += c[1];
            out.add(new Sample((s + 1) * 1000, requests, bytes));
        }
        return out;
    }

    /** Requests served so far (the access log's lines). */
    long requests() {
        List<Sample> t = ticks();
        return t.isEmpty() ? 0 : t.get(t.size() - 1).requests();
    }

    @Override
    public long cpuMillis() {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, Long> cpu = new HashMap<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(proc.getFileName().toString());
                    parent.put(pid, Long.parseLong(f[1]));
                    // utime, stime, cutime, cstime: fields 14-17
                    cpu.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
                } catch (IOException | RuntimeException e) {
                    // the process ended while being read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc: " + e.getMessage(), e);
        }
        long root = process.pid();
        long ticks = 0;
        for (var e : cpu.entrySet()) {
            for (Long p = e.getKey(); p != null && p > 1; p = parent.get(p)) {
                if (p == root) {
                    ticks += e.getValue();
                    break;
                }
            }
        }
        return ticks * 1000 / clockTicksPerSecond;
    }

    @Override
    public String[] commit() {
        commits++;
        String sha = origin.commit("fleet change " + commits,
                Map.of("workloads/wl-3/files/app.conf", "port=${port}\nchange=" + commits + "\n"));
        return new String[] {String.valueOf(System.currentTimeMillis()), sha};
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: apache stops its children
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        origin.close();
    }
}

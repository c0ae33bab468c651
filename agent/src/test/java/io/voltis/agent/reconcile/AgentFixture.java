package io.voltis.agent.reconcile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.testing.TestRepo;

/**
 * A whole agent in this JVM on a real origin repo, with state and root in a temp dir and the
 * process runtime, driven poll by poll and tick by tick (no scheduler).
 */
public final class AgentFixture implements AutoCloseable {

    public final Path dir;
    public final TestRepo origin;
    public final Path root;
    public final Path state;
    public Agent agent;
    /** The URL the agent pulls from; the origin's file URL unless a test serves it otherwise. */
    public String repoUrl;
    /** The clock and system package managers the agent gets; the real ones unless a test sets others. */
    public Agent.Machine machine = Agent.Machine.device();
    /**
     * Whether the agent runs as {@code run --once} (no scheduler, no API, no health gate): true
     * unless a test needs the daemon's health gate (its scheduler then ticks too).
     */
    public boolean once = true;
    /** The trust policy the agent gets; off unless a test sets one. */
    public io.voltis.sync.trust.TrustSettings trust = io.voltis.sync.trust.TrustSettings.OFF;
    /** The notification targets of the agents started. */
    public java.util.List<io.voltis.agent.notify.NotifyTarget> notify = java.util.List.of();

    public AgentFixture(Path dir) {
        this.dir = dir;
        this.origin = TestRepo.create(dir.resolve("origin.git"));
        this.root = dir.resolve("root");
        this.state = dir.resolve("state");
    }

    public AgentConfig config() {
        return new AgentConfig(repoUrl != null ? repoUrl : origin.fileUrl(), "main", "", "dev1", Duration.ofSeconds(30), Duration.ofSeconds(5),
                state, root, AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, once, null, null, null, null, 2, 10,
                Duration.ofSeconds(2)).withTrust(trust).withNotify(notify);
    }

    public Agent start() throws Exception {
        agent = Agent.start(config(), Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home")),
                machine);
        return agent;
    }

    /** Polls and ticks until the phase is not Progressing (bounded). */
    public AgentStatus converge() throws InterruptedException {
        agent.pollNow();
        AgentStatus status = agent.tickNow();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (status.phase() == Phase.PROGRESSING && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = agent.tickNow();
        }
        return status;
    }

    public String file(String target) throws Exception {
        return Files.readString(root.resolve(target));
    }

    /** The running process of a service, from the pid file the process runtime keeps. */
    public Optional<Long> pid(String service) {
        try {
            Path file = state.resolve("logs/" + service + ".pid");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file).strip().split("\\s+")[0]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (java.io.IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (agent != null) {
            agent.close();
        }
        origin.close();
    }
}

package io.voltis.agent.runtime.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** For tests outside this package: systemctl as the runtime runs it, over a given agent environment. */
public final class TestAccess {

    private TestAccess() {
    }

    public record Outcome(int exitCode, String stdout, String stderr) {
    }

    public static Outcome run(Path systemctl, Map<String, String> agentEnv, List<String> args) {
        Systemctl.Result r = new BoundedProcess(systemctl.toString(), Duration.ofSeconds(10),
                Map.of("TZ", "UTC", "SYSTEMD_COLORS", "0"), agentEnv).run(args);
        return new Outcome(r.exitCode(), r.stdout(), r.stderr());
    }
}

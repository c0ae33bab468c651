package io.voltis.agent.runtime.health;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import io.voltis.model.HealthCheck;

/**
 * One way to ask a service whether it is healthy, built from the workload's {@code health}.
 * {@link #check()} never throws and returns within the check's timeout (plus the time to tear
 * down what it started): an HTTP GET answered 2xx or 3xx (redirects are not followed, never
 * through a proxy), a TCP connection accepted, or a command that exits 0. A probe holds no
 * state between calls but may keep a connection pool; one probe is used by one caller at a
 * time.
 */
public interface HealthProbe {

    /**
     * What one probe found. {@code reason} says in a few words why a failed probe failed
     * ({@code HTTP 503}, {@code connection refused}, {@code timed out after 2s},
     * {@code exited with code 1}); it is null when {@code ok}.
     */
    record Result(boolean ok, String reason) {

        private static final Result OK = new Result(true, null);

        public Result {
            if (!ok && (reason == null || reason.isBlank())) {
                throw new IllegalArgumentException("a failed probe needs a reason");
            }
            if (ok) {
                reason = null;
            }
        }

        public static Result healthy() {
            return OK;
        }

        public static Result failed(String reason) {
            return new Result(false, reason);
        }
    }

    /** Whether the service answered healthy within the timeout, and if not, why. */
    Result check();

    /** What is probed, for messages: {@code GET http://…}, {@code tcp 127.0.0.1:5432}, {@code exec [sh, -c, …]}. */
    String target();

    /**
     * The probe for {@code check}. An exec probe runs in {@code workingDir} with exactly {@code env}
     * as its environment (the service's own); the other two ignore both.
     *
     * @throws IllegalArgumentException when {@code check} names no probe, or a URL or address is malformed
     */
    static HealthProbe of(HealthCheck check, Path workingDir, Map<String, String> env) {
        if (check.http() != null) {
            return new HttpProbe(URI.create(check.http()), check.timeout());
        }
        if (check.tcp() != null) {
            return TcpProbe.parse(check.tcp(), check.timeout());
        }
        if (check.exec() != null && !check.exec().isEmpty()) {
            return new ExecProbe(check.exec(), workingDir, env, check.timeout());
        }
        throw new IllegalArgumentException("health check names none of http, tcp, exec");
    }
}

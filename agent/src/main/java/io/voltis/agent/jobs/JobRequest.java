package io.voltis.agent.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One job run to make, with {@code ${var}} filled: argv, full environment, working directory, timeout. */
public record JobRequest(String name, List<String> argv, Map<String, String> env, Path workingDir, Duration timeout,
                         String revision, String trigger) {

    public JobRequest {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}

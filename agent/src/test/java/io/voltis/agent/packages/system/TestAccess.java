package io.voltis.agent.packages.system;

import java.util.Map;

/** For tests outside this package: the real command runner, over a given agent environment. */
public final class TestAccess {

    private TestAccess() {
    }

    public static CommandRunner processRunner(Map<String, String> agentEnv) {
        return new ProcessRunner(50, 500, agentEnv);
    }
}

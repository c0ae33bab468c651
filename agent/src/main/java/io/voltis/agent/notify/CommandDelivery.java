package io.voltis.agent.notify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.runtime.process.ChildProcess;

/**
 * A local hook: the target's argv run through {@link ChildProcess} (the explicit environment of
 * every child plus {@code VOLTIS_EVENT_ID} and {@code VOLTIS_EVENT_KIND}, its own process group,
 * killed past the target's {@code timeout}) with the notice's JSON on stdin. Exit 0 is delivered.
 */
final class CommandDelivery implements Delivery {

    private static final int MAX_OUTPUT = 16 * 1024;

    private final NotifyTarget target;
    private final Map<String, String> agentEnv;

    CommandDelivery(NotifyTarget target, Map<String, String> agentEnv) {
        this.target = target;
        this.agentEnv = Map.copyOf(agentEnv);
    }

    @Override
    public void send(String id, String payload, Map<String, Object> fields) throws DeliveryException, InterruptedException {
        Map<String, String> env = ChildProcess.environment(agentEnv, Map.of("VOLTIS_EVENT_ID", id,
                "VOLTIS_EVENT_KIND", String.valueOf(fields.get("kind"))));
        ChildProcess.Result r = ChildProcess.run(new ChildProcess.Request(target.command(), null, env, target.timeout(),
                MAX_OUTPUT, true, Duration.ofSeconds(2), (payload + "\n").getBytes(StandardCharsets.UTF_8)));
        switch (r.ending()) {
            case EXITED -> {
                if (r.exitCode() != 0) {
                    String last = r.stdout().strip().lines().reduce((a, b) -> b).orElse("");
                    throw new DeliveryException(DeliveryException.Reason.COMMAND_FAILED, target.address() + " exited "
                            + r.exitCode() + (last.isEmpty() ? "" : ": " + last));
                }
            }
            case TIMED_OUT -> throw new DeliveryException(DeliveryException.Reason.TIMED_OUT, target.address() + " "
                    + r.problem());
            case CANNOT_START -> throw new DeliveryException(DeliveryException.Reason.COMMAND_FAILED, r.problem());
            case INTERRUPTED -> throw new InterruptedException("stopping");
        }
    }
}

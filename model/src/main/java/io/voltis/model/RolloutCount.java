package io.voltis.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the device files of a repo fall in one workload's rollout waves, for {@code validate}
 * (docs/rollout.md). A label wave's count is exact; a percent wave's is the expected count, as
 * each device's bucket comes from its machine id, which the repo does not hold. Devices pinned
 * with {@code revision:} follow their pin, not the plan; {@code _default.yaml} is not counted.
 */
public record RolloutCount(String workload, String file, boolean paused, int devices, int pinned, List<Wave> waves,
                           double none, boolean noneExact) {

    public RolloutCount {
        waves = List.copyOf(waves);
    }

    /** One wave and the devices expected in it; {@code exact} when no percent decides any of them. */
    public record Wave(String name, String describe, double devices, boolean exact) {
    }

    /** Adds up devices as they are read. */
    static final class Tally {
        private final String workload;
        private final String file;
        private final RolloutSpec plan;
        private final double[] expected;
        private final boolean[] inexact;
        private int devices;
        private int pinned;

        Tally(String workload, String file, RolloutSpec plan) {
            this.workload = workload;
            this.file = file;
            this.plan = plan;
            this.expected = new double[plan.waves().size() + 1];
            this.inexact = new boolean[plan.waves().size() + 1];
        }

        void add(DeviceSpec device) {
            devices++;
            if (device.revision() != null) {
                pinned++;
                return;
            }
            double[] chances = plan.chances(device.labels() == null ? Map.of() : device.labels());
            for (int i = 0; i < chances.length; i++) {
                expected[i] += chances[i];
                inexact[i] |= chances[i] > 1e-9 && chances[i] < 1 - 1e-9;
            }
        }

        RolloutCount count() {
            List<Wave> waves = new ArrayList<>();
            for (int i = 0; i < plan.waves().size(); i++) {
                RolloutSpec.Wave w = plan.waves().get(i);
                waves.add(new Wave(w.name(), w.describe(), Math.round(expected[i] * 10) / 10.0, !inexact[i]));
            }
            int last = plan.waves().size();
            return new RolloutCount(workload, file, plan.pause(), devices, pinned, waves, Math.round(expected[last] * 10) / 10.0,
                    !inexact[last]);
        }
    }
}

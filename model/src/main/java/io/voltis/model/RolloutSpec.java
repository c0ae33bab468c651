package io.voltis.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workload's staged rollout ({@code rollout:}; DESIGN.md, "Staged rollout", docs/rollout.md):
 * ordered {@code waves}, each selecting devices by {@code labels} and/or a {@code percent} of
 * the fleet, that may move to a new release {@code after} the release's clock started; and
 * {@code pause}, which keeps every device at the revision it runs. A device is in the first wave
 * that selects it: its labels include every one of the wave's, and its bucket (see
 * {@link RolloutBucket}) is below the wave's percent. Percents are of the whole fleet, so
 * {@code 10, 50, 100} moves a tenth, then half, then all of it.
 */
public record RolloutSpec(List<Wave> waves, boolean pause) {

    /** NOTE: the validator and docs/schema/workload.schema.json keep {@code after} at most this. */
    public static final Duration MAX_AFTER = Duration.ofDays(30);
    /** NOTE: the validator and the schema keep a plan to at most this many waves. */
    public static final int MAX_WAVES = 20;

    public RolloutSpec {
        waves = waves == null ? List.of() : List.copyOf(waves);
    }

    /** One wave: its name, which devices it selects, and how long after the release's clock started it may apply. */
    public record Wave(@Required String name, Map<String, String> labels, Integer percent, Duration after) {

        public Wave {
            labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
            after = after == null ? Duration.ZERO : after;
        }

        /** Whether a device with {@code deviceLabels} and {@code bucket} (0 to 100) is selected. */
        public boolean selects(Map<String, String> deviceLabels, double bucket) {
            return matches(deviceLabels) && (percent == null || bucket < percent);
        }

        /** Whether {@code deviceLabels} include every one of this wave's labels. */
        public boolean matches(Map<String, String> deviceLabels) {
            return labels.entrySet().stream().allMatch(e -> e.getValue().equals(deviceLabels.get(e.getKey())));
        }

        /** The wave in one line: {@code early (10%, after 2h)}. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            labels.forEach((k, v) -> parts.add(k + "=" + v));
            if (percent != null) {
                parts.add(percent + "%");
            }
            parts.add(after.isZero() ? "at once" : "after " + Durations.format(after));
            return name + " (" + String.join(", ", parts) + ")";
        }
    }

    /** The first wave that selects the device; empty when none does (the release is not for it yet). */
    public Optional<Wave> waveFor(Map<String, String> deviceLabels, double bucket) {
        return waves.stream().filter(w -> w.selects(deviceLabels, bucket)).findFirst();
    }

    /**
     * The chance that a device with {@code deviceLabels} falls in each wave (in order), and last
     * the chance it falls in none, over a bucket uniform from 0 to 100. For {@code validate}'s
     * counts: which devices fall in a percent wave depends on machine ids it cannot know.
     */
    public double[] chances(Map<String, String> deviceLabels) {
        double[] out = new double[waves.size() + 1];
        double taken = 0;
        for (int i = 0; i < waves.size(); i++) {
            Wave w = waves.get(i);
            if (!w.matches(deviceLabels)) {
                continue;
            }
            double upTo = w.percent() == null ? 100 : w.percent();
            if (upTo > taken) {
                out[i] = (upTo - taken) / 100;
                taken = upTo;
            }
        }
        out[waves.size()] = (100 - taken) / 100;
        return out;
    }
}

package io.voltis.model;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of a rollout plan, in a workload file ({@code rollout:}) or the repo-wide
 * {@code rollout.yaml} (docs/rollout.md). A plan must say something (waves or a pause: an empty
 * one would be stored and never enforced); names are unique; each wave selects by labels and/or
 * a percent; later waves never start sooner, and a percent wave without labels must reach
 * further than the one before, or it selects nobody.
 */
final class RolloutChecks {

    private final String at;
    private final Bound<?> bound;
    private final String file;
    private final List<Problem> problems;

    /** {@code at}: the plan's field path in {@code file} ({@code rollout}, or empty for a file that is the plan). */
    RolloutChecks(String at, Bound<?> bound, String file, List<Problem> problems) {
        this.at = at;
        this.bound = bound;
        this.file = file;
        this.problems = problems;
    }

    void run(RolloutSpec plan) {
        if (plan.waves().isEmpty() && !plan.pause()) {
            add(at, "a rollout needs waves (or pause: true); without them every device would move at once");
            return;
        }
        if (plan.waves().size() > RolloutSpec.MAX_WAVES) {
            add(field("waves"), plan.waves().size() + " waves; at most " + RolloutSpec.MAX_WAVES);
        }
        Map<String, Integer> names = new HashMap<>();
        Duration before = Duration.ZERO;
        int reach = 0;
        for (int i = 0; i < plan.waves().size(); i++) {
            RolloutSpec.Wave w = plan.waves().get(i);
            String wave = field("waves[" + i + "]");
            if (!w.name().isEmpty()) {
                String bad = Names.check(Names.OBJECT, w.name(), "wave name");
                if (bad != null) {
                    add(wave + ".name", bad);
                } else if (names.putIfAbsent(w.name(), i) != null) {
                    add(wave + ".name", "wave '" + w.name() + "' is already defined at " + field("waves[" + names.get(w.name()) + "]"));
                }
            }
            w.labels().keySet().forEach(name -> {
                String bad = Names.check(Names.VARIABLE, name, "label name (letters, digits, '_', '.', '-')");
                if (bad != null) {
                    add(wave + ".labels." + name, bad);
                }
            });
            if (w.labels().isEmpty() && w.percent() == null && !given(wave + ".percent") && !given(wave + ".labels")) {
                add(wave, "a wave selects devices by labels, percent or both");
            }
            if (w.percent() != null) {
                if (w.percent() < 1 || w.percent() > 100) {
                    add(wave + ".percent", w.percent() + " is not from 1 to 100");
                } else if (w.labels().isEmpty() && w.percent() <= reach) {
                    add(wave + ".percent", w.percent() + "% selects no device: the waves before already take " + reach + "%");
                }
                if (w.labels().isEmpty()) {
                    reach = Math.max(reach, w.percent());
                }
            }
            if (w.after().compareTo(RolloutSpec.MAX_AFTER) > 0) {
                add(wave + ".after", Durations.format(w.after()) + " is longer than " + Durations.format(RolloutSpec.MAX_AFTER));
            } else if (w.after().compareTo(before) < 0) {
                add(wave + ".after", Durations.format(w.after()) + " is sooner than the wave before (" + Durations.format(before)
                        + "): waves are listed in the order they start");
            } else {
                before = w.after();
            }
        }
    }

    private String field(String name) {
        return at.isEmpty() ? name : at + "." + name;
    }

    private boolean given(String field) {
        return bound.locations().containsKey(field);
    }

    private void add(String field, String message) {
        if (bound.failed(field)) {
            return;
        }
        problems.add(Problem.at(file, bound.at(field), field, message));
    }
}

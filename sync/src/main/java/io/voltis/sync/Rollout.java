package io.voltis.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.voltis.model.RolloutBucket;
import io.voltis.model.RolloutSpec;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * A staged rollout decided on this device alone (DESIGN.md, "Staged rollout"; docs/rollout.md):
 * whether the device may move from the revision it runs to the branch head, by the head's
 * {@code rollout:} plan. The release is the oldest commit, following first parents back from the
 * head, that this device would run the same way ({@link Preparer#releaseDigest}): a commit that
 * only pauses, shortens a wave or rolls forward starts no new release. The device's wave comes
 * from its bucket for that release ({@link RolloutBucket}); the wave's clock starts when the
 * device first saw the release (or a later commit of it), or at the release's commit time when
 * that is later: a device whose clock is behind does not move early.
 *
 * <p>Not thread-safe: the reconciler's tick or one {@code plan} uses it.
 */
public final class Rollout {

    /** NOTE: docs/rollout.md names it. Commits looked at, back from the head, for the start of its release. */
    static final int MAX_WALK = 50;
    private static final int DIGESTS_KEPT = 256;

    private final GitMirror mirror;
    private final RevisionStore store;
    private final Preparer preparer;
    private final String deviceId;
    private final Map<String, Optional<String>> digests = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<String>> eldest) {
            return size() > DIGESTS_KEPT;
        }
    };

    /** What the plan says of this device and the head; {@link #holds} says whether it keeps the applied revision. */
    public enum State {
        /** Nothing applied yet: a plan holds only devices that run a revision (unless paused). */
        FIRST("first"),
        /** The device runs this release already (a later commit changes only the plan, or nothing of this device). */
        CURRENT("current"),
        /** The device's wave has started: it moves now. */
        ELIGIBLE("eligible"),
        /** The device's wave starts later. */
        WAITING("waiting"),
        /** {@code pause: true}: no device moves. */
        PAUSED("paused"),
        /** No wave selects the device (the plan stops short of it). */
        OUTSIDE("outside");

        private final String word;

        State(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /**
     * The verdict on moving to {@code head}: {@code release} the commit that started the release
     * (null when not worked out), {@code wave} the device's (null: none or not worked out),
     * {@code startedAt} the release's clock, {@code eligibleAt} when the wave may move,
     * {@code message} one line for status and the log.
     */
    public record Verdict(State state, String workload, String head, String release, String wave, Double bucket,
                          Instant startedAt, Instant eligibleAt, String message) {

        /** Whether the device keeps the revision it runs. */
        public boolean holds() {
            return state == State.WAITING || state == State.PAUSED || state == State.OUTSIDE;
        }
    }

    public Rollout(GitMirror mirror, RevisionStore store, Preparer preparer, String deviceId) {
        this.mirror = mirror;
        this.store = store;
        this.preparer = preparer;
        this.deviceId = deviceId;
    }

    /**
     * This device's id for its buckets: its machine id ({@code /etc/machine-id}, read once) and
     * its hostname, so devices cloned from one image (same machine id) still differ, and no one
     * who knows only hostnames can tell which devices go first. Only the hostname when there is
     * no machine id.
     */
    public static String deviceId(Path machineIdFile, String hostname) {
        String machineId = "";
        try {
            if (Files.isRegularFile(machineIdFile) && Files.size(machineIdFile) < 4096) {
                machineId = Files.readString(machineIdFile).strip();
            }
        } catch (java.io.IOException | RuntimeException e) {
            machineId = "";
        }
        return machineId + "/" + hostname;
    }

    /** The machine id file every Linux with systemd (and most without) has. */
    public static final Path MACHINE_ID = Path.of("/etc/machine-id");

    /**
     * The verdict on moving from {@code applied} (null: nothing applied) to {@code head}; empty
     * when the head's workload has no plan.
     */
    public Optional<Verdict> check(String applied, Preparation.Ready head, Instant now) throws SourceException {
        RolloutSpec plan = head.resolution().workload().spec().rollout();
        if (plan == null) {
            return Optional.empty();
        }
        String workload = head.resolution().workload().name();
        String short12 = head.sha().substring(0, 12);
        if (applied == null) {
            return Optional.of(plan.pause()
                    ? new Verdict(State.PAUSED, workload, head.sha(), null, null, null, null, null, "paused by the rollout plan of "
                            + workload + ": nothing is applied yet, and " + short12 + " waits for the pause to end")
                    : new Verdict(State.FIRST, workload, head.sha(), null, null, null, null, null, "nothing applied yet:"
                            + " the rollout plan of " + workload + " holds only devices that run a revision"));
        }
        Optional<String> headDigest = digest(head.sha());
        if (applied.equals(head.sha()) || headDigest.isPresent() && headDigest.equals(digest(applied))) {
            return Optional.of(locate(plan, workload, head, headDigest, now, State.CURRENT));
        }
        if (plan.pause()) {
            return Optional.of(new Verdict(State.PAUSED, workload, head.sha(), null, null, null, null, null,
                    "paused by the rollout plan of " + workload + ": keeps " + applied.substring(0, 12) + ", "
                            + short12 + " waits for the pause to end"));
        }
        return Optional.of(locate(plan, workload, head, headDigest, now, null));
    }

    /** The release, wave and clock of {@code head}; {@code state} when already decided, else from the clock. */
    private Verdict locate(RolloutSpec plan, String workload, Preparation.Ready head, Optional<String> headDigest, Instant now,
                           State state) throws SourceException {
        List<String> chain = release(head.sha(), headDigest);
        String release = chain.get(chain.size() - 1);
        String r12 = release.substring(0, 12);
        double bucket = RolloutBucket.of(deviceId, release);
        Optional<RolloutSpec.Wave> wave = plan.waveFor(head.resolution().device().labels(), bucket);
        Instant started = startOf(chain, release, now);
        if (wave.isEmpty()) {
            State s = state != null ? state : State.OUTSIDE;
            return new Verdict(s, workload, head.sha(), release, null, bucket, started, null, s == State.OUTSIDE
                    ? "no wave of the rollout plan of " + workload + " selects this device for release " + r12
                    + " yet: it keeps what it runs until a commit adds a wave for it" : "runs release " + r12 + " already");
        }
        Instant eligible = started.plus(wave.get().after());
        State s = state != null ? state : now.isBefore(eligible) ? State.WAITING : State.ELIGIBLE;
        String message = switch (s) {
            case WAITING -> "waiting: wave " + wave.get().describe() + " of release " + r12 + " eligible at "
                    + eligible.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            case ELIGIBLE -> "wave " + wave.get().describe() + " of release " + r12 + ": eligible since "
                    + eligible.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            default -> "runs release " + r12 + " already (wave " + wave.get().name() + ")";
        };
        return new Verdict(s, workload, head.sha(), release, wave.get().name(), bucket, started, eligible, message);
    }

    /**
     * The head and its first-parent ancestors that are the same release, newest first: the last
     * one started it. Stops at a commit that differs, one the mirror lacks, or {@link #MAX_WALK}.
     */
    private List<String> release(String head, Optional<String> headDigest) throws SourceException {
        List<String> chain = new ArrayList<>();
        chain.add(head);
        if (headDigest.isEmpty()) {
            return chain;
        }
        String at = head;
        for (int i = 0; i < MAX_WALK; i++) {
            Optional<String> parent = mirror.firstParent(at);
            if (parent.isEmpty() || !digest(parent.get()).equals(headDigest)) {
                break;
            }
            at = parent.get();
            chain.add(at);
        }
        return chain;
    }

    /**
     * When the release's clock started: the earliest first sight of any commit of it that this
     * device recorded (now, if none), or the release's commit time when that is later.
     */
    private Instant startOf(List<String> chain, String release, Instant now) throws SourceException {
        Instant seen = null;
        for (String sha : chain) {
            Optional<RevisionRecord> r = store.revision(sha);
            if (r.isPresent() && r.get().firstSeen() != null && (seen == null || r.get().firstSeen().isBefore(seen))) {
                seen = r.get().firstSeen();
            }
        }
        if (seen == null) {
            seen = now;
        }
        Instant committed = mirror.commitInfo(release).committedAt();
        return committed.isAfter(seen) ? committed : seen;
    }

    private Optional<String> digest(String sha) throws SourceException {
        Optional<String> known = digests.get(sha);
        if (known == null) {
            known = preparer.releaseDigest(sha);
            digests.put(sha, known);
        }
        return known;
    }
}

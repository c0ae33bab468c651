package io.voltis.agent.reconcile;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.trust.CommitVerifier;
import io.voltis.sync.trust.CommitVerifier.Verdict;
import io.voltis.sync.trust.TrustReason;
import io.voltis.sync.trust.TrustSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a revision may be applied under the device's trust policy (DESIGN.md, "Trust: signed
 * commits"; docs/decisions/0032-signed-commits-on-the-device.md). What is verified:
 * <ul>
 * <li>the branch head: every commit after the last applied revision ({@code chain}) or the head
 * alone ({@code head}), and the head must descend from the last applied revision
 * ({@code NotDescendant} otherwise); with nothing applied yet, the head alone;</li>
 * <li>a device-file pin: the head that names it and the pinned commit, each alone;</li>
 * <li>a CLI pin: the pinned commit alone (the operator chose it, so it may be older); given
 * {@code --allow-unverified}, nothing (recorded {@code Accepted}).</li>
 * </ul>
 * Each commit's result goes to the store ({@code trust}, {@code signer}) and to the listener
 * (metrics) once; a decision is kept until the applied revision, the desired one or the pin
 * changes, so a refused head is not verified again every tick. A refusal is logged and recorded
 * as an event once. With {@code warn} the same is reported and the revision is applied anyway.
 *
 * <p>Not thread-safe: the reconciler's tick calls it.
 */
public final class TrustGate {

    private static final Logger LOG = LoggerFactory.getLogger(TrustGate.class);

    /** Heard once per commit verified: its result word ({@code Verified} or a reason). */
    public interface Listener {
        void verified(String result);
    }

    /** Why a revision may not be applied: the offending commit, the reason and its one-line message. */
    public static class Refusal {
        private final String sha;
        private final TrustReason reason;
        private final String message;

        Refusal(String sha, TrustReason reason, String message) {
            this.sha = sha;
            this.reason = reason;
            this.message = message;
        }

        public String sha() {
            return sha;
        }

        public TrustReason reason() {
            return reason;
        }

        public String message() {
            return message;
        }
    }

    /** Verdicts kept per commit before the memory is cleared (a commit verifies in well under a millisecond). */
    private static final int MAX_VERDICTS = 10_000;
    private static final java.time.Duration RETRY_UNDECIDED = java.time.Duration.ofMinutes(1);

    private final TrustSettings settings;
    private final CommitVerifier verifier;
    private final GitMirror mirror;
    private final RevisionStore store;
    private final Listener listener;
    private final java.time.Clock clock;
    /** Decisions by what they were asked (applied, desired, head, pin): null value = allowed. */
    private final Map<String, Refusal> decided = new HashMap<>();
    /** The applied revision the decisions were made over. */
    private String decidedOver;
    /** The last question that could not be decided (commits unreadable), when, and its answer. */
    private String undecidedKey;
    private java.time.Instant undecidedAt;
    private Refusal undecided;
    /** What status shows per commit: recorded results, read from the store once for commits verified before a restart. */
    private final Map<String, java.util.Optional<AgentStatus.Signature>> shown = new HashMap<>();
    /** Verdicts by commit, so a chain is verified once per commit. */
    private final Map<String, Verdict> verdicts = new HashMap<>();

    private TrustGate(TrustSettings settings, CommitVerifier verifier, GitMirror mirror, RevisionStore store,
                      Listener listener, java.time.Clock clock) {
        this.clock = clock;
        this.settings = settings;
        this.verifier = verifier;
        this.mirror = mirror;
        this.store = store;
        this.listener = listener;
    }

    /** Every revision may be applied, nothing is verified and no verification class is loaded. */
    public static TrustGate off() {
        return new TrustGate(TrustSettings.OFF, null, null, null, r -> { }, java.time.Clock.systemUTC());
    }

    /**
     * The gate of {@code settings}, its files read now.
     *
     * @throws io.voltis.sync.trust.TrustConfigException a file that cannot be used (one line, file and line)
     */
    public static TrustGate of(TrustSettings settings, GitMirror mirror, RevisionStore store, Listener listener,
                               java.time.Clock clock) throws io.voltis.sync.trust.TrustConfigException {
        if (!settings.on()) {
            return off();
        }
        return new TrustGate(settings, settings.verifier(), mirror, store, listener, clock);
    }

    public TrustSettings.Mode mode() {
        return settings.mode();
    }

    /**
     * Null when {@code desired} may be applied over {@code applied} (null: nothing applied yet);
     * else why not. Only {@code enforce} refuses; {@code warn} reports and allows.
     *
     * @param head the branch head ({@code desired} itself unless a pin chose another commit)
     */
    public Refusal check(String applied, String desired, String head, Pin pin) {
        if (!settings.on()) {
            return null;
        }
        if (!java.util.Objects.equals(applied, decidedOver)) {
            decided.clear(); // decisions over another applied revision are never asked again
            decidedOver = applied;
        }
        if (verdicts.size() > MAX_VERDICTS) {
            verdicts.clear();
        }
        boolean cliPin = pin != null && pin.source() == Pin.Source.CLI;
        String key = applied + ">" + desired + "@" + head + (pin == null ? "" : "#" + pin.source() + pin.allowUnverified());
        if (decided.containsKey(key)) {
            return decided.get(key);
        }
        if (key.equals(undecidedKey) && clock.instant().isBefore(undecidedAt.plus(RETRY_UNDECIDED))) {
            return undecided;
        }
        Refusal refusal;
        if (cliPin && pin.allowUnverified()) {
            record(new Verdict(desired, null, null, null, null, null), RevisionRecord.ACCEPTED,
                    "pinned with --allow-unverified: applied without verifying its signature");
            LOG.warn("revision {} is applied without verifying its signature: the cli pinned it with --allow-unverified",
                    desired.substring(0, 12));
            refusal = null;
        } else {
            refusal = firstFailure(cliPin ? List.of(desired) : pin != null ? List.of(head, desired) : null,
                    applied, desired);
        }
        if (refusal instanceof Undecided) {
            // the commits could not be read or fetched (the server is down, the disk): not a verdict on
            // the signatures; asked again in a minute, never remembered as one
            if (!key.equals(undecidedKey)) {
                LOG.warn("{}", refusal.message());
            }
            undecidedKey = key;
            undecidedAt = clock.instant();
            undecided = settings.mode() == TrustSettings.Mode.ENFORCE ? refusal : null;
            return undecided;
        }
        if (refusal != null) {
            report(refusal);
        }
        Refusal result = settings.mode() == TrustSettings.Mode.ENFORCE ? refusal : null;
        decided.put(key, result);
        return result;
    }

    /**
     * A refusal for want of the commits (the server down, the mirror unreadable), not of a
     * signature: its message starts with the source's reason word; retried, never remembered.
     */
    private static final class Undecided extends Refusal {
        Undecided(String sha, String message) {
            super(sha, TrustReason.BAD_SIGNATURE, message);
        }
    }

    /** Each of {@code alone} verified by itself; or, when null, the head's chain over {@code applied}. */
    private Refusal firstFailure(List<String> alone, String applied, String desired) {
        try {
            List<Verdict> found;
            if (alone != null) {
                found = new java.util.ArrayList<>();
                for (String sha : alone) {
                    Verdict v = verify(sha);
                    found.add(v);
                    if (!v.trusted()) {
                        break;
                    }
                }
            } else {
                found = chain(applied, desired);
            }
            for (Verdict v : found) {
                if (!v.trusted()) {
                    return new Refusal(v.sha(), v.reason(), v.reason().word() + ": commit " + v.sha().substring(0, 12)
                            + (v.sha().equals(desired) ? "" : " (below " + desired.substring(0, 12) + ")") + ": "
                            + v.message());
                }
            }
            return null;
        } catch (SourceException e) {
            return new Undecided(desired, e.reason().word() + ": commit " + desired.substring(0, 12)
                    + " cannot be verified yet: " + e.getMessage() + " (asked again in a minute)");
        } catch (IOException e) {
            return new Undecided(desired, io.voltis.sync.git.Reason.LOCAL_ERROR.word() + ": commit "
                    + desired.substring(0, 12) + " cannot be verified yet: " + e + " (asked again in a minute)");
        }
    }

    private List<Verdict> chain(String applied, String desired) throws IOException, SourceException {
        if (applied == null) {
            // the first apply on this device: the history below it is not the device's to judge
            // (a shallow mirror holds none of it); every later commit is
            return List.of(verify(desired));
        }
        if (!mirror.has(applied)) {
            mirror.fetchHistory(); // the mirror was rebuilt: its history starts at the head
        }
        List<Verdict> found;
        if (!mirror.has(applied)) {
            // not in the branch's whole history: the head cannot descend from it
            found = List.of(new Verdict(desired, TrustReason.NOT_DESCENDANT, null, null, null, desired.substring(0, 12)
                    + " does not descend from the applied " + applied.substring(0, 12) + ", which the branch no longer"
                    + " holds (force-push): pin it with the cli to accept it"));
        } else {
            found = walk(applied, desired);
            if (!found.isEmpty() && found.get(0).reason() == TrustReason.NOT_DESCENDANT && mirror.shallow()) {
                mirror.fetchHistory(); // the mirror's history may stop short of the applied commit
                found = walk(applied, desired);
            }
        }
        if (!found.isEmpty() && found.get(0).reason() == TrustReason.NOT_DESCENDANT) {
            record(found.get(0), found.get(0).result(), found.get(0).message());
        }
        return found;
    }

    private List<Verdict> walk(String applied, String desired) throws IOException {
        List<Verdict> found = new java.util.ArrayList<>();
        for (Verdict v : verifier.verifyChain(mirror.repository(), applied, desired, settings.scope())) {
            if (v.reason() == TrustReason.NOT_DESCENDANT) {
                found.add(v); // about the pair, not the commit: never taken from what the commit verified as
            } else if (verdicts.containsKey(v.sha())) {
                found.add(verdicts.get(v.sha()));
            } else {
                remember(v);
                found.add(v);
            }
        }
        return found;
    }

    private Verdict verify(String sha) throws IOException {
        Verdict known = verdicts.get(sha);
        if (known != null) {
            show(known, known.result(), known.message()); // the commit may have been shown refused as a replay since
            return known;
        }
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(mirror.repository())) {
            Verdict v = verifier.verify(mirror.repository(), walk.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(sha)));
            remember(v);
            return v;
        }
    }

    private void remember(Verdict v) {
        verdicts.put(v.sha(), v);
        record(v, v.result(), v.message());
    }

    /**
     * What verifying {@code sha} found, for status: from this run, else as the store recorded it
     * (read once); null when off, unknown or never verified.
     */
    public AgentStatus.Signature signature(String sha) {
        if (!settings.on() || sha == null) {
            return null;
        }
        return shown.computeIfAbsent(sha, k -> {
            try {
                return store.revision(k).filter(r -> r.trust() != null)
                        .map(r -> new AgentStatus.Signature(r.trust(), r.signer(), r.trustMessage()));
            } catch (RuntimeException e) {
                return java.util.Optional.empty();
            }
        }).orElse(null);
    }

    /** Counts a verification and records its result. */
    private void record(Verdict v, String result, String message) {
        listener.verified(result);
        show(v, result, message);
    }

    /** Records what status, the store and {@code revisions} show for the commit, when it changed. */
    private void show(Verdict v, String result, String message) {
        AgentStatus.Signature now = new AgentStatus.Signature(result, v.signerText(), message);
        if (java.util.Optional.of(now).equals(shown.get(v.sha()))) {
            return;
        }
        shown.put(v.sha(), java.util.Optional.of(now));
        try {
            store.markVerified(v.sha(), result, v.signerText(), message);
        } catch (RuntimeException e) {
            LOG.warn("cannot record the verification of {}: {}", v.sha().substring(0, 12), e.getMessage());
        }
    }

    private void report(Refusal r) {
        boolean enforce = settings.mode() == TrustSettings.Mode.ENFORCE;
        String line = r.message() + (enforce ? "; not applied, the device keeps running its last good revision"
                : "; applied anyway (verify: warn)");
        LOG.warn("{}", line);
        try {
            store.addEvent(enforce ? EventType.REVISION_REFUSED : EventType.REVISION_UNVERIFIED, r.sha(), line);
        } catch (RuntimeException e) {
            LOG.warn("cannot record event: {}", e.getMessage());
        }
    }
}

package io.voltis.agent.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.voltis.agent.config.ConfigException;
import io.voltis.agent.reconcile.Reconciler;
import io.voltis.sync.store.EventLog;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.Notice;
import io.voltis.sync.store.Notices;
import io.voltis.sync.store.OutboxEntry;
import io.voltis.sync.store.RevisionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tells the configured targets of the events the daemon records (docs/notifications.md).
 *
 * <p><b>Who hears what</b> ({@link #of}, asked by the store for each event it records): a target
 * hears of the kinds it lists ({@code events:}; by default every failure: the kinds of severity
 * warning or error) at or above its {@code min-severity}. A failure is the state of a
 * <i>condition</i> (the apply, the source, one service, one job): a repeat with the same key
 * (kind, revision, reason, subject; never a time) is not sent again; the recovery that ends a
 * condition a target was told of is sent to it once, listed or not. The store queues the notices
 * in the transaction that records the event ({@link io.voltis.sync.store.Notice}).
 *
 * <p><b>Delivery</b>: one thread per target empties its outbox in order, the oldest notice first:
 * delivered, it leaves; failed, it is tried again after 1 s doubling to 5 min, and nothing after
 * it goes first. A notice older than the target's {@code max-age}, or beyond its
 * {@code max-queue}, is dropped with a {@code NotificationsDropped} event (which is never itself
 * notified). A kill -9 during a delivery leaves the notice queued: it is delivered again with the
 * same id (at least once). Nothing here runs on the poll or the apply: the apply's only cost is
 * the outbox rows written with its events.
 */
public final class Notifier implements Notices, Reconciler.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** NOTE: the events whose condition is the apply of the desired revision (docs/notifications.md). */
    private static final Set<EventType> APPLY_FAILURES = Set.of(EventType.APPLY_FAILED, EventType.REVISION_INVALID,
            EventType.GATE_FAILED, EventType.HELD, EventType.REVISION_REFUSED, EventType.REVISION_QUARANTINED,
            EventType.ROLLED_BACK, EventType.STEP_INTERRUPTED);
    private static final int MESSAGE_LIMIT = 4000;

    /** How deliveries are retried and how often the outbox is tidied; tests shorten them. */
    public record Settings(Duration firstRetry, Duration maxRetry, Duration housekeeping) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(1));
    }

    /** Counts deliveries for the metrics: {@code result} is delivered, failed or dropped. */
    public interface Counter {
        Counter NONE = (target, result, n) -> { };

        void count(String target, String result, int n);
    }

    private final String device;
    private final RevisionStore store;
    private final Clock clock;
    private final Settings settings;
    private final Counter counter;
    private final Map<String, Sender> senders = new LinkedHashMap<>();
    private volatile boolean closed;
    // what the device runs, from the reconciler: the payloads' workload and previousRevision
    private volatile String runningSha;
    private volatile String runningWorkload;
    private volatile String replacedSha;
    private volatile String applyingSha;
    private volatile String applyingWorkload;
    private volatile boolean rollingBack;

    private Notifier(String device, RevisionStore store, Clock clock, Settings settings, Counter counter) {
        this.device = device;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.counter = counter;
    }

    /**
     * Reads the targets' secrets (a problem is a {@link ConfigException}: exit 2), makes the
     * store queue notices for them, forgets the outbox of targets no longer configured, and starts
     * one sender per target, which first delivers what an earlier run left queued.
     */
    public static Notifier start(List<NotifyTarget> targets, String device, RevisionStore store, Clock clock,
                                 Map<String, String> agentEnv, Settings settings, Counter counter) throws ConfigException {
        Notifier n = new Notifier(device, store, clock, settings, counter);
        for (NotifyTarget t : targets) {
            n.senders.put(t.name(), n.new Sender(t, delivery(t, agentEnv)));
        }
        int forgotten = store.outboxRetain(n.senders.keySet());
        if (forgotten > 0) {
            LOG.warn("dropped {} queued notification(s) of targets no longer configured", forgotten);
        }
        store.notifyWith(n);
        n.senders.values().forEach(Sender::start);
        if (!targets.isEmpty()) {
            LOG.info("notifications to {}", String.join(", ", targets.stream().map(t -> t.name() + " (" + t.type().word()
                    + " " + t.address() + ")").toList()));
        }
        return n;
    }

    /** The delivery of {@code t}; the mail classes load only for an smtp target. */
    static Delivery delivery(NotifyTarget t, Map<String, String> agentEnv) throws ConfigException {
        return switch (t.type()) {
            case WEBHOOK -> new WebhookDelivery(t);
            case SMTP -> new SmtpDelivery(t);
            case COMMAND -> new CommandDelivery(t, agentEnv);
        };
    }

    /**
     * {@code voltis-agent notify test}: one test notice to {@code t}, now, outside the outbox;
     * returns when it was delivered.
     */
    public static void test(NotifyTarget t, String device, Map<String, String> agentEnv, Clock clock)
            throws ConfigException, DeliveryFailed, InterruptedException {
        String id = java.util.UUID.randomUUID().toString();
        Map<String, Object> fields = fields(id, device, null, "Test", Severity.INFO, null, null, null,
                "a test notification from voltis-agent on " + device + " to " + t.name(), clock.instant(), false);
        try {
            delivery(t, agentEnv).send(id, JSON.writeValueAsString(fields), fields);
        } catch (DeliveryException e) {
            throw new DeliveryFailed(e.line());
        }
    }

    /** A delivery that did not happen, as one line ("TargetRefused: HTTP 500 from https://host/…"). */
    public static final class DeliveryFailed extends Exception {
        DeliveryFailed(String line) {
            super(line);
        }
    }

    // --- who hears what

    @Override
    public List<Notice> of(EventType type, String revision, String message, Instant at) {
        if (closed || senders.isEmpty() || type == EventType.NOTIFICATIONS_DROPPED) {
            return List.of();
        }
        try {
            return notices(type, revision, message, at);
        } catch (RuntimeException e) {
            LOG.warn("cannot make the notifications of {}: {}", type.word(), e.toString());
            return List.of();
        }
    }

    private List<Notice> notices(EventType type, String revision, String message, Instant at) {
        String subject = switch (type) {
            case SERVICE_DEGRADED, SERVICE_RECOVERED, JOB_FAILED, JOB_RECOVERED -> message == null || !message.contains(":")
                    ? "" : message.substring(0, message.indexOf(':'));
            default -> null;
        };
        Severity severity = Severity.of(type);
        String condition;
        boolean recovery = false;
        switch (type) {
            case SOURCE_FAILED -> condition = "source";
            case SOURCE_RECOVERED -> {
                condition = "source";
                recovery = true;
            }
            case SERVICE_DEGRADED -> condition = "service:" + subject;
            case SERVICE_RECOVERED -> {
                condition = "service:" + subject;
                recovery = true;
            }
            case JOB_FAILED -> condition = "job:" + subject;
            case JOB_RECOVERED -> {
                condition = "job:" + subject;
                recovery = true;
            }
            case APPLIED -> {
                // the apply of a rollback does not end the failure that caused it
                condition = rollingBack ? null : "apply";
                recovery = !rollingBack;
            }
            default -> condition = APPLY_FAILURES.contains(type) ? "apply"
                    : severity != Severity.INFO ? "once:" + type.word() : null;
        }
        String reason = EventLog.reason(type, message);
        String key = type.word() + "|" + revision + "|" + reason + "|" + (subject == null ? "" : subject);
        boolean applying = revision != null && revision.equals(applyingSha)
                && (type == EventType.APPLY_STARTED || type == EventType.APPLIED || type == EventType.APPLY_FAILED);
        String workload = applying && applyingWorkload != null ? applyingWorkload : runningWorkload;
        String previous = applying ? runningSha
                : type == EventType.ROLLED_BACK || (revision != null && revision.equals(runningSha)) ? replacedSha
                : runningSha;
        String text = message == null ? null : message.length() <= MESSAGE_LIMIT ? message
                : message.substring(0, MESSAGE_LIMIT - 3) + "...";
        boolean isRecovery = recovery;
        List<Notice> out = new ArrayList<>(senders.size());
        for (Sender s : senders.values()) {
            NotifyTarget t = s.target;
            boolean listed = (t.events() == null ? severity != Severity.INFO : t.events().contains(type.word()))
                    && severity.compareTo(t.minSeverity()) >= 0;
            out.add(new Notice(t.name(), condition, key, isRecovery, listed, t.reminder(), id -> JSON.writeValueAsString(
                    fields(id, device, workload, type.word(), severity, revision, previous, reason, text, at, isRecovery))));
        }
        return out;
    }

    /** NOTE: the body's fields, in this order, are the contract in docs/notifications.md. */
    private static Map<String, Object> fields(String id, String device, String workload, String kind, Severity severity,
                                              String revision, String previous, String reason, String message, Instant at,
                                              boolean recovery) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("device", device);
        f.put("workload", workload);
        f.put("kind", kind);
        f.put("severity", severity.word());
        f.put("revision", revision);
        f.put("previousRevision", previous);
        f.put("reason", reason);
        f.put("message", message);
        f.put("time", at.toString());
        f.put("recovery", recovery);
        return f;
    }

    @Override
    public void queued(Set<String> targets) {
        for (String t : targets) {
            Sender s = senders.get(t);
            if (s != null) {
                s.wake();
            }
        }
    }

    // --- what the device runs (the reconciler's listener)

    @Override
    public void applying(String sha, String workload, boolean rollback) {
        applyingSha = sha;
        applyingWorkload = workload;
        rollingBack = rollback;
    }

    @Override
    public void running(String sha, String workload) {
        if (sha != null && !sha.equals(runningSha)) {
            replacedSha = runningSha;
        }
        runningSha = sha;
        runningWorkload = workload;
        applyingSha = null;
        rollingBack = false;
    }

    // --- status

    public List<io.voltis.agent.reconcile.AgentStatus.Notification> status() {
        return senders.values().stream().map(Sender::status).toList();
    }

    /** How many notices wait for {@code target}, as its sender last counted. */
    public int pending(String target) {
        Sender s = senders.get(target);
        return s == null ? 0 : s.pending;
    }

    public Set<String> targets() {
        return senders.keySet();
    }

    @Override
    public void close() {
        closed = true;
        senders.values().forEach(Sender::stop);
    }

    /** Empties one target's outbox, in order, on a thread of its own. */
    private final class Sender implements Runnable {
        private final NotifyTarget target;
        private final Delivery delivery;
        private final Thread thread;
        private final Object signal = new Object();
        private boolean woken;
        private volatile int pending;
        private volatile Instant lastDeliveredAt;
        private volatile String lastError;
        private volatile Instant lastErrorAt;
        private Instant tidyAt = Instant.MIN;

        Sender(NotifyTarget target, Delivery delivery) {
            this.target = target;
            this.delivery = delivery;
            this.thread = new Thread(this, "voltis-notify-" + target.name());
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void wake() {
            synchronized (signal) {
                woken = true;
                signal.notifyAll();
            }
        }

        io.voltis.agent.reconcile.AgentStatus.Notification status() {
            boolean failing = lastErrorAt != null && (lastDeliveredAt == null || lastErrorAt.isAfter(lastDeliveredAt));
            return new io.voltis.agent.reconcile.AgentStatus.Notification(target.name(), target.type().word(),
                    target.address(), pending, failing, lastDeliveredAt, lastError, lastErrorAt);
        }

        @Override
        public void run() {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                try {
                    if (!step()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the store down (disk full, removed): what is queued stays queued; try again later
                    LOG.debug("notify {}: {}", target.name(), e.toString());
                    if (!await(Duration.ofSeconds(5))) {
                        return;
                    }
                }
            }
        }

        /** One turn: tidy when due, then deliver the oldest notice or wait; false when stopping. */
        private boolean step() throws InterruptedException {
            Instant now = clock.instant();
            if (!now.isBefore(tidyAt)) {
                tidy(now);
                tidyAt = now.plus(settings.housekeeping());
            }
            List<OutboxEntry> next = store.outbox(target.name(), 1);
            if (next.isEmpty()) {
                pending = 0;
                return await(settings.housekeeping());
            }
            OutboxEntry e = next.get(0);
            if (e.nextAt().isAfter(now)) {
                return await(Duration.between(now, e.nextAt()));
            }
            deliver(e);
            return true;
        }

        private void deliver(OutboxEntry e) throws InterruptedException {
            Map<String, Object> fields;
            try {
                fields = JSON.readValue(e.payload(), new tools.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
            } catch (RuntimeException x) {
                fields = Map.of("kind", e.kind());
            }
            try {
                try {
                    delivery.send(e.noticeId(), e.payload(), fields);
                } catch (RuntimeException x) {
                    // a library's surprise (a mail provider missing, a malformed answer) fails the attempt, loudly
                    LOG.warn("notify {}: delivery of {} failed unexpectedly", target.name(), e.noticeId(), x);
                    throw new DeliveryException(DeliveryException.Reason.TARGET_REFUSED, target.address() + ": " + x);
                }
            } catch (DeliveryException x) {
                int attempts = e.attempts() + 1;
                long factor = 1L << Math.min(20, attempts - 1);
                Duration wait = settings.firstRetry().multipliedBy(factor);
                if (wait.compareTo(settings.maxRetry()) > 0) {
                    wait = settings.maxRetry();
                }
                store.outboxFailed(e.id(), x.line(), clock.instant().plus(wait));
                pending = store.outboxDepth().getOrDefault(target.name(), 0);
                counter.count(target.name(), "failed", 1);
                if (lastError == null || lastDeliveredAt != null && lastErrorAt != null && lastDeliveredAt.isAfter(lastErrorAt)) {
                    LOG.warn("notify {}: cannot deliver {} {} ({} waiting): {}; trying again", target.name(), e.kind(),
                            e.noticeId(), pending, x.line());
                }
                lastError = x.line();
                lastErrorAt = clock.instant();
                return;
            }
            store.outboxDelivered(e.id());
            pending = store.outboxDepth().getOrDefault(target.name(), 0);
            counter.count(target.name(), "delivered", 1);
            if (lastError != null && (lastDeliveredAt == null || lastErrorAt.isAfter(lastDeliveredAt))) {
                LOG.info("notify {}: delivering again after: {}", target.name(), lastError);
            }
            lastDeliveredAt = clock.instant();
        }

        /** Drops what is too old or too many (one event), and queues the reminders that are due. */
        private void tidy(Instant now) {
            int dropped = store.outboxExpire(target.name(), now.minus(target.maxAge()), target.maxQueue());
            if (dropped > 0) {
                counter.count(target.name(), "dropped", dropped);
                store.addEvent(EventType.NOTIFICATIONS_DROPPED, null, target.name() + ": dropped " + dropped
                        + " notification(s) it did not take within max-age " + io.voltis.model.Durations.format(target.maxAge())
                        + " or beyond max-queue " + target.maxQueue() + (lastError == null ? "" : "; last error: " + lastError));
            }
            if (target.reminder() != null) {
                store.outboxRemind(target.name(), target.reminder(), (payload, id) -> {
                    ObjectNode node = (ObjectNode) JSON.readTree(payload);
                    node.put("id", id);
                    node.put("reminder", true);
                    return JSON.writeValueAsString(node);
                });
            }
            pending = store.outboxDepth().getOrDefault(target.name(), 0);
        }

        /** Waits up to {@code d} or until woken; false when interrupted (stopping). */
        private boolean await(Duration d) {
            long until = System.nanoTime() + Math.max(1, d.toNanos());
            synchronized (signal) {
                while (!woken) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        signal.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return false;
                    }
                }
                woken = false;
            }
            return !closed;
        }
    }
}

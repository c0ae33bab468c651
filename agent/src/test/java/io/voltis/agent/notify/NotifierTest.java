package io.voltis.agent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.agent.config.ConfigException;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The notifier on a real store (an H2 file), delivering to a real HTTP server on loopback and a
 * real shell command: events go in through {@link RevisionStore#addEvent}, as the daemon records
 * them; what a receiver gets is asserted, never a mock of the sender.
 */
class NotifierTest {

    static final String A = "a".repeat(40);
    static final String B = "b".repeat(40);
    static final String C = "c".repeat(40);
    static final Notifier.Settings FAST = new Notifier.Settings(Duration.ofMillis(100), Duration.ofMillis(400),
            Duration.ofMillis(200));
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    final Map<String, AtomicInteger> counted = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    RevisionStore store() {
        return keep(RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC()));
    }

    Path secret(String value) throws IOException {
        Path f = tmp.resolve("webhook-secret");
        Files.writeString(f, value + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    static List<NotifyTarget> targets(String yaml) throws ConfigException {
        return NotifyTargets.parse(YAMLMapper.builder().build().readTree(yaml), "agent.yaml");
    }

    Notifier start(List<NotifyTarget> targets, RevisionStore store) throws ConfigException {
        return start(targets, store, Map.of("PATH", System.getenv("PATH")));
    }

    Notifier start(List<NotifyTarget> targets, RevisionStore store, Map<String, String> env) throws ConfigException {
        Notifier n = Notifier.start(targets, "edge-01", store, Clock.systemUTC(), env, FAST,
                (target, result, k) -> counted.computeIfAbsent(target + "/" + result, x -> new AtomicInteger()).addAndGet(k));
        open.add(n);
        return n;
    }

    int count(String key) {
        return counted.getOrDefault(key, new AtomicInteger()).get();
    }

    static List<String> kinds(Receiver r) {
        return r.delivered().stream().map(q -> (String) Receiver.json(q).get("kind")).toList();
    }

    @Test
    void aTargetAnswering500ThenRecovering_getsEachNoticeOnce_inOrder_signedWithItsSecret() throws Exception {
        Receiver hook = keep(new Receiver());
        hook.answer(500, 500);
        RevisionStore store = store();
        Path secret = secret("k3y");
        start(targets("- {name: ops, webhook: '" + hook.url() + "', hmac-secret-file: " + secret + "}"), store);

        store.addEvent(EventType.APPLY_FAILED, A, "FilesFailed: files: etc/app.conf: line 3: no such variable");
        store.addEvent(EventType.SOURCE_FAILED, null, "GitUnreachable: cannot reach the repository");

        await().atMost(PATIENCE).until(() -> hook.delivered().size() == 2);
        assertThat(kinds(hook)).containsExactly("ApplyFailed", "SourceFailed");
        Receiver.Request first = hook.delivered().get(0);
        assertThat(first.signature()).isEqualTo(WebhookDelivery.signature("k3y".getBytes(StandardCharsets.UTF_8),
                first.body().getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> body = Receiver.json(first);
        assertThat(body).containsEntry("id", first.id()).containsEntry("device", "edge-01")
                .containsEntry("kind", "ApplyFailed").containsEntry("severity", "error").containsEntry("revision", A)
                .containsEntry("reason", "FilesFailed").containsKeys("workload", "previousRevision", "time");
        assertThat((String) body.get("message")).contains("etc/app.conf: line 3");
        await().atMost(PATIENCE).until(() -> count("ops/delivered") == 2); // counted after the receiver answered
        assertThat(count("ops/failed")).isEqualTo(2);
        Thread.sleep(500); // nothing more arrives: each notice was delivered once
        assertThat(hook.delivered()).hasSize(2);
    }

    @Test
    void anUnreachableTarget_keepsEveryNoticeAcrossARestart_andGetsThemAfter_noneLostNoneDoubled_withTheirOriginalTimes()
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/hook/s3cr3t-path";
        List<NotifyTarget> targets = targets("- {name: ops, webhook: '" + url + "', timeout: 2s}");
        RevisionStore store = store();
        Notifier first = start(targets, store);
        store.addEvent(EventType.APPLY_FAILED, A, "FilesFailed: files: bad");
        store.addEvent(EventType.SERVICE_DEGRADED, A, "web: failed, exit 3");
        store.addEvent(EventType.JOB_FAILED, A, "backup: failed, exit 1 (cron)");
        await().atMost(PATIENCE).until(() -> first.status().get(0).failing() && first.status().get(0).pending() == 3);
        AgentStatus.Notification shown = first.status().get(0);
        assertThat(shown.lastError()).startsWith("TargetUnreachable: cannot connect to http://127.0.0.1:" + port);
        assertThat(shown.lastError()).as("a webhook's path may be its secret").doesNotContain("s3cr3t");
        assertThat(shown.pending()).isEqualTo(3);
        List<Event> recorded = store.events(10);
        first.close();
        store.close();

        Receiver hook = keep(new Receiver(port));
        RevisionStore again = store();
        start(targets, again);
        await().atMost(PATIENCE).until(() -> hook.delivered().size() == 3);
        Thread.sleep(500);
        assertThat(kinds(hook)).containsExactly("ApplyFailed", "ServiceDegraded", "JobFailed");
        assertThat(hook.delivered().stream().map(Receiver.Request::id).distinct()).hasSize(3);
        Map<String, Object> late = Receiver.json(hook.delivered().get(0));
        String appliedAt = recorded.stream().filter(e -> e.type().equals("ApplyFailed")).findFirst().orElseThrow().at().toString();
        assertThat(late.get("time")).as("the time the event happened, not the delivery's").isEqualTo(appliedAt);
    }

    @Test
    void onlyTransitionsAreSent_repeatsAreNot_andEachRecoveryOnce() throws Exception {
        Receiver hook = keep(new Receiver());
        RevisionStore store = store();
        Notifier n = start(targets("- {name: ops, webhook: '" + hook.url() + "'}"), store);
        n.running(A, "gateway");

        n.applying(B, "gateway", false);
        for (int i = 0; i < 3; i++) { // the same failure, retried: one notice
            store.addEvent(EventType.APPLY_FAILED, B, "FilesFailed: files: etc/app.conf: bad");
        }
        store.addEvent(EventType.APPLY_FAILED, B, "PackageFailed: packages: curl: not found"); // a new reason: told
        store.addEvent(EventType.SERVICE_RECOVERED, A, "web: running"); // never told it degraded: nothing
        // a flapping service: one degraded and one recovered per real change, none per tick
        store.addEvent(EventType.SERVICE_DEGRADED, A, "web: failed, exit 3");
        store.addEvent(EventType.SERVICE_DEGRADED, A, "web: backoff, exit 3"); // the same condition, still degraded
        store.addEvent(EventType.SERVICE_RECOVERED, A, "web: running");
        store.addEvent(EventType.SERVICE_DEGRADED, A, "web: failed, exit 3");
        store.addEvent(EventType.SERVICE_RECOVERED, A, "web: running");
        n.applying(C, "gateway", false);
        store.addEvent(EventType.APPLY_STARTED, C, "applying " + C.substring(0, 12) + " (gateway)");
        store.addEvent(EventType.APPLIED, C, "applied " + C.substring(0, 12)); // ends the failing apply: the recovery
        n.running(C, "gateway");
        store.addEvent(EventType.GATE_PASSED, C, "verified good"); // information: not asked for
        n.applying(B, "gateway", false);
        store.addEvent(EventType.APPLIED, B, "applied " + B.substring(0, 12)); // nothing was failing: not a recovery

        await().atMost(PATIENCE).until(() -> hook.delivered().size() >= 7);
        Thread.sleep(700);
        assertThat(kinds(hook)).containsExactly("ApplyFailed", "ApplyFailed", "ServiceDegraded", "ServiceRecovered",
                "ServiceDegraded", "ServiceRecovered", "Applied");
        Map<String, Object> recovery = Receiver.json(hook.delivered().get(6));
        assertThat(recovery).containsEntry("recovery", true).containsEntry("revision", C)
                .containsEntry("previousRevision", A).containsEntry("workload", "gateway");
    }

    @Test
    void aTargetThatAsksForOnlySomeKindsAndSeverities_getsThoseOnly() throws Exception {
        Receiver hook = keep(new Receiver());
        RevisionStore store = store();
        start(targets("- {name: pager, webhook: '" + hook.url() + "', events: [ApplyFailed, ServiceDegraded, Pinned],"
                + " min-severity: error}"), store);
        store.addEvent(EventType.SERVICE_DEGRADED, A, "web: failed"); // a warning: below error
        store.addEvent(EventType.SOURCE_FAILED, null, "GitUnreachable: down"); // not listed
        store.addEvent(EventType.PINNED, A, "pinned"); // information: below error
        store.addEvent(EventType.APPLY_FAILED, A, "FilesFailed: bad");
        await().atMost(PATIENCE).until(() -> hook.delivered().size() >= 1);
        Thread.sleep(500);
        assertThat(kinds(hook)).containsExactly("ApplyFailed");
    }

    @Test
    void aSlowTarget_timesOut_whileEventsAreRecordedWithoutWaitingForIt_andEverythingArrivesInOrderAfter() throws Exception {
        Receiver hook = keep(new Receiver());
        hook.holdRequests();
        RevisionStore store = store();
        Notifier n = start(targets("- {name: slow, webhook: '" + hook.url() + "', timeout: 1s}"), store);
        store.addEvent(EventType.APPLY_FAILED, A, "FilesFailed: first");
        await().atMost(PATIENCE).until(() -> n.status().get(0).failing());
        assertThat(n.status().get(0).lastError()).startsWith("TimedOut: ");
        // the target still holds every request: recording events never waits for it
        for (int i = 0; i < 20; i++) {
            store.addEvent(EventType.SERVICE_DEGRADED, A, "svc" + i + ": failed");
        }
        assertThat(store.events(100)).hasSize(21);
        assertThat(hook.delivered()).isEmpty();
        hook.release();
        await().atMost(PATIENCE).until(() -> hook.delivered().size() >= 21);
        List<String> order = hook.delivered().stream().map(q -> (String) Receiver.json(q).get("message")).toList();
        assertThat(order.get(0)).isEqualTo("FilesFailed: first");
        assertThat(order.subList(order.size() - 20, order.size()))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "svc" + i + ": failed").toList());
    }

    @Test
    void pastMaxQueue_theOldestAreDropped_withAnEventThatIsNotItselfNotified() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RevisionStore store = store();
        Notifier n = start(targets("- {name: ops, webhook: 'http://127.0.0.1:" + port + "/x', max-queue: 2}"), store);
        for (int i = 0; i < 5; i++) {
            store.addEvent(EventType.SERVICE_DEGRADED, A, "svc" + i + ": failed");
        }
        await().atMost(PATIENCE).until(() -> count("ops/dropped") == 3);
        // the metric first, then the events: wait for both. The sender may tidy while the five are
        // still being recorded, so the three can be told in more than one event ("dropped 1", "dropped 2")
        await().atMost(PATIENCE).until(() -> store.events(20).stream().filter(e -> e.type().equals("NotificationsDropped"))
                .mapToInt(e -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^ops: dropped (\\d+) notification\\(s\\)")
                            .matcher(e.message());
                    return m.find() ? Integer.parseInt(m.group(1)) : 0;
                }).sum() == 3);
        await().atMost(PATIENCE).until(() -> n.pending("ops") == 2);
        assertThat(store.outbox("ops", 10)).extracting(e -> e.kind()).containsOnly("ServiceDegraded");
    }

    @Test
    void pastMaxAge_aNoticeIsDroppedRatherThanDeliveredLate_withAnEvent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RevisionStore store = store();
        start(targets("- {name: ops, webhook: 'http://127.0.0.1:" + port + "/x', max-age: 1s}"), store);
        store.addEvent(EventType.SOURCE_FAILED, null, "GitUnreachable: down");
        await().atMost(PATIENCE).until(() -> count("ops/dropped") == 1);
        await().atMost(PATIENCE).until(() -> store.events(10).stream().anyMatch(e -> e.type().equals("NotificationsDropped")
                && e.message().startsWith("ops: dropped 1 notification(s) it did not take within max-age 1s")
                && e.message().contains("last error: TargetUnreachable")));
        assertThat(store.outbox("ops", 10)).isEmpty();
    }

    @Test
    void aConditionThatPersists_isRemindedEveryInterval_untilItRecovers() throws Exception {
        Receiver hook = keep(new Receiver());
        RevisionStore store = store();
        start(targets("- {name: ops, webhook: '" + hook.url() + "', reminder: 1s}"), store);
        store.addEvent(EventType.SOURCE_FAILED, null, "GitUnreachable: down");
        await().atMost(PATIENCE).until(() -> hook.delivered().size() >= 2);
        Map<String, Object> reminder = Receiver.json(hook.delivered().get(1));
        assertThat(reminder).containsEntry("kind", "SourceFailed").containsEntry("reminder", true);
        assertThat(reminder.get("id")).isNotEqualTo(Receiver.json(hook.delivered().get(0)).get("id"));
        store.addEvent(EventType.SOURCE_RECOVERED, null, "reachable again");
        await().atMost(PATIENCE).until(() -> kinds(hook).contains("SourceRecovered"));
        int after = hook.delivered().size();
        Thread.sleep(2500);
        assertThat(hook.delivered()).as("no reminder once recovered").hasSize(after);
    }

    @Test
    void aCommandTarget_getsTheEventOnStdin_andNoneOfTheAgentsSecrets() throws Exception {
        Path hook = tmp.resolve("on-event");
        Path got = tmp.resolve("got");
        Files.writeString(hook, "#!/bin/sh\ncat > " + got + ".json\nenv > " + got + ".env\nmv " + got + ".json " + got + "\n");
        hook.toFile().setExecutable(true);
        RevisionStore store = store();
        start(targets("- {name: local, command: ['" + hook + "']}"), store,
                Map.of("PATH", System.getenv("PATH"), "VOLTIS_GIT_TOKEN", "ghp_s3cr3t"));
        store.addEvent(EventType.JOB_FAILED, A, "backup: failed, exit 1 (cron); last output: disk full");
        await().atMost(PATIENCE).until(() -> Files.exists(got));
        assertThat(Files.readString(got)).contains("\"kind\":\"JobFailed\"", "\"reason\":\"JobFailed\"", "disk full");
        String env = Files.readString(tmp.resolve("got.env"));
        assertThat(env).contains("VOLTIS_EVENT_KIND=JobFailed").doesNotContain("s3cr3t");
    }

    @Test
    void aFailingCommand_isTriedAgain_andStatusSaysWhy() throws Exception {
        Path hook = tmp.resolve("on-event");
        Files.writeString(hook, "#!/bin/sh\necho 'queue full' >&2\nexit 7\n");
        hook.toFile().setExecutable(true);
        RevisionStore store = store();
        Notifier n = start(targets("- {name: local, command: ['" + hook + "']}"), store);
        store.addEvent(EventType.APPLY_FAILED, A, "FilesFailed: bad");
        await().atMost(PATIENCE).until(() -> count("local/failed") >= 2 && n.status().get(0).failing());
        assertThat(n.status().get(0).lastError()).isEqualTo("CommandFailed: " + hook + " exited 7: queue full");
        assertThat(n.status().get(0).pending()).isEqualTo(1);
    }

    @Test
    void notifyTest_deliversAtOnce_orSaysWhyNot() throws Exception {
        Receiver hook = keep(new Receiver());
        NotifyTarget ok = targets("- {name: ops, webhook: '" + hook.url() + "'}").get(0);
        Notifier.test(ok, "edge-01", Map.of(), Clock.systemUTC());
        assertThat(kinds(hook)).containsExactly("Test");
        hook.answer(403);
        assertThatThrownBy(() -> Notifier.test(ok, "edge-01", Map.of(), Clock.systemUTC()))
                .isInstanceOf(Notifier.DeliveryFailed.class)
                .hasMessage("TargetRefused: HTTP 403 from http://127.0.0.1:" + hook.port() + "/…");
    }
}

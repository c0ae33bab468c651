package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.voltis.sync.git.Reason;
import io.voltis.sync.store.Event;
import io.voltis.sync.testing.GitHttpServer;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poll that answers a check-now hint fetches without a ref check first (decision 0042): two
 * devices' real pollers, mirrors and H2 stores against one real smart-HTTP server (JGit's
 * servlet on loopback, protocol v2), one polling on its schedule and one hinted, with the
 * server's request count as the user-visible cost.
 */
class HintedPollTest {

    @TempDir
    Path tmp;

    TestRepo origin;
    GitHttpServer server;
    SyncFixture scheduled;
    SyncFixture hinted;

    @BeforeEach
    void setUp() throws Exception {
        origin = TestRepo.fromDirectory(tmp.resolve("origin.git"), SyncFixture.example(), "initial");
        server = GitHttpServer.open(origin);
        scheduled = new SyncFixture(tmp.resolve("scheduled"), origin, server.url(), "", "edge-01");
        hinted = new SyncFixture(tmp.resolve("hinted"), origin, server.url(), "", "edge-02");
        assertThat(scheduled.poller.poll()).isInstanceOf(PollResult.Fetched.class);
        assertThat(hinted.poller.poll()).isInstanceOf(PollResult.Fetched.class);
    }

    @AfterEach
    void tearDown() {
        hinted.mirror.close();
        hinted.store.close();
        scheduled.close(); // closes the origin too
        server.close();
    }

    /** The poll's result, and how many HTTP requests the server saw for it. */
    private record Counted(PollResult result, int requests) {
    }

    private Counted counted(java.util.function.Supplier<PollResult> poll) {
        int before = server.requestCount();
        PollResult result = poll.get();
        return new Counted(result, server.requestCount() - before);
    }

    @Test
    void afterAPush_theHintedPollFetchesWithoutTheRefCheck_twoRequestsFewer_andRecordsTheSame() {
        String pushed = origin.commit("change greeting", Map.of("devices/edge-01.yaml",
                "workload: hello-web\nvars: {greeting: hi, port: \"8080\"}\n"));

        Counted plain = counted(scheduled.poller::poll);
        Counted fast = counted(() -> hinted.poller.poll(true));

        assertThat(plain.result()).isInstanceOfSatisfying(PollResult.Fetched.class, r -> assertThat(r.head()).isEqualTo(pushed));
        assertThat(fast.result()).isInstanceOfSatisfying(PollResult.Fetched.class, r -> {
            assertThat(r.head()).isEqualTo(pushed);
            assertThat(r.forced()).isFalse();
            assertThat(r.packBytes()).isPositive();
        });
        // protocol v2: the ref check is a capabilities GET and an ls-refs POST; the fetch repeats both
        assertThat(plain.requests() - fast.requests()).isEqualTo(2);
        assertThat(hinted.store.revisions(10)).extracting(r -> r.message()).containsExactly("change greeting", "initial");
        assertThat(hinted.store.events(10)).extracting(Event::type).containsExactly("RevisionSeen", "RevisionSeen");
        assertThat(hinted.store.sourceState().headRevision()).isEqualTo(pushed);
    }

    @Test
    void withNothingNew_theHintedPollCostsWhatARefCheckCosts_andWritesNothing() throws Exception {
        Map<String, String> before = PollerTest.settledStateFiles(hinted.state);

        Counted plain = counted(scheduled.poller::poll);
        for (int i = 0; i < 5; i++) {
            hinted.clock.advance(Duration.ofSeconds(30));
            Counted fast = counted(() -> hinted.poller.poll(true));

            assertThat(fast.result()).isEqualTo(new PollResult.Unchanged(origin.head()));
            assertThat(fast.requests()).isEqualTo(plain.requests());
        }

        assertThat(PollerTest.stateFiles(hinted.state)).isEqualTo(before);
        assertThat(hinted.store.events(10)).extracting(Event::type).containsExactly("RevisionSeen");
    }

    @Test
    void aForcePush_isSeenAsRewrittenHistory_byTheHintedPollToo() {
        String first = origin.head();
        origin.resetBranch("main", first);
        String second = origin.commit("second", Map.of("x", "1"));
        assertThat(hinted.poller.poll(true)).isInstanceOf(PollResult.Fetched.class);
        origin.resetBranch("main", first);
        String rewritten = origin.commit("rewritten", Map.of("x", "2"));

        assertThat(hinted.poller.poll(true)).isInstanceOfSatisfying(PollResult.Fetched.class, r -> {
            assertThat(r.head()).isEqualTo(rewritten);
            assertThat(r.previous()).isEqualTo(second);
            assertThat(r.forced()).isTrue();
        });
        assertThat(hinted.store.events(10)).extracting(Event::type).contains("HistoryRewritten");
    }

    @Test
    void theMirrorRemoved_isFetchedAgain_andTheHintedPollSaysFetched_asAScheduledPollDoes() throws Exception {
        String head = origin.head();
        RevisionArchiveTest.deleteTree(scheduled.state.resolve("mirror"));
        RevisionArchiveTest.deleteTree(hinted.state.resolve("mirror"));
        hinted.clock.advance(Duration.ofMinutes(1));

        PollResult plain = scheduled.poller.poll();
        PollResult fast = hinted.poller.poll(true);

        assertThat(plain).isInstanceOfSatisfying(PollResult.Fetched.class, r -> assertThat(r.head()).isEqualTo(head));
        assertThat(fast).isInstanceOfSatisfying(PollResult.Fetched.class, r -> {
            assertThat(r.head()).isEqualTo(head);
            assertThat(r.forced()).isFalse();
        });
        assertThat(hinted.mirror.has(head)).isTrue();
        assertThat(hinted.store.sourceState().lastFetchAt()).isEqualTo(hinted.clock.instant());
    }

    @Test
    void theBranchDeleted_failsWithTheSameReasonAsAScheduledPoll() {
        origin.resetBranch("other", origin.head());
        origin.deleteBranch("main");

        PollResult plain = scheduled.poller.poll();
        PollResult fast = hinted.poller.poll(true);

        assertThat(plain).isInstanceOfSatisfying(PollResult.Failed.class, r -> assertThat(r.reason()).isEqualTo(Reason.BRANCH_NOT_FOUND));
        assertThat(fast).isEqualTo(plain);
        assertThat(hinted.store.sourceState().reason()).isEqualTo("BranchNotFound");
        assertThat(List.of(hinted.store.sourceState().error())).first().asString().contains("branch 'main' not found");
    }

    @Test
    void theServerDown_isGitUnreachable_keepsTheHead_andAHintedPollRecovers() {
        String head = origin.head();
        server.stop();

        PollResult down = hinted.poller.poll(true);

        assertThat(down).isInstanceOfSatisfying(PollResult.Failed.class, r -> assertThat(r.reason()).isEqualTo(Reason.GIT_UNREACHABLE));
        assertThat(hinted.store.sourceState().reachable()).isFalse();
        assertThat(hinted.store.sourceState().headRevision()).isEqualTo(head);

        server.restart();
        String pushed = origin.commit("while down", Map.of("x", "3"));
        assertThat(hinted.poller.poll(true)).isInstanceOfSatisfying(PollResult.Fetched.class,
                r -> assertThat(r.head()).isEqualTo(pushed));
        assertThat(hinted.store.sourceState().reachable()).isTrue();
        assertThat(hinted.store.events(10)).extracting(Event::type).startsWith("RevisionSeen", "SourceRecovered");
    }
}

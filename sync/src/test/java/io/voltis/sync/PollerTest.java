package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.voltis.sync.git.Reason;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.SourceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PollerTest {

    @TempDir
    Path tmp;

    SyncFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private Map<String, String> stateFiles() throws IOException {
        return stateFiles(f.state);
    }

    /** Every file under {@code state} with its size and modification time. */
    static Map<String, String> stateFiles(Path state) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(state.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return files;
    }

    @Test
    void firstPoll_fetchesAndRecordsTheHead() {
        PollResult result = f.poller.poll();

        assertThat(result).isInstanceOf(PollResult.Fetched.class);
        assertThat(((PollResult.Fetched) result).head()).isEqualTo(f.origin.head());
        assertThat(f.store.revision(f.origin.head())).hasValueSatisfying(r -> assertThat(r.message()).isEqualTo("initial"));
        assertThat(f.store.sourceState().headRevision()).isEqualTo(f.origin.head());
        assertThat(f.store.events(10)).extracting(Event::type).containsExactly("RevisionSeen");
    }

    private Map<String, String> settledStateFiles() throws IOException, InterruptedException {
        return settledStateFiles(f.state);
    }

    /** The state files once the store has finished writing the last commit (H2 may flush just after it). */
    static Map<String, String> settledStateFiles(Path state) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Map<String, String> last = stateFiles(state);
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            Map<String, String> now = stateFiles(state);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("state files still changing after 5 s: " + last);
    }

    @Test
    void noChangePoll_writesNothingToDisk() throws Exception {
        f.poller.poll();
        Map<String, String> before = settledStateFiles();

        for (int i = 0; i < 19; i++) { // 9.5 minutes: inside the 10-minute persist window
            f.clock.advance(Duration.ofSeconds(30));
            assertThat(f.poller.poll()).isEqualTo(new PollResult.Unchanged(f.origin.head()));
        }

        assertThat(stateFiles()).isEqualTo(before);
        assertThat(f.poller.state().lastPollAt()).isEqualTo(f.clock.instant());
    }

    @Test
    void noChangePolls_persistTheLastPollTimeSparingly() {
        f.poller.poll();
        f.clock.advance(Duration.ofMinutes(11));

        f.poller.poll();

        assertThat(f.store.sourceState().lastPollAt()).isEqualTo(f.clock.instant());
    }

    @Test
    void push_isFetchedOnTheNextPoll() {
        f.poller.poll();
        String pushed = f.origin.commit("change greeting", Map.of("devices/edge-01.yaml",
                "workload: hello-web\nvars: {greeting: hi, port: \"8080\"}\n"));

        PollResult result = f.poller.poll();

        assertThat(result).isInstanceOfSatisfying(PollResult.Fetched.class, r -> {
            assertThat(r.head()).isEqualTo(pushed);
            assertThat(r.forced()).isFalse();
        });
        assertThat(f.store.revisions(10)).extracting(r -> r.message()).containsExactly("change greeting", "initial");
    }

    @Test
    void forcePushDroppingTheHead_isFetchedAndRecorded() {
        String initial = f.origin.head();
        String second = f.origin.commit("second", Map.of("x", "1"));
        f.poller.poll();
        f.origin.resetBranch("main", initial);
        String rewritten = f.origin.commit("rewritten", Map.of("x", "2"));

        PollResult result = f.poller.poll();

        assertThat(result).isInstanceOfSatisfying(PollResult.Fetched.class, r -> {
            assertThat(r.head()).isEqualTo(rewritten);
            assertThat(r.previous()).isEqualTo(second);
            assertThat(r.forced()).isTrue();
        });
        assertThat(f.store.events(10)).extracting(Event::type).contains("HistoryRewritten");
    }

    @Test
    void unreachable_isRecordedOnce_keepsTheHead_andRecovers() throws IOException {
        f.poller.poll();
        String head = f.origin.head();
        Path moved = tmp.resolve("moved.git");
        Files.move(f.origin.dir(), moved);

        PollResult first = f.poller.poll();
        f.clock.advance(Duration.ofSeconds(30));
        PollResult second = f.poller.poll();

        assertThat(first).isInstanceOfSatisfying(PollResult.Failed.class, r -> assertThat(r.reason()).isEqualTo(Reason.GIT_UNREACHABLE));
        assertThat(second.ok()).isFalse();
        SourceState state = f.store.sourceState();
        assertThat(state.reachable()).isFalse();
        assertThat(state.reason()).isEqualTo("GitUnreachable");
        assertThat(state.headRevision()).isEqualTo(head);
        assertThat(state.failingSince()).isEqualTo(f.clock.instant().minusSeconds(30));
        assertThat(f.store.events(10)).extracting(Event::type).containsExactly("SourceFailed", "RevisionSeen");

        Files.move(moved, f.origin.dir());
        assertThat(f.poller.poll()).isEqualTo(new PollResult.Unchanged(head));
        assertThat(f.store.sourceState().reachable()).isTrue();
        assertThat(f.store.events(10)).extracting(Event::type).first().isEqualTo("SourceRecovered");
    }

    @Test
    void branchDeleted_isFailedWithItsReason() {
        f.poller.poll();
        f.origin.resetBranch("other", f.origin.head());
        f.origin.deleteBranch("main");

        assertThat(f.poller.poll()).isInstanceOfSatisfying(PollResult.Failed.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.BRANCH_NOT_FOUND));
        assertThat(f.store.sourceState().reason()).isEqualTo("BranchNotFound");
        assertThat(List.of(f.store.sourceState().error())).first().asString().contains("branch 'main' not found");
    }
}

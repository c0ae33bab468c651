package io.voltis.sync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.voltis.sync.testing.MutableClock;
import io.voltis.sync.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's store through a full disk and a removed state directory, on a real small tmpfs. */
class OwnerStoreTest {

    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));

    @Test
    void diskFull_failsAsDiskFull_withoutClosingForGood_andReopensWhenSpaceReturns() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 8);
             RevisionStore store = RevisionStore.openOwner(disk.dir().resolve("state"), clock)) {
            store.recordRevision(A, "a <a@x>", clock.instant(), "before the disk filled");
            disk.fill();

            StoreUnavailableException full = null;
            for (int i = 0; i < 200 && full == null; i++) {
                try {
                    store.recordRevision(Integer.toHexString(i) + B.substring(8), "b", clock.instant(), "x".repeat(20_000));
                } catch (StoreUnavailableException e) {
                    full = e;
                }
            }
            assertThat(full).as("a write on the full disk fails as unavailable").isNotNull();
            assertThat(full.reason()).isEqualTo("DiskFull");
            assertThat(full.getMessage()).doesNotContain("\n");
            assertThatThrownBy(() -> store.revisions(10)).as("reads fail at once while it is down")
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("no space left");

            disk.free();
            clock.advance(Duration.ofSeconds(2));

            assertThat(store.revisions(10)).extracting(RevisionRecord::sha).contains(A);
            assertThat(store.events(10)).extracting(Event::type).contains("StoreRecovered");
            store.recordRevision(B, "b", clock.instant(), "after");
            assertThat(store.revision(B)).isPresent();
        }
    }

    @Test
    void stateDirectoryRemoved_isCreatedAnew_withAStateLostEvent_andPrivateModes() throws Exception {
        Path state = tmp.resolve("state");
        try (RevisionStore store = RevisionStore.openOwner(state, clock)) {
            store.recordRevision(A, "a", clock.instant(), "first");
            deleteTree(state);

            assertThatThrownBy(() -> store.revisions(10)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("was removed");
            clock.advance(Duration.ofSeconds(2));

            assertThat(store.revisions(10)).isEmpty();
            assertThat(store.events(10)).extracting(Event::type).containsExactly("StateLost");
            assertThat(store.stateLosses()).isEqualTo(1);
            assertThat(Files.getPosixFilePermissions(state)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.getPosixFilePermissions(state.resolve("db/voltis.mv.db")))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

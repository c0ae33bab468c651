package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionsTest {

    @TempDir
    Path tmp;

    SyncFixture f;
    String first;

    @BeforeEach
    void setUp() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        first = f.origin.head();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void resolve_fullShortAndTag() throws Exception {
        f.poller.poll();
        String second = f.origin.commit("second", Map.of("x", "1"));
        f.origin.tag("release-1", first);

        assertThat(f.revisions.resolve(second, f.revisions.fetching(f.mirror))).isEqualTo(second);
        assertThat(f.revisions.resolve(first.substring(0, 8), f.revisions.fetching(f.mirror))).isEqualTo(first);
        assertThat(f.revisions.resolve("release-1", f.revisions.fetching(f.mirror))).isEqualTo(first);
    }

    @Test
    void resolve_unknown_isAClearError() {
        f.poller.poll();

        assertThatThrownBy(() -> f.revisions.resolve("no-such-tag", f.revisions.fetching(f.mirror)))
                .isInstanceOf(RevisionNotFoundException.class)
                .hasMessage("unknown revision 'no-such-tag': not a commit this device has seen, nor a tag on " + f.origin.fileUrl());
    }

    @Test
    void resolve_ambiguousShortSha_namesTheCandidates() {
        f.store.recordRevision("abcd000000000000000000000000000000000001", "a", null, "one");
        f.store.recordRevision("abcd000000000000000000000000000000000002", "a", null, "two");

        assertThatThrownBy(() -> f.revisions.resolve("abcd", f.revisions.seen(null, null)))
                .isInstanceOfSatisfying(RevisionNotFoundException.class, e -> assertThat(e.candidates()).hasSize(2))
                .hasMessage("revision 'abcd' is ambiguous: abcd000000000000000000000000000000000001, "
                        + "abcd000000000000000000000000000000000002");
    }

    @Test
    void resolve_offline_knowsOnlyWhatTheStoreHasSeen() throws Exception {
        f.poller.poll();

        assertThat(f.revisions.resolve(first.substring(0, 10), f.revisions.seen(null, null))).isEqualTo(first);
        assertThatThrownBy(() -> f.revisions.resolve("v9", f.revisions.seen(null, null)))
                .hasMessage("unknown revision 'v9': not a commit this device has seen");
    }
}

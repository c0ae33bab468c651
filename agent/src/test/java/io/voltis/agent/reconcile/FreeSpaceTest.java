package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import java.util.Random;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Event;
import io.voltis.sync.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An apply the root's file system has no room for is refused before it touches anything. */
class FreeSpaceTest {

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void rootTooSmallForTheWorkload_refusedWithInsufficientSpace_nothingWritten_lastGoodKept() throws Exception {
        try (AgentFixture f = new AgentFixture(tmp); SmallDisk root = SmallDisk.mount(f.root, 8)) {
            String v1 = f.origin.commit("small", Map.of(
                    "devices/dev1.yaml", "workload: w\n",
                    "workloads/w/small.conf", "a=1\n",
                    "workloads/w/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: small.conf, target: etc/small.conf}\n"));
            f.start();
            assertThat(f.converge().appliedRevision()).isEqualTo(v1);

            byte[] big = new byte[5 * 1024 * 1024];
            new Random(3).nextBytes(big);
            f.origin.commitBytes("big", Map.of("workloads/w/big.bin", big));
            String v2 = f.origin.commit("ship it", Map.of("workloads/w/workload.yaml", "apiVersion: voltis/v1\nfiles:\n"
                    + "  - {source: small.conf, target: etc/small.conf}\n  - {source: big.bin, target: opt/big.bin}\n"));
            AgentStatus s = f.converge();

            assertThat(s.phase()).isEqualTo(Phase.FAILED);
            assertThat(s.appliedRevision()).isEqualTo(v1);
            assertThat(s.desiredRevision()).isEqualTo(v2);
            assertThat(s.lastError()).startsWith("InsufficientSpace: cannot apply " + v2.substring(0, 12))
                    .contains("nothing was written");
            assertThat(f.root.resolve("opt")).as("nothing touched").doesNotExist();
            assertThat(f.agent.store().applies(10)).extracting(ApplyRecord::sha).containsOnly(v1);
            assertThat(f.agent.store().events(20)).filteredOn(e -> e.type().equals("ApplyFailed"))
                    .extracting(Event::message).hasSize(1).allMatch(m -> m.startsWith("InsufficientSpace: "));

            f.agent.tickNow();
            assertThat(f.agent.store().events(20)).as("one event, not one per tick")
                    .filteredOn(e -> e.type().equals("ApplyFailed")).hasSize(1);
        }
    }
}

package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutTest {

    private static final String RELEASE_A = "3f2a9c1e0b7d4f6a8c2e1d3b5a7f9e0c1b2d3e4f";
    private static final String RELEASE_B = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";

    @TempDir
    Path dir;

    // --- the bucket -----------------------------------------------------------------------------

    @Test
    void bucket_isStablePerDeviceAndRelease_andWithinZeroToHundred() {
        double first = RolloutBucket.of("machine-1/edge-01", RELEASE_A);

        assertThat(RolloutBucket.of("machine-1/edge-01", RELEASE_A)).isEqualTo(first);
        assertThat(first).isGreaterThanOrEqualTo(0).isLessThan(100);
    }

    @Test
    void bucket_isUniformOverTenThousandDevices_withinAFewPercent() {
        int[] deciles = new int[10];
        for (int i = 0; i < 10_000; i++) {
            deciles[(int) (RolloutBucket.of(String.format("%032x/edge-%05d", i * 7919L, i), RELEASE_A) / 10)]++;
        }
        for (int count : deciles) {
            assertThat(count).as("devices per tenth: %s", java.util.Arrays.toString(deciles)).isBetween(900, 1100);
        }
        long firstTenPercent = java.util.stream.IntStream.range(0, 10_000)
                .filter(i -> RolloutBucket.of(String.format("%032x/edge-%05d", i * 7919L, i), RELEASE_A) < 10).count();
        assertThat(firstTenPercent).isBetween(900L, 1100L);
    }

    @Test
    void bucket_picksOtherDevicesFirstForAnotherRelease() {
        List<Integer> firstA = new java.util.ArrayList<>();
        List<Integer> firstB = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String id = "m" + i + "/edge-" + i;
            if (RolloutBucket.of(id, RELEASE_A) < 10) {
                firstA.add(i);
            }
            if (RolloutBucket.of(id, RELEASE_B) < 10) {
                firstB.add(i);
            }
        }
        List<Integer> both = new java.util.ArrayList<>(firstA);
        both.retainAll(firstB);
        // independent picks share about 10 % of 10 %: not the same devices again
        assertThat(both.size()).isLessThan(firstA.size() / 5);
    }

    @Test
    void bucket_dependsOnTheMachineId_notOnlyTheHostname() {
        assertThat(RolloutBucket.of("machine-1/edge-01", RELEASE_A)).isNotEqualTo(RolloutBucket.of("machine-2/edge-01", RELEASE_A));
        // the parts are length-prefixed: moving a character from one to the other is another device
        assertThat(RolloutBucket.of("ab", "c" + RELEASE_A.substring(1))).isNotEqualTo(RolloutBucket.of("a", "bc" + RELEASE_A.substring(1)));
    }

    // --- waves ------------------------------------------------------------------------------------

    private static final RolloutSpec PLAN = new RolloutSpec(List.of(
            new RolloutSpec.Wave("canary", Map.of("ring", "canary"), null, null),
            new RolloutSpec.Wave("early", null, 10, Duration.ofHours(2)),
            new RolloutSpec.Wave("all", null, 100, Duration.ofHours(24))), false);

    @Test
    void waveFor_takesTheFirstWaveThatSelectsTheDevice() {
        assertThat(PLAN.waveFor(Map.of("ring", "canary"), 95.0)).map(RolloutSpec.Wave::name).contains("canary");
        assertThat(PLAN.waveFor(Map.of(), 9.99)).map(RolloutSpec.Wave::name).contains("early");
        assertThat(PLAN.waveFor(Map.of("ring", "stable"), 10.0)).map(RolloutSpec.Wave::name).contains("all");
        RolloutSpec canariesOnly = new RolloutSpec(List.of(PLAN.waves().get(0)), false);
        assertThat(canariesOnly.waveFor(Map.of(), 1.0)).isEmpty();
    }

    @Test
    void chances_areEachWavesShare_andWhatNoWaveTakes() {
        assertThat(PLAN.chances(Map.of("ring", "canary"))).containsExactly(1.0, 0.0, 0.0, 0.0);
        assertThat(PLAN.chances(Map.of())).containsExactly(new double[] {0.0, 0.1, 0.9, 0.0}, within(1e-9));
        RolloutSpec half = new RolloutSpec(List.of(new RolloutSpec.Wave("half", null, 50, null)), false);
        assertThat(half.chances(Map.of())).containsExactly(new double[] {0.5, 0.5}, within(1e-9));
    }

    // --- validation -------------------------------------------------------------------------------

    @Test
    void aValidPlan_hasNoProblems() throws IOException {
        assertThat(load("""
                rollout:
                  waves:
                    - {name: canary, labels: {ring: canary}}
                    - {name: early, percent: 10, after: 2h}
                    - {name: all, percent: 100, after: 24h}
                """)).isEmpty();
        assertThat(load("rollout: {pause: true}\n")).isEmpty();
    }

    @Test
    void badPlans_areRefusedWithTheFieldAndLine() throws IOException {
        assertThat(load("rollout: {}\n")).extracting(Problem::toString).singleElement().asString()
                .contains("workload.yaml:1").contains("a rollout needs waves (or pause: true)");
        assertThat(load("""
                rollout:
                  waves:
                    - {name: early, percent: 10, after: 2h}
                    - {name: early, percent: 50, after: 1h}
                    - {name: late, percent: 40, after: 3h}
                    - {name: nobody, after: 3h}
                    - {name: later, percent: 100, after: 31d}
                    - {name: ring, labels: {"1st": x}, after: 3h}
                """)).extracting(p -> p.field() + " @" + p.line() + ": " + p.message()).containsExactlyInAnyOrder(
                "rollout.waves[1].name @4: wave 'early' is already defined at rollout.waves[0]",
                "rollout.waves[1].after @4: 1h is sooner than the wave before (2h): waves are listed in the order they start",
                "rollout.waves[2].percent @5: 40% selects no device: the waves before already take 50%",
                "rollout.waves[3] @6: a wave selects devices by labels, percent or both",
                "rollout.waves[4].after @7: 30d1h is longer than 30d".replace("30d1h", "31d"),
                "rollout.waves[5].labels.1st @8: " + Names.check(Names.VARIABLE, "1st", "label name (letters, digits, '_', '.', '-')"));
        assertThat(load("rollout: {waves: [{name: a, percent: 101}, {name: b, percent: 10}]}\n"))
                .extracting(Problem::message).contains("101 is not from 1 to 100");
        assertThat(load("rollout: {waves: [{name: a, percent: 10}], pause: maybe}\n"))
                .extracting(Problem::message).contains("'maybe' is not true or false");
    }

    @Test
    void aRepoWidePlan_isForWorkloadsWithoutTheirOwn_andIsCheckedWithItsFileAndLine() throws IOException {
        Files.writeString(dir.resolve("rollout.yaml"), "waves:\n  - {name: all, percent: 100, after: 2h}\n");
        Files.createDirectories(dir.resolve("workloads/own"));
        Files.writeString(dir.resolve("workloads/own/workload.yaml"), "rollout: {waves: [{name: mine, percent: 100}]}\n");
        assertThat(load("apiVersion: voltis/v1\n")).isEmpty();
        WorkloadLoader loader = new WorkloadLoader(CronCheck.LENIENT);

        LoadedWorkload follows = loader.load(new DirectoryTree(dir), "w");
        LoadedWorkload own = loader.load(new DirectoryTree(dir), "own");

        assertThat(follows.spec().rollout().waves()).extracting(RolloutSpec.Wave::name).containsExactly("all");
        assertThat(follows.rolloutFile()).isEqualTo("rollout.yaml");
        assertThat(own.spec().rollout().waves()).extracting(RolloutSpec.Wave::name).containsExactly("mine");
        assertThat(own.rolloutFile()).isEqualTo("workloads/own/workload.yaml");
        assertThat(follows.spec().withoutRollout()).isEqualTo(new WorkloadSpec(null, null, null, null, null));

        Files.writeString(dir.resolve("rollout.yaml"), "waves:\n  - {name: all, percent: 0}\n");
        assertThat(load("apiVersion: voltis/v1\n")).extracting(Problem::toString)
                .containsExactly("rollout.yaml:2:26: waves[0].percent: 0 is not from 1 to 100");
        Files.writeString(dir.resolve("rollout.yaml"), "pause: false\n");
        assertThat(load("apiVersion: voltis/v1\n")).extracting(Problem::toString).singleElement().asString()
                .startsWith("rollout.yaml:1:1: a rollout needs waves (or pause: true)");
        Files.writeString(dir.resolve("rollout.yaml"), "- just a list\n");
        assertThat(load("apiVersion: voltis/v1\n")).extracting(Problem::toString).singleElement().asString()
                .startsWith("rollout.yaml:1:1: expected a mapping");
    }

    private List<Problem> load(String yaml) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("workloads/w"));
        Files.writeString(folder.resolve("workload.yaml"), yaml);
        return new WorkloadLoader(CronCheck.LENIENT).load(new DirectoryTree(dir), "w").problems();
    }
}

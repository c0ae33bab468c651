package io.voltis.sync.bench;

import static io.voltis.sync.bench.FleetBench.out;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns one fleet run's raw readings into its figures, printed as "key value" lines. Second
 * {@code s} is [t0 + s, t0 + s + 1); a cumulative reading taken at t0 + s + 1 closes it.
 */
final class FleetReport {

    private final long t0;
    private final int seconds;
    private final int agents;
    private final long intervalMillis;
    private long[] requests;

    FleetReport(long t0, int seconds, int agents, long intervalMillis) {
        this.t0 = t0;
        this.seconds = seconds;
        this.agents = agents;
        this.intervalMillis = intervalMillis;
    }

    /** The warm-up: until every agent has polled once in the round (the first round: its clone). */
    void warmUp(long warmEnd) {
        out("warmup_s", warmEnd < 0 ? "incomplete" : String.format("%.1f", (warmEnd - t0) / 1000.0));
    }

    void steady(List<FleetGitServer.Sample> ticks, List<long[]> cpuSamples, AtomicLongArray polls,
                long warmEnd, long committedAt, long waveEnd) {
        requests = new long[seconds];
        long[] bytes = new long[seconds];
        for (int i = 1; i < ticks.size(); i++) {
            int s = secondClosedAt(ticks.get(i).millis());
            if (s >= 0 && s < seconds) {
                requests[s] += ticks.get(i).requests() - ticks.get(i - 1).requests();
                bytes[s] += ticks.get(i).bytes() - ticks.get(i - 1).bytes();
            }
        }
        long[] cpu = new long[seconds];
        boolean[] cpuSeen = new boolean[seconds];
        synchronized (cpuSamples) {
            for (int i = 1; i < cpuSamples.size(); i++) {
                int s = secondClosedAt(cpuSamples.get(i)[0]);
                if (s >= 0 && s < seconds) {
                    cpu[s] += cpuSamples.get(i)[1] - cpuSamples.get(i - 1)[1];
                    cpuSeen[s] = true;
                }
            }
        }
        int warmSec = warmEnd < 0 ? seconds : (int) Math.min(seconds, Math.ceil((warmEnd - t0) / 1000.0));
        out("warmup_peak_rps", max(requests, 0, Math.max(1, warmSec)));
        int commitSec = committedAt < 0 ? seconds : (int) ((committedAt - t0) / 1000);
        int waveSec = waveEnd < 0 ? seconds : (int) Math.min(seconds, Math.ceil((waveEnd - t0) / 1000.0));
        if (committedAt >= 0) {
            out("commit_wave_peak_rps", max(requests, commitSec, Math.max(commitSec + 1, waveSec)));
        }
        List<Integer> quiet = new ArrayList<>();
        addWholeIntervals(quiet, warmSec, commitSec, cpuSeen);
        addWholeIntervals(quiet, waveSec + 1, seconds, cpuSeen);
        out("steady_seconds", quiet.size());
        if (quiet.isEmpty()) {
            return;
        }
        long[] q = quiet.stream().mapToLong(s -> requests[s]).sorted().toArray();
        long sumRequests = Arrays.stream(q).sum();
        long sumPolls = quiet.stream().mapToLong(polls::get).sum();
        long sumCpu = quiet.stream().mapToLong(s -> cpu[s]).sum();
        long sumBytes = quiet.stream().mapToLong(s -> bytes[s]).sum();
        double mean = (double) sumRequests / q.length;
        out("expected_polls_per_s", String.format("%.1f", agents * 1000.0 / intervalMillis));
        out("steady_polls_per_s", String.format("%.1f", (double) sumPolls / q.length));
        out("requests_per_poll", String.format("%.2f", sumPolls == 0 ? 0 : (double) sumRequests / sumPolls));
        out("steady_mean_rps", String.format("%.1f", mean));
        out("steady_p50_rps", q[q.length / 2]);
        out("steady_p95_rps", q[Math.min(q.length - 1, (int) Math.ceil(q.length * 0.95) - 1)]);
        out("steady_max_rps", q[q.length - 1]);
        out("steady_max_over_mean", String.format("%.2f", mean == 0 ? 0 : q[q.length - 1] / mean));
        out("steady_kb_per_s", String.format("%.1f", sumBytes / 1024.0 / q.length));
        out("server_cpu_pct", String.format("%.1f", sumCpu / 10.0 / q.length));
        out("server_cpu_max_pct", String.format("%.1f", quiet.stream().mapToLong(s -> cpu[s]).max().orElse(0) / 10.0));
        out("server_cpu_us_per_request", String.format("%.0f", sumRequests == 0 ? 0 : sumCpu * 1000.0 / sumRequests));
        out("rps_by_second", Arrays.toString(requests).replace(" ", ""));
    }

    /** How long after the push each agent had fetched the commit. */
    void commit(String sha, long committedAt, long waveEnd, List<FleetAgent> fleet) {
        if (sha == null) {
            out("commit_at_s", "none");
            return;
        }
        out("commit_at_s", String.format("%.1f", (committedAt - t0) / 1000.0));
        double[] delays = fleet.stream().mapToLong(a -> a.fetchedAtMillis(sha)).filter(t -> t >= 0)
                .mapToDouble(t -> (t - committedAt) / 1000.0).sorted().toArray();
        out("commit_reached", delays.length + "/" + fleet.size());
        if (delays.length > 0) {
            out("commit_p95_s", String.format("%.1f", delays[Math.min(delays.length - 1, (int) Math.ceil(delays.length * 0.95) - 1)]));
            out("commit_max_s", String.format("%.1f", delays[delays.length - 1]));
        }
    }

    /** The share of agents that had fetched the commit within {@code limitMillis} of the push. */
    void within(String sha, long committedAt, List<FleetAgent> fleet, long limitMillis) {
        long in = fleet.stream().mapToLong(a -> a.fetchedAtMillis(sha)).filter(t -> t >= 0 && t - committedAt <= limitMillis).count();
        out("commit_within_limit", in + "/" + fleet.size() + " within " + limitMillis / 1000.0 + " s");
        out("commit_within_limit_pct", String.format("%.1f", in * 100.0 / fleet.size()));
    }

    /** Requests the server answered during the round, and per agent per hour at that rate. */
    void requestsPerHour(List<FleetGitServer.Sample> ticks, long stopAt) {
        long first = -1;
        long last = 0;
        for (FleetGitServer.Sample t : ticks) {
            if (t.millis() <= t0) {
                first = t.requests();
            }
            if (t.millis() <= stopAt) {
                last = t.requests();
            }
        }
        long n = last - Math.max(0, first);
        out("round_requests", n);
        out("requests_per_agent_hour", String.format("%.1f", n * 3_600_000.0 / (stopAt - t0) / agents));
    }

    /**
     * The requests the commit wave cost per agent: those from the push until every agent had
     * fetched it, less what the round's polling made in as long before the push.
     */
    void waveRequests(List<FleetGitServer.Sample> ticks, long committedAt, long waveEnd) {
        long atStart = -1;
        long atCommit = -1;
        long atEnd = -1;
        long startMillis = -1;
        long commitMillis = -1;
        long endMillis = -1;
        for (FleetGitServer.Sample t : ticks) {
            if (t.millis() <= t0 || atStart < 0) {
                atStart = t.requests();
                startMillis = t.millis();
            }
            if (t.millis() <= committedAt) {
                atCommit = t.requests();
                commitMillis = t.millis();
            }
            if (atEnd < 0 && t.millis() >= waveEnd + 1000) {
                atEnd = t.requests();
                endMillis = t.millis();
            }
        }
        if (atCommit < 0 || atEnd < 0 || commitMillis <= startMillis) {
            return;
        }
        double background = (atCommit - atStart) / (double) (commitMillis - startMillis); // per millisecond
        double wave = (atEnd - atCommit) - background * (endMillis - commitMillis);
        out("wave_requests", Math.round(wave));
        out("wave_requests_per_agent", String.format("%.2f", wave / agents));
    }

    void failures(Map<String, LongAdder> failures, Map<String, String> examples, Iterable<Long> lags) {
        List<Long> all = new ArrayList<>();
        lags.forEach(all::add);
        long[] lag = all.stream().mapToLong(Long::longValue).sorted().toArray();
        out("polls_total", lag.length);
        out("polls_failed", failures.values().stream().mapToLong(LongAdder::sum).sum());
        out("errors", FleetBench.byReason(failures));
        examples.forEach((reason, message) -> {
            System.err.println("fleet: first " + reason + ": " + message);
            out("first_failure", reason + ": " + message.replace('\n', ' ')); // in the report, which outlives the run's log
        });
        if (lag.length > 0) {
            out("start_lag_p99_ms", lag[Math.min(lag.length - 1, (int) Math.ceil(lag.length * 0.99) - 1)]);
            out("start_lag_max_ms", lag[lag.length - 1]);
        }
    }

    /**
     * Adds the seconds of the whole poll intervals (counted from t0) inside [from, to): a window
     * of whole intervals holds exactly one poll per agent, also when the agents poll in lockstep.
     */
    private void addWholeIntervals(List<Integer> quiet, int from, int to, boolean[] measured) {
        int interval = (int) (intervalMillis / 1000);
        int start = (from + interval - 1) / interval * interval;
        int end = to / interval * interval;
        for (int s = start; s < end; s++) {
            if (measured[s]) {
                quiet.add(s);
            }
        }
    }

    private int secondClosedAt(long millis) {
        return (int) Math.round((millis - t0) / 1000.0) - 1;
    }

    private static long max(long[] values, int from, int to) {
        long m = 0;
        for (int i = Math.max(0, from); i < Math.min(values.length, to); i++) {
            m = Math.max(m, values[i]);
        }
        return m;
    }
}

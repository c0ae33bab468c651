#!/usr/bin/env bash
# A simulated fleet against one real Git host: N agents' real pollers (store, mirror, poller, poll
# schedule) in one JVM on a few shared threads, against Apache + git-http-backend (the CGI forks
# git upload-pack per request, as Git hosts' do; Debian's apache2, in processes of its own; without
# apache2, or with FLEET_SERVER=jgit, a JGit servlet in a JVM of its own). Per run: requests/s at the
# server (mean, busiest second, busiest/mean), server CPU from /proc (its whole process tree),
# failed polls by reason, the initial fetch wave, how long a pushed commit takes to reach every
# agent, and requests per agent per hour. The same agents poll one round per mode, DURATION seconds each:
#   jittered  each agent from its own slot (the first round also clones the mirrors)
#   clumped   every agent polls first in the same second (as after an outage), then on its schedule:
#             how fast the fleet spreads again
#   lockstep  every agent at the same instants, each next poll an interval after the last (baseline)
#   hinted    a poll every HINT_INTERVAL s, and check-now hints through a real Mosquitto (one Paho
#             subscription per agent), each agent polling after its own delay within HINT_SPREAD s;
#             the commit is pushed mid-round and the hint published as a server hook would; a
#             hinted poll fetches at once, as the agent's (decision 0042)
#   hinted-refcheck  the same, but a hinted poll checks the ref before fetching (the baseline)
#   bench/fleet.sh                        (needs a JDK, Maven, Linux /proc, apache2, mosquitto; 1,000,
#                                          5,000 and 10,000 agents at 60 s, jittered and clumped)
#   AGENTS=1000 MODES="jittered clumped hinted" DURATION=300 bench/fleet.sh
#   SMOKE=1 bench/fleet.sh                (50 agents, 30 s rounds, 5 s interval, jittered and hinted)
# JAVA_OPTS goes to the fleet JVM; without it the heap is sized from the agent count, 1 MB an agent
# (each holds a real H2 store and mirror: about 0.5 MB of live heap once the simulator lets go of
# the 1 MB write buffer each H2 store keeps between writes; it also stops each store's server for
# the CLI, one open file an agent: see StoreConcessions.java). The JVM runs with
# -Dhttp.keepAlive=false (JAVA_OPTS can override it): in one JVM the agents would share the JDK's
# keep-alive cache, so one agent's poll would reuse another's connection, which no device does,
# and a POST on a connection the server just closed fails ("Unexpected end of file from server").
# Writes bench/results/fleet-<UTC date><REPORT_SUFFIX>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SMOKE:-0}" == 1 ]]; then
  AGENTS=${AGENTS:-50} DURATION=${DURATION:-30} INTERVAL=${INTERVAL:-5} MODES=${MODES:-jittered hinted}
  HINT_INTERVAL=${HINT_INTERVAL:-60} HINT_SPREAD=${HINT_SPREAD:-5}
fi
AGENTS=${AGENTS:-1000 5000 10000}
DURATION=${DURATION:-300}
INTERVAL=${INTERVAL:-60}
MODES=${MODES:-jittered clumped}
# the hinted round: poll every HINT_INTERVAL seconds, hints spread over HINT_SPREAD seconds
HINT_INTERVAL=${HINT_INTERVAL:-600}
HINT_SPREAD=${HINT_SPREAD:-30}
THREADS=${THREADS:-16}

bench_class=sync/target/test-classes/io/voltis/sync/bench/FleetBench.class
stale=0
[[ -f $bench_class ]] || stale=1
for src in sync/src/test/java/io/voltis/sync/bench/*.java; do
  [[ $src -nt $bench_class ]] && stale=1
done
cp_file=sync/target/fleet-classpath.txt
if [[ $stale == 1 || ! -s $cp_file || sync/pom.xml -nt $cp_file ]]; then
  # In the reactor (-am): voltis-model comes from model/target/classes, so nothing needs to be
  # installed in ~/.m2 first (a fresh machine has no io.voltis artifacts there).
  mvn -B -q -o -Dstyle.color=never -pl sync -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
fi
CP="sync/target/classes:sync/target/test-classes:$(cat "$cp_file")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

started=$(date -u +%Y-%m-%dT%H:%MZ)
load=$(cut -d' ' -f1-3 /proc/loadavg)
runs=()
modes=${MODES// /,}
for n in $AGENTS; do
  run="$work/run-$n"
  read -r -a java_opts <<<"${JAVA_OPTS:--Xmx$((512 + n))m}"
  # each agent holds its store's file open, and one MQTT connection in the hinted round: raise the
  # limit (root may raise the hard one, given CAP_SYS_RESOURCE), else say that it is short
  ulimit -n 262144 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  need=$((n + 1000))
  [[ $modes == *hinted* ]] && need=$((2 * n + 1000))
  if (($(ulimit -n) < need)); then
    echo "fleet: warning: $(ulimit -n) open files allowed, $n agents may need $need" >&2
  fi
  echo "fleet: $n agents, rounds $modes, ${DURATION}s each at ${INTERVAL}s ..." >&2
  if ! java -Dhttp.keepAlive=false "${java_opts[@]}" -Dfleet.hintInterval="$HINT_INTERVAL" -Dfleet.hintSpread="$HINT_SPREAD" \
      ${FLEET_SERVER:+-Dfleet.server=$FLEET_SERVER} -cp "$CP" io.voltis.sync.bench.FleetBench "$run" "$n" "$DURATION" "$INTERVAL" "$modes" "$THREADS" \
      >"$run.txt" 2>"$run.log"; then
    echo "fleet: the run with $n agents failed; its log ends:" >&2
    tail -n 20 "$run.log" >&2
    exit 1
  fi
  rm -rf "$run"
  runs+=("$run.txt")
done

report() {
  echo "# Fleet benchmark, $started"
  echo
  echo "bench/fleet.sh: AGENTS=\"$AGENTS\" DURATION=$DURATION INTERVAL=$INTERVAL MODES=\"$MODES\" THREADS=$THREADS." \
    "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)," \
    "load average $load at the start; $(java -version 2>&1 | head -n 1)."
  echo "Agents and server share the machine. The same agents poll one round per mode, in the order of the table;" \
    "the first round clones their mirrors (its warm-up is the clone wave), a later round starts from them." \
    "Steady state: whole poll intervals after every agent's first poll of the round, without the commit wave." \
    "Server CPU in % of one core, from /proc/<pid>/stat."
  echo
  awk -f - "${runs[@]}" <<'AWK'
    $1 == "round" { n++; next }
    $1 == "first_failure" { $1 = ""; firsts = firsts sprintf("\n- %s agents, %s: %s", v[n, "agents"], v[n, "mode"], substr($0, 2)); next }
    { k = $1; $1 = ""; v[n, k] = substr($0, 2) }
    END {
      print "Server: " v[1, "server"] "."
      print ""
      print "| agents | mode | polls/s (expected) | requests/poll | mean req/s | busiest second | busiest/mean | p95 second | server CPU mean / busiest s | CPU per request | failed polls | warm-up: s, peak req/s | commit reached all: max / p95 | start lag p99 | agents' CPU | fleet RSS | JVM threads | requests / agent / hour |"
      print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
      for (i = 1; i <= n; i++) {
        ratio = v[i, "steady_max_over_mean"]
        mark = (v[i, "mode"] == "jittered" || v[i, "mode"] == "clumped") && ratio != "" ? (ratio + 0 <= 2 ? " ✓" : " ✗") : ""
        printf "| %s | %s | %s (%s) | %s | %s | %s | **%s×**%s | %s | %s%% / %s%% | %s µs | %s (%s) | %s s, %s | %s / %s s (%s) | %s ms | %s%% | %s MB | %s | %s |\n",
          v[i, "agents"], v[i, "mode"], v[i, "steady_polls_per_s"], v[i, "expected_polls_per_s"], v[i, "requests_per_poll"],
          v[i, "steady_mean_rps"], v[i, "steady_max_rps"], ratio, mark, v[i, "steady_p95_rps"],
          v[i, "server_cpu_pct"], v[i, "server_cpu_max_pct"], v[i, "server_cpu_us_per_request"],
          v[i, "polls_failed"] "/" v[i, "polls_total"], v[i, "errors"],
          v[i, "warmup_s"], v[i, "warmup_peak_rps"], v[i, "commit_max_s"], v[i, "commit_p95_s"], v[i, "commit_reached"],
          v[i, "start_lag_p99_ms"], v[i, "agents_cpu_pct"], v[i, "rss_mb_end"], v[i, "jvm_threads"], v[i, "requests_per_agent_hour"]
        if (v[i, "mode"] ~ /^hinted/) hinted = hinted sprintf("\n- %s agents, %s: poll every %s s with MQTT hints (spread %s s) through a real Mosquitto: the push was fetched by %s (%s %%), all by %s s, p95 %s s; the wave cost %s requests per agent; hint published %s ms after the commit; %s hints received, %s subscribed (subscribing took %s s, JVM threads %s); %s requests/agent/hour.",
          v[i, "agents"], v[i, "mode"], v[i, "hint_interval_s"], v[i, "hint_spread_s"], v[i, "commit_within_limit"], v[i, "commit_within_limit_pct"],
          v[i, "commit_max_s"], v[i, "commit_p95_s"], v[i, "wave_requests_per_agent"], v[i, "hint_published_after_ms"], v[i, "hints_received"], v[i, "mqtt_connected"],
          v[i, "mqtt_subscribe_s"], v[i, "jvm_threads_subscribed"], v[i, "requests_per_agent_hour"])
        if (v[i, "start_lag_p99_ms"] + 0 > 1000) late = late sprintf(" %s agents (%s): %.1f s;", v[i, "agents"], v[i, "mode"], v[i, "start_lag_p99_ms"] / 1000)
      }
      print ""
      print "Start lag: how late a poll started against its schedule (the simulator's own delay; agents' CPU is the"
      print "simulating JVM's, in % of one core, beside the server on the same 2 cores)."
      if (hinted != "") { print ""; print "Hinted rounds:" hinted }
      if (firsts != "") { print ""; print "First failure of each reason:" firsts }
      if (late != "") print "**The simulator fell behind** (start lag p99 over 1 s:" late " its polls came late, so those rows understate the load a real fleet of that size puts on the server)."
      print ""
      printf "Target: busiest second ≤ 2× the mean with jitter on. Setup (opening the agents' stores and mirrors):"
      sep = ""
      for (i = 1; i <= n; i++) {
        if (setup[v[i, "agents"]]++) continue
        printf "%s %s agents: %s s, heap after GC %s MB, RSS %s MB", sep, v[i, "agents"], v[i, "setup_s"],
          v[i, "heap_mb_setup"], v[i, "rss_mb_setup"]
        sep = ";"
      }
      print "."
      for (i = 1; i <= n; i++) {
        mode = v[i, "mode"]
        if (seen[mode]++) continue
        line = ""; prev = 0
        for (j = i; j <= n; j++) {
          if (v[j, "mode"] != mode) continue
          step = prev ? sprintf(" (×%.1f)", v[j, "steady_mean_rps"] / v[prev, "steady_mean_rps"]) : ""
          line = line (prev ? " → " : "") v[j, "agents"] ": " v[j, "steady_mean_rps"] " req/s" step ", CPU " v[j, "server_cpu_pct"] "%"
          prev = j
        }
        print ""
        print "Scaling, " mode ": " line
      }
      print ""
      print "Requests per second at the server, second by second from the first poll:"
      print ""
      for (i = 1; i <= n; i++) {
        printf "- %s agents, %s: `%s`\n", v[i, "agents"], v[i, "mode"], v[i, "rps_by_second"]
      }
    }
AWK
}

mkdir -p bench/results
suffix=""
[[ "${SMOKE:-0}" == 1 ]] && suffix="-smoke"
out="bench/results/fleet-$(date -u +%Y-%m-%d)${REPORT_SUFFIX:-}$suffix.md"
report | tee "$out"
echo "fleet: written to $out" >&2

# the harness summary (bench/lib.sh): per agent count, the busiest second over the mean, jittered
# against lockstep, and the server's CPU per poll
. bench/lib.sh
awk '
  $1 == "round" { n++; next }
  { v[n, $1] = $2 }
  END {
    for (i = 1; i <= n; i++) {
      if (v[i, "mode"] != "jittered") continue
      lock = "—"
      for (j = 1; j <= n; j++) if (v[j, "agents"] == v[i, "agents"] && v[j, "mode"] == "lockstep")
        lock = "lockstep " v[j, "steady_max_over_mean"] "×"
      if (v[i, "steady_max_over_mean"] == "") {
        printf "fleet of %s, %s s interval: busiest second / mean, jittered\tno steady-state second (DURATION too short)\t%s\t≤ 2×\tnot measured\n",
          v[i, "agents"], v[i, "interval_s"], lock
        continue
      }
      r = v[i, "steady_max_over_mean"] + 0
      printf "fleet of %s, %s s interval: busiest second / mean, jittered\t%.2f× (%s req/s peak, %s mean; server CPU %s µs a request; %s failed polls)\t%s\t≤ 2×\t%s\n",
        v[i, "agents"], v[i, "interval_s"], r, v[i, "steady_max_rps"], v[i, "steady_mean_rps"], v[i, "server_cpu_us_per_request"],
        v[i, "polls_failed"] + 0, lock, (r <= 2 ? "met" : sprintf("missed: %.2f× the target", r / 2))
    }
  }' "${runs[@]}" | while IFS=$'\t' read -r figure measured against target verdict; do
  summary_row "$figure" "$measured" "$against" "$target" "$verdict"
done

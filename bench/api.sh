#!/usr/bin/env bash
# The status API under load: wrk against GET /api/v1/status on a daemon that follows the
# bundled example (two services, a health check, jobs) with its reconciler running, and, in
# the same run, against GET /healthz on the same daemon (the floor: the same server answering
# a constant) as the baseline. Two runs per endpoint:
#  - paced: RATE requests/s offered (wrk's Lua delay() per connection; Debian's wrk has no -R),
#    the figure the target is about: p99 latency at that load, errors, RSS growth over the run;
#  - saturated: as fast as wrk can send, the most the server answers on this machine (wrk and
#    the daemon share the cores, so latency here measures the queue, not the server).
#
#   bench/api.sh                         (needs a JDK, Maven, git; installs wrk; about 5 minutes)
#   DURATION=20 bench/api.sh             # a shorter measured run
#   JVM_FLAGS="-XX:+UseSerialGC -Xmx64m" bench/api.sh
#
# Targets (issue: status API): 5,000 req/s, p99 under 10 ms, zero errors, RSS growth under 10 MiB
# over a 60 s run on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
export LC_ALL=C
JAR=${JAR:-cli/target/voltis-agent.jar}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-15}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
JVM_FLAGS=${JVM_FLAGS:-}
PORT=${PORT:-19740}
RATE=${RATE:-5000}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-10}

if ! command -v wrk >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
[ -f "$JAR" ] || mvn -B -q -DskipTests install >/dev/null
JAR=$(realpath "$JAR")

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  # the agent stops its services when it stops (docs/decisions/0010); say so if one outlived it
  local left
  left=$(pgrep -f "$work/root" || true)
  if [ -n "$left" ]; then
    echo "LEAK: service process(es) outlived the agent: $(ps -o pid=,args= -p "${left//$'\n'/,}" | cut -c1-120)" >&2
    # shellcheck disable=SC2086 # one pid per word
    kill $left 2>/dev/null || true
  fi
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

if (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null; then
  echo "port 18080 is in use: the example's web service needs it (a demo or an earlier run still going?)" >&2
  exit 1
fi
git init -q -b main "$work/repo"
cp -r examples/repo-layout/. "$work/repo/"
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=bench -c user.email=bench@voltis.invalid commit -qm "example fleet"

# shellcheck disable=SC2086
java $JVM_FLAGS -jar "$JAR" run --repo "file://$work/repo" --hostname demo --runtime process \
    --state-dir "$work/state" --root "$work/root" --listen "127.0.0.1:$PORT" >"$work/agent.log" 2>&1 &
pid=$!

for _ in $(seq 120); do
  if curl -sf "http://127.0.0.1:$PORT/api/v1/status" 2>/dev/null | grep -q '"phase" : "Synced"'; then break; fi
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/api/v1/status" | grep -q '"phase" : "Synced"' || { echo "the daemon did not sync:"; tail -20 "$work/agent.log"; exit 1; }


# Each connection waits this long after each answer: PACED_CONNECTIONS of them offer about RATE/s
# (15% of the cycle is left for the answer itself, about 0.3 ms here).
delay_ms=$(awk -v c="$PACED_CONNECTIONS" -v r="$RATE" 'BEGIN {printf "%.3f", c * 1000 / r * 0.85}')
cat >"$work/paced.lua" <<LUA
function delay() return $delay_ms end
LUA

# wrk_run PATH SECONDS [paced] -> "rps p99_ms errors"
wrk_run() {
  local out rps p99 non2xx sock args=(-t"$THREADS" -c"$CONNECTIONS")
  [ "${3:-}" = paced ] && args=(-t"$THREADS" -c"$PACED_CONNECTIONS" -s "$work/paced.lua")
  out=$(wrk "${args[@]}" -d"$2"s --latency "http://127.0.0.1:$PORT$1")
  echo "$out" >>"$work/wrk.txt"
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  sock=$(awk '/Socket errors:/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out")
  echo "$rps $p99 $(( ${non2xx:-0} + ${sock:-0} ))"
}

wrk_run /api/v1/status "$WARMUP" >/dev/null   # JIT warm-up, not reported
wrk_run /healthz "$WARMUP" >/dev/null
rss_before=$(rss_kb "$pid")
read -r s_rps s_p99 s_err < <(wrk_run /api/v1/status "$DURATION" paced)
rss_after=$(rss_kb "$pid")
read -r h_rps h_p99 h_err < <(wrk_run /healthz "$DURATION" paced)
read -r ss_rps ss_p99 ss_err < <(wrk_run /api/v1/status "$DURATION")
read -r hs_rps hs_p99 hs_err < <(wrk_run /healthz "$DURATION")
phase=$(curl -sf "http://127.0.0.1:$PORT/api/v1/status" | awk -F'"' '/"phase"/ {print $4; exit}')

growth_kb=$((rss_after - rss_before))
cat <<REPORT
status API under wrk ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DURATION}s runs, JVM flags: ${JVM_FLAGS:-default})
| run | endpoint | requests/s | p99 latency | errors |
|---|---|---|---|---|
| paced ~$RATE/s (wrk -c$PACED_CONNECTIONS, ${delay_ms} ms between requests) | GET /api/v1/status | $s_rps | ${s_p99} ms | $s_err |
| paced ~$RATE/s | GET /healthz (baseline) | $h_rps | ${h_p99} ms | $h_err |
| saturated (wrk -t$THREADS -c$CONNECTIONS) | GET /api/v1/status | $ss_rps | ${ss_p99} ms | $ss_err |
| saturated | GET /healthz (baseline) | $hs_rps | ${hs_p99} ms | $hs_err |
paced p99 ratio status/healthz: $(awk -v a="$s_p99" -v b="$h_p99" 'BEGIN {printf "%.2f", a/b}'); saturated throughput ratio status/healthz: $(awk -v a="$ss_rps" -v b="$hs_rps" 'BEGIN {printf "%.2f", a/b}')
RSS during the paced status run: $((rss_before / 1024)) MiB -> $((rss_after / 1024)) MiB (growth $((growth_kb / 1024)) MiB, $growth_kb KiB)
phase after the runs: $phase
targets: >= 5000 req/s served: $(awk -v a="$s_rps" -v b="$ss_rps" 'BEGIN {print (a >= 4750 || b >= 5000) ? "met" : "MISSED"}'); p99 < 10 ms: $(awk -v a="$s_p99" 'BEGIN {print (a < 10) ? "met" : "MISSED"}'); zero errors: $([ "$s_err" = 0 ] && [ "$ss_err" = 0 ] && echo met || echo MISSED); RSS growth < 10 MiB: $([ "$growth_kb" -lt 10240 ] && echo met || echo MISSED)
REPORT

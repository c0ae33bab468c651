#!/usr/bin/env bash
# The whole benchmark harness in one command, each figure against a baseline measured in the same
# run (see the header of each script). Every part's report goes to stdout and to its own
# bench/results/<part>-<date>.md; the run's report, with a summary table of every figure against
# its target, goes to bench/results/<date>.md, and (full runs only) the summary replaces the
# block between the bench:summary markers in docs/performance.md.
#
#   bench/run.sh            the full run: 24 minutes on 2 cores (23 min 37 s last time; the parts below)
#   bench/run.sh --smoke    every comparison once, tiny: under 2 minutes; CI runs it so nothing rots
#   PARTS="peers idle" bench/run.sh   only these parts (the summary in docs/ is left alone)
#
# Needs a Debian machine with a JDK 17, Maven and root (for apt-get): each part installs the
# packages it needs (git, curl, gnuplot-nox, ansible-core, puppet, time, wrk) when missing, and
# the jar is built when missing.
#
# parts of the full run (2 cores, nothing else running):
#   sync      bench/sync.sh      poll CPU vs git ls-remote, resolve at 10 / 1,000 / 10,000 devices,
#                                fetch bytes vs git                                           ~0.5 min
#   agent     bench/agent.sh     push->applied (20 pushes at 1 s, 20 at 30 s, CDF plot), no-change
#                                tick with 200 services (its parts "latency cpu")              ~6.5 min
#   idle      bench/idle.sh      idle RSS (plot) and where it goes (NMT), CPU per hour, disk
#                                writes per poll, start to ready, launcher flags vs + AppCDS,
#                                IDLE_S=180 side by side                                        ~3.5 min
#   peers     bench/peers.sh     the same work under ansible-pull, puppet, git (10 runs each)   ~5.5 min
#   fleet     bench/fleet.sh     100 and 1,000 pollers vs the JGit smart-HTTP server at 30 s,
#                                jittered then lockstep, FLEET_DURATION=100 s a round (30 s
#                                steady, a commit wave)                                          ~7.5 min
#   trust     bench/trust.sh     CPU to verify one signed commit and a 100-commit chain vs git,
#                                daemon RSS with verify enforce vs off                          ~1.5 min
#   gate      bench/gate.sh      crashing push -> rolled back to the verified revision, vs a good
#                                push -> applied (--interval 1s, 30 s window)                   ~1 min
#   notify    bench/notify.sh    push -> applied with a webhook target that never answers vs no
#                                target; failing push -> webhook POST vs -> ApplyFailed in status ~2 min
# optional parts (PARTS=...):
#   api       bench/api.sh       wrk on /api/v1/status vs /healthz                             ~5 min
#   validate  bench/validate-large-repo.sh   validate 1,000 vs 10,000 devices                  ~1 min
#   secrets   bench/secrets.sh   validate 1,000 devices using files encrypted to 1,000 age
#                                recipients, with vs without the recipients check              ~1.5 min
#   rollout   bench/rollout.sh   1,000 simulated devices, staged rollout canary / 10 % after
#                                1 min / 100 % after 3 min, then a pause: moves vs the plan     ~10 min
#                                (in --smoke: 40 devices, seconds-long waves)
# The fleet against a real Git host (Apache + git-http-backend), clumped and hinted rounds
# (Mosquitto), and larger fleets do not fit in the 30 minutes: `bench/fleet.sh` on its own
# (AGENTS=1000 MODES="jittered clumped hinted" DURATION=400 HINT_SPREAD=120: ~22 min).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
smoke=
[ "${1:-}" = --smoke ] && smoke=1
FULL_PARTS="sync agent idle peers fleet trust gate notify"
PARTS=${PARTS:-$([ -n "$smoke" ] && echo "peers fleet idle trust gate notify rollout" || echo "$FULL_PARTS")}
FLEET_AGENTS=${FLEET_AGENTS:-100 1000}
FLEET_DURATION=${FLEET_DURATION:-100}

[ -f cli/target/voltis-agent.jar ] || mvn -B -q -DskipTests -DskipITs install >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BENCH_SUMMARY=$tmp/summary.rows
: > "$BENCH_SUMMARY"
started=$SECONDS
started_at=$(date -u +%Y-%m-%dT%H:%MZ)
load=$(cut -d' ' -f1-3 /proc/loadavg)
failed=()
timings=()
for part in $PARTS; do
  echo "=== $part" >&2
  t0=$SECONDS
  case "$part" in
    validate) cmd=(bench/validate-large-repo.sh) ;;
    secrets) cmd=(bench/secrets.sh) ;;
    sync) cmd=(bench/sync.sh) ;;
    agent) cmd=(bench/agent.sh) ;;
    api) cmd=(bench/api.sh) ;;
    idle) cmd=(bench/idle.sh) ;;
    peers) cmd=(bench/peers.sh) ;;
    fleet) cmd=(bench/fleet.sh) ;;
    trust) cmd=(bench/trust.sh) ;;
    gate) cmd=(bench/gate.sh) ;;
    notify) cmd=(bench/notify.sh) ;;
    rollout) cmd=(bench/rollout.sh) ;;
    *) echo "unknown part '$part' (sync agent idle peers fleet trust gate notify api validate secrets rollout)" >&2; exit 2 ;;
  esac
  export BENCH_PART=$part
  if [ -n "$smoke" ]; then
    case "$part" in
      idle) env SMOKE=1 IDLE_S=5 INTERVAL=2s "${cmd[@]}" ;;
      peers) env SMOKE=1 RUNS=1 "${cmd[@]}" ;;
      fleet) env SMOKE=1 DURATION=25 FLEET_SERVER="${FLEET_SERVER:-}" "${cmd[@]}" ;;
      api) env DURATION=3 WARMUP=1 "${cmd[@]}" ;;
      *) env SMOKE=1 "${cmd[@]}" ;;
    esac > "$tmp/$part.md" || failed+=("$part")
  else
    case "$part" in
      fleet) env AGENTS="$FLEET_AGENTS" DURATION="$FLEET_DURATION" INTERVAL=30 MODES="jittered lockstep" \
               FLEET_SERVER=jgit "${cmd[@]}" ;;
      agent) env PARTS="latency cpu" "${cmd[@]}" ;;
      idle) env IDLE_S="${IDLE_S:-180}" "${cmd[@]}" ;;
      *) "${cmd[@]}" ;;
    esac > "$tmp/$part.md" || failed+=("$part")
  fi
  cat "$tmp/$part.md"
  timings+=("$part $((SECONDS - t0)) s")
  echo "=== $part: $((SECONDS - t0)) s" >&2
done
total=$((SECONDS - started))
echo "harness: $total s${failed:+; FAILED: ${failed[*]}}" >&2

summary() {
  echo "| part | figure | measured | against (same run) | target | verdict |"
  echo "|---|---|---|---|---|---|"
  cat "$BENCH_SUMMARY"
}

date=$(date -u +%F)
mkdir -p bench/results
out=bench/results/$date${smoke:+-smoke}.md
{
  echo "# Benchmark harness, $started_at"
  echo
  echo "\`bench/run.sh${smoke:+ --smoke}\` at $(git rev-parse --short HEAD 2>/dev/null || echo '?'): parts $PARTS;" \
    "$(IFS=,; echo "${timings[*]}" | sed 's/,/, /g'); $((total / 60)) min $((total % 60)) s in all${failed:+; FAILED: ${failed[*]}}."
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)," \
    "load average $load at the start; $(java -version 2>&1 | head -n 1)."
  echo
  echo "## Summary"
  echo
  summary
  for part in $PARTS; do
    [ -s "$tmp/$part.md" ] || continue
    echo
    echo "## $part"
    echo
    # each part's report starts with a level-1 title; one level down here
    sed 's/^#/##/' "$tmp/$part.md"
  done
} > "$out"
echo "harness: written to $out" >&2

# the summary in docs/performance.md, for a full run of every part
if [ -z "$smoke" ] && [ "$PARTS" = "$FULL_PARTS" ] && [ ${#failed[@]} -eq 0 ]; then
  block=$tmp/block.md
  {
    echo "<!-- bench:summary (written by bench/run.sh; do not edit by hand) -->"
    echo "Last full run: $started_at, \`bench/run.sh\`, $((total / 60)) min $((total % 60)) s on $(nproc) cores" \
      "($(IFS=,; echo "${timings[*]}" | sed 's/,/, /g')). Report: [bench/results/$date.md](../bench/results/$date.md)."
    echo
    summary
    echo "<!-- /bench:summary -->"
  } > "$block"
  awk -v block="$block" '
    /^<!-- bench:summary/ {while ((getline line < block) > 0) print line; skip = 1; next}
    /^<!-- \/bench:summary -->/ {skip = 0; next}
    !skip {print}' docs/performance.md > "$tmp/performance.md"
  if grep -q '^<!-- bench:summary' docs/performance.md; then
    cp "$tmp/performance.md" docs/performance.md
    echo "harness: the summary in docs/performance.md is updated" >&2
  else
    echo "harness: docs/performance.md has no bench:summary markers; the summary is only in $out" >&2
  fi
fi
[ ${#failed[@]} -eq 0 ]

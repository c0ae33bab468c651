#!/usr/bin/env bash
# The whole benchmark harness in one command, each part against baselines measured in the same
# run (see the header of each script). Reports go to stdout and bench/results/<name>-<date>.md;
# docs/performance.md carries the figures with the commands.
#
#   bench/run.sh            the full run: about 50 minutes on 2 cores (the parts and their cost below)
#   bench/run.sh --smoke    every comparison once, tiny: about 2 minutes; CI runs it so nothing rots
#   PARTS="peers idle" bench/run.sh   only these parts
#
# parts (full run, 2 cores):
#   validate  bench/validate-large-repo.sh   1,000 devices / 200 workloads vs 10,000 / 1,000   ~1 min
#   sync      bench/sync.sh                   poll CPU vs git ls-remote, resolve 10 vs 10,000 devices, fetch bytes  ~3 min
#   agent     bench/agent.sh                  push->applied at 1 s and 30 s, tick with 200 services, footprint  ~8.5 min
#   api       bench/api.sh                    wrk on /api/v1/status vs /healthz                  ~5 min
#   idle      bench/idle.sh                   idle RSS, CPU and disk writes per hour, with/without AppCDS  ~11 min
#   peers     bench/peers.sh                  the same work under ansible-pull, puppet, git      ~9 min
#   fleet     bench/fleet.sh                  100 / 1,000 pollers vs one smart-HTTP server, jittered vs lockstep  ~12 min
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=
[ "${1:-}" = --smoke ] && smoke=1
PARTS=${PARTS:-$([ -n "$smoke" ] && echo "peers fleet idle" || echo "validate sync agent api idle peers fleet")}

[ -f cli/target/voltis-agent.jar ] || mvn -B -q -DskipTests -DskipITs install >/dev/null

started=$SECONDS
failed=()
for part in $PARTS; do
  echo "=== $part"
  t0=$SECONDS
  case "$part" in
    validate) cmd=(bench/validate-large-repo.sh) ;;
    sync) cmd=(bench/sync.sh) ;;
    agent) cmd=(bench/agent.sh) ;;
    api) cmd=(bench/api.sh) ;;
    idle) cmd=(bench/idle.sh) ;;
    peers) cmd=(bench/peers.sh) ;;
    fleet) cmd=(bench/fleet.sh) ;;
    *) echo "unknown part '$part' (validate sync agent api idle peers fleet)" >&2; exit 2 ;;
  esac
  if [ -n "$smoke" ]; then
    case "$part" in
      idle) SMOKE=1 IDLE_S=5 INTERVAL=2s "${cmd[@]}" || failed+=("$part") ;;
      peers) SMOKE=1 RUNS=1 "${cmd[@]}" || failed+=("$part") ;;
      fleet) SMOKE=1 DURATION=15 "${cmd[@]}" || failed+=("$part") ;;
      api) DURATION=3 WARMUP=1 "${cmd[@]}" || failed+=("$part") ;;
      *) SMOKE=1 "${cmd[@]}" || failed+=("$part") ;;
    esac
  else
    case "$part" in
      fleet) AGENTS=${AGENTS:-"100 1000"} DURATION=${DURATION:-180} "${cmd[@]}" || failed+=("$part") ;;
      *) "${cmd[@]}" || failed+=("$part") ;;
    esac
  fi
  echo "=== $part: $((SECONDS - t0)) s"
done
echo "harness: $((SECONDS - started)) s${failed:+; FAILED: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]

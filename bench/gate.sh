#!/usr/bin/env bash
# The health gate's figure against a baseline measured in the same run: from a push whose service
# crashes to the last verified revision running again (automatic rollback), against a good push
# applied (push -> applied), both with the daemon at --interval 1s and a 30 s gate window.
#   bench/gate.sh             (needs a JDK, Maven, git and curl; 10 of each, about 2 minutes)
#   SMOKE=1 bench/gate.sh     2 of each, for CI
# The report goes to stdout and bench/results/gate-<UTC date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
need_tools git:git curl:curl
RUNS=${RUNS:-$([ -n "${SMOKE:-}" ] && echo 2 || echo 10)}
FLAGS=${FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"}
JAR=${JAR:-cli/target/voltis-agent.jar}
[ -f "$JAR" ] || mvn -B -q -DskipTests -DskipITs install >/dev/null
JAR=$(realpath "$JAR")
work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  pid=
}
trap 'stop; rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
repo=$work/repo
git init -q -b main "$repo"
mkdir -p "$repo/devices" "$repo/workloads/app/files"
printf 'workload: app\n' > "$repo/devices/bench-1.yaml"
# push N SCRIPT WINDOW: a revision whose service runs SCRIPT, its version file N
push() {
  printf '%s\n' "$1" > "$repo/workloads/app/files/version"
  printf 'apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/version}\nservices:\n  - {name: web, command: [sh, -c, "%s"]}\ngate: {window: %s}\n' \
    "$2" "$3" > "$repo/workloads/app/workload.yaml"
  git -C "$repo" add -A && git -C "$repo" commit -qm "push $1"
}
GOOD="exec sleep 100000"
CRASH="echo starting; exit 3"
push good-0 "$GOOD" 1s

state=$work/state
# shellcheck disable=SC2086
java $FLAGS -jar "$JAR" run --repo "file://$repo" --hostname bench-1 --runtime process --interval 1s \
  --reconcile-interval 1s --state-dir "$state" --root "$work/root" --listen 127.0.0.1:0 > "$work/daemon.log" 2>&1 &
pid=$!
base=
for ((i = 0; i < 3000; i++)); do
  [ -z "$base" ] && [ -f "$state/api" ] && base=$(cat "$state/api")
  [ -n "$base" ] && grep -q "GatePassed" "$work/daemon.log" && break
  kill -0 "$pid" 2>/dev/null || { echo "the daemon stopped:" >&2; tail -5 "$work/daemon.log" >&2; exit 1; }
  sleep 0.1
done
applied() { curl -sf "$base/api/v1/status" | grep -o '"appliedRevision" : "[0-9a-f]*"' | cut -d'"' -f4; }
phase() { curl -sf "$base/api/v1/status" | grep -o '"phase" : "[A-Za-z]*"' | cut -d'"' -f4; }
desired() { curl -sf "$base/api/v1/status" | grep -o '"desiredRevision" : "[0-9a-f]*"' | cut -d'"' -f4; }
# wait_for COND: polls every 20 ms, up to 90 s; prints the ms it took since $t0
wait_for() {
  local i
  for ((i = 0; i < 4500; i++)); do
    if eval "$1"; then now; echo $(((NOW - t0) / 1000)); return; fi
    sleep 0.02
  done
  echo "timed out waiting for: $1" >&2; tail -5 "$work/daemon.log" >&2; exit 1
}
: > "$work/rollback.ms"; : > "$work/apply.ms"
good=$(git -C "$repo" rev-parse HEAD)   # verified (its 1 s window passed): the rollback target
for ((n = 1; n <= RUNS; n++)); do
  # a crashing push: push -> the verified revision running again
  push "bad-$n" "$CRASH" 30s
  sha=$(git -C "$repo" rev-parse HEAD)
  now; t0=$NOW
  wait_for '[ "$(desired)" = "$sha" ] && [ "$(phase)" = RolledBack ] && [ "$(applied)" = "$good" ] \
    && [ "$(cat "$work/root/etc/version")" = good-0 ]' >> "$work/rollback.ms"
done
for ((n = 1; n <= RUNS; n++)); do
  # the baseline: a good push with the same window, push -> applied
  push "good-$n" "$GOOD" 30s
  sha=$(git -C "$repo" rev-parse HEAD)
  now; t0=$NOW
  wait_for '[ "$(applied)" = "$sha" ] && [ "$(cat "$work/root/etc/version")" = "good-$n" ]' >> "$work/apply.ms"
done
grep -q "RolledBack" "$work/daemon.log" || { echo "no RolledBack in the log" >&2; exit 1; }
stop
median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
rollback=$(median "$work/rollback.ms")
apply=$(median "$work/apply.ms")
report() {
  echo "# Health gate: rollback time, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "bench/gate.sh: $(nproc) cores, $(java -version 2>&1 | head -n 1); daemon with the launcher's flags," \
    "--interval 1s, --reconcile-interval 1s, gate window 30s, $RUNS of each."
  echo
  echo "| figure | Voltis | baseline (same run) | Voltis / baseline |"
  echo "|---|---|---|---|"
  awk -v r="$rollback" -v a="$apply" 'BEGIN {printf "| crashing push -> last verified revision running again (median) | %d ms | good push -> applied %d ms | %.2f× |\n", r, a, r / a}'
  echo
  echo "Raw (ms): rollback $(tr '\n' ' ' < "$work/rollback.ms"); apply $(tr '\n' ' ' < "$work/apply.ms")"
}
mkdir -p bench/results
out=bench/results/gate-$(date -u +%F)${SMOKE:+-smoke}.md
report | tee "$out"
echo "gate: written to $out" >&2
summary_row "crashing push -> verified revision running again (--interval 1s, 30 s window)" "$rollback ms (median)" \
  "good push -> applied $apply ms: $(awk -v r="$rollback" -v a="$apply" 'BEGIN {printf "%.2f", r / a}')×" "—" "—"

#!/usr/bin/env bash
# Notifications' figures against baselines measured in the same run:
#  1. a good push -> applied, with a webhook target that never answers (every apply queues a
#     notice; the 10 s delivery timeout runs on the sender's thread), against the same daemon
#     with no target: delivery must not slow the apply;
#  2. a failing push -> the webhook POST received by a local receiver, against the same push ->
#     ApplyFailed visible in the status API.
#   bench/notify.sh             (needs a JDK, Maven, git, curl and python3; 10 of each, about 3 minutes)
#   SMOKE=1 bench/notify.sh     2 of each, for CI
# The report goes to stdout and bench/results/notify-<UTC date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
need_tools git:git curl:curl python3:python3
RUNS=${RUNS:-$([ -n "${SMOKE:-}" ] && echo 2 || echo 10)}
FLAGS=${FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"}
JAR=${JAR:-cli/target/voltis-agent.jar}
[ -f "$JAR" ] || mvn -B -q -DskipTests -DskipITs install >/dev/null
JAR=$(realpath "$JAR")
work=$(mktemp -d)
pids=()
stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost

# receiver MODE PORTFILE LOG: an HTTP server on loopback; "slow" never answers in time, "fast"
# answers 204 and appends the arrival time (µs since the epoch) to LOG
receiver() {
  python3 - "$1" "$2" "$3" <<'PY' &
import http.server, sys, time
mode, portfile, log = sys.argv[1:4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(log, "a") as f:
            f.write("%d\n" % int(time.time() * 1_000_000))
        if mode == "slow":
            time.sleep(30)
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
  pids+=($!)
  local i
  for ((i = 0; i < 100; i++)); do [ -s "$2" ] && return; sleep 0.05; done
  echo "the receiver did not start" >&2; exit 1
}

# daemon NAME CONFIG: a daemon following its own repo $work/NAME/repo; sets base (its API)
daemon() {
  local dir=$work/$1
  # shellcheck disable=SC2086
  java $FLAGS -jar "$JAR" run --repo "file://$dir/repo" --hostname bench-1 --runtime process --interval 1s \
    --reconcile-interval 1s --state-dir "$dir/state" --root "$dir/root" --listen 127.0.0.1:0 --config "$2" \
    > "$dir/daemon.log" 2>&1 &
  pids+=($!)
  local i
  base=
  for ((i = 0; i < 3000; i++)); do
    [ -z "$base" ] && [ -f "$dir/state/api" ] && base=$(cat "$dir/state/api")
    [ -n "$base" ] && curl -sf "$base/api/v1/status" | grep -q '"phase" : "Synced"' && return
    sleep 0.1
  done
  echo "the daemon $1 did not sync:" >&2; tail -5 "$dir/daemon.log" >&2; exit 1
}
repo_for() {
  local repo=$work/$1/repo
  git init -q -b main "$repo"
  mkdir -p "$repo/devices" "$repo/workloads/app/files"
  printf 'workload: app\n' > "$repo/devices/bench-1.yaml"
  push "$1" 0 good
}
# push NAME N good|bad: a revision whose file is N; bad ones put a file where the root has a folder
push() {
  local repo=$work/$1/repo
  printf '%s\n' "$2" > "$repo/workloads/app/files/version"
  if [ "$3" = good ]; then
    printf 'apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/version}\ngate: {window: 0s}\n' \
      > "$repo/workloads/app/workload.yaml"
  else
    printf 'apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/blocked}\ngate: {window: 0s}\n' \
      > "$repo/workloads/app/workload.yaml"
  fi
  git -C "$repo" add -A && git -C "$repo" commit -qm "push $2 $3"
}
field() { curl -sf "$base/api/v1/status" | grep -o "\"$1\" : \"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }
wait_for() {
  local i
  for ((i = 0; i < 4500; i++)); do
    if eval "$1"; then now; echo $(((NOW - t0) / 1000)); return; fi
    sleep 0.02
  done
  echo "timed out waiting for: $1" >&2; tail -n 5 "$work"/*/daemon.log >&2; exit 1
}

: > "$work/with-slow.ms"; : > "$work/without.ms"; : > "$work/post.ms"; : > "$work/status.ms"
: > "$work/none.yaml"
# push_until_applied NAME OUT: RUNS good pushes, each timed from the commit to applied
push_until_applied() {
  local n name=$1
  for ((n = 1; n <= RUNS; n++)); do
    push "$name" "$n" good
    now; t0=$NOW
    wait_for '[ "$(cat "$work/$name/root/etc/version" 2>/dev/null)" = "$n" ] && [ "$(field appliedRevision)" = "$(git -C "$work/$name/repo" rev-parse HEAD)" ]' \
      >> "$2"
  done
}
# push_until_failed NAME OUT WAIT: RUNS failing pushes (each followed by a fix), timed until WAIT holds
push_until_failed() {
  local n name=$1
  mkdir -p "$work/$name/root/etc/blocked/inside"
  for ((n = 1; n <= RUNS; n++)); do
    : > "$work/fast.log"
    push "$name" "bad-$n" bad
    sha=$(git -C "$work/$name/repo" rev-parse HEAD)
    now; t0=$NOW
    if [ "$3" = post ]; then
      wait_for '[ -s "$work/fast.log" ]' > /dev/null
      echo $((($(head -n 1 "$work/fast.log") - t0) / 1000)) >> "$2"
    else
      wait_for 'curl -sf "$base/api/v1/status" | grep -q "\"lastError\" : \"FilesFailed: apply of ${sha:0:12}"' >> "$2"
    fi
    push "$name" "$n" good   # the fix, so the next bad push is a new failure
    wait_for '[ "$(field appliedRevision)" = "$(git -C "$work/$name/repo" rev-parse HEAD)" ]' > /dev/null
  done
}

# 1. good push -> applied: no target, then a webhook target that never answers
repo_for none
daemon none "$work/none.yaml"
push_until_applied none "$work/without.ms"
stop_all
receiver slow "$work/slow.port" "$work/slow.log"
printf 'notify:\n  - {name: slow, webhook: "http://127.0.0.1:%s/hook", events: [Applied, ApplyFailed]}\n' \
  "$(cat "$work/slow.port")" > "$work/slow.yaml"
repo_for slow
daemon slow "$work/slow.yaml"
push_until_applied slow "$work/with-slow.ms"
[ -s "$work/slow.log" ] || { echo "the slow target got nothing" >&2; exit 1; }
stop_all

# 2. a failing push -> the webhook POST received; the baseline: -> ApplyFailed in status, no target
receiver fast "$work/fast.port" "$work/fast.log"
printf 'notify:\n  - {name: ops, webhook: "http://127.0.0.1:%s/hook", events: [ApplyFailed]}\n' \
  "$(cat "$work/fast.port")" > "$work/fast.yaml"
repo_for fast
daemon fast "$work/fast.yaml"
push_until_failed fast "$work/post.ms" post
stop_all
repo_for status
daemon status "$work/none.yaml"
push_until_failed status "$work/status.ms" status
stop_all

median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
slow=$(median "$work/with-slow.ms"); without=$(median "$work/without.ms")
post=$(median "$work/post.ms"); status=$(median "$work/status.ms")
report() {
  echo "# Notifications: apply time with a dead target, and time to a webhook POST, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "bench/notify.sh: $(nproc) cores, $(java -version 2>&1 | head -n 1); daemons with the launcher's flags," \
    "--interval 1s, --reconcile-interval 1s, $RUNS of each."
  echo
  echo "| figure | Voltis | baseline (same run) | Voltis / baseline |"
  echo "|---|---|---|---|"
  awk -v v="$slow" -v b="$without" 'BEGIN {printf "| good push -> applied, a webhook target that never answers (median) | %d ms | no target %d ms | %.2f× |\n", v, b, v / b}'
  awk -v v="$post" -v b="$status" 'BEGIN {printf "| failing push -> webhook POST received (median) | %d ms | -> ApplyFailed in status %d ms | %.2f× |\n", v, b, v / b}'
  echo
  echo "Raw (ms): with a dead target $(tr '\n' ' ' < "$work/with-slow.ms"); without $(tr '\n' ' ' < "$work/without.ms");" \
    "POST $(tr '\n' ' ' < "$work/post.ms"); status $(tr '\n' ' ' < "$work/status.ms")"
}
mkdir -p bench/results
out=bench/results/notify-$(date -u +%F)${SMOKE:+-smoke}.md
report | tee "$out"
echo "notify: written to $out" >&2
summary_row "good push -> applied with a webhook target that never answers" "$slow ms (median)" \
  "no target $without ms: $(awk -v v="$slow" -v b="$without" 'BEGIN {printf "%.2f", v / b}')×" "—" "—"
summary_row "failing push -> webhook POST received" "$post ms (median)" \
  "-> ApplyFailed in status $status ms: $(awk -v v="$post" -v b="$status" 'BEGIN {printf "%.2f", v / b}')×" "—" "—"

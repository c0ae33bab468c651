#!/usr/bin/env bash
# The fault harness: the real jar, run with the launcher's flags (packaging/src/deb/bin/voltis-agent),
# put through faults; for each fault it checks the promises DESIGN.md makes ("Bad input, faults,
# and what they get") and prints one line per promise, PASS or FAIL, then a total:
#   faults: N passed, N failed
# The exit code is 0 when nothing failed, 1 otherwise.
#
#   bench/faults.sh            # full: KILL_ITERATIONS=20 kill -9s, SETSID_ROUNDS=5, BIG_MIB=200
#   bench/faults.sh --short    # for CI: 4 kill -9s, 5 setsid rounds, a 64 MiB file (a few minutes on 2 cores)
#   FAULTS="kill9" bench/faults.sh --short   # only some faults (names: the fault_* functions)
#
# The faults: kill9 (kill -9 at random points of applies), setsid (a daemonizing service), bigfile
# (a BIG_MIB MiB file applied under the 64 MiB heap, one over max-file-size refused), diskfull (the
# state directory on a 48 MiB tmpfs filled up: needs root), statedir (the state directory removed),
# cron (a schedule that never fires). One function per fault (fault_<name>), each in a work folder
# of its own; add a fault by adding a function and its name to ALL_FAULTS. Variables: JAR (cli/target/voltis-agent.jar, built when
# missing), FAULTS, KILL_ITERATIONS, SETSID_ROUNDS, BIG_MIB, SEED (random kill points), KEEP_WORK=1 (keep
# the work folder with the agents' logs and state). Needs git and a JDK 17; installs git with
# apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
export LC_ALL=C

SHORT=0
for arg in "$@"; do
  case $arg in
    --short) SHORT=1 ;;
    *) echo "usage: bench/faults.sh [--short]" >&2; exit 2 ;;
  esac
done
ALL_FAULTS="kill9 setsid bigfile diskfull statedir cron"
FAULTS=${FAULTS:-$ALL_FAULTS}
if ((SHORT)); then
  KILL_ITERATIONS=${KILL_ITERATIONS:-4}
else
  KILL_ITERATIONS=${KILL_ITERATIONS:-20}
fi
SETSID_ROUNDS=${SETSID_ROUNDS:-5}
# the file a workload must apply under the launcher's 64 MiB heap (MiB): 200 in the full run, less for CI
if ((SHORT)); then
  BIG_MIB=${BIG_MIB:-64}
else
  BIG_MIB=${BIG_MIB:-200}
fi
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
JAR=${JAR:-cli/target/voltis-agent.jar}
# NOTE: the footprint flags of packaging/src/deb/bin/voltis-agent
LAUNCHER_FLAGS="-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"
PATIENCE_S=120

need_tools git:git
[ -f "$JAR" ] || mvn -B -q -pl cli -am -DskipTests package > /dev/null
JAR=$(realpath "$JAR")
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d /tmp/voltis-faults.XXXXXX)
PASSED=0
FAILED=0
AGENT_PIDS=()

cleanup() {
  local pid
  for pid in "${AGENT_PIDS[@]}"; do
    kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in "${AGENT_PIDS[@]}"; do
    wait "$pid" 2> /dev/null || true
  done
  umount "$WORK/diskfull/state" 2> /dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# promise OK TEXT: one verdict line
promise() {
  if [ "$1" = 1 ]; then
    PASSED=$((PASSED + 1))
    echo "PASS  $2"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL  $2"
  fi
}

# start_agent DIR [FLAG...]: the daemon on DIR/origin.git, state DIR/state, root DIR/root; sets AGENT
start_agent() {
  local dir=$1
  shift
  # shellcheck disable=SC2086
  "$JAVA" $LAUNCHER_FLAGS -jar "$JAR" run --repo "file://$dir/origin.git" --hostname dev \
    --state-dir "$dir/state" --root "$dir/root" --runtime process --interval 1s --reconcile-interval 1s \
    --stop-grace 3s --listen 127.0.0.1:0 "$@" >> "$dir/agent.log" 2>&1 &
  AGENT=$!
  AGENT_PIDS+=("$AGENT")
}

# stop_agent PID SIGNAL
stop_agent() {
  kill "-$2" "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}

# sleepers DIR: the `sleep 100000` processes (what the services run) working under DIR/state
sleepers() {
  local dir p n=0 state
  state=$(realpath "$1/state")
  for p in /proc/[0-9]*; do
    [ "$(tr '\0' ' ' 2> /dev/null < "$p/cmdline")" = "sleep 100000 " ] || continue
    dir=$(readlink "$p/cwd" 2> /dev/null) || continue
    case $dir in "$state"/*) n=$((n + 1)) ;; esac
  done
  echo "$n"
}

# applied DIR: the applied revision, as `voltis-agent status --output json` shows it
applied() {
  "$JAVA" -jar "$JAR" status --state-dir "$1/state" --output json 2> /dev/null \
    | sed -n 's/.*"appliedRevision" *: *"\([0-9a-f]*\)".*/\1/p' | head -1
}

# field DIR NAME: a top-level text field of `voltis-agent status --output json` (phase, lastError, ...)
field() {
  "$JAVA" -jar "$JAR" status --state-dir "$1/state" --output json 2> /dev/null \
    | sed -n "s/^  \"$2\" *: *\"\(.*\)\",\{0,1\}\$/\1/p" | head -1
}

# phase_is DIR PHASE
phase_is() {
  [ "$(field "$1" phase)" = "$2" ]
}

# applied_is DIR SHA
applied_is() {
  [ "$(applied "$1")" = "$2" ]
}

# failed_on DIR SHA: the desired revision is SHA and the phase Failed
failed_on() {
  [ "$(field "$1" desiredRevision)" = "$2" ] && phase_is "$1" Failed
}

# service_pid DIR NAME: the running pid of a service of the process runtime, from its pid file
service_pid() {
  local pid
  pid=$(cut -d' ' -f1 "$1/state/logs/$2.pid" 2> /dev/null) || return 1
  alive "$pid" && echo "$pid"
}

# small_workload DIR: a file and a service, applied quickly; prints the sha
small_workload() {
  printf 'small\n' > "$1/checkout/workloads/w/files/data"
  cat > "$1/checkout/workloads/w/workload.yaml" << EOF
apiVersion: voltis/v1
files:
  - {source: files/data, target: data}
services:
  - name: app
    command: [sh, -c, "exec sleep 100000"]
EOF
  commit "$1" "small"
}

# wait_for SECONDS COMMAND...: polls every 0.5 s until COMMAND succeeds
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# commit DIR MESSAGE: commits the checkout DIR/checkout and pushes it to DIR/origin.git; prints the sha
commit() {
  git -C "$1/checkout" add -A
  git -C "$1/checkout" commit -qm "$2"
  git -C "$1/checkout" push -q origin HEAD:main
  git -C "$1/checkout" rev-parse HEAD
}

new_repo() {
  mkdir -p "$1/root"
  git init -q --bare -b main "$1/origin.git"
  git init -q -b main "$1/checkout"
  git -C "$1/checkout" config user.email faults@voltis.test
  git -C "$1/checkout" config user.name faults
  git -C "$1/checkout" remote add origin "$1/origin.git"
  mkdir -p "$1/checkout/devices" "$1/checkout/workloads/w/files"
  echo "workload: w" > "$1/checkout/devices/dev.yaml"
}

# generation DIR GEN: 200 files saying GEN, a service and a per-revision job that log their revision;
# the 6 s job outlasts an agent restart and refuses to run beside another copy of itself (a migration
# holding a lock)
generation() {
  local dir=$1/checkout/workloads/w i name pad
  pad=$(printf 'x%.0s' $(seq 1 2000))
  {
    echo "apiVersion: voltis/v1"
    echo "files:"
    for i in $(seq 0 199); do
      name=$(printf 'f%03d' "$i")
      printf 'gen %s\n%s\n' "$2" "$pad" > "$dir/files/$name"
      echo "  - {source: files/$name, target: data/$name}"
    done
    echo "services:"
    echo "  - name: app"
    echo '    command: [sh, -c, "echo start $0 >> ${VOLTIS_ROOT}/service.log; exec sleep 100000", "${VOLTIS_REVISION}"]'
    echo "jobs:"
    echo "  - name: migrate"
    echo "    when: per-revision"
    echo '    run: [sh, -c, "mkdir ${VOLTIS_ROOT}/job.lock || exit 1; echo start $0 >> ${VOLTIS_ROOT}/job.log; sleep 6; echo end $0 >> ${VOLTIS_ROOT}/job.log; rmdir ${VOLTIS_ROOT}/job.lock", "${VOLTIS_REVISION}"]'
  } > "$dir/workload.yaml"
}

# following DIR N: the agent started after N earlier starts has taken over (it stopped what a killed
# agent left running, and follows the repo): its log has more than N "following" lines
following() {
  [ "$(grep -c 'voltis-agent following' "$1/agent.log")" -gt "$2" ]
}

# converged DIR SHA: SHA applied, the service's last start on SHA, one process of it
converged() {
  [ "$(applied "$1")" = "$2" ] && [ "$(tail -n 1 "$1/root/service.log" 2> /dev/null)" = "start $2" ] \
    && [ "$(sleepers "$1")" = 1 ]
}

# kill -9 at random points of the apply of a 200-file revision with a service and a per-revision job
fault_kill9() {
  local dir=$WORK/kill9 i sha began starts_before agents_before delay
  local converge=1 one=1 forward=1 overlap=1 again=1 records=1 shas=()
  new_repo "$dir"
  generation "$dir" 1
  shas+=("$(commit "$dir" "gen 1")")
  start_agent "$dir"
  wait_for "$PATIENCE_S" converged "$dir" "${shas[0]}" || converge=0
  for i in $(seq 2 $((KILL_ITERATIONS + 1))); do
    generation "$dir" "$i"
    sha=$(commit "$dir" "gen $i")
    shas+=("$sha")
    delay=$((RANDOM % 9000))  # poll (1 s), 200 files, the 6 s job, the service
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    stop_agent "$AGENT" KILL
    began=0
    [ "$(head -n 1 "$dir/root/data/f000")" = "gen $i" ] && began=1
    starts_before=$(wc -l < "$dir/root/service.log")
    agents_before=$(grep -c 'voltis-agent following' "$dir/agent.log")
    start_agent "$dir"
    # NOTE: a kill after the apply finished leaves a converged device: judge it once the new agent has taken over
    if ! wait_for "$PATIENCE_S" following "$dir" "$agents_before" || ! wait_for "$PATIENCE_S" converged "$dir" "$sha"; then
      converge=0
      echo "      gen $i (killed ${delay} ms after the push): not converged within ${PATIENCE_S}s" >&2
      continue
    fi
    [ "$(sleepers "$dir")" = 1 ] || one=0
    # once the new revision's files had begun, no service may start on anything else
    if ((began)) && tail -n "+$((starts_before + 1))" "$dir/root/service.log" | grep -qv "^start $sha\$"; then
      forward=0
      echo "      gen $i (killed ${delay} ms after the push, during the apply): a service started on an old revision" >&2
    fi
  done
  # job.log: start X / end X pairs, one after the other, and no start of X after an end of X
  awk 'NR % 2 == 1 && $1 != "start" {bad = 1} NR % 2 == 0 && ($1 != "end" || $2 != last) {bad = 1} {last = $2}
       END {exit bad || NR % 2}' "$dir/root/job.log" || overlap=0
  awk '$1 == "start" && ($2 in done) {bad = 1} $1 == "end" {done[$2] = 1} END {exit bad}' "$dir/root/job.log" || again=0
  # every revision has a succeeded apply in the store, every job start a recorded run
  local revisions
  revisions=$("$JAVA" -jar "$JAR" revisions --state-dir "$dir/state" --limit 1000 --output json 2> /dev/null || true)
  for sha in "${shas[@]}"; do
    grep -q "$sha" <<< "$revisions" || records=0
  done
  promise "$converge" "kill9: each of $KILL_ITERATIONS restarts converges on the new revision (seed $SEED)"
  promise "$one" "kill9: one process per service after each restart"
  promise "$forward" "kill9: rolls forward: no service starts on the old revision once the new one's apply began"
  promise "$overlap" "kill9: the per-revision job never ran twice at once"
  promise "$again" "kill9: the per-revision job never ran again for a revision it had succeeded for"
  promise "$records" "kill9: every revision pushed is recorded (voltis-agent revisions)"
  stop_agent "$AGENT" TERM
  promise "$( [ "$(sleepers "$dir")" = 0 ] && echo 1 || echo 0)" "kill9: the services stop with the agent (SIGTERM)"
}

# a service that daemonizes with setsid, restarted SETSID_ROUNDS times, and the agent killed once
fault_setsid() {
  local dir=$WORK/setsid round orphans=1 killed=1 stopped=1
  new_repo "$dir"
  start_agent "$dir"
  for round in $(seq 1 "$SETSID_ROUNDS"); do
    cat > "$dir/checkout/workloads/w/workload.yaml" << EOF
services:
  - name: d
    env: {ROUND: "$round"}
    command: [sh, -c, "setsid sh -c 'exec sleep 100000' </dev/null >/dev/null 2>&1 & echo up >> \${VOLTIS_ROOT}/d.log; exec sleep 100000"]
EOF
    commit "$dir" "round $round" > /dev/null
    wait_for "$PATIENCE_S" eval "[ \"\$(wc -l 2> /dev/null < '$dir/root/d.log' || echo 0)\" -ge $round ]" || orphans=0
    sleep 1
    [ "$(sleepers "$dir")" = 2 ] || { orphans=0; echo "      round $round: $(sleepers "$dir") processes, expected 2" >&2; }
  done
  stop_agent "$AGENT" KILL
  start_agent "$dir"
  wait_for "$PATIENCE_S" eval "[ \"\$(wc -l 2> /dev/null < '$dir/root/d.log' || echo 0)\" -gt $SETSID_ROUNDS ]" || killed=0
  sleep 1
  [ "$(sleepers "$dir")" = 2 ] || killed=0
  stop_agent "$AGENT" TERM
  [ "$(sleepers "$dir")" = 0 ] || stopped=0
  promise "$orphans" "setsid: a daemonizing service restarted $SETSID_ROUNDS times leaves no orphan"
  promise "$killed" "setsid: after a kill -9 of the agent, the restart leaves no orphan"
  promise "$stopped" "setsid: the daemon stops with the agent"
}

# a file of BIG_MIB MiB applies under the launcher's 64 MiB heap; one over max-file-size is refused
# naming the file and the limit, with the last good revision still running and the agent alive
fault_bigfile() {
  local dir=$WORK/bigfile good big over pid limit=$((BIG_MIB + 8)) applied_ok=0 same=0 refused=0 kept=0
  new_repo "$dir"
  good=$(small_workload "$dir")
  start_agent "$dir" --max-file-size "${limit}M"
  wait_for "$PATIENCE_S" applied_is "$dir" "$good"
  head -c "$((BIG_MIB << 20))" /dev/urandom > "$dir/checkout/workloads/w/files/data"
  big=$(commit "$dir" "$BIG_MIB MiB")
  wait_for 300 applied_is "$dir" "$big" && alive "$AGENT" && applied_ok=1
  cmp -s "$dir/checkout/workloads/w/files/data" "$dir/root/data" && same=1
  pid=$(service_pid "$dir" app || echo none)
  head -c "$(((BIG_MIB + 16) << 20))" /dev/urandom > "$dir/checkout/workloads/w/files/data"
  over=$(commit "$dir" "over the limit")
  if wait_for "$PATIENCE_S" failed_on "$dir" "$over"; then
    field "$dir" lastError | grep -q "workloads/w/files/data: .* is over max-file-size ($limit MiB)" && refused=1
  fi
  applied_is "$dir" "$big" && [ "$(service_pid "$dir" app || echo gone)" = "$pid" ] && alive "$AGENT" && kept=1
  promise "$applied_ok" "bigfile: a $BIG_MIB MiB file applies with the launcher's 64 MiB heap, the agent alive"
  promise "$same" "bigfile: the $BIG_MIB MiB file on disk is the one in Git"
  promise "$refused" "bigfile: a file over max-file-size makes the revision Failed, naming the file and the limit"
  promise "$kept" "bigfile: the last good revision and its service keep running, the agent alive"
  stop_agent "$AGENT" TERM
  rm -rf "$dir"
}

# the state directory on a small tmpfs that fills up: status tells the truth, nothing is lost,
# and the agent recovers by itself when space returns
fault_diskfull() {
  local dir=$WORK/diskfull good next mounted=0 truthful=0 listed=0 recovered=0 kept=0 reason
  new_repo "$dir"
  mkdir -p "$dir/state"
  if mount -t tmpfs -o size=48m,mode=0700 tmpfs "$dir/state" 2> /dev/null; then
    mounted=1
  else
    echo "      cannot mount a tmpfs on $dir/state (needs root)" >&2
  fi
  promise "$mounted" "diskfull: a 48 MiB tmpfs for the state directory (needs root)"
  ((mounted)) || return 0
  good=$(small_workload "$dir")
  start_agent "$dir"
  wait_for "$PATIENCE_S" applied_is "$dir" "$good"
  dd if=/dev/zero of="$dir/state/filler" bs=1M 2> /dev/null || true
  printf 'next\n' > "$dir/checkout/workloads/w/files/data"
  next=$(commit "$dir" "next")
  # the new revision cannot be fetched, unpacked or recorded: the reason names the disk, not Git
  if wait_for "$PATIENCE_S" eval "field '$dir' lastError | grep -Eq 'DiskFull|InsufficientSpace|[Nn]o space left'"; then
    reason=$(field "$dir" lastError)
    grep -q 'GitUnreachable' <<< "$reason" || truthful=1
  fi
  echo "      full disk: lastError ${reason:-none}" >&2
  "$JAVA" -jar "$JAR" status --state-dir "$dir/state" --output json 2> /dev/null | grep -q '"name" : "app"' && listed=1
  [ -n "$(service_pid "$dir" app)" ] && [ "$(cat "$dir/root/data")" = small ] && alive "$AGENT" && kept=1
  rm -f "$dir/state/filler"
  wait_for "$PATIENCE_S" eval "applied_is '$dir' $next && phase_is '$dir' Synced" && alive "$AGENT" && recovered=1
  promise "$truthful" "diskfull: status names the full disk, not Git"
  promise "$listed" "diskfull: the services stay listed in status"
  promise "$kept" "diskfull: the last good revision keeps running, the agent alive"
  promise "$recovered" "diskfull: with space back, the agent applies the new revision without a restart"
  stop_agent "$AGENT" TERM
  umount "$dir/state" || true
}

# the state directory removed while the agent runs: recreated 0700, the device converges again
fault_statedir() {
  local dir=$WORK/statedir good next recreated=0 again=0 event=0
  new_repo "$dir"
  good=$(small_workload "$dir")
  start_agent "$dir"
  wait_for "$PATIENCE_S" applied_is "$dir" "$good"
  # the running agent may write a file into a folder rm is emptying ("Directory not empty"): again
  local try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    rm -rf "$dir/state" 2> /dev/null && break
    sleep 0.1
  done
  printf 'after\n' > "$dir/checkout/workloads/w/files/data"
  next=$(commit "$dir" "after the state went")
  wait_for "$PATIENCE_S" eval "applied_is '$dir' $next && phase_is '$dir' Synced" && alive "$AGENT" && again=1
  [ "$(stat -c %a "$dir/state")" = 700 ] && [ "$(stat -c %a "$dir/state/db")" = 700 ] && recreated=1
  grep -q 'StateLost' "$dir/agent.log" && event=1
  promise "$recreated" "statedir: a removed state directory is recreated 0700"
  promise "$event" "statedir: the journal says the state was lost (StateLost)"
  promise "$again" "statedir: the agent applies the next revision without a restart"
  stop_agent "$AGENT" TERM
}

# a cron schedule that never fires is a validation error naming the job; the running revision's
# cron job goes on
fault_cron() {
  local dir=$WORK/cron good bad before refused=0 ticking=0
  new_repo "$dir"
  cat > "$dir/checkout/workloads/w/workload.yaml" << 'EOF'
apiVersion: voltis/v1
jobs:
  - {name: tick, schedule: "* * * * * ?", run: [sh, -c, "echo tick >> $VOLTIS_ROOT/ticks"]}
EOF
  good=$(commit "$dir" "every second")
  start_agent "$dir"
  wait_for "$PATIENCE_S" applied_is "$dir" "$good"
  echo '  - {name: february, schedule: "0 0 0 30 2 ?", run: [sh, -c, "echo never"]}' >> "$dir/checkout/workloads/w/workload.yaml"
  bad=$(commit "$dir" "30 February")
  if wait_for "$PATIENCE_S" failed_on "$dir" "$bad"; then
    field "$dir" lastError | grep -q 'workloads/w/workload.yaml:[0-9]*:[0-9]*: .*never fires' && refused=1
  fi
  echo "      never-firing cron: lastError $(field "$dir" lastError)" >&2
  before=$(wc -l < "$dir/root/ticks" 2> /dev/null || echo 0)
  sleep 3
  [ "$(wc -l < "$dir/root/ticks" 2> /dev/null || echo 0)" -gt "$before" ] && applied_is "$dir" "$good" && ticking=1
  promise "$refused" "cron: a schedule that never fires is a validation error at file:line"
  promise "$ticking" "cron: the running revision's cron job keeps running"
  stop_agent "$AGENT" TERM
}

for fault in $FAULTS; do
  case " $ALL_FAULTS " in
    *" $fault "*) "fault_$fault" ;;
    *) echo "unknown fault '$fault' (known: $ALL_FAULTS)" >&2; exit 2 ;;
  esac
done
echo "faults: $PASSED passed, $FAILED failed"
((FAILED == 0))

#!/usr/bin/env bash
# The daemon's figures (`voltis-agent run`, the shaded jar, --runtime process, a file:// repo
# made with git), all measured in one run:
#  1. push-to-applied latency: `git push` returns -> the templated file on the device holds the
#     new value, at --interval 1s (PUSHES pushes, one daemon) and at --interval 30s (SLOW_PUSHES
#     pushes, spread over SLOW_DEVICES daemons running side by side, each following a bare repo
#     of its own, so the 30 s cycles overlap instead of adding up); each push comes at a random
#     moment of the poll cycle; split into wait for the poll, wait for the tick + prepare, and the
#     apply itself (from the times of the files the agent writes); with a plot of the latency's
#     empirical CDF at both intervals;
#  2. CPU of a no-change reconcile tick with 200 services and 200 templated files, over the
#     same daemon following a workload with no services and no files (the JVM's idle cost and
#     the tick's fixed part), with default and with the small flags, over two windows (the
#     first minute after the apply, when the JIT is busy, and the second), split by thread;
#     with a JFR profile of the busy daemon when the target (5 ms) is missed, or PROFILE=1;
#  3. start to first applied revision (median of STARTS) and RSS after 60 s idle with the
#     small-footprint flags vs default flags, and where the memory goes (NMT, heap).
#
#   bench/agent.sh                  (needs a JDK, Maven, git, gnuplot; about 9 minutes on 2 cores: latency ~3.2, cpu ~3, footprint ~2.5)
#   SLOW_PUSHES=0 bench/agent.sh    # skip the --interval 30s latency (saves ~2.6 minutes)
#   PARTS="latency" bench/agent.sh  # any of: latency cpu footprint
#   PARTS="latency" PUSHES=3 SLOW_PUSHES=4 SLOW_DEVICES=2 bench/agent.sh   # a quick look, ~1.5 minutes
#
# Variables: PARTS; PUSHES (20) at 1s; SLOW_PUSHES (20) at 30s over SLOW_DEVICES (4) daemons,
# SLOW_PUSHES/SLOW_DEVICES pushes each (~30 s per push: a random nap within the cycle, then the
# wait); SERVICES (200), SAMPLE_S (60) for the tick; STARTS (3), IDLE_S (60) for the footprint;
# SMALL_FLAGS; PROFILE (auto|1); RESULTS (bench/results); KEEP_WORK; BENCH_SUMMARY (bench/lib.sh).
#
# Installs git and gnuplot-nox with apt-get when missing; builds the jar if it is missing. The
# report goes to stdout and $RESULTS/agent-<UTC date>.md, the latency plot to
# $RESULTS/latency-cdf-<UTC date>.png; with BENCH_SUMMARY set, the headline figures are appended
# to it as summary rows (bench/run.sh). Raw numbers go to a temp dir, printed and removed at exit
# (KEEP_WORK=1 keeps it, with the daemons' logs and state); every daemon started here (and any
# service it left) is stopped at exit, including those of the background --interval 30s runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
export LC_ALL=C
JAR=${JAR:-cli/target/voltis-agent.jar}
PARTS=${PARTS:-latency cpu footprint}
PUSHES=${PUSHES:-20}
SLOW_PUSHES=${SLOW_PUSHES:-20}
SLOW_DEVICES=${SLOW_DEVICES:-4}
SERVICES=${SERVICES:-200}
SAMPLE_S=${SAMPLE_S:-60}
IDLE_S=${IDLE_S:-60}
STARTS=${STARTS:-3}
PROFILE=${PROFILE:-auto}
SMALL_FLAGS=${SMALL_FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m"}
TICK_TARGET_MS=5
LATENCY_TARGET_MS=1500
RSS_TARGET_KB=$((64 * 1024))
RESULTS=${RESULTS:-bench/results}
((SLOW_DEVICES >= 1)) || SLOW_DEVICES=1
((SLOW_PUSHES == 0 || SLOW_DEVICES <= SLOW_PUSHES)) || SLOW_DEVICES=$SLOW_PUSHES   # no daemon without a push

need_tools git:git gnuplot:gnuplot-nox
[ -f "$JAR" ] || mvn -B -q -DskipTests install >/dev/null
JAR=$(realpath "$JAR")
CLK_TCK=$(getconf CLK_TCK)

work=$(mktemp -d)
declare -A running=()   # pid of a daemon still running -> its directory
declare -A slow_pids=() # pid of a background --interval 30s run still running (a subshell) -> its number
ORIGIN=$work/origin.git # the bare repo start_daemon's daemon follows (each 30s subshell sets its own)
nap_open "$work"   # nap (bench/lib.sh) sleeps on fd 9 without forking


# Field 22 of /proc/<pid>/stat: what the process runtime writes beside the pid in <name>.pid.
starttime() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; s=${s##*) }; set -- $s; echo "${20}"; }

stop_daemon() {
  local pid=$1 d=${running[$1]} i f spid sstart
  unset "running[$pid]"
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do alive "$pid" || break; nap 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # services a daemon killed with SIGKILL leaves running: their pid files name them (pid + start time)
  for f in "$d"/state/logs/*.pid; do
    [ -e "$f" ] || continue
    read -r spid sstart < "$f" || continue
    [ "$(starttime "$spid")" = "$sstart" ] && kill -KILL -- "-$spid" 2>/dev/null || true
  done
}

cleanup() {
  local pid
  for pid in "${!running[@]}"; do stop_daemon "$pid"; done
  # the subshells stop their own daemons on TERM (their EXIT trap); wait for that before removing $work
  for pid in "${!slow_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${!slow_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exec 9<&-
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mtime() { local t; t=$(stat -c %.6Y "$1"); echo "${t/./}"; }   # µs (the file system's clock is coarser, ~4 ms)
ms() { echo $(( ($1) / 1000 )); }

# median p95 min max of the numbers in a file (nearest-rank p95)
stats() { sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=int(NR*0.95); if (p<NR*0.95) p++; printf "%d %d %d %d\n", m, a[p], a[1], a[NR]}'; }
median() { stats "$1" | cut -d' ' -f1; }

# start_daemon NAME HOSTNAME INTERVAL [JVM flags...]: sets D_PID, D_DIR, D_START (µs)
start_daemon() {
  local name=$1 host=$2 interval=$3
  shift 3
  D_DIR="$work/$name"
  mkdir -p "$D_DIR"
  now; D_START=$NOW
  java "$@" -jar "$JAR" run --repo "file://$ORIGIN" --hostname "$host" \
    --state-dir "$D_DIR/state" --root "$D_DIR/root" --runtime process \
    --interval "$interval" --reconcile-interval 1s --stop-grace 3s --listen 127.0.0.1:0 > "$D_DIR/daemon.log" 2>&1 &
  D_PID=$!
  running[$D_PID]=$D_DIR
}

# wait_for TIMEOUT_S COMMAND...: polls every 10 ms until COMMAND succeeds; sets NOW when it does
wait_for() {
  local deadline=$(( ${EPOCHREALTIME/./} + $1 * 1000000 ))
  shift
  until "$@"; do
    alive "$D_PID" || { echo "the daemon stopped; its log:" >&2; tail -20 "$D_DIR/daemon.log" >&2; exit 1; }
    (( ${EPOCHREALTIME/./} < deadline )) || { echo "timed out waiting for: $*; daemon log:" >&2; tail -20 "$D_DIR/daemon.log" >&2; exit 1; }
    nap 0.01
  done
  now
}
holds() { local v; IFS= read -r v < "$1" 2>/dev/null && [ "$v" = "$2" ]; }   # the agent renames into place: no torn reads
pid_files() { local f=("$D_DIR"/state/logs/*.pid); [ -e "${f[0]}" ] && [ "${#f[@]}" -ge "$1" ]; }
# the daemon's log time (HH:MM:SS.mmm, local) of the first line matching $1, in µs
log_time() { local t; t=$(grep -m1 -- "$1" "$D_DIR/daemon.log" | cut -d' ' -f1); [ -n "$t" ] && date -d "$(date +%F) $t" +%s%6N; }

# ---------------------------------------------------------------- the repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
git init -q --bare -b main "$ORIGIN"
git clone -q "$ORIGIN" "$work/clone" 2> /dev/null
repo=$work/clone   # the clone device() writes to and the pushes go from (each 30s subshell sets its own)
# Hostnames: the first poll comes at a phase within --interval hashed from the hostname
# (PollSchedule: floorMod(murmur3 finalizer of hostname.hashCode(), interval in ms)). At 30s these
# fall in the first 1.3 s (idle-38 0.1 s, busy-47 0.5 s, the slow ones 0.3 to 1.2 s, in this
# order), so the 30s runs do not idle before it; a slow device past the list waits up to 30 s more.
BUSY_HOST=bench-busy-47 IDLE_HOST=bench-idle-38
SLOW_HOSTS=(bench-slow-2 bench-slow-112 bench-slow-158 bench-slow-80 bench-slow-75 bench-slow-188 bench-slow-12 bench-slow-151)
for ((k = ${#SLOW_HOSTS[@]} + 1; k <= SLOW_DEVICES; k++)); do SLOW_HOSTS+=("bench-slow-extra-$k"); done
mkdir -p "$repo/devices" "$repo/workloads/small/files" "$repo/workloads/busy/files" "$repo/workloads/empty"
printf '${value}\n' > "$repo/workloads/small/files/value.txt"
printf 'apiVersion: voltis/v1\nfiles:\n  - {source: files/value.txt, target: etc/bench/value.txt, template: true}\n' \
  > "$repo/workloads/small/workload.yaml"
printf 'apiVersion: voltis/v1\n' > "$repo/workloads/empty/workload.yaml"
{
  echo "apiVersion: voltis/v1"
  echo "files:"
  for ((i = 0; i < SERVICES; i++)); do
    printf -v n '%03d' "$i"
    printf 'file %s of ${value}\n' "$n" > "$repo/workloads/busy/files/f$n.txt"
    echo "  - {source: files/f$n.txt, target: etc/busy/f$n.txt, template: true}"
  done
  echo "services:"
  for ((i = 0; i < SERVICES; i++)); do
    printf '  - {name: s%03d, command: [sh, -c, "exec sleep 100000"]}\n' "$i"
  done
} > "$repo/workloads/busy/workload.yaml"
device() { printf 'workload: %s\nvars:\n  value: "%s"\n' "$2" "$3" > "$repo/devices/$1.yaml"; }
device bench small v0
for host in "${SLOW_HOSTS[@]:0:SLOW_DEVICES}"; do device "$host" small v0; done
device "$BUSY_HOST" busy v0
device "$IDLE_HOST" empty v0
git -C "$repo" add -A
git -C "$repo" commit -qm "bench repo"
git -C "$repo" push -q origin HEAD:main
java -jar "$JAR" validate "$repo" > "$work/validate.txt" || { cat "$work/validate.txt"; exit 1; }
target=etc/bench/value.txt

# ---------------------------------------------------------------- 1. push to applied
# latency_run NAME HOST INTERVAL_S PUSHES: a daemon following $ORIGIN, pushed to from $repo; one
# line per push in $work/NAME.txt:
#   latency, push->fetched, fetched->unpacked (wait for the tick + prepare), unpacked->file written (apply) [µs]
latency_run() {
  local name=$1 host=$2 interval=$3 pushes=$4 i tp sha fetched unpacked written
  start_daemon "$name" "$host" "${interval}s"
  wait_for 120 test -f "$D_DIR/root/$target"
  : > "$work/$name.txt"
  for ((i = 1; i <= pushes; i++)); do
    nap "$(awk -v r=$RANDOM -v s="$interval" 'BEGIN {printf "%.3f", r / 32768 * s}')"   # a random point of the poll cycle
    device "$host" small "$name-$i"
    git -C "$repo" commit -qam "$name $i"
    git -C "$repo" push -q origin HEAD:main
    now; tp=$NOW
    wait_for $((interval * 3 + 30)) holds "$D_DIR/root/$target" "$name-$i"
    sha=$(git -C "$repo" rev-parse HEAD)
    fetched=$(mtime "$D_DIR/state/mirror/FETCH_HEAD")
    unpacked=$(mtime "$D_DIR/state/revisions/$sha")
    written=$(mtime "$D_DIR/root/$target")
    echo "$((NOW - tp)) $((fetched - tp)) $((unpacked - fetched)) $((written - unpacked))" >> "$work/$name.txt"
  done
  stop_daemon "$D_PID"
}
# columns NAME: $work/NAME.txt split into $work/NAME.col1..4
columns() { local i; for ((i = 1; i <= 4; i++)); do cut -d' ' -f"$i" "$work/$1.txt" > "$work/$1.col$i"; done; }

# slow_device K PUSHES (in a background subshell): latency_run slow-K at --interval 30s, its daemon
# following a bare repo of its own ($work/slow-K.git, a clone of origin.git), pushed to from a
# clone of its own, so the devices' pushes do not race. The subshell has neither the parent's
# EXIT trap nor its daemons: its own trap stops the daemon it started, on failure or TERM too.
slow_device() {
  local k=$1 pushes=$2
  running=()
  trap 'for pid in "${!running[@]}"; do stop_daemon "$pid"; done' EXIT
  trap 'exit 130' INT TERM
  ORIGIN=$work/slow-$k.git repo=$work/slow-$k.clone
  git clone -q --bare "$work/origin.git" "$ORIGIN"
  git clone -q "$ORIGIN" "$repo"
  latency_run "slow-$k" "${SLOW_HOSTS[k - 1]}" 30 "$pushes"
}

latency_summary() {
  local name=$1 label=$2
  read -r med p95 min max < <(stats "$work/$name.col1")
  printf '%-36s median %5d ms  p95 %5d ms  min %5d ms  max %5d ms  (n=%d)\n' "$label" \
    "$(ms med)" "$(ms p95)" "$(ms min)" "$(ms max)" "$(wc -l < "$work/$name.col1")"
  printf '%-36s wait for poll %d ms, wait for tick + prepare %d ms, apply %d ms (medians)\n' "" \
    "$(ms "$(median "$work/$name.col2")")" "$(ms "$(median "$work/$name.col3")")" "$(ms "$(median "$work/$name.col4")")"
}

if [[ " $PARTS " == *" latency "* ]]; then
  echo "== 1. push to applied: $PUSHES pushes at --interval 1s, $SLOW_PUSHES at --interval 30s over $SLOW_DEVICES daemons (default JVM flags)" >&2
  latency_run fast bench 1 "$PUSHES"
  columns fast
  if ((SLOW_PUSHES > 0)); then
    for ((k = 1; k <= SLOW_DEVICES; k++)); do
      ( slow_device "$k" $((SLOW_PUSHES / SLOW_DEVICES + (k <= SLOW_PUSHES % SLOW_DEVICES))) ) &
      slow_pids[$!]=$k
    done
    while ((${#slow_pids[@]})); do   # the first to fail ends the run (the exit trap stops the others); wait -p: bash 5.1
      status=0
      wait -n -p pid "${!slow_pids[@]}" || status=$?
      k=${slow_pids[$pid]}
      unset "slow_pids[$pid]"
      ((status == 0)) || { echo "the --interval 30s run slow-$k (${SLOW_HOSTS[k - 1]}) failed (exit $status)" >&2; exit 1; }
    done
    for ((k = 1; k <= SLOW_DEVICES; k++)); do cat "$work/slow-$k.txt"; done > "$work/slow.txt"
    columns slow
  fi
fi

# ---------------------------------------------------------------- 2. CPU of a quiet tick
# The busy daemon and its baseline run side by side over the same windows (each costs a few ms
# per second of one core, so they hardly disturb each other, and they share the machine's noise).
# threads PID: one line per thread: tid, utime+stime (clock ticks), name (spaces as _)
threads() {
  awk '{i = index($0, "("); j = match($0, /\) [A-Z] /); name = substr($0, i + 1, j - i - 1); gsub(/ /, "_", name)
        split(substr($0, j + 2), f, " "); print $1, f[12] + f[13], name}' /proc/"$1"/task/*/stat 2> /dev/null | sort
}
# window NAME PID N: snapshot before ($work/NAME.wN.t0, process ticks in .c0); window_end the same after
window_start() { threads "$2" > "$work/$1.w$3.t0"; cpu_ticks "$2" > "$work/$1.w$3.c0"; }
window_end() { threads "$2" > "$work/$1.w$3.t1"; cpu_ticks "$2" > "$work/$1.w$3.c1"; }
# window_ms NAME N: the process's CPU per tick in the window, in ms
window_ms() {
  awk -v a="$(cat "$work/$1.w$2.c0")" -v b="$(cat "$work/$1.w$2.c1")" -v hz="$CLK_TCK" -v s="$SAMPLE_S" \
    'BEGIN {printf "%.2f", (b - a) * 1000 / hz / s}'
}
# window_threads NAME N: that CPU split by thread (names with digits folded), in ms per tick
window_threads() {
  join "$work/$1.w$2.t0" "$work/$1.w$2.t1" | awk -v total="$(( $(cat "$work/$1.w$2.c1") - $(cat "$work/$1.w$2.c0") ))" \
    -v hz="$CLK_TCK" -v s="$SAMPLE_S" '
    {n = $3; gsub(/[0-9]+/, "N", n)
     if (n ~ /^voltis-schedule/) n = "tick+poll (voltis-scheduler-N)"
     else if (n ~ /CompilerThre/) n = "JIT compilers"
     else if (n ~ /^(GC_Thread|G1_|VM_Thread)/) n = "GC + VM thread"
     d[n] += $4 - $2; sum += $4 - $2}
    END {d["threads that ended in the window"] = total - sum
         for (k in d) if (d[k] > 0) printf "%.2f %s\n", d[k] * 1000 / hz / s, k}' | sort -rn | head -5 |
    awk '{v = $1; $1 = ""; printf "%s%s %s ms", (NR > 1 ? ", " : ""), substr($0, 2), v}'
}

# profile_busy PID: a JFR recording of the busy daemon (Java frames, sampled every ms), grouped by tick step
profile_busy() {
  local jfc="$work/sample.jfc" java_home
  java_home=$(java -XshowSettings:properties -version 2>&1 | awk '$1 == "java.home" {print $3}')
  awk '/<event name="jdk.ExecutionSample">/ {e=1}
       e && /name="period"/ {sub(/>[^<]*</, ">1 ms<"); e=0} {print}' "$java_home/lib/jfr/profile.jfc" > "$jfc"
  jcmd "$1" JFR.start name=bench settings="$jfc" duration=30s filename="$work/busy.jfr" > /dev/null
  nap 32
  for ((i = 0; i < 100; i++)); do [ -s "$work/busy.jfr" ] && break; nap 0.1; done
  jfr print --events jdk.ExecutionSample --stack-depth 64 "$work/busy.jfr" > "$work/busy-samples.txt"
  awk '
    function short(f) { sub(/^io\.voltis\.(agent|sync)\./, "", f); return f }
    /sampledThread = / {t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "N", t)}
    /stackTrace = \[/ {k = 0; next}
    /^ +[a-zA-Z_$][a-zA-Z0-9_$.]*\(.*\)/ {f = $1; sub(/\(.*/, "", f); fr[++k] = f}
    /^ *\]/ && k > 0 {
      n++; self[fr[1]]++; thr[t]++; step = "(outside the reconcile tick)"
      for (i = 1; i <= k; i++) if (fr[i] == "io.voltis.agent.reconcile.Reconciler.tick") {
        step = (i > 1 ? short(fr[i - 1]) : "Reconciler.tick")
        for (j = i - 2; j >= 1; j--) if (fr[j] ~ /^io\.voltis\./) {step = step " > " short(fr[j]); break}
        break
      }
      steps[step]++; k = 0
    }
    END {
      printf "JFR: %d samples of Java code running (period 1 ms, 30 s)\n  by thread:\n", n; fflush()
      for (x in thr) printf "    %5.1f%%  %s\n", 100 * thr[x] / n, x | "sort -rn | head -4"; close("sort -rn | head -4")
      printf "  by step of the tick (the call under Reconciler.tick > the next io.voltis call):\n"; fflush()
      for (x in steps) printf "    %5.1f%%  %s\n", 100 * steps[x] / n, x | "sort -rn | head -12"; close("sort -rn | head -12")
      printf "  top frames (self):\n"; fflush()
      for (x in self) printf "    %5.1f%%  %s\n", 100 * self[x] / n, x | "sort -rn | head -8"; close("sort -rn | head -8")
    }' "$work/busy-samples.txt" > "$work/busy-profile.txt"
}

if [[ " $PARTS " == *" cpu "* ]]; then
  echo "== 2. CPU of a no-change tick: $SERVICES services + $SERVICES files vs an empty workload, default and small flags, 2 x ${SAMPLE_S}s" >&2
  head=$(git -C "$repo" rev-parse HEAD)
  last=$(printf 'etc/busy/f%03d.txt' $((SERVICES - 1)))
  busy_ready() { [ -f "$D_DIR/root/$last" ] && pid_files "$SERVICES"; }
  declare -A cpu_pid=()
  for flags in default small; do
    [ "$flags" = small ] && jvm=($SMALL_FLAGS) || jvm=()
    start_daemon "idle-$flags" "$IDLE_HOST" 30s "${jvm[@]}"
    cpu_pid[idle-$flags]=$D_PID
    wait_for 240 test -d "$D_DIR/state/revisions/$head"
    start_daemon "busy-$flags" "$BUSY_HOST" 30s "${jvm[@]}"
    cpu_pid[busy-$flags]=$D_PID
    wait_for 240 busy_ready
  done
  nap 10   # the apply tick ends after the last service started
  for w in 1 2; do   # 1: the first minute after the apply; 2: the next one, the JIT warmer
    for k in "${!cpu_pid[@]}"; do window_start "$k" "${cpu_pid[$k]}" $w; done
    nap "$SAMPLE_S"
    for k in "${!cpu_pid[@]}"; do window_end "$k" "${cpu_pid[$k]}" $w; done
  done
  for k in "${!cpu_pid[@]}"; do echo "$(status_kb "${cpu_pid[$k]}" VmRSS) $(status_kb "${cpu_pid[$k]}" Threads)" > "$work/$k.mem"; done
  over=$(awk -v b="$(window_ms busy-default 1)" -v i="$(window_ms idle-default 1)" -v t=$TICK_TARGET_MS 'BEGIN {print (b - i > t) ? 1 : 0}')
  if [ "$PROFILE" = 1 ] || { [ "$PROFILE" = auto ] && [ "$over" = 1 ]; }; then profile_busy "${cpu_pid[busy-default]}"; fi
  for k in "${!cpu_pid[@]}"; do stop_daemon "${cpu_pid[$k]}"; done
fi

# ---------------------------------------------------------------- 3. start and footprint
# start_run NAME OUT FLAGS...: one start to first applied; appends to OUT, in µs:
#   total, JVM+CLI up (first log line), store+mirror+scheduler built, to first fetch, to applied
start_run() {
  local name=$1 out=$2 first following fetched written
  shift 2
  start_daemon "$name" bench 1s "$@"
  wait_for 120 test -f "$D_DIR/root/$target"
  first=$(log_time ' INFO ') following=$(log_time 'voltis-agent following')
  fetched=$(mtime "$D_DIR/state/mirror/FETCH_HEAD") written=$(mtime "$D_DIR/root/$target")
  echo "$((NOW - D_START)) $((first - D_START)) $((following - first)) $((fetched - following)) $((written - fetched))" \
    >> "$out"
}

if [[ " $PARTS " == *" footprint "* ]]; then
  echo "== 3. start to first applied ($STARTS starts) and RSS after ${IDLE_S}s idle: small flags vs default" >&2
  declare -A keep=()
  for flags in small default; do
    [ "$flags" = small ] && jvm=($SMALL_FLAGS) || jvm=()
    for ((r = 1; r <= STARTS; r++)); do
      start_run "$flags-$r" "$work/$flags.starts" "${jvm[@]}"
      if ((r < STARTS)); then stop_daemon "$D_PID"; else keep[$flags]="$D_PID $NOW"; fi
    done
    # the breakdown, not the figures: NMT, and which classes fill the metaspace
    start_run "$flags-nmt" "$work/$flags-nmt.starts" "${jvm[@]}" -XX:NativeMemoryTracking=summary \
      "-Xlog:class+load=info:file=$work/$flags-classes.txt:none"
    keep[$flags-nmt]="$D_PID $NOW"
  done
  for k in small default small-nmt default-nmt; do
    read -r pid applied <<< "${keep[$k]}"
    now; nap "$(awk -v w=$(( applied + IDLE_S * 1000000 - NOW )) 'BEGIN {printf "%.3f", (w > 0 ? w : 0) / 1e6}')"
    echo "$(status_kb "$pid" VmRSS) $(status_kb "$pid" RssAnon) $(status_kb "$pid" RssFile) $(status_kb "$pid" Threads)" > "$work/$k.rss"
    if [[ $k == *-nmt ]]; then
      jcmd "$pid" VM.native_memory summary > "$work/$k.nmt"
      jcmd "$pid" GC.heap_info > "$work/$k.heap"
    fi
  done
  for k in small default small-nmt default-nmt; do read -r pid _ <<< "${keep[$k]}"; stop_daemon "$pid"; done
fi

# ---------------------------------------------------------------- summary

# latency_cdf NAME: the empirical CDF of $work/NAME.col1 in $work/NAME.cdf (seconds, fraction), from 0
latency_cdf() { sort -n "$work/$1.col1" | awk '{x[NR] = $1 / 1e6} END {print x[1], 0; for (i = 1; i <= NR; i++) print x[i], i / NR}' > "$work/$1.cdf"; }

date=$(date -u +%F)
mkdir -p "$RESULTS"
png=
if [[ " $PARTS " == *" latency "* ]]; then
  png=$RESULTS/latency-cdf-$date.png
  latency_cdf fast
  curves="\"$work/fast.cdf\" with steps lw 2 title \"--interval 1s, n=$(wc -l < "$work/fast.col1")\""
  if ((SLOW_PUSHES > 0)); then
    latency_cdf slow
    curves+=", \"$work/slow.cdf\" with steps lw 2 title \"--interval 30s, n=$(wc -l < "$work/slow.col1") over $SLOW_DEVICES daemons\""
  fi
  # x from the decade below the fastest push to the decade above the slowest
  read -r xmin xmax < <(cat "$work"/*.cdf | awk 'NR == 1 {lo = hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1}
    END {a = 0.1; while (a > lo) a /= 10; b = 10; while (b < hi) b *= 10; print a, b}')
  gnuplot <<PLOT
set terminal pngcairo size 900,520 noenhanced
set output "$png"
set title "voltis-agent: git push returns → the device's file holds the new value (default JVM flags, $date)"
set xlabel "push → applied latency (s, log scale)"; set ylabel "fraction of pushes applied"
set logscale x; set xrange [$xmin:$xmax]; set yrange [0:1]; set ytics 0.1; set grid
set xtics ("0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "30" 30, "60" 60, "100" 100, "300" 300, "1000" 1000)
set key outside below center horizontal maxrows 1 samplen 3 width 1 height 1
set arrow from $LATENCY_TARGET_MS / 1000.0, graph 0 to $LATENCY_TARGET_MS / 1000.0, graph 1 nohead dt 2 lc rgb "gray40" front
set label "target at 1s: median < $LATENCY_TARGET_MS ms" at $LATENCY_TARGET_MS / 1000.0 * 1.04, graph 0.55 textcolor rgb "gray40"
plot $curves
PLOT
fi

report() {
  echo "# bench/agent.sh, $date"
  echo
  echo '```text'
  echo "voltis-agent run, $(java -version 2>&1 | head -1), $(nproc) cores; raw numbers in $work ($(if [ -n "${KEEP_WORK:-}" ]; then echo kept; else echo removed at exit; fi))"
  if [[ " $PARTS " == *" latency "* ]]; then
    echo
    echo "1. push -> applied (git push returns -> the device file holds the value; target: median < ${LATENCY_TARGET_MS} ms at 1s)"
    latency_summary fast "--interval 1s"
    if ((SLOW_PUSHES > 0)); then
      latency_summary slow "--interval 30s, $SLOW_DEVICES daemons"
    else
      echo "--interval 30s: skipped (SLOW_PUSHES=0)"
    fi
    echo "  raw (µs: latency push->fetched fetched->unpacked unpacked->written):"
    echo "    --interval 1s, bench:"
    sed 's/^/      /' "$work/fast.txt"
    for ((k = 1; k <= SLOW_DEVICES && SLOW_PUSHES > 0; k++)); do
      echo "    --interval 30s, ${SLOW_HOSTS[k - 1]} (its own bare repo):"
      sed 's/^/      /' "$work/slow-$k.txt"
    done
  fi
  if [[ " $PARTS " == *" cpu "* ]]; then
    echo
    echo "2. CPU per reconcile tick (--reconcile-interval 1s, --interval 30s; ${SAMPLE_S}s windows; /proc/<pid>/stat at ${CLK_TCK} Hz; target < ${TICK_TARGET_MS} ms over the baseline)"
    for flags in default small; do
      read -r brss bthr < "$work/busy-$flags.mem"
      read -r irss ithr < "$work/idle-$flags.mem"
      echo "  $flags JVM flags (busy: RSS $((brss / 1024)) MiB, $bthr threads; baseline: RSS $((irss / 1024)) MiB, $ithr threads):"
      for w in 1 2; do
        [ $w = 1 ] && label="first minute" || label="second minute"
        printf '    %s: %d services + %d files %s ms/tick, empty workload (baseline) %s ms/tick -> %s ms over the baseline\n' \
          "$label" "$SERVICES" "$SERVICES" "$(window_ms "busy-$flags" $w)" "$(window_ms "idle-$flags" $w)" \
          "$(awk -v b="$(window_ms "busy-$flags" $w)" -v i="$(window_ms "idle-$flags" $w)" 'BEGIN {printf "%.2f", b - i}')"
        echo "      busy by thread: $(window_threads "busy-$flags" $w)"
        echo "      baseline by thread: $(window_threads "idle-$flags" $w)"
      done
    done
    if [ -f "$work/busy-profile.txt" ]; then sed 's/^/  /' "$work/busy-profile.txt"; else echo "  (no JFR profile: the target was met; PROFILE=1 records one anyway)"; fi
  fi
  if [[ " $PARTS " == *" footprint "* ]]; then
    echo
    echo "3. start -> first applied (median of $STARTS, --interval 1s) and RSS after ${IDLE_S}s idle (target ${RSS_TARGET_KB} KB)"
    echo "   small flags: $SMALL_FLAGS"
    for flags in small default; do
      for ((c = 1; c <= 5; c++)); do cut -d' ' -f"$c" "$work/$flags.starts" > "$work/$flags.startcol$c"; done
      read -r rss anon file threads < "$work/$flags.rss"
      read -r nrss _ < "$work/$flags-nmt.rss"
      printf '  %-8s start %5d ms (min %d, max %d; JVM+CLI %d, store+mirror+scheduler %d, to first fetch %d, to applied %d)\n' "$flags" \
        "$(ms "$(median "$work/$flags.startcol1")")" "$(ms "$(stats "$work/$flags.startcol1" | cut -d' ' -f3)")" \
        "$(ms "$(stats "$work/$flags.startcol1" | cut -d' ' -f4)")" "$(ms "$(median "$work/$flags.startcol2")")" \
        "$(ms "$(median "$work/$flags.startcol3")")" "$(ms "$(median "$work/$flags.startcol4")")" "$(ms "$(median "$work/$flags.startcol5")")"
      printf '  %-8s RSS %d KB = %.1f MiB (anon %d KB, file-backed %d KB), %d threads; with NMT on: %d KB\n' "" \
        "$rss" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')" "$anon" "$file" "$threads" "$nrss"
    done
    for flags in small default; do
      echo "  where the memory goes, $flags flags (NMT committed; RSS counts only touched pages):"
      nmt_summary "$work/$flags-nmt.nmt"
      grep -E 'total|used' "$work/$flags-nmt.heap" | sed 's/^ */    heap: /'
    done
    echo "  classes loaded, by library (of $(wc -l < "$work/small-classes.txt"), small flags):"
    awk '{split($1, p, "."); k = p[1] "." p[2]; if (p[2] ~ /^(eclipse|apache|fasterxml)$/) k = k "." p[3]
          if (p[1] ~ /^(java|javax|jdk|sun)$/ || k ~ /^com\.sun/) k = "JDK (java.*, javax.*, jdk.*, sun.*)"
          c[k]++} END {for (k in c) printf "    %5d  %s\n", c[k], k | "sort -rn | head -12"}' "$work/small-classes.txt"
  fi
  echo '```'
  if [ -n "$png" ]; then
    echo
    echo "Plot of push -> applied latency (empirical CDF): $png"
    echo
    echo "![push -> applied latency, empirical CDF]($(basename "$png"))"
  fi
}
out=$RESULTS/agent-$date.md
report | tee "$out"
echo "(written to $out)" >&2

# ---------------------------------------------------------------- summary rows (bench/run.sh)
# verdict MEASURED TARGET: met when MEASURED < TARGET (same unit), else by how much it missed
verdict() { awk -v m="$1" -v t="$2" 'BEGIN {if (m < t) print "met"; else printf "missed: %.1f× the target\n", m / t}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", (b > 0) ? a / b : 0}'; }
if [[ " $PARTS " == *" latency "* ]]; then
  read -r med p95 _ < <(stats "$work/fast.col1")
  summary_row "push → applied, --interval 1s ($(wc -l < "$work/fast.col1") pushes)" "median $(ms "$med") ms, p95 $(ms "$p95") ms" "—" \
    "median < $LATENCY_TARGET_MS ms" "$(verdict "$med" $((LATENCY_TARGET_MS * 1000)))"
  if ((SLOW_PUSHES > 0)); then
    read -r med p95 _ < <(stats "$work/slow.col1")
    summary_row "push → applied, --interval 30s ($(wc -l < "$work/slow.col1") pushes, $SLOW_DEVICES daemons)" \
      "median $(ms "$med") ms, p95 $(ms "$p95") ms" \
      "no baseline; medians: wait for poll $(ms "$(median "$work/slow.col2")") ms, tick + prepare $(ms "$(median "$work/slow.col3")") ms, apply $(ms "$(median "$work/slow.col4")") ms" \
      "—" "—"
  fi
fi
if [[ " $PARTS " == *" cpu "* ]]; then
  for flags in default small; do
    busy=$(window_ms "busy-$flags" 2) idle=$(window_ms "idle-$flags" 2)
    over=$(awk -v b="$busy" -v i="$idle" 'BEGIN {printf "%.2f", b - i}')
    summary_row "no-change tick CPU, $SERVICES services + $SERVICES files, over the baseline ($flags JVM flags, second minute)" \
      "$over ms/tick" "empty workload $idle ms/tick (busy $busy ms/tick, $(ratio "$busy" "$idle"))" \
      "< $TICK_TARGET_MS ms" "$(verdict "$over" "$TICK_TARGET_MS")"
  done
fi
if [[ " $PARTS " == *" footprint "* ]]; then
  read -r rss _ < "$work/small.rss"
  read -r drss _ < "$work/default.rss"
  summary_row "idle RSS after ${IDLE_S}s, small flags" "$(awk -v r="$rss" 'BEGIN {printf "%.1f MiB", r / 1024}')" \
    "default flags $(awk -v r="$drss" 'BEGIN {printf "%.1f MiB", r / 1024}') ($(ratio "$rss" "$drss"))" \
    "$((RSS_TARGET_KB / 1024)) MiB" "$(verdict "$rss" "$RSS_TARGET_KB")"
  start=$(cut -d' ' -f1 "$work/small.starts" > "$work/small.start" && median "$work/small.start")
  dstart=$(cut -d' ' -f1 "$work/default.starts" > "$work/default.start" && median "$work/default.start")
  summary_row "start → first applied, small flags (median of $STARTS, --interval 1s)" "$(ms "$start") ms" \
    "default flags $(ms "$dstart") ms ($(ratio "$start" "$dstart"))" "—" "—"
fi

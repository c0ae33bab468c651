#!/usr/bin/env bash
# The idle daemon, as a device runs it most of the time: nothing changes in Git. A tiny
# workload (three templated files, one long-running service) at the default --interval 30s,
# every daemon started with the launcher's footprint flags and environment
# (packaging/src/deb/bin/voltis-agent). The variants, each a JVM of its own, idle side by side
# (each costs well under 1% of a core, and every figure is read from its own /proc/<pid>); they
# start one after the other, so a start never competes with another:
#  - bare-jvm           the baseline: a JVM with the same flags running a class that only sleeps
#  - first-start        the daemon on a new state folder: it migrates the store (Flyway loaded)
#  - restart            the daemon on the state of a device that already ran (the usual start)
#  - restart+AppCDS     the same with the class-data archive, made as the launcher makes it at
#                       install (two `training` runs, the second recorded): a device as installed
#  - no-quiet-flags     restart+AppCDS without the launcher's quiet-idle JVM flags   (not in SMOKE)
#  - default-jit        restart+AppCDS with the JIT's default compile thresholds     (not in SMOKE)
#  - +signed-commits    restart+AppCDS with --verify enforce on ssh-signed commits   (not in SMOKE)
#  - +notify            restart+AppCDS with a webhook notification target            (not in SMOKE)
#  - (a copy of restart+AppCDS with native memory tracking says where the memory goes; not in the
#    table: NMT costs memory itself)                                                  (not in SMOKE)
# Per variant: start to ready (exec of java -> GET /readyz 200: the first tick ran) and to Synced
# (the first apply, or the applied revision found again), then, from SETTLE_S (5) s after the first
# poll, over IDLE_S seconds of idling,
# sampled every second: RSS (plotted with gnuplot), RssAnon, PSS, threads, classes loaded, CPU
# (utime+stime) as % of one core and seconds per hour, wake-ups per minute (the context switches
# of all its threads, from /proc/<pid>/task/*/status), bytes written to storage per hour and per
# poll (polls counted by the daemon's own voltis_polls_total); for restart+AppCDS and the bare JVM
# the CPU split by thread.
#
#   bench/idle.sh                 (needs a JDK, Maven, git, curl, ssh-keygen, gnuplot: installs what
#                                  is missing; about IDLE_S + 2.5 minutes; IDLE_S=240 default)
#   IDLE_S=600 bench/idle.sh      # the 10-minute RSS plot
#   SETTLE_S=600 IDLE_S=600 bench/idle.sh  # a device idle for a while: its start and first
#                                 # compilations (every variant's) left out of the window
#   SMOKE=1 bench/idle.sh         # IDLE_S=15, four variants, for CI
#
# Targets (issue 18): RSS 64 MiB with the launcher and the default config, under 0.1% of one core
# at a 30 s interval, start to ready within 1.0 s with the archive, zero disk writes per no-change
# poll.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export LC_ALL=C
need_tools git:git curl:curl javac:openjdk-17-jdk-headless
[ -n "${SMOKE:-}" ] || need_tools gnuplot:gnuplot-nox ssh-keygen:openssh-client # the plot; the signed repo
JAR=${JAR:-cli/target/voltis-agent.jar}
if [ -n "${SMOKE:-}" ]; then IDLE_S=${IDLE_S:-15}; else IDLE_S=${IDLE_S:-240}; fi
# the window starts SETTLE_S seconds after the first poll (at least 5)
SETTLE_S=${SETTLE_S:-5}
((SETTLE_S >= 5)) || SETTLE_S=5
INTERVAL=${INTERVAL:-30s}
# the launcher's flags and environment (packaging/src/deb/bin/voltis-agent), trim and quiet idle
# where this JVM has them (NO_TRIM=1, NO_QUIET=1 leave them out)
FLAGS=${FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"}
if [ -z "${NO_TRIM:-}" ] && java -XX:TrimNativeHeapInterval=30000 -version > /dev/null 2>&1; then
  FLAGS="$FLAGS -XX:TrimNativeHeapInterval=30000"
fi
QUIET="-XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=10000 -XX:GuaranteedAsyncDeflationInterval=0 -XX:GuaranteedSafepointInterval=0"
# the idle path's code compiled after a tenth of the usual calls (decision 0041)
COMPILE="-XX:CompileThresholdScaling=0.1"
FLAGS_LOUD="$FLAGS $COMPILE"
# shellcheck disable=SC2086
if [ -z "${NO_QUIET:-}" ] && java $QUIET -version > /dev/null 2>&1; then
  FLAGS="$FLAGS $QUIET"
fi
FLAGS_JIT=$FLAGS
FLAGS="$FLAGS $COMPILE"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
RESULTS=${RESULTS:-bench/results}

[ -f "$JAR" ] || mvn -B -q -DskipTests -DskipITs install >/dev/null
JAR=$(realpath "$JAR")
CLK_TCK=$(getconf CLK_TCK)
work=$(mktemp -d)
pid=

stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  pid=
}
cleanup() {
  stop
  local left
  left=$(pgrep -f "$work/" || true)
  # shellcheck disable=SC2086 # one pid per word
  if [ -n "$left" ]; then echo "LEAK: process(es) outlived the agent: $left" >&2; kill $left 2>/dev/null || true; fi
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
repo=$work/repo
git init -q -b main "$repo"
mkdir -p "$repo/devices" "$repo/workloads/tiny/files"
printf 'workload: tiny\nvars: {greeting: hello}\n' > "$repo/devices/idle-1.yaml"
# shellcheck disable=SC2016 # ${greeting} is the agent's template variable
for n in 1 2 3; do printf 'greeting=${greeting}\nfile=%s\n' "$n" > "$repo/workloads/tiny/files/conf$n.txt"; done
{
  printf 'apiVersion: voltis/v1\nfiles:\n'
  for n in 1 2 3; do printf '  - {source: files/conf%s.txt, target: etc/tiny/conf%s.txt, template: true}\n' "$n" "$n"; done
  printf 'services:\n  - {name: heartbeat, command: [sh, -c, "exec sleep 100000"]}\n'
  # no health-gate window: its end (GatePassed, written to the store a minute after the apply)
  # would land inside the idle window and count as writes of no-change polls
  printf 'gate: {window: 0s}\n'
} > "$repo/workloads/tiny/workload.yaml"
git -C "$repo" add -A
if [ -z "${SMOKE:-}" ]; then
  # signed with an SSH key, for the +signed-commits variant (the others do not check)
  ssh-keygen -q -t ed25519 -N '' -C ops -f "$work/ops"
  printf 'bench@localhost namespaces="git" %s\n' "$(cat "$work/ops.pub")" > "$work/allowed_signers"
  git -C "$repo" -c gpg.format=ssh -c "user.signingkey=$work/ops.pub" commit -q -S -m "tiny workload"
else
  git -C "$repo" commit -qm "tiny workload"
fi

# the baseline: a JVM that loads one class and sleeps
mkdir -p "$work/bare"
printf 'public class Bare { public static void main(String[] a) throws Exception { Thread.sleep(Long.MAX_VALUE); } }\n' > "$work/bare/Bare.java"
javac -d "$work/bare" "$work/bare/Bare.java"

# shellcheck disable=SC2086 # split /proc/PID/stat into its fields
ticks() { local s; s=$(cat "/proc/$1/stat"); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
# every time one of its threads went to sleep or was put off a core: its wake-ups
switches() { cat "/proc/$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {printf "%d\n", s}'; }
polls() { curl -sf "$1/metrics" | awk '/^voltis_polls_total/ {s += $2} END {printf "%d\n", s}'; }
# thread_ticks PID: one line per thread, "ticks name" (utime + stime; the name may hold spaces)
thread_ticks() {
  local t s name
  for t in /proc/"$1"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    name=$(cat "$t/comm" 2>/dev/null) || continue
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo "$(( ${12} + ${13} )) ${t##*/} $name"
  done
}

# the device's state after a first run (run --once applies and exits): a restart starts from a copy
# shellcheck disable=SC2086
java $FLAGS -jar "$JAR" run --once --repo "file://$repo" --hostname idle-1 --runtime process \
  --state-dir "$work/seed/state" --root "$work/seed/root" > "$work/seed.log" 2>&1 \
  || { echo "run --once failed:" >&2; tail -5 "$work/seed.log" >&2; exit 1; }

# run VARIANT MODE [extra JVM flags...]: MODE is bare, first or restart; AGENT_ARGS adds daemon
# flags. Waits for $work/$AFTER.started (the variant before it is idling), then starts, and marks
# $work/VARIANT.started once it idles. Prints one report row, writes the RSS samples to
# $work/VARIANT.rss, the figures to $work/VARIANT.vals (ready ms, RSS MiB, CPU %, bytes per poll,
# polls, RssAnon MiB) and the per-thread CPU to $work/VARIANT.threads.
run() {
  local variant=$1 mode=$2 state=$work/$1/state base='' t0 ready synced p0=0 c0 w0 p1=0 c1 w1 i rss max=0
  shift 2
  trap stop EXIT
  mkdir -p "$work/$variant"
  if [ -n "${AFTER:-}" ]; then
    for ((i = 0; i < 3000; i++)); do [ -f "$work/$AFTER.started" ] && break; sleep 0.1; done
  fi
  if [ "$mode" = restart ]; then
    cp -a "$work/seed/state" "$state"; cp -a "$work/seed/root" "$work/$variant/root"
    # a process-mark of its own: agents sharing one would stop each other's services as leftovers
    rm -f "$state/process-mark"
  fi
  t0=${EPOCHREALTIME/./}
  if [ "$mode" = bare ]; then
    # shellcheck disable=SC2086
    java $FLAGS "$@" -Xlog:class+load=info:file="$work/$variant/classes.log" -cp "$work/bare" Bare > "$work/$variant/daemon.log" 2>&1 &
    pid=$!
    sleep 1
    ready=0; synced=0
  else
    # shellcheck disable=SC2086
    java $FLAGS "$@" -jar "$JAR" run --repo "file://$repo" --hostname idle-1 --runtime process --interval "$INTERVAL" \
      --state-dir "$state" --root "$work/$variant/root" --listen 127.0.0.1:0 ${AGENT_ARGS:-} > "$work/$variant/daemon.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 3000; i++)); do
      [ -z "$base" ] && [ -f "$state/api" ] && base=$(cat "$state/api")
      if [ -n "$base" ] && curl -sf "$base/readyz" >/dev/null 2>&1; then break; fi
      kill -0 "$pid" 2>/dev/null || { echo "the daemon stopped:" >&2; tail -5 "$work/$variant/daemon.log" >&2; touch "$work/$variant.started"; exit 1; }
      sleep 0.01
    done
    ready=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
    # the first apply (or the applied revision found again); the first poll comes within one interval
    for ((i = 0; i < 6000; i++)); do curl -sf "$base/api/v1/status" | grep -q '"phase" : "Synced"' && break; sleep 0.01; done
    synced=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
    # and the first poll: a restarted daemon's first fetch writes the mirror's FETCH_HEAD and a
    # record of the poll once; the window is for the no-change polls after it
    for ((i = 0; i < 6000; i++)); do (( $(polls "$base") > 0 )) && break; sleep 0.05; done
  fi
  sleep 5 # the JIT settles
  touch "$work/$variant.started" # the next variant starts now, while this one idles
  sleep $((SETTLE_S - 5)) # a device idles for days: SETTLE_S leaves its start out of the window
  [ -z "$base" ] || p0=$(polls "$base")
  c0=$(ticks "$pid"); w0=$(written "$pid"); x0=$(switches "$pid"); thread_ticks "$pid" > "$work/$variant.threads0"
  touch "$work/$variant.mark"
  : > "$work/$variant.rss"
  for ((i = 1; i <= IDLE_S; i++)); do
    sleep 1
    rss=$(rss_kb "$pid")
    echo "$i $((rss / 1024))" >> "$work/$variant.rss"
    (( rss > max )) && max=$rss
  done
  c1=$(ticks "$pid"); w1=$(written "$pid"); x1=$(switches "$pid"); thread_ticks "$pid" > "$work/$variant.threads1"
  # the files the daemon changed while idle (state, root, its log), with their size
  find "$work/$variant" -type f -newer "$work/$variant.mark" -printf '%s %P\n' > "$work/$variant.changed" 2>/dev/null || true
  [ -z "$base" ] || p1=$(polls "$base")
  # what the RSS is made of, and what the JVM holds: anonymous memory, proportional share, threads, classes
  local anon pss threads classes
  anon=$(status_kb "$pid" RssAnon)
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  if [ -n "$base" ]; then
    classes=$(curl -sf "$base/metrics" | awk '/^jvm_classes_loaded_classes/ {printf "%d", $2}')
  else
    classes=$(grep -c 'class,load' "$work/$variant/classes.log" || true)
  fi
  if [[ $variant == *NMT ]]; then
    jcmd "$pid" VM.native_memory summary > "$work/nmt.txt" 2>&1 || true
    jcmd "$pid" GC.heap_info > "$work/heap.txt" 2>&1 || true
  fi
  stop
  # CPU by thread over the idle window, ms per minute, threads of one name pool added up
  awk -v hz="$CLK_TCK" -v s="$IDLE_S" 'NR == FNR {t0[$2] = $1; next}
    { n = $0; sub(/^[0-9]+ [0-9]+ /, "", n); gsub(/[0-9]+$/, "#", n); d[n] += $1 - ((($2) in t0) ? t0[$2] : 0) }
    END { for (n in d) if (d[n] > 0) printf "%.1f %s\n", d[n] * 1000 / hz / s * 60, n }' \
    "$work/$variant.threads0" "$work/$variant.threads1" | sort -rn > "$work/$variant.threads"
  awk -v ready="$ready" -v rss="$rss" -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$IDLE_S" \
      -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v anon="$anon" 'BEGIN {
    printf "%d %.1f %.3f %s %d %.1f\n", ready, rss / 1024, 100 * c / hz / s, (p > 0) ? sprintf("%.0f", w / p) : "-", p, anon / 1024 }' \
    > "$work/$variant.vals"
  awk -v v="$variant" -v ready="$ready" -v synced="$synced" -v rss="$rss" -v max="$max" -v c=$((c1 - c0)) -v hz="$CLK_TCK" \
      -v s="$IDLE_S" -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v anon="$anon" -v pss="$pss" -v th="$threads" -v cl="${classes:-0}" \
      -v mode="$mode" -v x=$((x1 - x0)) 'BEGIN {
    cpu_s = c / hz; pct = 100 * cpu_s / s
    if (mode == "bare") { r = "—"; sy = "—"; pp = "—"; po = "—" } else { r = ready " ms"; sy = synced " ms"; po = p
      pp = (p > 0) ? sprintf("%.0f", w / p) : "no poll" }
    printf "| %s | %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %d | %d | %.3f%% | %.1f s | %.0f | %s | %.0f | %s |\n", v, r, sy,
      rss / 1024, max / 1024, anon / 1024, pss / 1024, th, cl, pct, cpu_s * 3600 / s, x * 60 / s, po, w * 3600 / s, pp }'
}

# the class-data archive, as the launcher makes it (packaging/src/deb/bin/voltis-agent, make-archive):
# a first training run makes a throwaway device, the second, recorded, restarts it
archive=$work/voltis.jsa
# shellcheck disable=SC2086
if ! java $FLAGS -jar "$JAR" training --dir "$work/train" > "$work/train.log" 2>&1 \
  || ! java $FLAGS -XX:ArchiveClassesAtExit="$archive" -jar "$JAR" training --dir "$work/train" >> "$work/train.log" 2>&1; then
  echo "the training run failed; no AppCDS variants:" >&2; tail -5 "$work/train.log" >&2; rm -f "$archive"
fi
CDS=()
[ -s "$archive" ] && CDS=(-XX:SharedArchiveFile="$archive" -Xshare:auto)

# side by side, each in a subshell of its own (its EXIT trap stops its daemon), started in turn
variants=(bare-jvm first-start restart)
AFTER='' run bare-jvm bare > "$work/bare-jvm.row" &
AFTER=bare-jvm run first-start first > "$work/first-start.row" &
AFTER=first-start run restart restart > "$work/restart.row" &
prev=restart
if [ ${#CDS[@]} -gt 0 ]; then
  variants+=(restart+AppCDS)
  AFTER=$prev run restart+AppCDS restart "${CDS[@]}" > "$work/restart+AppCDS.row" &
  prev=restart+AppCDS
fi
if [ -z "${SMOKE:-}" ]; then
  variants+=(no-quiet-flags default-jit +signed-commits +notify)
  AFTER=$prev FLAGS=$FLAGS_LOUD run no-quiet-flags restart "${CDS[@]}" > "$work/no-quiet-flags.row" &
  AFTER=no-quiet-flags FLAGS=$FLAGS_JIT run default-jit restart "${CDS[@]}" > "$work/default-jit.row" &
  prev=default-jit
  AFTER=$prev AGENT_ARGS="--verify enforce --allowed-signers $work/allowed_signers" \
    run +signed-commits restart "${CDS[@]}" > "$work/+signed-commits.row" &
  AFTER=+signed-commits VOLTIS_NOTIFY='[{"name": "ops", "webhook": "http://127.0.0.1:9/hooks/voltis"}]' \
    run +notify restart "${CDS[@]}" > "$work/+notify.row" &
  AFTER=+notify run restart+AppCDS+NMT restart "${CDS[@]}" -XX:NativeMemoryTracking=summary > /dev/null &
fi
wait
rows=$(for v in "${variants[@]}"; do cat "$work/$v.row"; done)
headline=restart
[ ${#CDS[@]} -eq 0 ] || headline=restart+AppCDS

date=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p "$RESULTS"
report="$RESULTS/idle-$date${SMOKE:+-smoke}.md"
{
  echo "idle daemon ($date, $(nproc) cores, --interval $INTERVAL, ${IDLE_S}s idle from ${SETTLE_S}s after the first poll, $(java -version 2>&1 | head -1))"
  echo "JVM flags: $FLAGS"
  echo
  echo "JVM environment: MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"
  echo
  echo "| variant | start to ready | start to Synced | RSS at end | RSS max | RssAnon | PSS | threads | classes loaded | CPU (one core) | CPU per hour | wake-ups per minute | polls | bytes written per hour | bytes written per poll |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "$rows"
  echo
  echo "targets: RSS 64 MiB; CPU under 0.1% of one core; start to ready 1.0 s with the archive; 0 bytes written per no-change poll"
  echo "The variants idled side by side, started one after the other, each read from its own /proc/<pid>."
  echo
  echo "CPU by thread over the idle window, ms per minute (# stands for a number; names cut at 15 characters):"
  echo
  echo '```text'
  for v in "$headline" bare-jvm; do
    echo "  $v:"
    awk '{printf "    %7.1f  %s\n", $1, substr($0, index($0, " ") + 1)}' "$work/$v.threads"
  done
  echo '```'
  echo
  echo "Files $headline changed while idle (bytes, path under its folder):"
  echo
  echo '```text'
  sed 's/^/    /' "$work/$headline.changed"
  echo '```'
  if [ -s "$work/nmt.txt" ]; then
    echo
    echo "Where the memory goes: a copy of restart+AppCDS with -XX:NativeMemoryTracking=summary, read after the"
    echo "same idle (NMT counts committed memory; RSS counts only the pages touched):"
    echo
    echo '```text'
    nmt_summary "$work/nmt.txt"
    grep -E 'total|used' "$work/heap.txt" | sed 's/^ */    heap: /'
    echo '```'
  fi
} | tee "$report"

read -r _ bare_rss bare_cpu _ _ bare_anon < "$work/bare-jvm.vals"
read -r ready rss cpu per_poll polls anon < "$work/$headline.vals"
read -r first_ready _ < "$work/first-start.vals"
verdict() { awk -v m="$1" -v t="$2" 'BEGIN {if (m <= t) print "met"; else printf "missed: %.1f× the target\n", m / t}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a / b}'; }
summary_row "idle daemon RSS ($headline, ${IDLE_S} s idle)" "$rss MiB (RssAnon $anon MiB)" \
  "bare JVM, same flags: $bare_rss MiB, RssAnon $bare_anon MiB ($(ratio "$rss" "$bare_rss"))" "64 MiB" "$(verdict "$rss" 64)"
summary_row "idle daemon CPU at --interval $INTERVAL ($headline)" "$cpu% of one core ($polls polls)" \
  "bare JVM: $bare_cpu%" "< 0.1%" "$(verdict "$cpu" 0.1)"
summary_row "bytes written to storage per no-change poll" "$per_poll" "—" "0" "$([ "$per_poll" = 0 ] && echo met || echo "missed: $per_poll bytes")"
summary_row "start to ready (exec → /readyz 200), $headline" "$ready ms" "first start, no archive: $first_ready ms ($(ratio "$ready" "$first_ready"))" \
  "1.0 s" "$(verdict "$ready" 1000)"

if [ -z "${SMOKE:-}" ]; then
  png="$RESULTS/idle-rss-$date.png"
  plots=
  for v in "${variants[@]}"; do plots="$plots${plots:+, }\"$work/$v.rss\" with lines title \"$v\""; done
  gnuplot <<PLOT
set terminal pngcairo size 900,450
set output "$png"
set title "voltis-agent idle RSS (--interval $INTERVAL)"
set xlabel "seconds idle"; set ylabel "RSS (MiB)"; set yrange [0:*]; set offsets 0,0,graph 0.15,0; set key bottom right
set arrow from graph 0, first 64 to graph 1, first 64 nohead dashtype 2 lc rgb "#808080"
set label "target 64 MiB" at graph 0.02, first 68 tc rgb "#606060"
plot $plots
PLOT
  echo "plot: $png"
fi

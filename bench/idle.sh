#!/usr/bin/env bash
# The idle daemon, as a device runs it most of the time: nothing changes in Git. A tiny
# workload (three templated files, one long-running service) at the default --interval 30s,
# the daemon started with the launcher's footprint flags (packaging/src/deb/bin/voltis-agent),
# then the same with an AppCDS archive made by a training run; the two variants idle side by side
# (each costs well under 1% of a core, and every figure is read per process). Per variant:
#  - start to ready: exec of java -> GET /readyz answers 200 (the first reconcile tick ran);
#  - over IDLE_S seconds of idling, sampled every second from /proc/<pid>: RSS (and a PNG plot
#    of it, drawn with gnuplot), CPU (utime+stime) as % of one core and seconds per hour,
#    bytes written to storage (/proc/<pid>/io write_bytes) per hour and per poll, polls counted
#    by the daemon's own voltis_polls_total.
#
#   bench/idle.sh                 (needs a JDK, Maven, git, curl, gnuplot: installs what is missing;
#                                  about IDLE_S + 1.5 minutes; IDLE_S=240 default, 8 polls)
#   IDLE_S=60 bench/idle.sh       # a quick look
#   SMOKE=1 bench/idle.sh         # IDLE_S=15, for CI
#
# Targets (benchmark issue): RSS 64 MiB, under 0.1% of one core at a 30 s interval, zero disk
# writes per no-change poll.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export LC_ALL=C
need_tools git:git curl:curl
[ -n "${SMOKE:-}" ] || need_tools gnuplot:gnuplot-nox   # the RSS plot (not drawn in smoke runs)
JAR=${JAR:-cli/target/voltis-agent.jar}
if [ -n "${SMOKE:-}" ]; then IDLE_S=${IDLE_S:-15}; else IDLE_S=${IDLE_S:-240}; fi
INTERVAL=${INTERVAL:-30s}
# the launcher's flags and environment (packaging/src/deb/bin/voltis-agent), trim where this JVM has it
FLAGS=${FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"}
if [ -z "${NO_TRIM:-}" ] && java -XX:TrimNativeHeapInterval=30000 -version > /dev/null 2>&1; then
  FLAGS="$FLAGS -XX:TrimNativeHeapInterval=30000"
fi
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
git -C "$repo" add -A && git -C "$repo" commit -qm "tiny workload"

# shellcheck disable=SC2086 # split /proc/PID/stat into its fields
ticks() { local s; s=$(cat "/proc/$1/stat"); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
polls() { curl -sf "$1/metrics" | awk '/^voltis_polls_total/ {s += $2} END {printf "%d\n", s}'; }

# run VARIANT [extra JVM flags...]: prints one report row, writes the RSS samples to $work/VARIANT.rss
# and the figures to $work/VARIANT.vals (ready ms, RSS MiB, CPU %, bytes per poll, polls)
run() {
  local variant=$1 state=$work/$1/state base t0 ready p0 c0 w0 p1 c1 w1 i rss max=0 elapsed
  shift
  trap stop EXIT
  mkdir -p "$work/$variant"
  t0=${EPOCHREALTIME/./}
  # shellcheck disable=SC2086
  java $FLAGS "$@" -jar "$JAR" run --repo "file://$repo" --hostname idle-1 --runtime process --interval "$INTERVAL" \
    --state-dir "$state" --root "$work/$variant/root" --listen 127.0.0.1:0 > "$work/$variant/daemon.log" 2>&1 &
  pid=$!
  base=
  for ((i = 0; i < 3000; i++)); do
    [ -z "$base" ] && [ -f "$state/api" ] && base=$(cat "$state/api")
    if [ -n "$base" ] && curl -sf "$base/readyz" >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || { echo "the daemon stopped:" >&2; tail -5 "$work/$variant/daemon.log" >&2; exit 1; }
    sleep 0.01
  done
  ready=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
  # let the first apply and the JIT settle; the first poll comes within one interval (per-host phase)
  for ((i = 0; i < 600; i++)); do curl -sf "$base/api/v1/status" | grep -q '"phase" : "Synced"' && break; sleep 0.1; done
  sleep 5
  p0=$(polls "$base"); c0=$(ticks "$pid"); w0=$(written "$pid")
  : > "$work/$variant.rss"
  for ((i = 1; i <= IDLE_S; i++)); do
    sleep 1
    rss=$(rss_kb "$pid")
    echo "$i $((rss / 1024))" >> "$work/$variant.rss"
    (( rss > max )) && max=$rss
  done
  c1=$(ticks "$pid"); w1=$(written "$pid"); p1=$(polls "$base")
  # what the RSS is made of, and what the JVM holds: anonymous memory, proportional share, threads, classes
  local anon pss threads classes
  anon=$(status_kb "$pid" RssAnon)
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  classes=$(curl -sf "$base/metrics" | awk '/^jvm_classes_loaded_classes/ {printf "%d", $2}')
  elapsed=$IDLE_S
  if [[ $variant == *NMT ]]; then
    jcmd "$pid" VM.native_memory summary > "$work/nmt.txt" 2>&1 || true
    jcmd "$pid" GC.heap_info > "$work/heap.txt" 2>&1 || true
  fi
  stop
  awk -v v="$variant" -v ready="$ready" -v rss="$rss" -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$elapsed" \
      -v w=$((w1 - w0)) -v p=$((p1 - p0)) 'BEGIN {
    printf "%d %.1f %.3f %s %d\n", ready, rss / 1024, 100 * c / hz / s, (p > 0) ? sprintf("%.0f", w / p) : "-", p }' > "$work/$variant.vals"
  awk -v v="$variant" -v ready="$ready" -v rss="$rss" -v max="$max" -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$elapsed" \
      -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v anon="$anon" -v pss="$pss" -v th="$threads" -v cl="${classes:-0}" 'BEGIN {
    cpu_s = c / hz; pct = 100 * cpu_s / s
    printf "| %s | %d ms | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %d | %d | %.3f%% | %.1f s | %d | %.0f | %s |\n", v, ready,
      rss / 1024, max / 1024, anon / 1024, pss / 1024, th, cl, pct, cpu_s * 3600 / s, p, w * 3600 / s,
      (p > 0) ? sprintf("%.0f", w / p) : "no poll" }'
}

# the AppCDS archive: a training run that starts the daemon, lets it apply, and stops it
archive=$work/voltis.jsa
FLAGS_SAVED=$FLAGS
{
  # shellcheck disable=SC2086
  java $FLAGS -XX:ArchiveClassesAtExit="$archive" -jar "$JAR" run --repo "file://$repo" --hostname idle-1 \
    --runtime process --interval 1s --state-dir "$work/train/state" --root "$work/train/root" --listen 127.0.0.1:0 \
    > "$work/train.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 600; i++)); do [ -f "$work/train/state/api" ] && curl -sf "$(cat "$work/train/state/api")/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 3
  stop
}
FLAGS=$FLAGS_SAVED

# side by side, each in a subshell of its own (its EXIT trap stops its daemon); a third copy with
# native memory tracking says where the memory goes (NMT costs memory itself: not in the table)
run launcher-flags > "$work/row1" &
r1=$!
r2=
if [ -f "$archive" ]; then
  run launcher-flags+AppCDS -XX:SharedArchiveFile="$archive" -Xshare:auto > "$work/row2" &
  r2=$!
fi
r3=
if [ -z "${SMOKE:-}" ]; then
  run launcher-flags+NMT -XX:NativeMemoryTracking=summary > "$work/row3" &
  r3=$!
fi
wait "$r1"
[ -z "$r2" ] || wait "$r2"
[ -z "$r3" ] || wait "$r3"
rows=$(cat "$work/row1" ${r2:+"$work/row2"})

date=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p "$RESULTS"
report="$RESULTS/idle-$date${SMOKE:+-smoke}.md"
{
  echo "idle daemon ($date, $(nproc) cores, --interval $INTERVAL, ${IDLE_S}s idle, $(java -version 2>&1 | head -1))"
  echo "JVM flags: $FLAGS"
  echo
  echo "JVM environment: MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"
  echo
  echo "| variant | start to ready | RSS at end | RSS max | RssAnon | PSS | threads | classes loaded | CPU (one core) | CPU per hour | polls | bytes written per hour | bytes written per poll |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "$rows"
  echo
  echo "targets: RSS 64 MiB; CPU under 0.1% of one core; 0 bytes written per no-change poll"
  echo "The variants idled side by side, each read from its own /proc/<pid>."
  if [ -s "$work/nmt.txt" ]; then
    echo
    echo "Where the memory goes: a third copy with -XX:NativeMemoryTracking=summary, read after the same idle"
    echo "(NMT counts committed memory; RSS counts only the pages touched):"
    echo
    echo '```text'
    nmt_summary "$work/nmt.txt"
    grep -E 'total|used' "$work/heap.txt" | sed 's/^ */    heap: /'
    echo '```'
  fi
} | tee "$report"

read -r ready rss cpu per_poll polls < "$work/launcher-flags.vals"
cds_ready=
[ -f "$work/launcher-flags+AppCDS.vals" ] && read -r cds_ready cds_rss _ < "$work/launcher-flags+AppCDS.vals"
verdict() { awk -v m="$1" -v t="$2" 'BEGIN {if (m <= t) print "met"; else printf "missed: %.1f× the target\n", m / t}'; }
summary_row "idle daemon RSS (launcher flags, ${IDLE_S} s idle)" "$rss MiB" "with AppCDS: ${cds_rss:-—} MiB" "64 MiB" "$(verdict "$rss" 64)"
summary_row "idle daemon CPU at --interval $INTERVAL" "$cpu% of one core ($polls polls)" "—" "< 0.1%" "$(verdict "$cpu" 0.1)"
summary_row "bytes written to storage per no-change poll" "$per_poll" "—" "0" "$([ "$per_poll" = 0 ] && echo met || echo "missed: $per_poll bytes")"
summary_row "start to ready (exec → /readyz 200)" "$ready ms" "with AppCDS: ${cds_ready:-—} ms" "—" "—"

if [ -z "${SMOKE:-}" ]; then
  png="$RESULTS/idle-rss-$date.png"
  gnuplot <<PLOT
set terminal pngcairo size 900,450
set output "$png"
set title "voltis-agent idle RSS (--interval $INTERVAL)"
set xlabel "seconds idle"; set ylabel "RSS (MiB)"; set yrange [0:*]; set offsets 0,0,graph 0.15,0; set key bottom right
set arrow from graph 0, first 64 to graph 1, first 64 nohead dashtype 2 lc rgb "#808080"
set label "target 64 MiB" at graph 0.02, first 68 tc rgb "#606060"
plot "$work/launcher-flags.rss" with lines title "launcher flags", \
     "$work/launcher-flags+AppCDS.rss" with lines title "launcher flags + AppCDS"
PLOT
  echo "plot: $png"
fi

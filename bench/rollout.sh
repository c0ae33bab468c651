#!/usr/bin/env bash
# A staged rollout across a simulated fleet: AGENTS devices, each with the agent's real store,
# mirror, poller, preparer and rollout decision (io.voltis.sync.bench.RolloutBench), polling one
# real Git repo (file://) every INTERVAL seconds and deciding every 5 s (the agent's reconcile
# tick), each alone. A device's wave clock starts when it first sees the release (within one
# poll), and it moves at its first tick after its wave's time. Two rounds:
#   waves  a release with canary (label, 1 % of devices) / 10 % after AFTER_A s / 100 % after AFTER_B s:
#          the count of devices running it each second, against the plan's count
#   pause  the next release, then at PAUSE_AT s a commit that only sets pause: true: no device
#          that saw the pause may move
# Every move is checked against its own wave's time (moves_before_their_wave must be 0).
#   bench/rollout.sh                      (1,000 devices, waves at 60 s and 180 s, rounds of 240 s: ~10 minutes)
#   SMOKE=1 bench/rollout.sh              (40 devices, 2 s polls, waves at 6 s and 15 s, rounds of 22 s)
# Needs a JDK, Maven and gnuplot (installed with apt-get when missing). Writes
# bench/results/rollout-<UTC date><REPORT_SUFFIX>.md and rollout-<UTC date><REPORT_SUFFIX>.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
if [[ "${SMOKE:-0}" == 1 ]]; then
  AGENTS=${AGENTS:-40} INTERVAL=${INTERVAL:-2} AFTER_A=${AFTER_A:-6} AFTER_B=${AFTER_B:-15} ROUND=${ROUND:-22} PAUSE_AT=${PAUSE_AT:-10}
fi
AGENTS=${AGENTS:-1000}
INTERVAL=${INTERVAL:-15}
AFTER_A=${AFTER_A:-60}
AFTER_B=${AFTER_B:-180}
ROUND=${ROUND:-240}
PAUSE_AT=${PAUSE_AT:-90}
THREADS=${THREADS:-4}
RESULTS=${RESULTS:-bench/results}

need_tools gnuplot:gnuplot-nox
sync_classpath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "rollout: $AGENTS devices, polls every ${INTERVAL}s, waves at ${AFTER_A}s and ${AFTER_B}s, rounds of ${ROUND}s ..." >&2
started=$(date -u +%Y-%m-%dT%H:%MZ)
if ! java -Xmx$((512 + AGENTS * 3))m -cp "$CP" io.voltis.sync.bench.RolloutBench "$work/run" "$AGENTS" "$INTERVAL" "$AFTER_A" \
    "$AFTER_B" "$ROUND" "$PAUSE_AT" "$THREADS" > "$work/out.txt" 2> "$work/err.txt"; then
  echo "rollout: the run failed; its log ends:" >&2
  tail -n 20 "$work/err.txt" >&2
  exit 1
fi
value() { awk -v r="$1" -v k="$2" '$1 == "round" {round = $2} round == r && $1 == k {$1 = ""; sub(/^ /, ""); print; exit}' "$work/out.txt"; }
for round in waves pause; do
  grep "^sample $round " "$work/out.txt" | cut -d' ' -f3 | tr ',' ' ' > "$work/$round.dat"
done

date=$(date -u +%F)
mkdir -p "$RESULTS"
suffix=${REPORT_SUFFIX:-}${SMOKE:+-smoke}
png=$RESULTS/rollout-$date$suffix.png
gnuplot <<PLOT
set terminal pngcairo size 900,520 noenhanced
set output "$png"
set title "staged rollout, $AGENTS simulated devices polling every ${INTERVAL}s ($date)"
set xlabel "seconds since the release was pushed"; set ylabel "devices running the release"
set yrange [0:$AGENTS * 1.05]; set grid
set key outside below center horizontal maxrows 1
set arrow from $PAUSE_AT, graph 0 to $PAUSE_AT, graph 1 nohead dt 2 lc rgb "gray40" front
set label "pause pushed (round pause)" at $PAUSE_AT + 2, graph 0.9 textcolor rgb "gray40"
plot "$work/waves.dat" using 1:3 with steps dt 2 lw 2 lc rgb "gray50" title "the plan: canary, 10% after ${AFTER_A}s, 100% after ${AFTER_B}s", \
     "$work/waves.dat" using 1:2 with steps lw 2 lc rgb "#1f77b4" title "measured (waves)", \
     "$work/pause.dat" using 1:2 with steps lw 2 lc rgb "#d62728" title "measured (pause at ${PAUSE_AT}s)"
PLOT

at() { awk -v s="$2" '$1 == s {print $2 " (plan " $3 ")"}' "$work/$1.dat"; }
report() {
  echo "# Staged rollout, $started"
  echo
  echo "bench/rollout.sh: AGENTS=$AGENTS INTERVAL=$INTERVAL AFTER_A=$AFTER_A AFTER_B=$AFTER_B ROUND=$ROUND PAUSE_AT=$PAUSE_AT" \
    "THREADS=$THREADS. Machine: $(nproc) cores; $(java -version 2>&1 | head -n 1). Plot: $(basename "$png")."
  echo
  echo "| | waves | pause |"
  echo "|---|---|---|"
  for k in moved moved_canary moved_early moved_all first_early_move_s first_all_move_s moves_before_their_wave failures; do
    echo "| $k | $(value waves "$k") | $(value pause "$k") |"
  done
  echo "| pause_at_s | — | $(value pause pause_at_s) |"
  echo "| moved_at_pause | — | $(value pause moved_at_pause) |"
  echo "| saw_the_pause | — | $(value pause saw_the_pause) |"
  echo "| moved_after_seeing_the_pause | — | $(value pause moved_after_seeing_the_pause) |"
  echo
  echo "Devices running the release (measured, and the plan's count) at:"
  echo
  echo "| second | waves | pause |"
  echo "|---|---|---|"
  for s in $((AFTER_A - 1)) $((AFTER_A + INTERVAL + 2)) $((AFTER_B - 1)) $((AFTER_B + INTERVAL + 2)) $ROUND; do
    ((s <= ROUND)) && echo "| $s | $(at waves "$s") | $(at pause "$s") |"
  done
  echo
  echo "setup (stores opened, first release cloned and applied everywhere): $(awk '$1 == "setup_s" {print $2 " s"}' "$work/out.txt")"
}
out=$RESULTS/rollout-$date$suffix.md
report > "$out"
cat "$out"
early=$(value waves moves_before_their_wave)
after=$(value pause moved_after_seeing_the_pause)
summary_row "devices moved before their wave ($AGENTS devices)" "$early" "—" "0" "$([ "$early" = 0 ] && echo met || echo "missed: $early")"
summary_row "devices moved after seeing a pause" "$after" "—" "0" "$([ "$after" = 0 ] && echo met || echo "missed: $after")"
if [ "$early" != 0 ] || [ "$after" != 0 ]; then
  echo "rollout: a device moved before its wave or after a pause" >&2
  exit 1
fi

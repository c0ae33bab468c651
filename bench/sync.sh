#!/usr/bin/env bash
# The sync side's figures, each against a baseline measured in the same run:
#  - CPU of a no-change poll inside the agent (JGit in a warm JVM, one poll after another) vs a
#    `git ls-remote` process (file:// and smart HTTP);
#  - resolve + unpack of one device (wall, median of 100 after 20 warm-up) in repos of 10, 1,000
#    and 10,000 devices (10, 100 and 1,000 workloads);
#  - bytes the server sends for a one-file change: the agent's fetch vs `git fetch`.
#   bench/sync.sh            (needs a JDK, Maven and git; about 2 minutes)
# The report goes to stdout and bench/results/sync-<UTC date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
need_tools git:git
sync_classpath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1
for part in poll resolve fetch; do
  java -cp "$CP" io.voltis.sync.bench.SyncBench "$work/$part" "$part"
done > "$work/out.txt"

report() {
  echo "# Sync figures, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "bench/sync.sh: $(nproc) cores, $(java -version 2>&1 | head -n 1), $(git --version)."
  echo
  awk '
    {v[$1] = $2}
    END {
      print "| figure | Voltis | baseline (same run) | Voltis / baseline |"
      print "|---|---|---|---|"
      printf "| no-change poll CPU, file:// | %.0f µs | git ls-remote %.0f µs | %.4f (1/%.0f) |\n", v["poll_file_cpu_us"],
        v["git_ls_remote_file_cpu_us"], v["poll_file_cpu_us"] / v["git_ls_remote_file_cpu_us"], v["git_ls_remote_file_cpu_us"] / v["poll_file_cpu_us"]
      printf "| no-change poll CPU, smart HTTP | %.0f µs | git ls-remote %.0f µs | %.4f (1/%.0f) |\n", v["poll_http_cpu_us"],
        v["git_ls_remote_http_cpu_us"], v["poll_http_cpu_us"] / v["git_ls_remote_http_cpu_us"], v["git_ls_remote_http_cpu_us"] / v["poll_http_cpu_us"]
      printf "| resolve + unpack, 1,000 devices / 100 workloads (median, p90) | %.2f ms, %.2f ms | 10 devices %.2f ms | %.2f× |\n",
        v["resolve_medium_median_ms"], v["resolve_medium_p90_ms"], v["resolve_small_median_ms"], v["resolve_medium_median_ms"] / v["resolve_small_median_ms"]
      printf "| resolve + unpack, 10,000 devices / 1,000 workloads (median, p90) | %.2f ms, %.2f ms | 10 devices %.2f ms | %.2f× |\n",
        v["resolve_large_median_ms"], v["resolve_large_p90_ms"], v["resolve_small_median_ms"], v["resolve_large_median_ms"] / v["resolve_small_median_ms"]
      printf "| bytes sent for a one-file change | %d | git fetch %d | %.2f× |\n", v["agent_fetch_bytes"], v["git_fetch_bytes"],
        v["agent_fetch_bytes"] / v["git_fetch_bytes"]
      printf "| bytes sent for the first fetch | %d | git clone %d | %.2f× |\n", v["agent_initial_fetch_bytes"], v["git_clone_bytes"],
        v["agent_initial_fetch_bytes"] / v["git_clone_bytes"]
    }' "$work/out.txt"
  echo
  echo "The poll CPU here is the agent's JGit call in a warm JVM; the daemon's whole cost per poll (timers, scheduler," \
    "metrics) is in bench/peers.sh and bench/idle.sh. Raw figures:"
  echo
  echo '```text'
  cat "$work/out.txt"
  echo '```'
}
mkdir -p bench/results
out=bench/results/sync-$(date -u +%F).md
report | tee "$out"
echo "sync: written to $out" >&2

awk '{v[$1] = $2} END {
  printf "resolve + unpack of one device, repo of 1,000 devices\t%.1f ms (median)\t10 devices %.1f ms: %.2f×\t—\t—\n",
    v["resolve_medium_median_ms"], v["resolve_small_median_ms"], v["resolve_medium_median_ms"] / v["resolve_small_median_ms"]
  printf "resolve + unpack of one device, repo of 10,000 devices\t%.1f ms (median)\t10 devices %.1f ms: %.2f×\t—\t—\n",
    v["resolve_large_median_ms"], v["resolve_small_median_ms"], v["resolve_large_median_ms"] / v["resolve_small_median_ms"]
}' "$work/out.txt" | while IFS=$'\t' read -r figure measured against target verdict; do
  summary_row "$figure" "$measured" "$against" "$target" "$verdict"
done

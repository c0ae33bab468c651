#!/usr/bin/env bash
# The sync side's figures, each against a baseline measured in the same run:
#  - CPU of a no-change poll inside the agent vs a `git ls-remote` process (file:// and smart HTTP);
#  - resolve + unpack of one device in a repo of 10,000 devices / 1,000 workloads vs one of 10;
#  - bytes the server sends for a one-file change: the agent's fetch vs `git fetch`.
#   bench/sync.sh            (needs a JDK, Maven and git)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl sync -am >/dev/null
cp_file=$(mktemp)
mvn -B -q dependency:build-classpath -pl sync -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
CP="sync/target/classes:sync/target/test-classes:$(cat "$cp_file")"
rm -f "$cp_file"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1
for part in poll resolve fetch; do
  java -cp "$CP" io.voltis.sync.bench.SyncBench "$work/$part" "$part"
done | tee "$work/out.txt"
awk '
  {v[$1] = $2}
  END {
    printf "\nno-change poll CPU, agent / git ls-remote: file:// %.4f (1/%.0f), http %.4f (1/%.0f)\n",
      v["poll_file_cpu_us"] / v["git_ls_remote_file_cpu_us"], v["git_ls_remote_file_cpu_us"] / v["poll_file_cpu_us"],
      v["poll_http_cpu_us"] / v["git_ls_remote_http_cpu_us"], v["git_ls_remote_http_cpu_us"] / v["poll_http_cpu_us"]
    printf "resolve+unpack, 10,000-device repo / 10-device repo (median): %.2fx\n", v["resolve_large_median_ms"] / v["resolve_small_median_ms"]
    printf "bytes for a one-file change, agent / git fetch: %.2fx\n", v["agent_fetch_bytes"] / v["git_fetch_bytes"]
  }' "$work/out.txt"

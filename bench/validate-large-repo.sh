#!/usr/bin/env bash
# Measures `voltis-agent validate` on a generated repo of DEVICES devices and WORKLOADS
# workloads, against a baseline measured in the same run: `voltis-agent version`, the cost of
# starting the JVM and the jar with no work. Prints medians (and min/max) of RUNS runs.
#
#   bench/validate-large-repo.sh              # 1000 devices, 200 workloads, 10 runs
#   DEVICES=10000 WORKLOADS=1000 bench/validate-large-repo.sh
#
# Needs the jar: mvn -B -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-1000}
WORKLOADS=${WORKLOADS:-200}
RUNS=${RUNS:-10}
JAR=${JAR:-cli/target/voltis-agent.jar}
JAVA_OPTS=${JAVA_OPTS:-}
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -DskipTests package first" >&2; exit 2; }

repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
mkdir -p "$repo/devices" "$repo/workloads"
for ((w = 0; w < WORKLOADS; w++)); do
  d="$repo/workloads/wl-$w"
  mkdir -p "$d/files" "$d/scripts"
  printf 'listen=${port}\nsite=${site}\nhost=${VOLTIS_HOSTNAME}\n' > "$d/files/app.conf"
  printf '#!/bin/sh\necho migrate\n' > "$d/scripts/migrate.sh"
  cat > "$d/workload.yaml" <<YAML
apiVersion: voltis/v1
files:
  - {source: files/app.conf, target: etc/wl-$w/app.conf, mode: "0640", template: true}
packages:
  - {name: curl, manager: apt}
services:
  - name: broker
    command: ["sh", "-c", "exec sleep 100000"]
  - name: app
    command: ["sh", "-c", "exec sleep 100000", "--port", "\${port}"]
    env: {SITE: "\${site}", LOG_LEVEL: info}
    dependsOn: [broker]
    restart: on-failure
    health: {http: "http://127.0.0.1:\${port}/health", interval: 5s, timeout: 2s}
jobs:
  - {name: migrate, run: ["sh", "scripts/migrate.sh"], when: per-revision, timeout: 1m}
  - {name: rotate, run: ["sh", "-c", "true"], schedule: "0 0 * * * ?"}
YAML
done
for ((i = 0; i < DEVICES; i++)); do
  cat > "$repo/devices/edge-$i.yaml" <<YAML
workload: wl-$((i % WORKLOADS))
labels: {site: plant-$((i % 7)), ring: "$((i % 3))"}
vars: {port: "$((8000 + i % 1000))", site: plant-$((i % 7))}
YAML
done

# One warm-up of each, then RUNS timed runs; wall seconds via date +%s%N.
time_runs() {
  local out=() t0 t1
  "$@" >/dev/null 2>&1 || true
  for ((r = 0; r < RUNS; r++)); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    out+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%d %d %d\n", m, a[1], a[NR]}'
}

java -jar "$JAR" validate "$repo" > /tmp/voltis-bench-validate.out || { echo "generated repo is not valid:"; head /tmp/voltis-bench-validate.out; exit 1; }
read -r base_med base_min base_max < <(time_runs java $JAVA_OPTS -jar "$JAR" version)
read -r val_med val_min val_max < <(time_runs java $JAVA_OPTS -jar "$JAR" validate "$repo")
echo "repo: $DEVICES devices, $WORKLOADS workloads ($(cat /tmp/voltis-bench-validate.out))"
printf '%-40s %8s %8s %8s\n' "command" "median" "min" "max"
printf '%-40s %6sms %6sms %6sms\n' "voltis-agent version (baseline)" "$base_med" "$base_min" "$base_max"
printf '%-40s %6sms %6sms %6sms\n' "voltis-agent validate" "$val_med" "$val_min" "$val_max"
awk -v v="$val_med" -v b="$base_med" 'BEGIN {printf "validate / baseline: %.2fx; validation work beyond JVM start: %d ms\n", v / b, v - b}'

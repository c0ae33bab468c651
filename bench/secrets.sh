#!/usr/bin/env bash
# Measures `voltis-agent validate` on a repo of DEVICES devices whose workload uses two files
# encrypted with the real `age` to all DEVICES recipients (recipients/<host>.txt and a
# <file>.recipients list each), against baselines measured in the same run:
#   - `voltis-agent version`: starting the JVM and the jar, no work;
#   - the same repo without recipients/: every check but the recipients one.
# Prints medians (and min/max) of RUNS runs.
#
#   bench/secrets.sh                 # 1000 devices, 5 runs
#   DEVICES=100 RUNS=1 bench/secrets.sh
#
# Needs the jar (mvn -B -DskipTests package) and age (apt-get install age).
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-1000}
RUNS=${RUNS:-5}
JAR=${JAR:-cli/target/voltis-agent.jar}
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -DskipTests package first" >&2; exit 2; }
command -v age-keygen > /dev/null || { echo "no age-keygen: apt-get install age" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo/devices" "$repo/workloads/db/secrets" "$repo/recipients"
cat > "$repo/workloads/db/workload.yaml" <<'YAML'
apiVersion: voltis/v1
files:
  - {source: secrets/db.env.age, target: etc/db/db.env, decrypt: age}
  - {source: app.conf, target: etc/db/app.conf, template: true, mode: "0640"}
services:
  - {name: app, command: [sh, -c, "exec sleep 100000"], env: {DB_PASSWORD: "${secret.db_password}"}}
YAML
printf 'password=${secret.db_password}\n' > "$repo/workloads/db/app.conf"
list="$repo/workloads/db/secrets/db.env.age.recipients"
: > "$list"
for ((i = 0; i < DEVICES; i++)); do
  host=$(printf 'edge-%05d' "$i")
  age-keygen 2> /dev/null | sed -n 's/^# public key: //p' > "$repo/recipients/$host.txt"
  cat "$repo/recipients/$host.txt" >> "$list"
  printf 'workload: db\nsecrets: {db_password: secrets/pw.age}\n' > "$repo/devices/$host.yaml"
done
cp "$list" "$repo/workloads/db/secrets/pw.age.recipients"
echo "DB_PASSWORD=bench" | age -R "$list" -o "$repo/workloads/db/secrets/db.env.age"
echo "bench" | age -R "$list" -o "$repo/workloads/db/secrets/pw.age"
cp -r "$repo" "$work/plain"
rm -rf "$work/plain/recipients"

time_runs() {
  local out=() t0 t1
  "$@" > /dev/null 2>&1 || true
  for ((r = 0; r < RUNS; r++)); do
    t0=$(date +%s%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s%N)
    out+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%d %d %d\n", m, a[1], a[NR]}'
}

java -jar "$JAR" validate "$repo" > "$work/validate.txt" || { echo "generated repo is not valid:"; head "$work/validate.txt"; exit 1; }
read -r base_med base_min base_max < <(time_runs java -jar "$JAR" version)
read -r plain_med plain_min plain_max < <(time_runs java -jar "$JAR" validate "$work/plain")
read -r rec_med rec_min rec_max < <(time_runs java -jar "$JAR" validate "$repo")
echo "repo: $DEVICES devices, 2 files encrypted to $DEVICES recipients ($(wc -c < "$repo/workloads/db/secrets/pw.age") bytes each; $(cat "$work/validate.txt"))"
printf '%-52s %8s %8s %8s\n' "command" "median" "min" "max"
printf '%-52s %6sms %6sms %6sms\n' "voltis-agent version (baseline)" "$base_med" "$base_min" "$base_max"
printf '%-52s %6sms %6sms %6sms\n' "validate, no recipients/ (baseline)" "$plain_med" "$plain_min" "$plain_max"
printf '%-52s %6sms %6sms %6sms\n' "validate, recipients checked" "$rec_med" "$rec_min" "$rec_max"
awk -v r="$rec_med" -v p="$plain_med" -v b="$base_med" 'BEGIN {printf "recipients check / validate without it: %.2fx (%+d ms); validate / version: %.2fx\n", r / p, r - p, r / b}'

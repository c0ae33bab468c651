#!/usr/bin/env bash
# Signed-commit verification's figures, each against a baseline measured in the same run:
#  - CPU of verifying one commit's SSH signature (ed25519) inside the agent (JGit in a warm JVM;
#    the first one, classes loading, too) vs `git verify-commit` (which runs ssh-keygen -Y verify);
#  - CPU of verifying a chain of 100 signed commits vs `git log -n 100 --format=%G?`;
#  - RSS of the daemon (the launcher's flags) following a signed repo with --verify enforce vs
#    the same daemon with verification off, after the same 5 signed pushes.
#   bench/trust.sh            (needs a JDK, Maven, git and ssh-keygen; about 1.5 minutes)
#   SMOKE=1 bench/trust.sh    fewer runs, for CI
# The report goes to stdout and bench/results/trust-<UTC date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
need_tools git:git ssh-keygen:openssh-client curl:curl
RUNS=${RUNS:-$([ -n "${SMOKE:-}" ] && echo 20 || echo 300)}
SAMPLE_S=${SAMPLE_S:-$([ -n "${SMOKE:-}" ] && echo 3 || echo 20)}
FLAGS=${FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"}
JAR=${JAR:-cli/target/voltis-agent.jar}
[ -f "$JAR" ] || mvn -B -q -DskipTests -DskipITs install >/dev/null
JAR=$(realpath "$JAR")
sync_classpath
work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  pid=
}
trap 'stop; rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
java -cp "$CP" io.voltis.sync.bench.TrustBench "$work/cpu" "$RUNS" > "$work/out.txt"

# the daemon on a signed repo: a tiny workload, then 5 signed pushes; RSS sampled each second after
ssh-keygen -q -t ed25519 -N '' -C ops -f "$work/ops"
printf 'ops@example.com namespaces="git" %s\n' "$(cat "$work/ops.pub")" > "$work/allowed_signers"
repo=$work/repo
git init -q -b main "$repo"
commit() {
  git -C "$repo" add -A
  git -C "$repo" -c user.name=Ops -c user.email=ops@example.com -c gpg.format=ssh -c "user.signingkey=$work/ops.pub" \
    commit -q -S -m "$1"
}
mkdir -p "$repo/devices" "$repo/workloads/tiny/files"
printf 'workload: tiny\n' > "$repo/devices/bench-1.yaml"
printf 'version=0\n' > "$repo/workloads/tiny/files/app.conf"
printf 'apiVersion: voltis/v1\nfiles:\n  - {source: files/app.conf, target: etc/app.conf}\nservices:\n  - {name: heartbeat, command: [sh, -c, "exec sleep 100000"]}\n' \
  > "$repo/workloads/tiny/workload.yaml"
commit "tiny workload"

run() {
  local variant=$1 state=$work/$1/state base i n rss max=0
  shift
  mkdir -p "$work/$variant"
  # shellcheck disable=SC2086
  java $FLAGS -jar "$JAR" run --repo "file://$repo" --hostname bench-1 --runtime process --interval 1s \
    --reconcile-interval 1s --state-dir "$state" --root "$work/$variant/root" --listen 127.0.0.1:0 "$@" \
    > "$work/$variant/daemon.log" 2>&1 &
  pid=$!
  base=
  for ((i = 0; i < 3000; i++)); do
    [ -z "$base" ] && [ -f "$state/api" ] && base=$(cat "$state/api")
    if [ -n "$base" ] && curl -sf "$base/api/v1/status" | grep -q '"phase" : "Synced"'; then break; fi
    kill -0 "$pid" 2>/dev/null || { echo "the daemon stopped:" >&2; tail -5 "$work/$variant/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
  for n in 1 2 3 4 5; do
    printf 'version=%s-%s\n' "$variant" "$n" > "$repo/workloads/tiny/files/app.conf"
    commit "push $n"
    for ((i = 0; i < 300; i++)); do
      curl -sf "$base/api/v1/status" | grep -q "\"appliedRevision\" : \"$(git -C "$repo" rev-parse HEAD)\"" && break
      sleep 0.1
    done
    ((i < 300)) || { echo "$variant: push $n was not applied" >&2; tail -5 "$work/$variant/daemon.log" >&2; exit 1; }
  done
  for ((i = 1; i <= SAMPLE_S; i++)); do
    sleep 1
    rss=$(rss_kb "$pid")
    (( rss > max )) && max=$rss
  done
  if [ "$variant" = enforce ]; then
    curl -sf "$base/metrics" | awk '/^voltis_revision_verifications_total/ {print "verifications " $0}' >> "$work/out.txt"
  fi
  stop
  echo "rss_${variant}_kb $max" >> "$work/out.txt"
}
run off
run enforce --verify enforce --allowed-signers "$work/allowed_signers"
grep -q '^verifications .*result="Verified"' "$work/out.txt" || { echo "the enforce daemon verified nothing" >&2; exit 1; }

report() {
  echo "# Signed-commit verification, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "bench/trust.sh: $(nproc) cores, $(java -version 2>&1 | head -n 1), $(git --version), $RUNS runs."
  echo
  awk '
    {v[$1] = $2}
    END {
      print "| figure | Voltis | baseline (same run) | Voltis / baseline |"
      print "|---|---|---|---|"
      printf "| CPU to verify one commit (ed25519, warm, median) | %.0f µs | git verify-commit %.0f µs | %.3f |\n",
        v["verify_one_cpu_us"], v["git_verify_one_cpu_us"], v["verify_one_cpu_us"] / v["git_verify_one_cpu_us"]
      printf "| CPU to verify the first commit (classes loading) | %.0f µs | git verify-commit %.0f µs | %.2f |\n",
        v["verify_first_cpu_us"], v["git_verify_one_cpu_us"], v["verify_first_cpu_us"] / v["git_verify_one_cpu_us"]
      printf "| CPU to verify one commit in the first 3 s (JGit re-reads allowed_signers) | %.0f µs | git verify-commit %.0f µs | %.3f |\n",
        v["verify_one_first_seconds_cpu_us"], v["git_verify_one_cpu_us"], v["verify_one_first_seconds_cpu_us"] / v["git_verify_one_cpu_us"]
      printf "| CPU to verify a 100-commit chain (median) | %.1f ms | git log --format=%%G? %.1f ms | %.3f |\n",
        v["verify_chain100_cpu_us"] / 1000, v["git_verify_chain100_cpu_us"] / 1000,
        v["verify_chain100_cpu_us"] / v["git_verify_chain100_cpu_us"]
      printf "| daemon RSS after 5 signed pushes (max of the samples) | %.1f MiB (verify enforce) | verify off %.1f MiB | %.2f× (+%.1f MiB) |\n",
        v["rss_enforce_kb"] / 1024, v["rss_off_kb"] / 1024, v["rss_enforce_kb"] / v["rss_off_kb"],
        (v["rss_enforce_kb"] - v["rss_off_kb"]) / 1024
    }' "$work/out.txt"
  echo
  echo "Raw figures:"
  echo
  echo '```text'
  cat "$work/out.txt"
  echo '```'
}
mkdir -p bench/results
out=bench/results/trust-$(date -u +%F)${SMOKE:+-smoke}.md
report | tee "$out"
echo "trust: written to $out" >&2
awk '{v[$1] = $2} END {
  printf "CPU to verify one signed commit\t%.0f µs\tgit verify-commit %.0f µs: %.3f×\t—\t—\n",
    v["verify_one_cpu_us"], v["git_verify_one_cpu_us"], v["verify_one_cpu_us"] / v["git_verify_one_cpu_us"]
  printf "CPU to verify a 100-commit chain\t%.1f ms\tgit log --format=%%G? %.1f ms: %.3f×\t—\t—\n",
    v["verify_chain100_cpu_us"] / 1000, v["git_verify_chain100_cpu_us"] / 1000, v["verify_chain100_cpu_us"] / v["git_verify_chain100_cpu_us"]
  printf "daemon RSS with verify enforce\t%.1f MiB\tverify off %.1f MiB: %.2f×\t—\t—\n",
    v["rss_enforce_kb"] / 1024, v["rss_off_kb"] / 1024, v["rss_enforce_kb"] / v["rss_off_kb"]
}' "$work/out.txt" | while IFS=$'\t' read -r figure measured against target verdict; do
  summary_row "$figure" "$measured" "$against" "$target" "$verdict"
done

#!/usr/bin/env bash
# Voltis against its peers on the same work, in one run: ansible-pull (ansible-core), Puppet
# (`puppet apply` after a `git pull`) and the floor, plain git. One local bare repo
# (file://) holds one tiny workload written for each tool: three config files templated with
# one variable (`greeting`, in devices/peers.yaml, read by all three tools) and one long-running
# service (scripts/heartbeat.sh, a shell loop writing a heartbeat every 5 s). Each tool writes
# under a root of its own in the temp dir. systemd is not PID 1 here, so the service is a process
# for every tool: Voltis with `--runtime process`, ansible and Puppet start it with setsid when
# `pgrep -f` does not find it (an equivalent process check, not a systemd unit).
#
# Measured, RUNS runs each (median, min-max), per tool and cycle:
#  - no-change cycle (nothing new in Git since the last cycle): `voltis-agent run --once` (a fresh
#    JVM with the launcher's small flags, state kept between runs); the resident daemon
#    (`run --interval 1s`, DAEMON_INTERVAL): its CPU (utime+stime, /proc/<pid>/stat) over RUNS idle windows of
#    WINDOW_S divided by the polls it counted (voltis_polls_total from its /metrics), so the
#    reconcile ticks in between are included; `ansible-pull -U <repo> -d <checkout> local.yml`,
#    with and without --only-if-changed; `git pull && puppet apply site.pp`; `git ls-remote`;
#  - change cycle: a commit changing the greeting, pushed, then one cycle of the tool, after which
#    all three files must hold the new greeting: `run --once`; the daemon (push returns -> file
#    changed, checked every 10 ms, its CPU over that time; and the part of it after the daemon's
#    poll fetched the commit, from the mtime of its mirror's FETCH_HEAD); ansible-pull; git pull +
#    puppet apply; and the floor `git pull`.
# Wall time, CPU (user+sys of the process and every child it waited for, from wait4(2), the
# call GNU time makes, read with microsecond resolution: GNU time prints 10 ms, coarser than a
# `git ls-remote`) and peak RSS: the largest single process (ru_maxrss, GNU time's %M), and the
# tree's peak PSS, summed over the process and all its descendants every 50 ms from /proc.
# Targets (reported, not enforced): no-change Voltis CPU at most 1/20 of ansible-pull's and within
# 2x of `git ls-remote`'s; change-cycle Voltis wall at most 1/5 of ansible-pull's.
#
#   bench/peers.sh                 (Debian 12; root for apt-get; about 9 minutes on 2 quiet cores)
#   SMOKE=1 bench/peers.sh         # RUNS=2, 2 s windows: about a minute, for CI
#   RUNS=20 WINDOW_S=30 bench/peers.sh
#
# Installs ansible-core, puppet, git and time with apt-get when missing, and builds
# the jar when it is missing. The report goes to stdout and bench/results/peers-<UTC date>.md
# (peers-<UTC date>-smoke.md with SMOKE=1); raw numbers in a temp dir removed at exit (KEEP_WORK=1
# keeps it). Every process started here, and every heartbeat service, is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8   # ansible refuses any other encoding
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then RUNS=${RUNS:-2} WINDOW_S=${WINDOW_S:-2} SETTLE_S=${SETTLE_S:-1}; fi
RUNS=${RUNS:-10}
DAEMON_INTERVAL=${DAEMON_INTERVAL:-1}   # the daemon's --interval, in seconds (1 s: the agent's fast setting)
WINDOW_S=${WINDOW_S:-10}   # each idle window of the daemon (~10 polls at 1 s)
SETTLE_S=${SETTLE_S:-30}   # from the daemon's first apply to its first window (the JIT settles)
JAR=${JAR:-cli/target/voltis-agent.jar}
SMALL_FLAGS=${SMALL_FLAGS:-"-XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:-UsePerfData"}
PY=/usr/bin/python3   # Debian's, which ansible-core runs on

. bench/lib.sh
need_tools ansible-pull:ansible-core puppet:puppet git:git /usr/bin/time:time
[ -f "$JAR" ] || mvn -B -q -DskipTests -DskipITs install > /dev/null
JAR=$(realpath "$JAR")
read -r -a small <<< "$SMALL_FLAGS"
CLK_TCK=$(getconf CLK_TCK)

work=$(mktemp -d)
daemon_pid=
nap_open "$work"   # nap (bench/lib.sh) sleeps on fd 9 without forking

cleanup() {
  local i p
  if [ -n "$daemon_pid" ]; then
    kill -TERM "$daemon_pid" 2> /dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$daemon_pid" 2> /dev/null || break; nap 0.1; done
    kill -KILL "$daemon_pid" 2> /dev/null || true
    wait "$daemon_pid" 2> /dev/null || true
  fi
  # the heartbeats ansible and Puppet started (each in a session of its own), and any a killed
  # Voltis left; each is found by its root in $work, so nothing outside this run matches
  for p in $(pgrep -f "[h]eartbeat\.sh $work/" || true); do kill -TERM -- "-$p" 2> /dev/null || kill -TERM "$p" 2> /dev/null || true; done
  exec 9<&-
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# ---------------------------------------------------------------- measuring one run
# wait4 of the child gives what GNU time prints (%e %U %S %M), in µs and KB
cat > "$work/rusage.py" << 'EOF'
import os, subprocess, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, ru = os.wait4(child.pid, 0)
wall = time.perf_counter() - t0
with open(out, "w") as f:
    f.write("%d %d %d %d\n" % (wall * 1e6, ru.ru_utime * 1e6, ru.ru_stime * 1e6, ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
EOF

# tree_pss PID: PSS in KB of PID's descendants (not PID itself: the wrapper), from /proc
# (a children file has no newline at its end: read fails but fills c)
tree_pss() {
  local queue=() p t k v _ sum=0 c
  for t in /proc/"$1"/task/*/children; do c=(); read -r -a c 2> /dev/null < "$t" || true; queue+=("${c[@]}"); done
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    while read -r k v _; do [ "$k" = Pss: ] && { sum=$((sum + v)); break; }; done 2> /dev/null < "/proc/$p/smaps_rollup" || true
    for t in /proc/"$p"/task/*/children; do c=(); read -r -a c 2> /dev/null < "$t" || true; queue+=("${c[@]}"); done
  done
  echo "$sum"
}
# sample_tree PID: the peak of tree_pss every 50 ms while PID lives
sample_tree() {
  local peak=0 s
  while [ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)" != Z ]; do
    s=$(tree_pss "$1")
    ((s > peak)) && peak=$s
    nap 0.05
  done
  echo "$peak"
}

# measure NAME CMD...: one run of CMD; appends "wall_us cpu_us maxrss_kb tree_pss_kb" to $work/NAME.txt;
# its output goes to $work/NAME.log; fails the script when CMD fails
measure() {
  local name=$1 pid sampler rc=0
  shift
  "$PY" "$work/rusage.py" "$work/rusage.out" "$@" >> "$work/$name.log" 2>&1 &
  pid=$!
  sample_tree "$pid" > "$work/peak.out" &
  sampler=$!
  wait "$pid" || rc=$?
  wait "$sampler"
  if ((rc != 0)); then echo "$name failed (exit $rc); its output:" >&2; tail -30 "$work/$name.log" >&2; exit 1; fi
  read -r wall user sys maxrss < "$work/rusage.out"
  echo "$wall $((user + sys)) $maxrss $(< "$work/peak.out")" >> "$work/$name.txt"
}

# ---------------------------------------------------------------- the repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
REPO=file://$work/origin.git
git init -q --bare -b main "$work/origin.git"
git clone -q "$REPO" "$work/clone" 2> /dev/null
src=$work/clone
mkdir -p "$src/devices" "$src/workloads/peers/files" "$src/workloads/peers/scripts" \
  "$src/templates" "$src/puppet/modules/peers/templates"
set_greeting() { printf 'workload: peers\nvars:\n  greeting: "%s"\n' "$1" > "$src/devices/peers.yaml"; }
set_greeting hello-0
# the service, the same script for every tool: DIR -> DIR/heartbeat every 5 s
cat > "$src/workloads/peers/scripts/heartbeat.sh" << 'EOF'
#!/bin/sh
# heartbeat.sh DIR: the peers benchmark's long-running service
mkdir -p "$1"
while :; do date +%s > "$1/heartbeat"; sleep 5; done
EOF
# the three files, as each tool writes its templates (each must render to the same bytes)
names=(app.conf motd greeting.txt)
lines=('greeting = %s' '%s from the peers benchmark' '%s')
# shellcheck disable=SC2016,SC2059 # the templates' own syntax; the lines are formats
for i in 0 1 2; do
  printf "${lines[$i]}\n" '${greeting}' > "$src/workloads/peers/files/${names[$i]}"
  printf "${lines[$i]}\n" '{{ greeting }}' > "$src/templates/${names[$i]}.j2"
  printf "<%%- | String \$greeting | -%%>\n${lines[$i]}\n" '<%= $greeting %>' > "$src/puppet/modules/peers/templates/${names[$i]}.epp"
done
# Voltis
{
  echo "apiVersion: voltis/v1"
  echo "files:"
  for n in "${names[@]}"; do echo "  - {source: files/$n, target: etc/peers/$n, template: true}"; done
  echo "services:"
  # shellcheck disable=SC2016 # a Voltis variable
  echo '  - {name: heartbeat, command: [sh, scripts/heartbeat.sh, "${VOLTIS_ROOT}/var/lib/peers"]}'
} > "$src/workloads/peers/workload.yaml"
# ansible: -e root=ROOT; the greeting from the Voltis device file
cat > "$src/local.yml" << 'EOF'
# ansible-pull's side of the peers benchmark (bench/peers.sh); run with -e root=DIR
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - include_vars: {file: devices/peers.yaml, name: device}
    - set_fact: {greeting: "{{ device.vars.greeting }}"}
    - file: {path: "{{ root }}/etc/peers", state: directory, mode: "0755"}
    - template: {src: "templates/{{ item }}.j2", dest: "{{ root }}/etc/peers/{{ item }}", mode: "0644"}
      loop: [app.conf, motd, greeting.txt]
    # no systemd as PID 1: the service is a process, started when pgrep does not find it
    - shell: >-
        pgrep -f '[h]eartbeat\.sh {{ root }}/var/lib/peers' > /dev/null ||
        { setsid sh {{ playbook_dir }}/workloads/peers/scripts/heartbeat.sh '{{ root }}/var/lib/peers'
        < /dev/null > /dev/null 2>&1 & }
      register: heartbeat
      changed_when: heartbeat.stdout != ""
EOF
# Puppet: facts peers_root and peers_checkout (FACTER_*); the greeting through Hiera
cat > "$src/hiera.yaml" << 'EOF'
version: 5
defaults: {datadir: devices, data_hash: yaml_data}
hierarchy:
  - {name: device, path: peers.yaml}
EOF
cat > "$src/site.pp" << 'EOF'
# Puppet's side of the peers benchmark (bench/peers.sh): facts peers_root and peers_checkout
$root = $facts['peers_root']
$greeting = lookup('vars.greeting')
file { ["${root}/etc", "${root}/etc/peers"]: ensure => directory, mode => '0755' }
['app.conf', 'motd', 'greeting.txt'].each |$n| {
  file { "${root}/etc/peers/${n}":
    content => epp("peers/${n}.epp", { 'greeting' => $greeting }),
    mode    => '0644',
  }
}
# no systemd as PID 1: the service is a process, started when pgrep does not find it
exec { 'heartbeat':
  command  => "setsid sh ${facts['peers_checkout']}/workloads/peers/scripts/heartbeat.sh '${root}/var/lib/peers' < /dev/null > /dev/null 2>&1 &",
  unless   => "pgrep -f '[h]eartbeat\\.sh ${root}/var/lib/peers'",
  provider => shell,
  path     => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'],
}
EOF
printf 'peers\n' > "$src/devices/README.md"
git -C "$src" add -A
git -C "$src" commit -qm "peers bench repo"
git -C "$src" push -q origin HEAD:main
java -jar "$JAR" validate "$src" > "$work/validate.txt" || { cat "$work/validate.txt"; exit 1; }

GREETING=hello-0
commit_greeting() {
  GREETING=$1
  set_greeting "$1"
  git -C "$src" commit -qam "greeting $1"
  git -C "$src" push -q origin HEAD:main
}
# applied ROOT: all three files hold $GREETING
applied() {
  local i v
  for i in 0 1 2; do
    IFS= read -r v 2> /dev/null < "$1/etc/peers/${names[$i]}" || return 1
    # shellcheck disable=SC2059 # the line's format
    [ "$v" = "$(printf "${lines[$i]}" "$GREETING")" ] || return 1
  done
}
heartbeats() { pgrep -fc "[h]eartbeat\.sh ($1|scripts/heartbeat.sh $1)/var/lib/peers" || true; }
# check NAME ROOT: after a cycle, the files hold the greeting and one heartbeat runs
check() {
  applied "$2" || { echo "$1: the files under $2 do not hold '$GREETING':" >&2; tail -n +1 "$2"/etc/peers/* >&2; exit 1; }
  [ "${3:-}" != no-service ] || return 0
  local i
  for ((i = 0; i < 100; i++)); do [ "$(heartbeats "$2")" = 1 ] && return; nap 0.05; done   # a restart takes a moment
  echo "$1: expected one heartbeat for $2, found $(heartbeats "$2")" >&2
  exit 1
}

# ---------------------------------------------------------------- the tools
export ANSIBLE_HOME=$work/ansible-home ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_REMOTE_TEMP=$work/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
R_ONCE=$work/root-voltis-once R_DAEMON=$work/root-voltis-daemon R_ANSIBLE=$work/root-ansible R_PUPPET=$work/root-puppet
mkdir -p "$R_ONCE" "$R_DAEMON" "$R_ANSIBLE" "$R_PUPPET"
voltis_once() {
  java "${small[@]}" -jar "$JAR" run --once --repo "$REPO" --hostname peers --state-dir "$work/voltis-once" \
    --root "$R_ONCE" --runtime process --listen 127.0.0.1:0 --stop-grace 3s
}
ansible_pull() {
  ansible-pull -U "$REPO" -C main -d "$work/ansible-checkout" -i localhost, \
    -e "root=$R_ANSIBLE" -e ansible_python_interpreter=$PY "$@" local.yml
}
PUPPET_DIRS=(--confdir "$work/puppet/conf" --vardir "$work/puppet/var" --codedir "$work/puppet/code"
  --logdir "$work/puppet/log" --rundir "$work/puppet/run" --publicdir "$work/puppet/public")
puppet_apply() {
  git -C "$work/puppet-checkout" pull -q
  FACTER_peers_root=$R_PUPPET FACTER_peers_checkout=$work/puppet-checkout \
    puppet apply "${PUPPET_DIRS[@]}" --color false --modulepath "$work/puppet-checkout/puppet/modules" \
    --hiera_config "$work/puppet-checkout/hiera.yaml" "$work/puppet-checkout/site.pp"
}
git_pull() { git -C "$work/git-checkout" pull -q; }
export -f voltis_once ansible_pull puppet_apply git_pull
export work REPO JAR SMALL_FLAGS R_ONCE R_ANSIBLE R_PUPPET PY
export PUPPET_DIRS_S="${PUPPET_DIRS[*]}"
# the functions run under the wrapper in a bash of their own (arrays do not export)
# shellcheck disable=SC2016 # expanded by that bash
run_fn() { measure "$1" bash -c 'read -r -a small <<< "$SMALL_FLAGS"; read -r -a PUPPET_DIRS <<< "$PUPPET_DIRS_S"; "$@"' _ "${@:2}"; }

# ---------------------------------------------------------------- per tool: first apply, no-change runs, change runs
echo "== $RUNS runs per tool and cycle" >&2
git clone -q "$REPO" "$work/puppet-checkout"
git clone -q "$REPO" "$work/git-checkout"
echo "   the first apply of each tool, side by side (not measured)" >&2
pids=()
for f in voltis_once puppet_apply ansible_pull; do "$f" > "$work/$f.first.log" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || { echo "a first apply failed:" >&2; tail -n 5 "$work"/*.first.log >&2; exit 1; }; done
check voltis-once "$R_ONCE" no-service
check puppet "$R_PUPPET"
check ansible-pull "$R_ANSIBLE"
n=0
# tool NAME ROOT CMD...: RUNS no-change runs, RUNS change runs (commit + run), each checked
tool() {
  local name=$1 root=$2 i
  shift 2
  echo "   $name" >&2
  for ((i = 1; i <= RUNS; i++)); do
    run_fn "$name.nochange" "$@"
    [ "$root" = - ] || check "$name" "$root" "${SERVICE_CHECK:-}"
  done
  for ((i = 1; i <= RUNS; i++)); do
    n=$((n + 1))
    commit_greeting "hello-$n"
    run_fn "$name.change" "$@"
    [ "$root" = - ] || check "$name" "$root" "${SERVICE_CHECK:-}"
  done
}
for ((i = 1; i <= RUNS; i++)); do measure git-ls-remote git ls-remote "$REPO"; done
git_pull
tool git-pull - git_pull
# --once stops its services when it exits (they are its children), so none runs after it
SERVICE_CHECK=no-service tool voltis-once "$R_ONCE" voltis_once
tool puppet "$R_PUPPET" puppet_apply
tool ansible-pull "$R_ANSIBLE" ansible_pull
for ((i = 1; i <= RUNS; i++)); do run_fn ansible-pull-oic.nochange ansible_pull --only-if-changed; check ansible "$R_ANSIBLE"; done

# ---------------------------------------------------------------- the daemon
echo "   voltis daemon: $RUNS idle windows of ${WINDOW_S}s, then $RUNS pushes" >&2
java "${small[@]}" -jar "$JAR" run --repo "$REPO" --hostname peers --state-dir "$work/voltis-daemon" \
  --root "$R_DAEMON" --runtime process --listen 127.0.0.1:0 --interval "${DAEMON_INTERVAL}s" --stop-grace 3s > "$work/daemon.log" 2>&1 &
daemon_pid=$!
# wait_until TIMEOUT_S COMMAND...: every 10 ms; sets NOW when it holds
wait_until() {
  local deadline=$((${EPOCHREALTIME/./} + $1 * 1000000))
  shift
  until "$@"; do
    kill -0 "$daemon_pid" 2> /dev/null || { echo "the daemon stopped; its log:" >&2; tail -20 "$work/daemon.log" >&2; exit 1; }
    ((${EPOCHREALTIME/./} < deadline)) || { echo "timed out waiting for: $*; daemon log:" >&2; tail -20 "$work/daemon.log" >&2; exit 1; }
    nap 0.01
  done
  now
}
daemon_up() { applied "$R_DAEMON" && [ "$(heartbeats "$R_DAEMON")" = 1 ] && [ -s "$work/voltis-daemon/api" ]; }
wait_until 120 daemon_up
api=$(< "$work/voltis-daemon/api")
api=${api#http://}
# polls: the daemon's voltis_polls_total, all results (bash's /dev/tcp: no fork)
polls() {
  local line sum=0 v
  exec 8<> "/dev/tcp/${api%:*}/${api##*:}"
  printf 'GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n' "$api" >&8
  while IFS= read -r line; do
    if [[ $line == voltis_polls_total* ]]; then v=${line##* }; sum=$((sum + ${v%.*})); fi
  done <&8
  exec 8<&-
  echo "$sum"
}
nap "$SETTLE_S"
for ((i = 1; i <= RUNS; i++)); do
  c0=$(cpu_ticks "$daemon_pid") p0=$(polls)
  nap "$WINDOW_S"
  c1=$(cpu_ticks "$daemon_pid") p1=$(polls)
  echo "$((c1 - c0)) $((p1 - p0))" >> "$work/daemon.windows"
done
# as the other rows: wall (none), CPU per poll in µs, RSS of the JVM, PSS of the JVM + its service
pss=$(($(tree_pss "$daemon_pid") + $(awk '$1 == "Pss:" {print $2}' "/proc/$daemon_pid/smaps_rollup")))
awk -v hz="$CLK_TCK" -v rss="$(status_kb "$daemon_pid" VmRSS)" -v pss="$pss" \
  '$2 > 0 {printf "- %d %d %d\n", $1 * 1e6 / hz / $2, rss, pss}' "$work/daemon.windows" > "$work/voltis-daemon.nochange.txt"
for ((i = 1; i <= RUNS; i++)); do
  nap "$(awk -v r=$RANDOM -v s="$DAEMON_INTERVAL" 'BEGIN {printf "%.3f", r / 32768 * s}')"   # a random point of the poll cycle
  n=$((n + 1))
  c0=$(cpu_ticks "$daemon_pid")
  commit_greeting "hello-$n"
  now; t0=$NOW
  wait_until 30 applied "$R_DAEMON"
  c1=$(cpu_ticks "$daemon_pid")
  echo "$((NOW - t0)) $(((c1 - c0) * 1000000 / CLK_TCK)) $(status_kb "$daemon_pid" VmHWM) -" >> "$work/voltis-daemon.change.txt"
  fetched=$(stat -c %.6Y "$work/voltis-daemon/mirror/FETCH_HEAD")
  echo "$((NOW - ${fetched/./})) - - -" >> "$work/voltis-daemon.cycle.txt"
done
check voltis-daemon "$R_DAEMON"

# ---------------------------------------------------------------- the report
# stats NAME COL: "median min max" of a column of $work/NAME.txt ("-" when it has none; a tree PSS
# of 0 is a run shorter than the first sample)
stats() {
  cut -d' ' -f"$2" "$work/$1.txt" | grep -v -e '^-$' -e "^0$([ "$2" = 4 ] || echo x)$" | sort -n |
    awk '{a[NR] = $1} END {if (!NR) {print "- - -"; exit}
         printf "%d %d %d\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR]}'
}
med() { stats "$1" "$2" | cut -d' ' -f1; }
# fmt_ms MEDIAN MIN MAX (µs) -> "12.3 ms [11.0–14.2]"; fmt_mib for KB
fmt_ms() { awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN {if (m == "-") {print "—"; exit}
  f = (m >= 100000) ? "%.0f" : "%.1f"; printf f " ms [" f "–" f "]\n", m / 1000, a / 1000, b / 1000}'; }
fmt_mib() { awk -v k="$1" 'BEGIN {if (k == "-") print "—"; else printf "%.1f MiB\n", k / 1024}'; }
# ratio A B -> "0.043 (1/23)" or "2.10×"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || !b || !a) {print "—"; exit}
  r = a / b; if (r < 0.5) printf "%.3f (1/%.0f)\n", r, 1 / r; else printf "%.2f×\n", r}'; }
# target LABEL A B LIMIT [SUMMARY]: A/B against "at most LIMIT" (a fraction); with SUMMARY, also a
# row of the harness summary (bench/lib.sh)
target() {
  local line
  line=$(awk -v l="$1" -v a="$2" -v b="$3" -v t="$4" 'BEGIN {
    if (a == "-" || b == "-" || !b) {printf "- %s: not measured\tnot measured\t—\t—\tnot measured\n", l; exit}
    r = a / b; lim = (t < 1) ? sprintf("1/%.0f", 1 / t) : sprintf("%g×", t)
    m = sprintf("%.3f%s", r, (r < 0.5) ? sprintf(" (1/%.0f)", 1 / r) : "")
    vs = sprintf("%.1f ms vs %.1f ms", a / 1000, b / 1000)
    if (r <= t) printf "- %s: **%.3f** (target ≤ %s) — met, with %.1f× to spare\t%s\t%s\t≤ %s\tmet\n", l, r, lim, t / r, m, vs, lim
    else printf "- %s: **%.3f** (target ≤ %s) — missed by %.1f× (%.1f ms, needs ≤ %.1f ms)\t%s\t%s\t≤ %s\tmissed: %.1f× over\n", l, r, lim, r / t, a / 1000, b * t / 1000, m, vs, lim, r / t}')
  echo "${line%%$'\t'*}"
  if [ -n "${5:-}" ]; then
    IFS=$'\t' read -r _ measured against limit verdict <<< "$line"
    summary_row "$1" "$measured" "$against" "$limit" "$verdict"
  fi
}

rows=(voltis-once.nochange "Voltis \`run --once\`" "no change"
  voltis-daemon.nochange "Voltis daemon, per poll (--interval ${DAEMON_INTERVAL}s)" "no change"
  ansible-pull.nochange "\`ansible-pull\`" "no change"
  ansible-pull-oic.nochange "\`ansible-pull --only-if-changed\`" "no change"
  puppet.nochange "\`git pull\` + \`puppet apply\`" "no change"
  git-ls-remote "\`git ls-remote\` (floor)" "no change"
  voltis-once.change "Voltis \`run --once\`" "change"
  voltis-daemon.change "Voltis daemon, push → applied (--interval ${DAEMON_INTERVAL}s)" "change"
  voltis-daemon.cycle "Voltis daemon, its poll fetched → applied" "change"
  ansible-pull.change "\`ansible-pull\`" "change"
  puppet.change "\`git pull\` + \`puppet apply\`" "change"
  git-pull.change "\`git pull\` (floor)" "change")
# shellcheck disable=SC2046 # the three numbers of stats
report() {
  local i w c
  echo "# Voltis against ansible-pull, Puppet and git ($(date -u +%F), bench/peers.sh)"
  echo
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); RUNS=$RUNS per tool and cycle$([ "$SMOKE" = 1 ] && echo ", SMOKE=1 (too few runs to quote)")."
  echo "Versions: $(java -version 2>&1 | head -1); $(voltis_version); $(ansible --version | head -1); puppet $(puppet --version); facter $(facter --version 2> /dev/null | cut -d' ' -f1); $(git --version)."
  echo
  echo "One workload for every tool, from one file:// repo: 3 files templated with one variable, 1 long-running"
  echo "service (a shell loop). Wall and CPU (user+sys of the process and the children it waited for, wait4)"
  echo "are the median [min–max] of the runs; peak RSS is the largest single process (ru_maxrss, GNU time's %M);"
  echo "tree PSS is the peak of the summed PSS of the whole process tree, sampled every 50 ms (— under ~50 ms)."
  echo "The daemon's no-change CPU is its whole CPU (utime+stime) over ${WINDOW_S}s idle windows divided by the"
  echo "polls it counted (reconcile ticks included); its RSS is the resident JVM's, all the time, not a peak."
  echo
  echo "| tool | cycle | wall | CPU | peak RSS (largest process) | tree PSS peak |"
  echo "|---|---|---|---|---|---|"
  for ((i = 0; i < ${#rows[@]}; i += 3)); do
    echo "| ${rows[i + 1]} | ${rows[i + 2]} | $(fmt_ms $(stats "${rows[i]}" 1)) | $(fmt_ms $(stats "${rows[i]}" 2)) | $(fmt_mib "$(med "${rows[i]}" 3)") | $(fmt_mib "$(med "${rows[i]}" 4)") |"
  done
  echo
  echo "Ratios Voltis / peer (medians):"
  echo
  echo "| Voltis figure | / ansible-pull | / ansible-pull --only-if-changed | / git pull + puppet apply | / git floor |"
  echo "|---|---|---|---|---|"
  for w in "voltis-once.nochange 2 CPU, \`run --once\`, no change" "voltis-daemon.nochange 2 CPU per daemon poll, no change" \
    "voltis-once.nochange 1 wall, \`run --once\`, no change" "voltis-once.nochange 3 peak RSS, \`run --once\`, no change" \
    "voltis-once.change 1 wall, \`run --once\`, change" "voltis-daemon.change 1 wall, daemon push → applied, change" \
    "voltis-once.change 2 CPU, \`run --once\`, change" "voltis-daemon.change 2 CPU, daemon push → applied, change"; do
    read -r s c label <<< "$w"
    cyc=${s#*.}
    floor=git-ls-remote; [ "$cyc" = change ] && floor=git-pull.change
    oic=-; [ "$cyc" = nochange ] && oic=$(med ansible-pull-oic.nochange "$c")
    echo "| $label | $(ratio "$(med "$s" "$c")" "$(med "ansible-pull.$cyc" "$c")") | $(ratio "$(med "$s" "$c")" "$oic") | $(ratio "$(med "$s" "$c")" "$(med "puppet.$cyc" "$c")") | $(ratio "$(med "$s" "$c")" "$(med "$floor" "$c")") |"
  done
  echo
  echo "Targets (figures, not pass/fail):"
  echo
  target "no-change CPU, daemon poll / ansible-pull" "$(med voltis-daemon.nochange 2)" "$(med ansible-pull.nochange 2)" 0.05 summary
  target "no-change CPU, \`run --once\` / ansible-pull" "$(med voltis-once.nochange 2)" "$(med ansible-pull.nochange 2)" 0.05 summary
  target "no-change CPU, daemon poll / \`git ls-remote\`" "$(med voltis-daemon.nochange 2)" "$(med git-ls-remote 2)" 2 summary
  target "no-change CPU, \`run --once\` / \`git ls-remote\`" "$(med voltis-once.nochange 2)" "$(med git-ls-remote 2)" 2 summary
  target "change wall, daemon push → applied (--interval ${DAEMON_INTERVAL}s) / ansible-pull" "$(med voltis-daemon.change 1)" "$(med ansible-pull.change 1)" 0.2 summary
  target "change wall, daemon's poll fetched → applied / ansible-pull" "$(med voltis-daemon.cycle 1)" "$(med ansible-pull.change 1)" 0.2
  target "change wall, \`run --once\` / ansible-pull" "$(med voltis-once.change 1)" "$(med ansible-pull.change 1)" 0.2 summary
  echo
  echo "The daemon's push → applied includes the wait for its next poll (--interval ${DAEMON_INTERVAL}s: half an interval on"
  echo "average); 'its poll fetched → applied' leaves that wait and the poll's ls-remote + fetch out (the fetch ends"
  echo "when FETCH_HEAD is written), so it is the daemon's own cycle after it saw the commit, shown for where the time goes."
  echo
  echo "Not equivalent: \`run --once\` with \`--runtime process\` starts the service and stops it again when the"
  echo "JVM exits (services are the agent's children), so each --once cycle includes a start and a stop of the"
  echo "service, while ansible and Puppet leave theirs running. The daemon keeps its service running like them,"
  echo "but restarts it with every new revision (a service runs in the revision's folder); the peers never do."
  echo "ansible runs with gather_facts: false; Puppet always runs Facter. No tool manages a systemd unit."
  echo
  echo "Raw (wall µs, CPU µs, largest RSS KB, tree PSS KB, one line per run):"
  echo
  for ((i = 0; i < ${#rows[@]}; i += 3)); do echo "    ${rows[i]}: $(tr '\n' ' ' < "$work/${rows[i]}.txt")"; done
  echo "    daemon windows (CPU ticks at ${CLK_TCK} Hz, polls): $(tr '\n' ',' < "$work/daemon.windows")"
}
voltis_version() { java -jar "$JAR" --version 2> /dev/null | head -1 || echo "voltis-agent ?"; }
mkdir -p bench/results
suffix=; [ "$SMOKE" = 1 ] && suffix=-smoke
out=bench/results/peers-$(date -u +%F)$suffix.md
report | tee "$out"
echo "(written to $out)" >&2

# Shared by the bench/ scripts (sourced, not run).

# need_tools COMMAND:PACKAGE...: installs with apt-get the Debian packages whose command is missing
# (a fresh Debian machine has none of them; apt-get needs root and the package index).
need_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "${tool%%:*}" > /dev/null 2>&1 || missing+=("${tool#*:}")
  done
  ((${#missing[@]})) || return 0
  echo "== installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q "${missing[@]}" > /dev/null 2>&1; then
    apt-get update -qq > /dev/null && apt-get install -y -q "${missing[@]}" > /dev/null
  fi
}

# sync_classpath: installs model and sync (tests skipped) and sets CP to sync's classes, test
# classes (the bench programs) and dependencies, for `java -cp "$CP" io.voltis.sync.bench.…`
sync_classpath() {
  local cp_file
  mvn -B -q -DskipTests -DskipITs install -pl sync -am >/dev/null
  cp_file=$(mktemp)
  mvn -B -q dependency:build-classpath -pl sync -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
  CP="sync/target/classes:sync/target/test-classes:$(cat "$cp_file")"
  rm -f "$cp_file"
}

# summary_row FIGURE MEASURED AGAINST TARGET VERDICT: one row of the harness's summary table
# (bench/run.sh collects them into bench/results/<date>.md and docs/performance.md). A no-op
# unless BENCH_SUMMARY names a file, so every script still runs on its own.
#   AGAINST: the baseline measured in the same run and the ratio to it ("—" when none)
#   VERDICT: "met", "missed: <by how much>", or "—" when the figure has no target
summary_row() {
  [ -n "${BENCH_SUMMARY:-}" ] || return 0
  local part=${BENCH_PART:-$(basename "$0" .sh)}
  printf '| %s | %s | %s | %s | %s | %s |\n' "$part" "$1" "$2" "$3" "$4" "$5" >> "$BENCH_SUMMARY"
}

# nmt_summary FILE: the categories of `jcmd <pid> VM.native_memory summary` of 256 KB and more,
# committed, largest first (with classes, metaspace used and threads where NMT gives them)
nmt_summary() {
  awk '
    function kb(key,   v) { if (!match($0, key "=[0-9]+KB")) return 0; v = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", v); return v + 0 }
    /^Total: / {printf "    NMT total committed %d KB\n", kb("committed"); fflush()}
    /^-  *[A-Za-z]/ { cat=$0; sub(/^- */, "", cat); sub(/ *\(reserved.*/, "", cat); c[cat]=kb("committed") }
    /\(classes #/ {match($0, /#[0-9]+/); classes=substr($0, RSTART + 1, RLENGTH - 1)}
    /\(thread #/ {match($0, /#[0-9]+/); threads=substr($0, RSTART + 1, RLENGTH - 1)}
    /\(stack: / {stack=kb("committed")}
    /Metadata:/ {m=1} /Class space:/ {m=2}
    /\(    used=/ {if (m == 1) meta=kb("used"); else if (m == 2) cspace=kb("used")}
    END {
      for (k in c) {
        if (c[k] < 256) continue
        x = ""
        if (k == "Class") x = " (" classes " classes; class space used " cspace " KB)"
        if (k == "Metaspace") x = " (metadata used " meta " KB)"
        if (k == "Thread") x = " (" threads " threads; stacks " stack " KB committed)"
        printf "    %7d KB  %s%s\n", c[k], k, x | "sort -rn"
      }
    }' "$1"
}

# ---- /proc readers shared by the scripts (no fork where bash can do without)

# nap SECONDS: sleeps without forking; needs fd 9 open on a FIFO nothing writes (nap_open DIR)
nap_open() { rm -f "$1/nap.fifo"; mkfifo "$1/nap.fifo"; exec 9<> "$1/nap.fifo"; }
nap() { read -r -t "$1" -u 9 _ || true; }

# now: sets NOW to the wall clock in µs (CLOCK_REALTIME), without forking
now() { NOW=${EPOCHREALTIME/./}; }

# alive PID: the process exists and is not a zombie (a killed child not yet reaped is not alive)
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# cpu_ticks PID: user + system CPU time of PID in clock ticks
cpu_ticks() { local s; s=$(< "/proc/$1/stat"); s=${s##*) }; read -r -a f <<< "$s"; echo $((f[11] + f[12])); }

# status_kb PID KEY: a kB figure of /proc/PID/status (VmRSS, VmHWM, RssAnon...); 0 when absent
status_kb() { local k v _; while read -r k v _; do [ "$k" = "$2:" ] && { echo "$v"; return; }; done < "/proc/$1/status"; echo 0; }

# rss_kb PID: resident set size in kB
rss_kb() { status_kb "$1" VmRSS; }

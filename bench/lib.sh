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

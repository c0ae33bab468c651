#!/bin/sh
# Checks the voltis-agent .deb as a device would get it:
#  1. contents: every file the package promises is there, root-owned, with its mode; the
#     conffile, maintainer scripts and control fields; a man page for every subcommand;
#  2. lintian finds no error and no warning (the overrides are in src/deb/lintian/);
#  3. the unpacked launcher starts the unpacked jar (`voltis-agent version`, exit 0), every man
#     page renders without a warning, and (where the tools exist) shellcheck and
#     `systemd-analyze verify` find nothing.
# Usage: check-deb.sh [--require-tools=true|false] DEB|DIR  (DIR: the newest voltis-agent_*_all.deb in it)
# Without dpkg-deb, lintian or man it says so and skips, with exit 0, unless --require-tools=true
# (mvn -Dvoltis.requireDebTools=true), which makes that a failure.
set -eu

require=false
case ${1:-} in
    --require-tools=*) require=${1#--require-tools=}; shift ;;
esac
if [ $# -ne 1 ]; then
    echo "usage: check-deb.sh [--require-tools=true|false] DEB|DIR" >&2
    exit 2
fi
deb=$1
if [ -d "$deb" ]; then
    # shellcheck disable=SC2012 # names are ours: voltis-agent_<version>_all.deb
    deb=$(ls -t "$deb"/voltis-agent_*_all.deb 2>/dev/null | head -n 1)
fi
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    echo "check-deb.sh: no voltis-agent_*_all.deb at $1: build it with mvn -B -DskipTests package" >&2
    exit 1
fi

missing=
for tool in dpkg-deb lintian man; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    if [ "$require" = true ]; then
        echo "check-deb.sh: cannot check $deb: missing$missing (apt-get install dpkg lintian man-db)" >&2
        exit 1
    fi
    echo "check-deb.sh: SKIPPED: missing$missing, so $deb is not checked (apt-get install dpkg lintian man-db;"
    echo "check-deb.sh: -Dvoltis.requireDebTools=true makes this a failure)"
    exit 0
fi

problems=0
fail() {
    echo "check-deb.sh: FAIL: $*" >&2
    problems=$((problems + 1))
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "check-deb.sh: checking $deb"

# 1. Contents: each line of `dpkg-deb -c` is "MODE OWNER/GROUP SIZE DATE TIME ./PATH".
dpkg-deb -c "$deb" > "$work/contents"
expect() { # PATH MODE
    line=$(awk -v p=".$1" '$6 == p' "$work/contents")
    if [ -z "$line" ]; then
        fail "$1 is not in the package"
        return
    fi
    set -- "$1" "$2" "$(echo "$line" | awk '{print $1}')" "$(echo "$line" | awk '{print $2}')"
    [ "$3" = "$2" ] || fail "$1 has mode $3, expected $2"
    [ "$4" = root/root ] || fail "$1 is owned by $4, expected root/root"
}
expect /usr/bin/voltis-agent -rwxr-xr-x
expect /usr/share/voltis-agent/voltis-agent.jar -rw-r--r--
expect /lib/systemd/system/voltis-agent.service -rw-r--r--
expect /etc/voltis/agent.yaml -rw-r--r--
expect /usr/share/bash-completion/completions/voltis-agent -rw-r--r--
expect /usr/share/man/man1/voltis-agent.1.gz -rw-r--r--
expect /usr/share/man/man1/voltis-agent-run.1.gz -rw-r--r--
expect /usr/share/doc/voltis-agent/copyright -rw-r--r--
expect /usr/share/doc/voltis-agent/changelog.gz -rw-r--r--
expect /usr/share/voltis-agent/examples/repo-layout/devices/demo.yaml -rw-r--r--
expect /usr/share/voltis-agent/examples/repo-layout/workloads/hello-web/workload.yaml -rw-r--r--
awk '$2 != "root/root" {print "check-deb.sh: FAIL: " $6 " is owned by " $2}' "$work/contents" >&2
if awk '$2 != "root/root" {found = 1} END {exit !found}' "$work/contents"; then
    problems=$((problems + 1))
fi

dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
    if [ ! -f "$work/control/$script" ]; then
        fail "no $script maintainer script"
    elif [ "$(stat -c %a "$work/control/$script")" != 755 ]; then
        fail "maintainer script $script has mode $(stat -c %a "$work/control/$script"), expected 755"
    fi
done
grep -qx /etc/voltis/agent.yaml "$work/control/conffiles" 2>/dev/null \
    || fail "/etc/voltis/agent.yaml is not a conffile"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = voltis-agent ] || fail "Package is '$(field Package)', expected voltis-agent"
[ "$(field Architecture)" = all ] || fail "Architecture is '$(field Architecture)', expected all"
[ "$(field Section)" = admin ] || fail "Section is '$(field Section)', expected admin"
case $(field Depends) in
    *default-jre-headless*java17-runtime-headless*) ;;
    *) fail "Depends is '$(field Depends)', expected a Java 17 runtime" ;;
esac
case $(field Depends) in
    *git*) fail "Depends names git, which the agent does not need (JGit)" ;;
esac
version=$(field Version)

dpkg-deb -x "$deb" "$work/root"
changelog_version=$(gzip -dc "$work/root/usr/share/doc/voltis-agent/changelog.gz" | sed -n '1s/^voltis-agent (\([^)]*\)).*/\1/p')
[ "$changelog_version" = "$version" ] \
    || fail "changelog.gz is for version '$changelog_version', the package is $version"

# 3. The launcher, run from the unpacked package on the unpacked jar.
jar=$work/root/usr/share/voltis-agent/voltis-agent.jar
if out=$(VOLTIS_JAR=$jar "$work/root/usr/bin/voltis-agent" version 2>&1); then
    case $out in
        "voltis-agent "*) echo "check-deb.sh: the launcher runs: $out" ;;
        *) fail "voltis-agent version printed '$out'" ;;
    esac
else
    fail "voltis-agent version failed: $out"
fi

# A man page for every subcommand the command line has (its --help lists them under Commands:).
commands=$(VOLTIS_JAR=$jar "$work/root/usr/bin/voltis-agent" --help 2>/dev/null \
    | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || fail "voltis-agent --help lists no commands"
for command in $commands; do
    [ -f "$work/root/usr/share/man/man1/voltis-agent-$command.1.gz" ] || fail "no man page for 'voltis-agent $command'"
done

pages=0
for page in "$work"/root/usr/share/man/man1/*.1.gz; do
    name=$(basename "$page" .1.gz)
    pages=$((pages + 1))
    if ! MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" > "$work/page.txt" 2> "$work/page.err"; then
        fail "man -l $name.1.gz failed: $(head -n 3 "$work/page.err")"
    elif [ -s "$work/page.err" ]; then
        fail "man -l $name.1.gz warns: $(head -n 3 "$work/page.err")"
    elif ! grep -q "$name" "$work/page.txt"; then
        fail "man -l $name.1.gz does not name $name"
    fi
done
echo "check-deb.sh: $(echo "$commands" | wc -w) commands, $pages man pages checked"

if command -v shellcheck >/dev/null 2>&1; then
    shellcheck -s sh "$work/root/usr/bin/voltis-agent" "$work/control/postinst" "$work/control/prerm" \
        "$work/control/postrm" || fail "shellcheck finds problems in the launcher or maintainer scripts"
else
    echo "check-deb.sh: shellcheck is not installed: the scripts are not linted"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
    # Offline, on a copy whose ExecStart is the unpacked launcher (verify wants it to exist). It
    # exits 0 even for an unknown key, so any output is a finding.
    mkdir "$work/unit"
    sed "s#/usr/bin/voltis-agent#$work/root/usr/bin/voltis-agent#" \
        "$work/root/lib/systemd/system/voltis-agent.service" > "$work/unit/voltis-agent.service"
    if ! systemd-analyze verify --man=no "$work/unit/voltis-agent.service" > "$work/verify" 2>&1 \
        || [ -s "$work/verify" ]; then
        fail "systemd-analyze verify voltis-agent.service: $(cat "$work/verify")"
    fi
else
    echo "check-deb.sh: systemd-analyze is not installed: the unit is not verified"
fi

# 2. lintian: no error, no warning.
if ! lintian --fail-on error,warning "$deb"; then
    fail "lintian reports errors or warnings (above)"
fi

if [ "$problems" -gt 0 ]; then
    echo "check-deb.sh: $problems problem(s) in $deb" >&2
    exit 1
fi
echo "check-deb.sh: OK: $deb ($version)"

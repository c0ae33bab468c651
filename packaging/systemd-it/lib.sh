# shellcheck shell=bash
# Helpers of the real-systemd harness (packaging/systemd-it/run.sh): the Debian tree, booting it
# with systemd-nspawn, running commands inside, and the pass/fail bookkeeping.
#
# NOTE: docs/testing-systemd.md describes what these do and what each costs.

PASSED=0
FAILED=0
FAILURES=()

say() { printf 'systemd-it: %s\n' "$*"; }

# pass NAME / fail NAME WHY: one line each, counted for the closing line.
pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1))
    FAILURES+=("$1")
    printf 'FAIL %s: %s\n' "$1" "$2"
}

# The Debian mirror this machine's apt uses (deb822 or one-line sources), for debootstrap.
debian_mirror() {
    local m
    m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' |
        grep -E '/debian/?$' | head -n1)
    if [ -z "$m" ]; then
        m=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' | grep -E '/debian/?$' | head -n1)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

# Packages of the tree: systemd as PID 1, D-Bus for systemctl, a JRE the .deb depends on, and
# curl and jq to read the agent's answers from inside.
TREE_PACKAGES=systemd,systemd-sysv,dbus,iproute2,procps,ca-certificates,openjdk-17-jre-headless,curl,jq
TREE_SUITE=bookworm

# Makes (once) and prints the cached Debian tree; every run copies it, so the cache stays clean.
cached_tree() {
    local cache=$1 key tree
    key=$(printf '%s %s' "$TREE_SUITE" "$TREE_PACKAGES" | sha256sum | cut -c1-12)
    tree=$cache/$TREE_SUITE-$key
    if [ -f "$tree/.voltis-complete" ]; then
        echo "$tree"
        return 0
    fi
    mkdir -p "$cache"
    rm -rf "$tree.partial"
    say "building the Debian tree $tree (debootstrap, about a minute)" >&2
    if ! debootstrap --variant=minbase --include="$TREE_PACKAGES" "$TREE_SUITE" "$tree.partial" \
        "$(debian_mirror)" >"$cache/debootstrap.log" 2>&1; then
        tail -n 20 "$cache/debootstrap.log" >&2
        return 1
    fi
    # No getty or resolved waiting for devices and networks a container does not have.
    chroot "$tree.partial" systemctl mask console-getty.service getty@tty1.service \
        systemd-networkd-wait-online.service >/dev/null 2>&1 || true
    touch "$tree.partial/.voltis-complete"
    rm -rf "$tree"
    mv "$tree.partial" "$tree"
    echo "$tree"
}

# boot ROOT SHARE: boots ROOT with systemd as PID 1, SHARE bind-mounted at /srv/it, and sets
# LEADER (the container's PID 1 as the host sees it) and NSPAWN_PID.
boot() {
    local root=$1 share=$2 i child
    systemd-nspawn --quiet --directory="$root" --boot --keep-unit --register=no --private-network \
        --machine="$MACHINE" --hostname="$MACHINE" --console=passive --bind="$share:/srv/it" \
        >>"$WORK/console.log" 2>&1 &
    NSPAWN_PID=$!
    LEADER=
    for i in $(seq 1 100); do
        for child in $(pgrep -P "$NSPAWN_PID" 2>/dev/null); do
            if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ]; then
                LEADER=$child
            fi
        done
        [ -n "$LEADER" ] && break
        kill -0 "$NSPAWN_PID" 2>/dev/null || break
        sleep 0.2
    done
    if [ -z "$LEADER" ]; then
        say "systemd-nspawn did not start systemd; its output:" >&2
        tail -n 30 "$WORK/console.log" >&2
        return 1
    fi
    local state=
    for i in $(seq 1 120); do
        state=$(inside systemctl is-system-running 2>/dev/null || true)
        case $state in
            running | degraded) return 0 ;;
        esac
        sleep 0.5
    done
    say "systemd in the container did not finish booting (is-system-running: $state)" >&2
    return 1
}

# Runs a command inside the container, with a plain environment.
inside() {
    nsenter -t "$LEADER" -a -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@"
}

# Powers the container off and waits for nspawn to end.
shutdown_container() {
    [ -n "${NSPAWN_PID:-}" ] || return 0
    if kill -0 "$NSPAWN_PID" 2>/dev/null; then
        inside systemctl poweroff >/dev/null 2>&1 || kill -TERM "$NSPAWN_PID" 2>/dev/null
        local i
        for i in $(seq 1 60); do
            kill -0 "$NSPAWN_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    fi
    wait "$NSPAWN_PID" 2>/dev/null || true
    NSPAWN_PID=
}

# wait_for SECONDS COMMAND…: runs COMMAND every half second until it succeeds; fails after SECONDS.
wait_for() {
    local seconds=$1 deadline
    shift
    deadline=$((SECONDS + seconds))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    "$@" >/dev/null 2>&1
}

# The agent's status as JSON, through the CLI inside the container (the API on its loopback).
status_json() { inside voltis-agent status -o json 2>/dev/null; }

# jq over the current status: status_is FILTER succeeds when FILTER is true.
status_is() { status_json | jq -e "$1" >/dev/null; }

unit_prop() { inside systemctl show -p "$2" --value "$1"; }

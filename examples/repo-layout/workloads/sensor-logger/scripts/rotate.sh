#!/bin/sh
# sensor-logger job "rotate" (hourly): readings.log -> readings.log.1 -> ... -> .N,
# keeping N = $KEEP_ROTATIONS old files (default 3). The sensor opens the file for
# each line it appends, so after the move it starts a fresh readings.log by itself.
set -eu
: "${VOLTIS_ROOT:?VOLTIS_ROOT is not set}"
keep="${KEEP_ROTATIONS:-3}"
case "$keep" in
  '' | *[!0-9]*) echo "rotate: KEEP_ROTATIONS must be a positive number, got '$keep'" >&2; exit 2 ;;
esac
if [ "$keep" -lt 1 ]; then
  echo "rotate: KEEP_ROTATIONS must be at least 1" >&2
  exit 2
fi

log="$VOLTIS_ROOT/var/lib/sensor-logger/readings.log"
if [ ! -s "$log" ]; then
  echo "rotate: nothing to rotate ($log is missing or empty)"
  exit 0
fi
rm -f "$log.$keep"
i=$keep
while [ "$i" -gt 1 ]; do
  prev=$((i - 1))
  if [ -f "$log.$prev" ]; then
    mv -f "$log.$prev" "$log.$i"
  fi
  i=$prev
done
mv -f "$log" "$log.1"
echo "rotate: moved $log to $log.1 (keeping $keep old files)"

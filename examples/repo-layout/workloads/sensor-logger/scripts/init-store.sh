#!/bin/sh
# sensor-logger job "init-store" (once): creates the data directory for the readings
# under $VOLTIS_ROOT and marks when the store was first set up. Safe to run again.
set -eu
: "${VOLTIS_ROOT:?VOLTIS_ROOT is not set}"

dir="$VOLTIS_ROOT/var/lib/sensor-logger"
mkdir -p "$dir"
if [ ! -f "$dir/created-at" ]; then
  date -u '+%Y-%m-%dT%H:%M:%SZ' > "$dir/created-at"
fi
echo "init-store: data store ready in $dir (created $(cat "$dir/created-at"))"

#!/bin/sh
# hello-web job "prepare" (per-revision): records which revision this device was
# last prepared for, in $VOLTIS_ROOT/var/lib/hello-web/last-revision.
set -eu
: "${VOLTIS_ROOT:?VOLTIS_ROOT is not set}"
: "${VOLTIS_REVISION:?VOLTIS_REVISION is not set}"

dir="$VOLTIS_ROOT/var/lib/hello-web"
mkdir -p "$dir"
# Write then rename, so a reader never sees a half-written file.
printf '%s\n' "$VOLTIS_REVISION" > "$dir/last-revision.tmp"
mv -f "$dir/last-revision.tmp" "$dir/last-revision"
echo "prepare: recorded revision $VOLTIS_REVISION in $dir/last-revision"

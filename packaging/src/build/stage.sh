#!/bin/sh
# Puts the generated parts of the .deb in shape for Debian, in STAGE (target/deb):
# - completion/voltis-agent: without its #! line (a completion file is sourced, not run);
# - man/*.1 -> man/*.1.gz, compressed as Debian wants (gzip -9n: no name, no time stamp);
# - doc/changelog.gz: the Debian changelog of this build.
# Usage: stage.sh STAGE MAVEN_VERSION MAINTAINER
set -eu

stage=$1
version=$2
maintainer=$3

# NOTE: the Debian version jdeb 1.15 gives the package: 0.1.0-SNAPSHOT becomes 0.1.0~snapshot
# (sorts before 0.1.0), 1.0-RC1 becomes 1.0~rc1. check-deb.sh compares it with the package's.
debian_version=$version
case $version in
    *-*) debian_version=${version%%-*}~$(printf '%s' "${version#*-}" | tr '[:upper:]' '[:lower:]') ;;
esac

completion=$stage/completion/voltis-agent
sed '1{/^#!/d;}' "$completion" > "$completion.tmp"
mv "$completion.tmp" "$completion"

pages=0
for page in "$stage"/man/*.1; do
    [ -e "$page" ] || continue
    gzip -9nf "$page"
    pages=$((pages + 1))
done
if [ "$pages" -eq 0 ]; then
    echo "stage.sh: no man pages in $stage/man" >&2
    exit 1
fi

# The changelog's date (RFC 5322): SOURCE_DATE_EPOCH when set (reproducible builds), else now.
# The format is spelled out and both date syntaxes tried, so a macOS build works too.
format='+%a, %d %b %Y %H:%M:%S +0000'
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" "$format" 2>/dev/null \
        || LC_ALL=C date -u -r "$SOURCE_DATE_EPOCH" "$format")
else
    date=$(LC_ALL=C date -u "$format")
fi
mkdir -p "$stage/doc"
cat > "$stage/doc/changelog" <<CHANGELOG
voltis-agent ($debian_version) unstable; urgency=medium

  * Built from Voltis $version; the changes are in its Git history.

 -- $maintainer  $date
CHANGELOG
gzip -9nf "$stage/doc/changelog"
echo "stage.sh: $pages man pages, completion and changelog for $debian_version in $stage"

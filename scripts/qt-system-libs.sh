#!/bin/sh
# Install the Debian libraries Qt needs to run offscreen, where they are missing.
# Runs as root on CI (a fresh Debian); elsewhere it only says what is missing.
set -eu
[ "$(uname -s)" = Linux ] || exit 0
libs="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0 libfreetype.so.6:libfreetype6"
missing=""
for pair in $libs; do
    lib=${pair%%:*}
    pkg=${pair#*:}
    ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $pkg"
done
fc-list 2>/dev/null | grep -q . || missing="$missing fonts-dejavu-core"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing libraries Qt needs:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Qt may not start: missing Debian packages:$missing (install them as root)" >&2
fi

#!/bin/sh
# Debian's nsis (makensis), to compile the Windows installer script on Linux (make dist,
# and the packaging test). Root + apt only; elsewhere the installer is skipped.
set -eu
command -v makensis >/dev/null && exit 0
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's nsis (makensis)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null
else
    echo "makensis not found: the NSIS installer will be skipped (install nsis to build it)"
fi

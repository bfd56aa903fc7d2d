#!/bin/sh
# make dist on Linux: Debian's nsis (makensis) to compile the Windows installer script,
# and the libraries Qt needs offscreen for the frozen self-test. Root + apt only.
set -eu
sh "$(dirname "$0")/qt-system-libs.sh"
command -v makensis >/dev/null && exit 0
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's nsis (makensis)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null
else
    echo "makensis not found: the NSIS installer will be skipped (install nsis to build it)"
fi

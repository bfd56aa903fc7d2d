#!/bin/sh
# Create the virtualenv; on a bare Debian/Ubuntu as root, install python3-venv first.
set -eu
python=$1
venv=$2
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing python3-venv (needed to create $venv)..."
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip >/dev/null
        "$python" -m venv "$venv"
    else
        echo "Cannot create a virtualenv: install python3-venv (Debian/Ubuntu) and retry." >&2
        exit 1
    fi
fi

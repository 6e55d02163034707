#!/usr/bin/env bash
# Install Debian packages by name: `apt-get update`, then `apt-get install -y PACKAGE...`.
# Runs apt-get directly as root, through sudo otherwise. Callers check first whether the
# package is needed (e.g. `test -x /usr/bin/chromium || scripts/apt-install.sh chromium`).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 PACKAGE..." >&2
    exit 2
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "apt-install: need root or sudo to install: $*" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "apt-install: installing Debian packages: $*" >&2
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"

#!/usr/bin/env bash
# Write a secret (mode 600) on first run, unless its environment variable is set.
# marketplace/config.py reads the variable first, then this file.
# usage: scripts/secret-key.sh [PYTHON [FILE [VARIABLE]]]
#   default: instance/secret_key for SECRET_KEY; `make run` also writes
#   instance/payout_gateway_secret for PAYOUT_GATEWAY_SECRET (shared with the sandbox gateway).
set -euo pipefail

python=${1:-python3}
key_file=${2:-instance/secret_key}
variable=${3:-SECRET_KEY}

if [[ -n "${!variable:-}" ]]; then
    exit 0
fi
mkdir -p "$(dirname "$key_file")"
if [[ ! -s $key_file ]]; then
    (
        umask 077
        "$python" -c 'import secrets; print(secrets.token_hex(32))' >"$key_file.tmp"
        mv "$key_file.tmp" "$key_file"
    )
    echo "secret-key: wrote a new $key_file" >&2
fi
chmod 600 "$key_file"

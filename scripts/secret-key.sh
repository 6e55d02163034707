#!/usr/bin/env bash
# Write instance/secret_key (mode 600) on first run, unless SECRET_KEY is set in the
# environment. marketplace/config.py reads SECRET_KEY first, then this file.
# usage: scripts/secret-key.sh [PYTHON]
set -euo pipefail

python=${1:-python3}
key_file=instance/secret_key

if [[ -n "${SECRET_KEY:-}" ]]; then
    exit 0
fi
mkdir -p instance
if [[ ! -s $key_file ]]; then
    (
        umask 077
        "$python" -c 'import secrets; print(secrets.token_hex(32))' >"$key_file.tmp"
        mv "$key_file.tmp" "$key_file"
    )
    echo "secret-key: wrote a new $key_file" >&2
fi
chmod 600 "$key_file"

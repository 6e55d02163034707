#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then stop and delete the cluster.
#
#   scripts/with-postgres.sh COMMAND [ARG...]
#   scripts/with-postgres.sh --bindir        # print the server binaries' folder, or exit 1
#
# The cluster lives in a fresh temporary folder, listens on 127.0.0.1 only (a free port:
# $PG_TEST_PORT, 54329 by default, else one the kernel picks), trusts loopback connections
# and nothing else, and runs with fsync=off. Its superuser is `postgres`. As root the server
# runs as the `postgres` system user (PostgreSQL refuses to run as root); otherwise as the
# current user. The command runs with
#   TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
# and without DATABASE_URL; the script exits with the command's exit code.
#
# Server binaries: $PG_BINDIR, else `pg_config --bindir`, else /usr/lib/postgresql/15/bin
# (Debian's postgresql package).
set -euo pipefail

find_bindir() {
    local candidates=() dir
    [[ -n "${PG_BINDIR:-}" ]] && candidates+=("$PG_BINDIR")
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    candidates+=(/usr/lib/postgresql/15/bin)
    for dir in "${candidates[@]}"; do
        if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

free_port() {
    python3 - "${PG_TEST_PORT:-54329}" <<'PY'
import socket
import sys

def free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return None
        return s.getsockname()[1]

print(free(int(sys.argv[1])) or free(0))
PY
}

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...] | --bindir" >&2
    exit 2
fi
if [[ $1 == --bindir ]]; then
    find_bindir
    exit
fi

if ! bindir=$(find_bindir); then
    echo "with-postgres: no PostgreSQL server binaries (initdb, pg_ctl) found;" \
        "install Debian's postgresql package or set PG_BINDIR" >&2
    exit 2
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/pg-test.XXXXXX")
chmod 700 "$workdir"

if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        rm -rf "$workdir"
        echo "with-postgres: running as root but there is no 'postgres' user to run the server" >&2
        exit 2
    fi
    chown postgres: "$workdir"
    as_pg() {
        if command -v runuser >/dev/null 2>&1; then
            (cd "$workdir" && runuser -u postgres -- "$@")
        else
            (cd "$workdir" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
        fi
    }
else
    as_pg() { (cd "$workdir" && "$@"); }
fi

data=$workdir/data
log=$workdir/server.log

cleanup() {
    if [[ -f $data/postmaster.pid ]]; then
        as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

locale_args=(--no-locale)
if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
    locale_args=(--locale=C.UTF-8)
fi
as_pg "$bindir/initdb" -D "$data" -U postgres -E UTF8 "${locale_args[@]}" \
    --auth=trust >"$workdir/initdb.log" 2>&1 || {
    cat "$workdir/initdb.log" >&2
    exit 1
}

port=$(free_port)
cat >"$data/pg_hba.conf" <<CONF
# Throwaway test cluster: trust the private socket folder and IPv4 loopback, nothing else.
local all all trust
host  all all 127.0.0.1/32 trust
CONF
cat >>"$data/postgresql.conf" <<CONF

# --- scripts/with-postgres.sh: a throwaway cluster for tests ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$workdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$data/pg_hba.conf" "$data/postgresql.conf"
fi

if ! as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi
version=$("$bindir/postgres" --version 2>/dev/null || echo PostgreSQL)
echo "with-postgres: $version on 127.0.0.1:$port (data in $data, removed afterwards)" >&2

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
unset DATABASE_URL

status=0
"$@" || status=$?
exit "$status"

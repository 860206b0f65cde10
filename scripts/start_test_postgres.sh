#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the instruments test suite.
#
# Usage:
#   eval "$(scripts/start_test_postgres.sh)"
#   /work/venv/bin/pytest tests/instruments
#   scripts/start_test_postgres.sh --stop      # stop the server and remove its files
#
# What it does (idempotent: running it again reuses a server that is still up):
#   1. installs PostgreSQL from Debian if no initdb is found (needs root; runs apt-get update first);
#   2. initialises a cluster in a temporary directory (as the `postgres` user when run as root),
#      listening only on 127.0.0.1 on a free port, trust authentication (throwaway, local only);
#   3. creates the database `schouders_test`;
#   4. prints one line on stdout: export SCHOUDERS_TEST_POSTGRES_URL=postgresql+psycopg://...
# Diagnostics go to stderr so that the output can be eval'ed.
set -euo pipefail

STATE_FILE="${SCHOUDERS_TEST_POSTGRES_STATE:-/tmp/schouders-test-postgres.env}"
DB_NAME="schouders_test"

log() { echo "start_test_postgres: $*" >&2; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

as_owner() {
    # Run a PostgreSQL command as the cluster owner (initdb refuses to run as root).
    if [[ "$(id -u)" == "0" ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_server() {
    if [[ -f "$STATE_FILE" ]]; then
        # shellcheck disable=SC1090
        source "$STATE_FILE"
        if [[ -n "${PG_DATA:-}" && -d "$PG_DATA" ]]; then
            as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2 || true
            rm -rf "$PG_BASE"
        fi
        rm -f "$STATE_FILE"
        log "stopped"
    else
        log "no server recorded in $STATE_FILE"
    fi
}

if [[ "${1:-}" == "--stop" ]]; then
    stop_server
    exit 0
fi

# 0. Reuse a running server.
if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    if [[ -n "${PG_BINDIR:-}" ]] && "$PG_BINDIR/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
        log "reusing server on port $PG_PORT (data in $PG_DATA)"
        echo "export SCHOUDERS_TEST_POSTGRES_URL=$PG_URL"
        exit 0
    fi
    log "recorded server is not running; starting a new one"
    rm -f "$STATE_FILE"
fi

# 1. Install when missing.
if ! PG_BINDIR="$(find_bindir)"; then
    if [[ "$(id -u)" != "0" ]]; then
        log "PostgreSQL is not installed and this script is not running as root."
        log "Install it with: sudo apt-get install -y postgresql"
        exit 1
    fi
    log "installing PostgreSQL from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    PG_BINDIR="$(find_bindir)"
fi

# 2. A free port on 127.0.0.1.
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

PG_BASE="$(mktemp -d /tmp/schouders-pg.XXXXXX)"
PG_DATA="$PG_BASE/data"
if [[ "$(id -u)" == "0" ]]; then
    chown postgres: "$PG_BASE"
fi
chmod 700 "$PG_BASE"

log "initdb in $PG_DATA ($PG_BINDIR)"
as_owner "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2 \
    || as_owner "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 >&2

log "starting on 127.0.0.1:$PG_PORT"
as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_BASE/server.log" -w \
    -o "-p $PG_PORT -k $PG_BASE -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" \
    start >&2

# 3. The test database.
"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB_NAME"

PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
cat >"$STATE_FILE" <<EOF
PG_BINDIR=$PG_BINDIR
PG_BASE=$PG_BASE
PG_DATA=$PG_DATA
PG_PORT=$PG_PORT
PG_URL=$PG_URL
EOF
log "ready; stop with: $0 --stop"

# 4. The line to eval.
echo "export SCHOUDERS_TEST_POSTGRES_URL=$PG_URL"

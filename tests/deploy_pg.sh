#!/usr/bin/env bash
# deploy_pg.sh — a throw-away PostgreSQL server for the deploy tests (sourced).
#
#   source tests/deploy_pg.sh
#   pg_start            # sets PG_PORT PG_HOST PG_DB PG_USER PG_PASSFILE PG_CONNINFO
#   pg_psql -c 'select 1'   # psql as the superuser, through the instance's private socket
#   pg_stop             # idempotent; call it from your EXIT trap
#
# The server listens on 127.0.0.1 on a free port and on a Unix socket in its own temp dir;
# TCP logins need a password (scram-sha-256), as in production. The role PG_USER owns the
# database PG_DB; its random password is in PG_PASSFILE (mode 600), which is what cuwatch's
# database.password_file reads. PG_CONNINFO holds no password. As root, the server runs as
# the "postgres" account (initdb refuses root). Returns 77 when PostgreSQL is not installed.
_pg_dir=""
_pg_owner=""

_pg_bindir() {
    local d
    for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
        [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

_pg_as_owner() {
    if [ -n "$_pg_owner" ]; then runuser -u "$_pg_owner" -- "$@"; else "$@"; fi
}

pg_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$_pg_dir" -p "$PG_PORT" -U postgres -d "${PG_DB:-postgres}" "$@"
}

pg_start() {
    local bin pw
    bin=$(_pg_bindir) || { echo "deploy_pg: PostgreSQL server not installed; skipping" >&2; return 77; }
    command -v psql >/dev/null || { echo "deploy_pg: psql not installed; skipping" >&2; return 77; }
    _pg_dir=$(mktemp -d /tmp/cuwatch-pg.XXXXXX)
    chmod 755 "$_pg_dir"
    if [ "$(id -u)" -eq 0 ]; then
        _pg_owner=postgres
        chown postgres: "$_pg_dir"
    fi
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PG_HOST=127.0.0.1
    PG_DB=logsdb
    PG_USER=cuwatch
    PG_PASSFILE=$_pg_dir/db_password
    _pg_as_owner "$bin/initdb" -D "$_pg_dir/data" -U postgres -A trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C >"$_pg_dir/initdb.log" 2>&1 ||
        { cat "$_pg_dir/initdb.log" >&2; return 1; }
    _pg_as_owner "$bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $_pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
        { cat "$_pg_dir/server.log" >&2; return 1; }
    pw=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    (umask 077 && printf '%s\n' "$pw" >"$PG_PASSFILE")
    # The password goes to psql on stdin, never in an argument.
    PG_DB=postgres pg_psql -f - <<SQL
CREATE ROLE $PG_USER LOGIN PASSWORD '$pw';
CREATE DATABASE $PG_DB OWNER $PG_USER;
SQL
    PG_CONNINFO="host=$PG_HOST port=$PG_PORT dbname=$PG_DB user=$PG_USER"
    export PG_PORT PG_HOST PG_DB PG_USER PG_PASSFILE PG_CONNINFO
}

pg_log() {
    [ -n "$_pg_dir" ] && cat "$_pg_dir/server.log" 2>/dev/null || true
}

pg_stop() {
    if [ -n "$_pg_dir" ]; then
        if [ -f "$_pg_dir/data/postmaster.pid" ]; then
            _pg_as_owner "$(_pg_bindir)/pg_ctl" -D "$_pg_dir/data" -m immediate -w stop \
                >/dev/null 2>&1 || true
        fi
        rm -rf "$_pg_dir"
        _pg_dir=""
    fi
}

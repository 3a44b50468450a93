#!/usr/bin/env bash
# pg_harness.sh — a throwaway PostgreSQL 15 cluster for one test, demo or benchmark.
#
# Two ways to use it:
#   tests/pg_harness.sh CMD [ARGS...]   start a cluster, run CMD with PGHOST/PGPORT/PGUSER/
#                                       PGDATABASE exported, stop and remove the cluster,
#                                       exit with CMD's status
#   . tests/pg_harness.sh               (sourced) defines cu_pg_start and cu_pg_stop;
#   cu_pg_start                         starts a cluster, exports the PG* variables and
#                                       CU_PG_DIR, and sets an EXIT trap that calls cu_pg_stop
#                                       (a caller with its own EXIT trap must call cu_pg_stop
#                                       from it)
#
# Each cluster lives in its own mktemp directory with its unix socket inside it and, unless
# CU_PG_TCP=1, no TCP listener at all, so any number of tests can run in parallel. initdb
# refuses to run as root, so as root the cluster belongs to the `postgres` user.
#
# Knobs (environment):
#   CU_PG_TCP=1         also listen on 127.0.0.1 on a free port (PGHOST stays the socket dir)
#   CU_PG_PASSWORD=...  require a password (scram-sha-256) for the superuser; PGPASSWORD is
#                       NOT exported, callers decide how the password is passed
#   CU_PG_DB=name       database to create (default cuwatch)
#   CU_PG_CONF="k=v;k=v" extra postgresql.conf settings (e.g. for the benchmark)

cu_pg_bindir() {
    local d
    for d in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/15/bin \
        /usr/lib/postgresql/*/bin; do
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    echo "pg_harness: no PostgreSQL server binaries (initdb, pg_ctl) found" >&2
    return 1
}

# Runs a command as the cluster's owner.
cu_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cu_pg_start() {
    local bin dir port tries conf pwfile auth=()
    bin=$(cu_pg_bindir) || return 1
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-pg.XXXXXX") || return 1
    CU_PG_DIR=$dir
    export CU_PG_DIR CU_PG_BIN=$bin
    trap cu_pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap 'exit 141' PIPE
    mkdir -p "$dir/data" "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$dir"
        chmod 755 "$dir"
    fi
    if [ -n "${CU_PG_PASSWORD:-}" ]; then
        pwfile=$dir/pw
        printf '%s\n' "$CU_PG_PASSWORD" >"$pwfile"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
        auth=(--auth=scram-sha-256 "--pwfile=$pwfile")
    else
        auth=(--auth=trust)
    fi
    if ! cu_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C -N \
        "${auth[@]}" >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        return 1
    fi
    rm -f "${pwfile:-/nonexistent}"
    {
        echo "unix_socket_directories = '$dir/sock'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 50"
        echo "shared_buffers = 64MB"
        echo "log_min_messages = warning"
        local IFS=';'
        for conf in ${CU_PG_CONF:-}; do echo "$conf"; done
    } | cu_pg_as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    for tries in 1 2 3 4 5 6 7 8; do
        if [ "${CU_PG_TCP:-0}" = 1 ]; then
            port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
            listen=127.0.0.1
        else
            port=5432
            listen=
        fi
        if cu_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -c listen_addresses='$listen'" start >/dev/null 2>&1; then
            break
        fi
        if [ "$tries" = 8 ] || [ "${CU_PG_TCP:-0}" != 1 ]; then
            echo "pg_harness: the server did not start; its log:" >&2
            cat "$dir/server.log" >&2
            return 1
        fi
    done
    export PGHOST=$dir/sock PGPORT=$port PGUSER=postgres PGDATABASE=${CU_PG_DB:-cuwatch}
    export CU_PG_TCP_PORT=$port
    local createdb_env=()
    [ -n "${CU_PG_PASSWORD:-}" ] && createdb_env=(env "PGPASSWORD=$CU_PG_PASSWORD")
    if ! "${createdb_env[@]}" "$bin/createdb" "$PGDATABASE"; then
        echo "pg_harness: createdb $PGDATABASE failed" >&2
        return 1
    fi
}

cu_pg_stop() {
    local dir=${CU_PG_DIR:-}
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        cu_pg_as_owner "${CU_PG_BIN}/pg_ctl" -D "$dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || {
            local pid
            pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null)
            [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
        }
    fi
    rm -rf "$dir"
    CU_PG_DIR=
}

# Executed rather than sourced: run the command under a fresh cluster.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    if [ $# -eq 0 ]; then
        echo "usage: $0 CMD [ARGS...]   (or source it and call cu_pg_start)" >&2
        exit 2
    fi
    cu_pg_start || exit 1
    "$@"
    exit $?
fi

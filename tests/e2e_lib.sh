#!/usr/bin/env bash
# e2e_lib.sh — shared set-up for the daemon's end-to-end tests (sourced, never run).
#
#   e2e_init CUWATCH           a temp dir ($E2E), an upload root ($ROOT), a throwaway
#                              PostgreSQL (tests/pg_harness.sh), a config ($CONF); one EXIT
#                              trap stops everything this test started (daemon, vsftpd, server)
#   e2e_daemon_start           starts cuwatch -c $CONF in the background ($DPID, log $DLOG)
#   e2e_wait_sql SQL WANT MS   polls until the query prints WANT; prints the elapsed ms;
#                              fails after MS milliseconds (no sleep-based guessing)
#   e2e_log_file REL LINES DAY writes a LOG file of LINES pieces dated DAY (YYYYMMDD)
#   e2e_fail MSG               prints MSG and the daemon's log tail, exits 1
#   E2E_KILL="PID..."          helper processes the EXIT trap kills as well
#   e2e_wait_log_count PAT N MS  waits until N log lines match PAT
#   e2e_pg_freeze / _thaw      SIGSTOP / SIGCONT the server (a hung database); the EXIT trap
#                              thaws it
#   e2e_pg_wait_unread MS      waits until the frozen server has bytes from a client it has not
#                              read: a connection in its listen queue or a query sent
#
# Deadlines are real: a test asks for the row it expects and waits at most the deadline.
# Under AddressSanitizer everything is a few times slower, so CU_E2E_SLACK (default 1, or 3
# when the binary is an ASan build) multiplies the generous deadlines, never the assertions
# about latency, which are reported as measured.
set -euo pipefail

E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

e2e_now_ms() { date +%s%3N; }

e2e_fail() {
    echo "FAIL: $*" >&2
    if [ -n "${DLOG:-}" ] && [ -f "$DLOG" ]; then
        echo "--- daemon log (tail)" >&2
        tail -n 40 "$DLOG" >&2
    fi
    exit 1
}

e2e_cleanup() {
    local rc=$?
    if [ -n "${DPID:-}" ]; then kill -KILL "$DPID" 2>/dev/null || true; fi
    local p
    for p in ${E2E_KILL:-}; do kill -KILL "$p" 2>/dev/null || true; done
    if declare -F vsftpd_stop >/dev/null; then vsftpd_stop || true; fi
    e2e_pg_thaw || true # a frozen server would not stop
    cu_pg_stop || true
    if [ "$rc" -ne 0 ] && [ -n "${DLOG:-}" ] && [ -f "$DLOG" ] && [ "${E2E_SHOWN:-}" != 1 ]; then
        echo "--- daemon log (tail)" >&2
        tail -n 40 "$DLOG" >&2
    fi
    [ -n "${E2E:-}" ] && rm -rf "$E2E"
    exit "$rc"
}

e2e_init() {
    CUWATCH=${1:?usage: e2e_init CUWATCH}
    [ -x "$CUWATCH" ] || { echo "no cuwatch binary at $CUWATCH" >&2; exit 1; }
    CU_E2E_SLACK=${CU_E2E_SLACK:-1}
    # No `| grep -q` here: under pipefail, grep leaving early fails the pipeline (SIGPIPE).
    case "$(ldd "$CUWATCH" 2>/dev/null)" in
    *libasan*) CU_E2E_SLACK=3 ;;
    esac
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
    E2E=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-e2e.XXXXXX")
    chmod 755 "$E2E"
    ROOT=$E2E/root
    mkdir "$ROOT"
    DLOG=$E2E/daemon.log
    CONF=$E2E/cuwatch.yaml
    # shellcheck source=pg_harness.sh
    . "$E2E_SRC/tests/pg_harness.sh"
    cu_pg_start
    trap e2e_cleanup EXIT
    e2e_config ""
}

# Writes $CONF; $1 is extra YAML appended (e.g. a machines: section).
e2e_config() {
    {
        printf 'watch:\n  root: %s\n  settle: %s\n' "$ROOT" "${E2E_SETTLE:-60s}"
        printf 'database:\n  conninfo: "host=%s port=%s dbname=%s user=%s"\n' \
            "$PGHOST" "$PGPORT" "$PGDATABASE" "$PGUSER"
        printf 'log:\n  level: %s\n' "${E2E_LOG_LEVEL:-info}"
        printf '%s\n' "$1"
    } >"$CONF.tmp"
    mv "$CONF.tmp" "$CONF"
}

e2e_daemon_start() {
    "$CUWATCH" -c "$CONF" "$@" >>"$DLOG" 2>&1 &
    DPID=$!
}

e2e_daemon_alive() { kill -0 "$DPID" 2>/dev/null; }

e2e_sql() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }

e2e_wait_sql() {
    local sql=$1 want=$2 ms=$3 t0 now got
    t0=$(e2e_now_ms)
    while :; do
        got=$(e2e_sql "$sql" || true)
        [ "$got" = "$want" ] && { echo $(($(e2e_now_ms) - t0)); return 0; }
        now=$(e2e_now_ms)
        if [ $((now - t0)) -gt "$ms" ]; then
            echo "timeout after ${ms} ms waiting for [$sql] = [$want], last [$got]" >&2
            return 1
        fi
        if [ -n "${DPID:-}" ] && ! e2e_daemon_alive; then
            echo "the daemon exited while waiting for [$sql]" >&2
            return 1
        fi
    done
}

# Waits until the daemon's log has a line matching a grep -E pattern.
e2e_wait_log() {
    local pat=$1 ms=$2 t0
    t0=$(e2e_now_ms)
    until grep -qE "$pat" "$DLOG" 2>/dev/null; do
        [ $(($(e2e_now_ms) - t0)) -gt "$ms" ] && { echo "no log line /$pat/ in ${ms} ms" >&2; return 1; }
        sleep 0.02
    done
}

e2e_wait_log_count() {
    local pat=$1 n=$2 ms=$3 t0
    t0=$(e2e_now_ms)
    until [ "$(grep -cE "$pat" "$DLOG" 2>/dev/null || true)" -ge "$n" ]; do
        [ $(($(e2e_now_ms) - t0)) -gt "$ms" ] && { echo "fewer than $n log lines /$pat/ in ${ms} ms" >&2; return 1; }
        sleep 0.02
    done
}

# e2e_log_text LINES DAY: LINES pieces at one-minute steps from 06:00, plus a wait and a stop.
e2e_log_text() {
    local lines=$1 day=$2
    awk -v n="$lines" -v d="$day" 'BEGIN {
        printf "%s 05:59:00|@MachineStart\r\n", d;
        for (i = 0; i < n; i++) {
            s = 6 * 3600 + i * 60;
            printf "%s %02d:%02d:%02d|@StukUitgevoerd: piece %d\r\n", d, int(s / 3600) % 24,
                int(s / 60) % 60, s % 60, i + 1;
            if (i == 1) printf "%s 06:01:30|@MachineWait: 15 sec\r\n", d;
        }
    }'
}

e2e_log_file() {
    local rel=$1 lines=$2 day=$3
    mkdir -p "$ROOT/$(dirname "$rel")"
    e2e_log_text "$lines" "$day" >"$ROOT/$rel"
}

# Stops and starts the test's PostgreSQL server (same data, same socket and port).
e2e_pg_stop() {
    cu_pg_as_owner "$CU_PG_BIN/pg_ctl" -D "$CU_PG_DIR/data" -m fast -w stop >/dev/null
}
e2e_pg_start() {
    cu_pg_as_owner "$CU_PG_BIN/pg_ctl" -D "$CU_PG_DIR/data" -l "$CU_PG_DIR/server.log" -w \
        -o "-p $PGPORT -c listen_addresses=''" start >/dev/null
}

# A hung server as the daemon sees it: the postmaster and every server process stopped. The
# postmaster first, so that it forks nothing after the list of its children is taken.
e2e_pg_freeze() {
    local pm
    pm=$(head -n 1 "$CU_PG_DIR/data/postmaster.pid")
    kill -STOP "$pm"
    E2E_FROZEN="$pm $(pgrep -P "$pm" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -STOP $E2E_FROZEN
}
e2e_pg_thaw() {
    # shellcheck disable=SC2086
    [ -z "${E2E_FROZEN:-}" ] || kill -CONT $E2E_FROZEN
    E2E_FROZEN=
}
e2e_pg_wait_unread() {
    local ms=$1 t0
    t0=$(e2e_now_ms)
    # Column 3 is Recv-Q: the listen queue's length, or the bytes a server process has not read.
    until ss -xanH src "$PGHOST/.s.PGSQL.$PGPORT" | awk '$3 > 0 { f = 1 } END { exit !f }'; do
        [ $(($(e2e_now_ms) - t0)) -gt "$ms" ] && { echo "nothing sent to the server in ${ms} ms" >&2; return 1; }
        sleep 0.02
    done
}

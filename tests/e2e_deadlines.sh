#!/usr/bin/env bash
# e2e_deadlines — no database call may hang for good (issue 8).
#   1. A server that accepts TCP and never answers: --check, --rescan and --migrate exit 3
#      within the default connect_timeout (10 s), not never.
#   2. A lock held on piece_production by another session (lock_timeout from the options,
#      1 s, to keep the test short): a warning, no error, retried with backoff, ingested
#      once the lock is released.
#   3. The file's session advisory lock held by another session, with cuwatch's default
#      lock_timeout (30 s): the same, which shows the default is set.
#   4. The daemon's own server process stopped (SIGSTOP) mid-session, statement_timeout 1 s:
#      the client-side deadline (statement_timeout + 5 s) drops the connection, a warning
#      says so, the daemon reconnects and the file is ingested while that backend is still
#      stopped; its ms= counts the whole time.
set -euo pipefail
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
S=$CU_E2E_SLACK

# 1. A silent listener.
python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # accept, then never answer
' >"$E2E/port" &
E2E_KILL=$!
for _ in $(seq 100); do [ -s "$E2E/port" ] && break; sleep 0.05; done
port=$(cat "$E2E/port")
[ -n "$port" ] || e2e_fail "silent listener did not start"
cat >"$E2E/silent.yaml" <<EOF2
watch:
  root: $ROOT
database:
  conninfo: "host=127.0.0.1 port=$port dbname=x user=y sslmode=disable"
EOF2
pids=()
for cmd in check rescan migrate; do
    (
        t0=$(e2e_now_ms)
        rc=0
        timeout 60 "$CUWATCH" -c "$E2E/silent.yaml" --$cmd >"$E2E/silent_$cmd.out" 2>&1 || rc=$?
        echo "$rc $(($(e2e_now_ms) - t0))" >"$E2E/silent_$cmd.rc"
    ) &
    pids+=($!)
done
wait "${pids[@]}"
for cmd in check rescan migrate; do
    read -r rc ms <"$E2E/silent_$cmd.rc"
    echo "silent server: --$cmd exit $rc after $ms ms"
    [ "$rc" = 3 ] || { cat "$E2E/silent_$cmd.out"; e2e_fail "--$cmd against a silent server: exit $rc"; }
    [ "$ms" -le $((10000 + 5000 * S)) ] || e2e_fail "--$cmd took $ms ms (connect_timeout 10 s)"
done
grep -q "timeout expired" "$E2E/silent_check.out" || { cat "$E2E/silent_check.out"; e2e_fail "--check does not say why"; }
echo "ok: a silent server: --check, --rescan, --migrate exit 3 within the connect deadline"

# A session that holds a lock until told to let go: psql reading from a FIFO.
hold_start() { # SQL...
    mkfifo "$E2E/hold.fifo"
    psql -XAtq -v ON_ERROR_STOP=1 <"$E2E/hold.fifo" >"$E2E/hold.out" 2>&1 &
    HOLD_PID=$!
    E2E_KILL="$E2E_KILL $HOLD_PID"
    exec 7>"$E2E/hold.fifo"
    printf '%s\n' "$@" >&7
}
hold_end() {
    printf 'COMMIT;\n\\q\n' >&7
    exec 7>&-
    wait "$HOLD_PID" || e2e_fail "the lock holder failed: $(cat "$E2E/hold.out")"
    rm -f "$E2E/hold.fifo"
}
wait_lock_held() { # waits until some session holds a lock of that kind
    e2e_wait_sql "SELECT count(*) > 0 FROM pg_locks WHERE granted AND $1" t 10000 >/dev/null ||
        e2e_fail "the lock was not taken"
}

# 2. A table lock, lock_timeout 1 s through the conninfo options (the user's choice wins).
sed -i "s|user=$PGUSER\"|user=$PGUSER options='-c lock_timeout=1s'\"|" "$CONF"
"$CUWATCH" -c "$CONF" --migrate >"$E2E/migrate.out" 2>&1 || { cat "$E2E/migrate.out"; e2e_fail "--migrate"; }
e2e_daemon_start
e2e_wait_log_count "database connected" 1 $((10000 * S)) || e2e_fail "daemon did not start"
hold_start "BEGIN;" "LOCK TABLE piece_production IN ACCESS EXCLUSIVE MODE;"
wait_lock_held "locktype = 'relation' AND relation = 'piece_production'::regclass AND mode = 'AccessExclusiveLock'"
e2e_log_file "DEM12 (PVC)/20250101.LOG" 5 20250101
e2e_wait_log "ingest deferred.*20250101" $((10000 * S)) || e2e_fail "no warning for the lock timeout"
grep -E "ingest deferred.*20250101" "$DLOG" | sed -n 1p | grep -q " warn " || e2e_fail "not a warning"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log")" = 0 ] || e2e_fail "a registry row while the lock is held"
hold_end
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 1 $((20000 * S)) >/dev/null ||
    e2e_fail "not ingested after the lock was released"
! grep -q " error " "$DLOG" || e2e_fail "an error line for a lock held by another session"
kill -TERM "$DPID"; wait "$DPID" || true; DPID=
echo "ok: a table lock: warning, retried, ingested after release"

# 3. The file's advisory lock held by another session, cuwatch's default lock_timeout.
sed -i "s| options='-c lock_timeout=1s'||" "$CONF"
e2e_daemon_start
e2e_wait_log_count "database connected" 2 $((10000 * S)) || e2e_fail "daemon did not start"
rel="DEM12 (PVC)/20250102.LOG"
hold_start "BEGIN;" "SELECT pg_advisory_xact_lock(hashtextextended('$rel', 0));"
wait_lock_held "locktype = 'advisory'"
t0=$(e2e_now_ms)
e2e_log_file "$rel" 5 20250102
e2e_wait_log "ingest deferred.*20250102" $((45000 * S)) || e2e_fail "no warning after the default lock_timeout"
waited=$(($(e2e_now_ms) - t0))
echo "default lock_timeout: warned after $waited ms"
[ "$waited" -ge 29000 ] || e2e_fail "warned after $waited ms: not the 30 s default"
hold_end
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 2 $((20000 * S)) >/dev/null ||
    e2e_fail "not ingested after the advisory lock was released"
! grep -q " error " "$DLOG" || e2e_fail "an error line for an advisory lock held by another session"
kill -TERM "$DPID"; wait "$DPID" || true; DPID=
echo "ok: the session's advisory lock: default lock_timeout, warning, retried, ingested"

# 4. The daemon's backend stopped mid-session.
sed -i "s|user=$PGUSER\"|user=$PGUSER options='-c statement_timeout=1s'\"|" "$CONF"
e2e_daemon_start
e2e_wait_log_count "database connected" 3 $((10000 * S)) || e2e_fail "daemon did not start"
bpid=$(e2e_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'cuwatch'")
[ -n "$bpid" ] || e2e_fail "no cuwatch backend"
kill -STOP "$bpid"
E2E_FROZEN="$bpid" # the EXIT trap thaws it
rel="DEM12 (PVC)/20250103.LOG"
e2e_log_file "$rel" 5 20250103
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 3 $((30000 * S)) >/dev/null ||
    e2e_fail "not ingested while its old backend is stopped"
grep -E "warn .*database connection lost; reconnected.*did not answer within 6 s" "$DLOG" >/dev/null ||
    e2e_fail "no warning about the server not answering"
ms=$(grep -E "ingested .*20250103" "$DLOG" | sed -n 's/.* ms=\([0-9.]*\).*/\1/p' | sed -n 1p)
echo "stopped backend: file ingested, ms=$ms"
awk -v m="$ms" 'BEGIN { exit !(m >= 5000) }' || e2e_fail "ms=$ms does not count the wait"
e2e_pg_thaw
kill -TERM "$DPID"; wait "$DPID" || true; DPID=
echo "ok: a stopped backend: deadline, warning, reconnect, ingested"
echo "4 passed, 0 failed"

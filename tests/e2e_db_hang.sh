#!/usr/bin/env bash
# e2e_db_hang.sh — SIGTERM while PostgreSQL does not answer (SPEC §4: stop within 2 s, the
# transaction in flight rolled back). The daemon must exit within 2 s when the server is
#   1. frozen (SIGSTOP) while the daemon connects,
#   2. frozen while the daemon works on a new file,
#   3. alive but the file's ingest transaction waits on a lock another session holds,
# and once the server answers again, a restarted daemon ingests each file exactly once. A stop
# that had to leave a call unanswered says so (what it was waiting for) and exits 1; a stop
# whose call returned in time exits 0.
# Usage: e2e_db_hang.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"

forced() { grep -c 'SIGTERM: still .* after 1.5 s: exiting with status 1' "$DLOG" || true; }
stop_within_2s() { # LABEL
    local t0 rc=0 took before want=0
    before=$(forced)
    t0=$(e2e_now_ms)
    kill -TERM "$DPID"
    wait "$DPID" || rc=$?
    took=$(($(e2e_now_ms) - t0))
    DPID=
    [ "$(forced)" = "$before" ] || want=1
    echo "$1: exit status $rc after $took ms"
    [ "$rc" = "$want" ] || e2e_fail "$1: exit status $rc after SIGTERM, expected $want"
    [ "$took" -le 2000 ] || e2e_fail "$1: took $took ms to stop"
}
oks() { grep -c "ingested .*path=\"$1\".*status=ok" "$DLOG" || true; }
pieces() { echo "SELECT total_pieces FROM session_production WHERE fichier_log_source = '$1'"; }

# 1. Frozen while the daemon connects: its connection waits in the server's listen queue.
e2e_pg_freeze
e2e_daemon_start
e2e_pg_wait_unread $((5000 * CU_E2E_SLACK)) || e2e_fail "the daemon never tried to connect"
stop_within_2s "frozen server, during connect"
e2e_pg_thaw

# 2. Frozen while the daemon works on a new file: its query waits unread on its connection.
e2e_daemon_start
e2e_log_file "A (PVC)/20250601.LOG" 2 20250601
e2e_wait_sql "$(pieces 'A (PVC)/20250601.LOG')" 2 $((5000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "first file not ingested"
e2e_pg_freeze
f2="A (PVC)/20250602.LOG"
e2e_log_file "$f2" 5 20250602
e2e_pg_wait_unread 5000 || e2e_fail "the daemon never asked the server about the new file"
stop_within_2s "frozen server, file in flight"
grep -q 'SIGTERM: still waiting for the database (ingesting "A (PVC)/20250602.LOG") after 1.5 s' "$DLOG" ||
    e2e_fail "no line saying why the daemon left without an answer"
e2e_pg_thaw

# 3. The ingest transaction itself in flight: it waits on the file's advisory lock, held by
#    another session; the daemon leaves, the server rolls its transaction back.
f3="A (PVC)/20250603.LOG"
psql -XAtq -c "SELECT pg_advisory_lock(hashtextextended('$f3', 0)), pg_sleep(600)" \
    >/dev/null 2>&1 &
holder=$!
e2e_wait_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" 1 5000 \
    >/dev/null || e2e_fail "the lock holder did not start"
e2e_daemon_start
e2e_wait_sql "$(pieces "$f2")" 5 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the file in flight at SIGTERM was not ingested after the restart"
e2e_log_file "$f3" 7 20250603
e2e_wait_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted" 1 5000 \
    >/dev/null || e2e_fail "the ingest never waited on the lock"
stop_within_2s "ingest transaction waiting on a lock"
e2e_sql "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'" >/dev/null
wait "$holder" 2>/dev/null || true
[ "$(e2e_sql "SELECT count(*) FROM fichier_log WHERE chemin = '$f3'")" = 0 ] ||
    e2e_fail "the transaction in flight at SIGTERM was not rolled back"

e2e_daemon_start
e2e_wait_sql "$(pieces "$f3")" 7 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the file whose transaction was rolled back was not ingested after the restart"
e2e_wait_log 'reconciled' $((5000 * CU_E2E_SLACK)) || e2e_fail "no reconciliation summary"
for f in "A (PVC)/20250601.LOG" "$f2" "$f3"; do
    [ "$(oks "$f")" = 1 ] || e2e_fail "\"$f\" ingested $(oks "$f") times, expected once"
done
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = 3 ] || e2e_fail "session count"
echo PASS

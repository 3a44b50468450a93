#!/usr/bin/env bash
# e2e_db_outage.sh — the database absent at start, then lost while files arrive: the daemon
# keeps running, logs each change of state once (not every retry), keeps the files pending
# and ingests every one of them when the server is back.
# Usage: e2e_db_outage.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
deadline=$((20000 * CU_E2E_SLACK))

# 1. Absent at start.
e2e_pg_stop
e2e_log_file "A (PVC)/20250101.LOG" 3 20250101 # already there: found by reconciliation
e2e_daemon_start
e2e_wait_log 'retrying with backoff' $((5000 * CU_E2E_SLACK)) || e2e_fail "no unreachable line"
for d in 02 03 04 05; do e2e_log_file "A (PVC)/202501$d.LOG" 4 "202501$d"; done
e2e_log_file "B (ALU)/20250101.LOG" 5 20250101 # a new folder while the database is away
sleep 1.5 # let several retries fail: the log must still say it once
e2e_daemon_alive || e2e_fail "the daemon exited without a database"
e2e_pg_start
ms=$(e2e_wait_sql "SELECT count(*) FROM session_production" 6 "$deadline") ||
    e2e_fail "files written while the database was absent were not all ingested"
echo "absent at start: all 6 ingested ${ms} ms after the server came back"

# 2. Lost later, while files arrive.
for d in 06 07 08; do e2e_log_file "A (PVC)/202501$d.LOG" 4 "202501$d"; done
e2e_pg_stop
for d in 09 10 11 12 13; do e2e_log_file "A (PVC)/202501$d.LOG" 4 "202501$d"; done
for d in 09 10; do e2e_log_file "C (HYB)/202501$d.LOG" 2 "202501$d"; done
e2e_log_file "A (PVC)/20250109.LOG" 6 20250109 # rewritten while pending: coalesced
sleep 2
e2e_daemon_alive || e2e_fail "the daemon exited when the database went away"
e2e_pg_start
ms=$(e2e_wait_sql "SELECT count(*) FROM session_production" 16 "$deadline") ||
    e2e_fail "files written while the database was down were not all ingested"
echo "lost later: all 16 ingested ${ms} ms after the server came back"
[ "$(e2e_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'A (PVC)/20250109.LOG'")" = 6 ] ||
    e2e_fail "the latest content of a file rewritten while pending was not ingested"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log WHERE statut <> 'ok'")" = 0 ] || e2e_fail "errors recorded"

downs=$(grep -c 'retrying with backoff' "$DLOG" || true)
ups=$(grep -cE 'database (is back|connected) server=' "$DLOG" || true)
echo "state-change lines: $downs down, $ups up"
[ "$downs" = 2 ] || e2e_fail "expected one 'down' line per outage, got $downs"
[ "$ups" = 2 ] || e2e_fail "expected one 'up' line per recovery, got $ups"

# 3. An error on a live connection (here a table gone; in real life a full disk or a lock
#    timeout): the file is retried with backoff and goes in once the server accepts it.
e2e_sql "ALTER TABLE piece_production RENAME TO piece_production_away"
e2e_log_file "A (PVC)/20250120.LOG" 4 20250120
e2e_wait_log 'ingest failed .*20250120' 5000 || e2e_fail "the failing ingest was not reported"
e2e_wait_log '"A \(PVC\)/20250120.LOG" will be retried' 5000 || e2e_fail "no retry announced"
e2e_sql "ALTER TABLE piece_production_away RENAME TO piece_production"
ms=$(e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'A (PVC)/20250120.LOG'" 4 \
    $((15000 * CU_E2E_SLACK))) || e2e_fail "a file whose ingest failed on a live connection was dropped"
echo "error on a live connection: ingested ${ms} ms after the server accepted it again"
[ "$(grep -c 'retrying with backoff' "$DLOG")" = 2 ] || e2e_fail "an ingest error was taken for an outage"

# 4. A reconciliation refused on a live connection: reported once (not on every turn of the
#    loop: here each event and each retry of the failing ingest is one), retried with backoff.
e2e_sql "ALTER TABLE fichier_log RENAME TO fichier_log_away"
kill -HUP "$DPID"
e2e_wait_log 'reconciliation failed' 5000 || e2e_fail "the failed reconciliation was not reported"
e2e_log_file "A (PVC)/20250121.LOG" 3 20250121
e2e_wait_log '"A \(PVC\)/20250121.LOG" will be retried in 2000 ms' $((8000 * CU_E2E_SLACK)) ||
    e2e_fail "the failing ingest was not retried"
e2e_sql "ALTER TABLE fichier_log_away RENAME TO fichier_log"
ms=$(e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'A (PVC)/20250121.LOG'" 3 \
    $((15000 * CU_E2E_SLACK))) || e2e_fail "file not ingested once the registry was back"
e2e_wait_log 'reconciling reason=SIGHUP' $((15000 * CU_E2E_SLACK)) ||
    e2e_fail "the reconciliation was not retried"
fails=$(grep -c 'reconciliation failed' "$DLOG" || true)
echo "refused reconciliation: $fails error line(s), file ingested ${ms} ms after the registry was back"
[ "$fails" = 1 ] || e2e_fail "the failed reconciliation was logged $fails times"
e2e_daemon_alive || e2e_fail "daemon died"
echo PASS

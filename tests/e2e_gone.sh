#!/usr/bin/env bash
# e2e_gone.sh — a file deleted between the daemon's stat and its open (issue 8) is the
# ordinary "gone" case: one debug line, no error, no warning, no registry row, and the daemon
# goes on. Made deterministic by freezing PostgreSQL: the daemon stats the new file, then
# waits on the registry query (the shrink rule's look-up) while the file is deleted; the
# server is thawed and the daemon's open finds nothing.
# Usage: e2e_gone.sh CUWATCH
E2E_LOG_LEVEL=debug
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
mkdir "$ROOT/G (PVC)"
e2e_daemon_start
e2e_wait_log 'reconciled' $((10000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

e2e_pg_freeze
e2e_log_file "G (PVC)/20250501.LOG" 4 20250501
# The daemon has stat'ed the file and sent its registry query to the frozen server.
e2e_pg_wait_unread $((5000 * CU_E2E_SLACK)) || e2e_fail "the daemon did not query the registry"
rm "$ROOT/G (PVC)/20250501.LOG"
e2e_pg_thaw
e2e_log_file "G (PVC)/20250502.LOG" 4 20250502
e2e_wait_sql "SELECT count(*) FROM session_production WHERE date_production = '2025-05-02'" 1 \
    $((10000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "the daemon did not go on after the gone file"
grep -E 'debug +gone before it could be read .*path="G \(PVC\)/20250501.LOG"' "$DLOG" ||
    e2e_fail "no debug 'gone' line for the deleted file"
! grep -E ' (error|warn) .*20250501' "$DLOG" || e2e_fail "the deleted file was logged as an error or warning"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log WHERE chemin LIKE '%20250501%'")" = 0 ] ||
    e2e_fail "the deleted file left a registry row"
echo PASS

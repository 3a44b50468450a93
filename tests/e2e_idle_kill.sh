#!/usr/bin/env bash
# e2e_idle_kill — an idle connection closed by the server (idle_session_timeout on the role,
# or pg_terminate_backend by a DBA) is routine (issue 8): the next upload reconnects quietly
# (an info line, no error), is ingested, and sets off no full reconciliation.
set -euo pipefail
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
S=$CU_E2E_SLACK

"$CUWATCH" -c "$CONF" --migrate >"$E2E/migrate.out" 2>&1 || { cat "$E2E/migrate.out"; e2e_fail "--migrate"; }
e2e_sql "CREATE ROLE idler LOGIN SUPERUSER; ALTER ROLE idler SET idle_session_timeout = '1s'" >/dev/null
sed -i "s/user=$PGUSER/user=idler/" "$CONF"
backends() { e2e_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'idler'"; }

e2e_daemon_start
e2e_wait_log_count "database connected" 1 $((10000 * S)) >/dev/null || e2e_fail "daemon did not start"
e2e_wait_log_count "reconciled" 1 $((10000 * S)) >/dev/null || e2e_fail "no start-up reconciliation"
# idle_session_timeout closes the daemon's idle connection.
e2e_wait_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'idler'" 0 $((10000 * S)) >/dev/null ||
    e2e_fail "the idle connection was not closed"
e2e_log_file "DEM12 (PVC)/20250101.LOG" 5 20250101
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 1 $((15000 * S)) >/dev/null ||
    e2e_fail "not ingested after an idle-session timeout"
echo "ok: idle_session_timeout: ingested"

# A DBA terminates the backend.
e2e_sql "ALTER ROLE idler RESET idle_session_timeout" >/dev/null
e2e_log_file "DEM12 (PVC)/20250102.LOG" 5 20250102
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 2 $((15000 * S)) >/dev/null ||
    e2e_fail "second file"
e2e_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'idler'" >/dev/null
e2e_wait_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'idler'" 0 $((10000 * S)) >/dev/null ||
    e2e_fail "backend not terminated"
e2e_log_file "DEM12 (PVC)/20250103.LOG" 5 20250103
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 3 $((15000 * S)) >/dev/null ||
    e2e_fail "not ingested after pg_terminate_backend"
echo "ok: pg_terminate_backend: ingested"

n=$(grep -c "database connection lost; reconnected" "$DLOG" || true)
[ "$n" -ge 2 ] || e2e_fail "expected a reconnection line per lost connection, got $n"
grep "database connection lost; reconnected" "$DLOG" | grep -qv " info " && e2e_fail "reconnection not at info level"
! grep -q " error " "$DLOG" || e2e_fail "an error line for a connection the server closed"
r=$(grep -c "reconciling" "$DLOG" || true)
[ "$r" = 1 ] || e2e_fail "$r reconciliations: a lost idle connection must not set one off"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
echo "2 passed, 0 failed"

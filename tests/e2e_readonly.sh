#!/usr/bin/env bash
# e2e_readonly — a role with DML rights only, and a read-only database (issue 8).
#   - With the schema up to date, the daemon runs as a role that may only SELECT, INSERT,
#     UPDATE and DELETE: it runs no DDL when no migration is pending (it used to exit 1 on
#     CREATE TABLE IF NOT EXISTS cuwatch_migrations). --check says ok, item by item.
#   - default_transaction_read_only=on (what a standby after failover looks like to a
#     client): --check reports "write access: FAILED" (exit 1), --rescan exits 3, and the
#     daemon keeps running with its files pending, says so once, and ingests them when the
#     database accepts writes again.
#   - --check names a missing privilege and a pending migration this role cannot apply.
set -euo pipefail
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
S=$CU_E2E_SLACK

"$CUWATCH" -c "$CONF" --migrate >"$E2E/migrate.out" 2>&1 || { cat "$E2E/migrate.out"; e2e_fail "--migrate"; }
e2e_sql "CREATE ROLE dml LOGIN;
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO dml;
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dml" >/dev/null
sed "s/user=$PGUSER/user=dml/" "$CONF" >"$E2E/dml.yaml"
CONF=$E2E/dml.yaml

rc=0
"$CUWATCH" -c "$CONF" --check >"$E2E/check.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$E2E/check.out"; e2e_fail "--check as dml: exit $rc"; }
for want in "write access: ok" "privileges: ok" "migrations: ok: none pending"; do
    grep -qF "$want" "$E2E/check.out" || { cat "$E2E/check.out"; e2e_fail "--check: no [$want]"; }
done

e2e_daemon_start
e2e_log_file "DEM12 (PVC)/20250101.LOG" 5 20250101
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 1 $((15000 * S)) >/dev/null ||
    e2e_fail "a DML-only role: file not ingested"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $? as a DML-only role"
DPID=
echo "ok: the daemon runs as a role with DML rights only"

# Read-only: new sessions of this database start read-only, as on a standby.
e2e_sql "ALTER DATABASE $PGDATABASE SET default_transaction_read_only = on" >/dev/null
rc=0
"$CUWATCH" -c "$CONF" --check >"$E2E/check_ro.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$E2E/check_ro.out"; e2e_fail "--check on a read-only database: exit $rc"; }
grep -qF "write access: FAILED: database is read-only" "$E2E/check_ro.out" ||
    { cat "$E2E/check_ro.out"; e2e_fail "--check does not say read-only"; }
e2e_log_file "DEM12 (PVC)/20250102.LOG" 5 20250102
rc=0
"$CUWATCH" -c "$CONF" --rescan >"$E2E/rescan_ro.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || { cat "$E2E/rescan_ro.out"; e2e_fail "--rescan on a read-only database: exit $rc"; }

e2e_daemon_start
e2e_wait_log "database is read-only" $((15000 * S)) || e2e_fail "no read-only line"
e2e_log_file "DEM12 (PVC)/20250103.LOG" 5 20250103
e2e_daemon_alive || e2e_fail "the daemon exited on a read-only database"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log")" = 1 ] || e2e_fail "something written while read-only"
PGOPTIONS="-c default_transaction_read_only=off" \
    psql -XAtq -c "ALTER DATABASE $PGDATABASE SET default_transaction_read_only = off" >/dev/null
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 3 $((30000 * S)) >/dev/null ||
    e2e_fail "pending files not ingested once the database accepts writes"
e2e_daemon_alive || e2e_fail "the daemon exited"
n=$(grep -c "database is read-only" "$DLOG" || true)
[ "$n" -le 1 ] || e2e_fail "the read-only state logged $n times at error level"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
echo "ok: read-only database: files kept pending, ingested once writable"

# What --check says about a missing privilege and a migration this role cannot apply.
e2e_sql "REVOKE DELETE ON ligne_rejetee FROM dml;
         DELETE FROM cuwatch_migrations WHERE version = (SELECT max(version) FROM cuwatch_migrations)" >/dev/null
rc=0
"$CUWATCH" -c "$CONF" --check >"$E2E/check_priv.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$E2E/check_priv.out"; e2e_fail "--check with a missing privilege: exit $rc"; }
grep -qF "privileges: FAILED: this role lacks DELETE on ligne_rejetee" "$E2E/check_priv.out" ||
    { cat "$E2E/check_priv.out"; e2e_fail "--check does not name the missing privilege"; }
grep -qE "migrations: FAILED: 1 pending .*this role cannot apply them" "$E2E/check_priv.out" ||
    { cat "$E2E/check_priv.out"; e2e_fail "--check does not say the migration cannot be applied"; }
echo "ok: --check names a missing privilege and a migration this role cannot apply"
echo "3 passed, 0 failed"

/* migrate.c — applies the embedded schema migrations (db/migrations/NNN_name.sql) in order.
 *
 * The whole run holds a session-level advisory lock, so a second process migrating at the
 * same moment (two daemons starting together, a --migrate beside a daemon) waits and then
 * finds nothing left to do. Each migration runs in its own transaction together with the row
 * that records it in cuwatch_migrations: it is applied entirely, and recorded, or not at all. */
#include <stdio.h>
#include <stdlib.h>

#include "db_int.h"
#include "log.h"
#include "migrations.h"

/* "cuwatch" in ASCII: an arbitrary key that other applications are unlikely to use. */
#define CU_MIGRATION_LOCK "7166535563994467"

static int cu_applied_version(PGconn *conn, int *version, cu_err *err)
{
    PGresult *r = cu_pq_exec(conn,
                             "SELECT CASE WHEN to_regclass('cuwatch_migrations') IS NULL THEN -1 "
                             "ELSE 0 END",
                             "reading the schema version", err);
    if (!r) return -1;
    bool exists = PQgetvalue(r, 0, 0)[0] == '0';
    PQclear(r);
    *version = 0;
    if (!exists) return 0;
    r = cu_pq_exec(conn, "SELECT coalesce(max(version), 0) FROM cuwatch_migrations",
                   "reading the schema version", err);
    if (!r) return -1;
    *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* The newest version this binary ships. */
static int cu_latest(void)
{
    return cu_n_migrations > 0 ? cu_migrations[cu_n_migrations - 1].version : 0;
}

int cu_db_schema_version(cu_db *db, int *current, int *latest, cu_err *err)
{
    *latest = cu_latest();
    return cu_applied_version(db->conn, current, err);
}

static int cu_apply(PGconn *conn, const cu_migration *m, cu_err *err)
{
    char what[128];
    snprintf(what, sizeof what, "migration %s", m->name);
    if (cu_pq_run(conn, "BEGIN", what, err) != 0) return -1;
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[2] = {version, m->name};
    if (cu_pq_run(conn, "SET LOCAL client_min_messages = warning", what, err) != 0 ||
        cu_pq_run(conn, m->sql, what, err) != 0 ||
        cu_pq_run_params(conn, "INSERT INTO cuwatch_migrations (version, name) VALUES ($1, $2)", 2,
                         params, what, err) != 0 ||
        cu_pq_run(conn, "COMMIT", what, err) != 0) {
        cu_err ignored;
        if (PQstatus(conn) == CONNECTION_OK) cu_pq_run(conn, "ROLLBACK", what, &ignored);
        return -1;
    }
    cu_log(CU_LOG_INFO, "applied schema migration %s", m->name);
    return 0;
}

int cu_db_migrate(cu_db *db, int *applied, cu_err *err)
{
    int count = 0, rc = 0, current = 0;
    if (applied) *applied = 0;
    /* Nothing pending: no lock, no DDL. A read-only server (a standby after failover,
     * default_transaction_read_only) or a role with DML rights only must be able to run
     * an up-to-date schema (issue 8); only a pending migration needs more. */
    if (cu_applied_version(db->conn, &current, err) != 0) return -1;
    if (current >= cu_latest()) return 0;
    /* A legacy repair may run long and a second migrator waits for the first: no statement
     * or lock timeout, no client deadline while migrating (db.c sets them per session). */
    PGresult *saved = cu_pq_exec(db->conn,
                                 "SELECT current_setting('statement_timeout'),"
                                 " current_setting('lock_timeout')",
                                 "reading the session's timeouts", err);
    if (!saved) return -1;
    int64_t timeout_ms = db->timeout_ms;
    db->timeout_ms = 0;
    rc = cu_pq_run(db->conn, "SET statement_timeout = 0; SET lock_timeout = 0",
                   "lifting the timeouts for migration", err);
    if (rc == 0)
        rc = cu_pq_run(db->conn, "SELECT pg_advisory_lock(" CU_MIGRATION_LOCK ")",
                       "locking the schema for migration", err);
    if (rc != 0) goto restore;
    rc = cu_pq_run(db->conn,
                   "SET client_min_messages = warning; "
                   "CREATE TABLE IF NOT EXISTS cuwatch_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT now()); "
                   "RESET client_min_messages",
                   "creating cuwatch_migrations", err);
    /* Read again under the lock: another process may have migrated meanwhile. */
    if (rc == 0) rc = cu_applied_version(db->conn, &current, err);
    for (int i = 0; rc == 0 && i < cu_n_migrations; i++) {
        if (cu_migrations[i].version <= current) continue;
        rc = cu_apply(db->conn, &cu_migrations[i], err);
        if (rc == 0) count++;
    }
    cu_err ignored;
    if (PQstatus(db->conn) == CONNECTION_OK)
        cu_pq_run(db->conn, "SELECT pg_advisory_unlock(" CU_MIGRATION_LOCK ")", "unlocking",
                  &ignored);
restore:
    if (PQstatus(db->conn) == CONNECTION_OK) {
        const char *params[2] = {PQgetvalue(saved, 0, 0), PQgetvalue(saved, 0, 1)};
        cu_pq_run_params(db->conn,
                         "SELECT set_config('statement_timeout', $1, false),"
                         " set_config('lock_timeout', $2, false)",
                         2, params, "restoring the session's timeouts", &ignored);
    }
    PQclear(saved);
    db->timeout_ms = timeout_ms;
    if (applied) *applied = count;
    return rc;
}

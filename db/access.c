/* access.c — can this session do what cuwatch needs? (issue 8: read-only servers and roles
 * with DML rights only).
 *
 * A standby promoted away from (or a database with default_transaction_read_only) accepts
 * connections and queries but refuses every write: for the daemon that is "unavailable,
 * retry later", not a fault of the file being ingested. A role with DML rights only runs an
 * up-to-date schema fine (migrate.c runs no DDL when nothing is pending) but cannot apply a
 * pending migration. --check reports each of these as its own line, so an operator sees
 * which one to fix before the daemon meets it. */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "migrations.h"

/* Every table cuwatch writes; those absent (schema not yet migrated, or a table a later
 * migration adds) are skipped. */
static const char cu_tables[] = "{centre_usinage,session_production,job_profil,periode_attente,"
                                "periode_arret,piece_production,periode_etat,fichier_log,"
                                "ligne_rejetee}";

bool cu_db_err_read_only(const cu_err *err)
{
    return err && strcmp(err->sqlstate, "25006") == 0;
}

bool cu_db_err_transient(const cu_err *err)
{
    static const char *const states[] = {"55P03", "57014", "40P01", "40001"};
    for (size_t i = 0; err && i < sizeof states / sizeof states[0]; i++)
        if (strcmp(err->sqlstate, states[i]) == 0) return true;
    return false;
}

bool cu_db_err_permanent(const cu_err *err)
{
    /* Data exceptions (22: an invalid byte sequence, a value out of range) and integrity
     * violations (23: not-null, check, foreign key) come from the file's content meeting the
     * schema: the same file meets them again. Anything else (a missing table, privileges, a
     * full disk) is the server's state, which an operator may fix at any moment. */
    return err && (strncmp(err->sqlstate, "22", 2) == 0 || strncmp(err->sqlstate, "23", 2) == 0);
}

bool cu_db_err_no_answer(const cu_err *err)
{
    return err && strcmp(err->sqlstate, CU_SQLSTATE_NO_ANSWER) == 0;
}

int cu_db_writable(cu_db *db, cu_err *err)
{
    PGresult *r = cu_pq_exec(db->conn,
                             "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')",
                             "checking write access", err);
    if (!r) return -1;
    bool recovery = PQgetvalue(r, 0, 0)[0] == 't';
    bool read_only = strcmp(PQgetvalue(r, 0, 1), "on") == 0;
    PQclear(r);
    if (recovery) {
        cu_fail(err, "database is read-only: the server is a standby (in recovery)");
        return 0;
    }
    if (read_only) {
        cu_fail(err, "database is read-only: transaction_read_only is on "
                     "(default_transaction_read_only set for this database or role)");
        return 0;
    }
    return 1;
}

/* "privileges": the missing rights, table by table. */
static int cu_check_privileges(cu_db *db, cu_db_report_fn report, void *ctx, cu_err *err)
{
    const char *params[1] = {cu_tables};
    PGresult *r = cu_pq_params(
        db->conn,
        "SELECT t, array_to_string(ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT',"
        "         'UPDATE', 'DELETE']) p WHERE NOT has_table_privilege(t, p)), ', '),"
        "       CASE WHEN pg_get_serial_sequence(t, 'id') IS NOT NULL"
        "             AND NOT has_sequence_privilege(pg_get_serial_sequence(t, 'id'), 'USAGE')"
        "            THEN pg_get_serial_sequence(t, 'id') END"
        "  FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL",
        1, params, "checking privileges", err);
    if (!r) return -1;
    cu_sb msg = {0};
    int n = PQntuples(r), missing = 0;
    for (int i = 0; i < n; i++) {
        const char *t = PQgetvalue(r, i, 0), *privs = PQgetvalue(r, i, 1);
        if (*privs) cu_sb_printf(&msg, "%s%s on %s", missing++ ? "; " : "", privs, t);
        if (!PQgetisnull(r, i, 2))
            cu_sb_printf(&msg, "%sUSAGE on %s", missing++ ? "; " : "", PQgetvalue(r, i, 2));
    }
    PQclear(r);
    if (n == 0) {
        report(ctx, "privileges", true, "no cuwatch table yet (the first migration creates them)");
    } else if (missing) {
        cu_sb line = {0};
        cu_sb_printf(&line, "this role lacks %s (GRANT them; cuwatch writes every table)", msg.data);
        report(ctx, "privileges", false, line.data);
        cu_sb_free(&line);
    } else {
        cu_sb_printf(&msg, "SELECT, INSERT, UPDATE, DELETE on all %d cuwatch tables", n);
        report(ctx, "privileges", true, msg.data);
    }
    cu_sb_free(&msg);
    return missing ? 1 : 0;
}

/* "migrations": pending ones and whether this role could apply them. */
static int cu_check_migrations(cu_db *db, bool writable, cu_db_report_fn report, void *ctx,
                               cu_err *err)
{
    int current = 0, latest = 0;
    if (cu_db_schema_version(db, &current, &latest, err) != 0) return -1;
    cu_sb msg = {0};
    int failed = 0;
    if (current >= latest) {
        report(ctx, "migrations", true, "none pending");
        return 0;
    }
    const char *params[1] = {cu_tables};
    PGresult *r = cu_pq_params(
        db->conn,
        "SELECT has_schema_privilege(current_schema(), 'CREATE'),"
        "       (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c"
        "         WHERE c.relnamespace = current_schema()::regnamespace"
        "           AND c.relname = ANY (($1::text[]) || '{cuwatch_migrations}')"
        "           AND NOT pg_has_role(c.relowner, 'USAGE'))",
        1, params, "checking migration rights", err);
    if (!r) return -1;
    bool can_create = PQgetvalue(r, 0, 0)[0] == 't';
    const char *not_owned = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
    int pending = latest - current;
    cu_sb_printf(&msg, "%d pending (schema version %d, latest %d)", pending, current, latest);
    if (!writable) {
        cu_sb_puts(&msg, ", and the server is read-only");
        failed = 1;
    } else if (!can_create || not_owned) {
        cu_sb_printf(&msg, ", and this role cannot apply them: %s%s%s%s; run cuwatch --migrate as "
                           "the schema's owner",
                     can_create ? "" : "no CREATE on the schema",
                     !can_create && not_owned ? "; " : "", not_owned ? "not the owner of " : "",
                     not_owned ? not_owned : "");
        failed = 1;
    } else {
        cu_sb_puts(&msg, ", which the daemon applies at start (this role can)");
    }
    PQclear(r);
    report(ctx, "migrations", !failed, msg.data);
    cu_sb_free(&msg);
    return failed;
}

int cu_db_check_access(cu_db *db, cu_db_report_fn report, void *ctx, cu_err *err)
{
    cu_err why;
    int w = cu_db_writable(db, &why);
    if (w < 0) {
        *err = why;
        return -1;
    }
    report(ctx, "write access", w == 1, w == 1 ? "the server accepts writes" : why.msg);
    int failed = w == 1 ? 0 : 1;
    int p = cu_check_privileges(db, report, ctx, err);
    if (p < 0) return -1;
    int m = cu_check_migrations(db, w == 1, report, ctx, err);
    if (m < 0) return -1;
    return failed + p + m;
}

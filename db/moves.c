/* moves.c — files that moved (issue 8): a machine folder renamed (`mv "DEM12 (PVC)"
 * "DEM13 (PVC)"`, by an operator or an FTP client's RNFR/RNTO), a file moved to another folder.
 *
 * Without this, every file of a renamed folder is a new path: re-ingested under the new
 * machine, while the old machine keeps its sessions, so each day is counted twice. A moved
 * file is recognised by its content: a registry row with the same empreinte (SHA-256) whose
 * file is no longer on disk. Its session and registry row go, and the file's ingest writes
 * them anew under its new path and machine; the old machine goes too once nothing refers to
 * it. Two places do this:
 *
 *   cu_db_take_moved    inside the ingest transaction of a file with new content at its path
 *                       (the usual case: the daemon sees the renamed folder's files);
 *   cu_db_forget_moved  from a reconciliation, for a row whose file is gone while the same
 *                       content is recorded at a path that is on disk: what a race left
 *                       behind (a folder renamed back and forth faster than the daemon reads).
 *
 * A file whose content changed during the move (a re-upload into the renamed folder before the
 * daemon saw the rename) cannot be recognised: it is a new file, and its old session stays;
 * README says how to remove it. Never a file that still exists: a copy is a copy. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_int.h"
#include "log.h"

/* Whether one of dir's entries has the stored form name (cu_db_name_utf8), and which: the
 * on-disk bytes, malloc'd; NULL when none. *missing says whether that NULL proves the entry
 * absent (false when dir could not be listed for another reason than not existing). */
static char *cu_moves_entry(const char *dir, const char *name, bool *missing)
{
    DIR *d = opendir(dir);
    if (!d) {
        *missing = errno == ENOENT || errno == ENOTDIR;
        return NULL;
    }
    *missing = true;
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char *stored = cu_db_name_utf8(e->d_name);
        if (strcmp(stored ? stored : e->d_name, name) == 0) found = cu_xstrdup(e->d_name);
        free(stored);
    }
    closedir(d);
    return found;
}

/* Is root/rel (rel as stored: UTF-8, name by name) gone? Only a definite "no such file"
 * counts: any other error (permissions, I/O) is no proof that the file moved. The stored form
 * is not always the on-disk bytes (a Latin-1 folder name, a control character removed): when
 * it is not on disk as such, each folder on the way is listed and its names compared by their
 * stored forms, so such a file is never taken for gone. */
static bool cu_moves_gone(const char *root, const char *rel)
{
    cu_sb path = {0};
    cu_sb_printf(&path, "%s/%s", root, rel);
    struct stat st;
    int rc = lstat(path.data, &st);
    int e = errno;
    cu_sb_free(&path);
    if (rc == 0) return false;
    if (e != ENOENT && e != ENOTDIR) return false;
    /* Component by component, through the on-disk names. */
    char *dir = cu_xstrdup(root);
    char *rest = cu_xstrdup(rel);
    bool gone = false;
    for (char *name = rest, *next; name && !gone; name = next) {
        next = strchr(name, '/');
        if (next) *next++ = '\0';
        bool missing;
        char *disk = cu_moves_entry(dir, name, &missing);
        if (!disk) {
            gone = missing; /* an unreadable folder proves nothing */
            break;
        }
        cu_sb sub = {0};
        cu_sb_printf(&sub, "%s/%s", dir, disk);
        free(disk);
        free(dir);
        dir = cu_xstrdup(sub.data);
        cu_sb_free(&sub);
    }
    free(dir);
    free(rest);
    return gone;
}

/* Deletes old_path's registry row, if it still holds hash, and the session it is the source
 * of; then its machine when no session and no registry row refer to it any more, unless it is
 * keep_machine (the machine the file moves to: same name, another folder). Runs inside the
 * caller's transaction; the path's advisory lock keeps a concurrent ingest of old_path out.
 * Returns 1 when the row was deleted, 0 when it had changed meanwhile, -1 on error. */
static int cu_moves_drop(PGconn *conn, const char *old_path, const char *hash,
                         const char *keep_machine, cu_err *err)
{
    const char *lock[1] = {old_path};
    if (cu_pq_run_params(conn, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, lock,
                         "locking the moved file's old path", err) != 0)
        return -1;
    const char *params[2] = {old_path, hash};
    PGresult *r = cu_pq_params(
        conn,
        "WITH f AS (DELETE FROM fichier_log WHERE chemin = $1 AND empreinte = $2"
        "           AND statut <> 'erreur' RETURNING centre_usinage_id),"
        " s AS (DELETE FROM session_production s USING f"
        "       WHERE s.centre_usinage_id = f.centre_usinage_id AND s.fichier_log_source = $1"
        "       RETURNING s.id)"
        " SELECT f.centre_usinage_id, c.nom, (SELECT count(*) FROM s)"
        " FROM f LEFT JOIN centre_usinage c ON c.id = f.centre_usinage_id",
        2, params, "forgetting the moved file's old path", err);
    if (!r) return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    bool drop_machine = !PQgetisnull(r, 0, 0) && !(keep_machine && !PQgetisnull(r, 0, 1) &&
                                                   strcmp(PQgetvalue(r, 0, 1), keep_machine) == 0);
    char machine_id[24];
    snprintf(machine_id, sizeof machine_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!drop_machine) return 1;
    /* A savepoint: a concurrent writer that adds a session to that machine meanwhile makes the
     * DELETE fail on the foreign key; the machine then simply stays. */
    if (cu_pq_run(conn, "SAVEPOINT cu_machine", "SAVEPOINT", err) != 0) return -1;
    const char *mid[1] = {machine_id};
    cu_err ignored;
    if (cu_pq_run_params(
            conn,
            "DELETE FROM centre_usinage c WHERE c.id = $1::integer"
            " AND NOT EXISTS (SELECT 1 FROM session_production"
            "                 WHERE centre_usinage_id = c.id)"
            " AND NOT EXISTS (SELECT 1 FROM fichier_log WHERE centre_usinage_id = c.id)",
            1, mid, "deleting the moved file's old machine", &ignored) != 0) {
        if (PQstatus(conn) != CONNECTION_OK) {
            *err = ignored;
            return -1;
        }
        if (cu_pq_run(conn, "ROLLBACK TO SAVEPOINT cu_machine", "ROLLBACK TO SAVEPOINT", err) != 0)
            return -1;
    }
    return cu_pq_run(conn, "RELEASE SAVEPOINT cu_machine", "RELEASE SAVEPOINT", err) == 0 ? 1 : -1;
}

int cu_db_take_moved(cu_db *db, const char *root, const char *relpath, const char *hash,
                     const char *machine, char *moved_from, size_t len, cu_err *err)
{
    moved_from[0] = '\0';
    const char *params[2] = {hash, relpath};
    PGresult *r = cu_pq_params(db->conn,
                               "SELECT chemin FROM fichier_log WHERE empreinte = $1"
                               " AND chemin <> $2 AND statut <> 'erreur' ORDER BY chemin",
                               2, params, "looking for a moved file", err);
    if (!r) return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        const char *old = PQgetvalue(r, i, 0);
        if (!cu_moves_gone(root, old)) continue; /* a copy, not a move */
        int d = cu_moves_drop(db->conn, old, hash, machine, err);
        if (d < 0) rc = -1;
        if (d == 1 && !moved_from[0]) snprintf(moved_from, len, "%s", old);
    }
    PQclear(r);
    return rc;
}

int cu_db_forget_moved(cu_db *db, const char *root, const char *old_path, const char *hash,
                       cu_err *err)
{
    /* Checked again here, at the moment it counts: the caller's walk is already the past. */
    if (!cu_moves_gone(root, old_path)) return 0;
    if (cu_pq_run(db->conn, "BEGIN", "BEGIN", err) != 0) return -1;
    int rc = cu_moves_drop(db->conn, old_path, hash, NULL, err);
    if (rc >= 0 && cu_pq_run(db->conn, "COMMIT", "COMMIT", err) != 0) rc = -1;
    if (rc < 0 && PQstatus(db->conn) == CONNECTION_OK) {
        cu_err ignored;
        cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", &ignored);
    }
    return rc;
}

/* db.h — cuwatch's PostgreSQL layer (SPEC §3): connection, schema migrations, the one-file
 * ingest transaction, and the file registry used for reconciliation.
 *
 * One cu_db is one libpq connection plus the buffers reused from one file to the next (file
 * bytes, parse result, COPY buffer), so a long rescan or a daemon does not allocate per file.
 * A cu_db is not thread-safe; use one per thread (cuwatch has one thread).
 *
 * The flow of an upload:  cu_db_ingest(db, cfg, "DEM12 (PVC)/20250528.LOG", false, &res)
 *   read the file, SHA-256 it -> same hash as its fichier_log row? -> CU_INGEST_UNCHANGED
 *   parse it (parser/) -> BEGIN; advisory locks on the path and on (machine, date);
 *   upsert centre_usinage and session_production; replace the detail rows by COPY;
 *   write fichier_log and ligne_rejetee; COMMIT.
 *
 * Ownership: cu_db_connect allocates the cu_db, cu_db_close frees it (NULL is fine). Results
 * (cu_ingest_result, cu_registry) are caller-owned structs; cu_registry_free releases a
 * registry's memory. Nothing here keeps a pointer to the cu_config after a call returns.
 *
 * Errors: functions return 0 on success and -1 on failure with a message in a cu_err (or in
 * the result). No message contains the password. After any failure, cu_db_alive() says
 * whether the connection still works; when it does not, close the cu_db and connect again
 * later (the daemon retries with backoff; the CLI exits 3). */
#ifndef CU_DB_H
#define CU_DB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

typedef struct cu_db cu_db;

/* Why a connection attempt failed. */
typedef enum {
    CU_DB_CONN_OK = 0,
    CU_DB_CONN_UNREACHABLE, /* no server answered, or it refuses connections (starting up,
                               shutting down): retry later; the CLI exits 3 */
    CU_DB_CONN_REFUSED,     /* the server answered but said no: bad password, unknown role or
                               database (a configuration matter); the CLI exits 3 as well */
    CU_DB_CONN_CONFIG,      /* the connection parameters themselves are invalid; exit 2 */
} cu_db_conn_error;

/* Connects with cu_config_conn_params(cfg) (PQconnectdbParams, expand_dbname=1). On failure
 * returns NULL, sets *why (may be NULL) and writes a message to err, e.g.
 *   database unreachable: connection to server on socket "/tmp/.s.PGSQL.5432" failed: ... */
cu_db *cu_db_connect(const cu_config *cfg, cu_db_conn_error *why, cu_err *err);
void cu_db_close(cu_db *db);

/* True while the connection is usable (PQstatus == CONNECTION_OK). */
bool cu_db_alive(const cu_db *db);

/* "15.18" style server version, and the libpq connection for read-only queries by --check
 * and tests. The PGconn stays owned by the cu_db. */
const char *cu_db_server_version(cu_db *db, char buf[32]);
struct pg_conn *cu_db_pgconn(cu_db *db);

/* ---- Write access (db/access.c) -------------------------------------------------------- */

/* Whether this session can write: 1 yes; 0 no, with the reason in err (a standby in
 * recovery, transaction_read_only on); -1 when the query itself failed. The daemon treats a
 * read-only server as unavailable and retries with backoff, keeping its files pending. */
int cu_db_writable(cu_db *db, cu_err *err);

/* True when err is the server refusing writes (SQLSTATE 25006 read_only_sql_transaction, a
 * standby's hot_standby refusal): unavailable for now, not a fault of the file. */
bool cu_db_err_read_only(const cu_err *err);

/* True when err is a refusal that a later retry may not meet: lock_timeout (55P03),
 * statement_timeout or a cancel (57014), deadlock (40P01), serialization failure (40001). */
bool cu_db_err_transient(const cu_err *err);

/* True when err is a refusal that retrying the same file will meet again: a data exception
 * (SQLSTATE class 22) or an integrity violation (23). A missing table or privilege, a full
 * disk and the like are the server's state and may pass: not permanent. */
bool cu_db_err_permanent(const cu_err *err);

/* True when err is cuwatch's own deadline: the server did not answer a query in time and the
 * connection was dropped (the SQLSTATE field then holds connection_failure, 08006). */
#define CU_SQLSTATE_NO_ANSWER "08006"
bool cu_db_err_no_answer(const cu_err *err);

/* --check's view of what the daemon will need, one report call per item:
 *   "write access"  the server accepts writes (not in recovery, not read-only)
 *   "privileges"    SELECT, INSERT, UPDATE, DELETE on each cuwatch table that exists and
 *                   USAGE on its id sequence
 *   "migrations"    none pending, or pending and this role can apply them (CREATE on the
 *                   schema, owner of the existing tables)
 * Returns how many items failed, or -1 (err filled) when a query failed. */
typedef void (*cu_db_report_fn)(void *ctx, const char *item, bool ok, const char *msg);
int cu_db_check_access(cu_db *db, cu_db_report_fn report, void *ctx, cu_err *err);

/* ---- Migrations ------------------------------------------------------------------------ */

/* Applies every pending migration in order, each in its own transaction, under a session
 * advisory lock so two processes migrating at once are safe (the second waits, then finds
 * nothing to do). *applied (may be NULL) receives how many were applied now. A migration
 * that cannot repair the database fails with PostgreSQL's message, which says what to fix. */
int cu_db_migrate(cu_db *db, int *applied, cu_err *err);

/* Schema version applied in the database (0 when none) and the latest this binary knows. */
int cu_db_schema_version(cu_db *db, int *current, int *latest, cu_err *err);

/* ---- Ingestion of one file ------------------------------------------------------------- */

typedef enum {
    CU_INGEST_OK,        /* session written (or replaced) */
    CU_INGEST_UNCHANGED, /* same content hash as the registry: nothing written */
    CU_INGEST_REJECTED,  /* no valid event: fichier_log says rejete, previous session kept */
    CU_INGEST_ERROR,     /* I/O or database error: nothing written (rolled back) */
} cu_ingest_status;

typedef struct cu_ingest_result {
    cu_ingest_status status;
    bool conn_lost; /* ERROR because the connection broke: keep the file pending, reconnect */
    bool io_error;  /* ERROR because the file could not be read (vanished, permissions) */
    bool transient; /* ERROR because the server refused for now (lock_timeout, statement_timeout,
                       deadlock, serialization): retry later; logged as a warning */
    bool permanent; /* ERROR that the same file will meet again (invalid data for a column, a
                       constraint): recorded 'erreur', not worth retrying until the file or
                       the schema changes (reconciliation retries 'erreur' rows) */
    bool gone;      /* io_error because the file no longer exists (deleted or moved after its
                       event or listing): nothing to do, logged at debug, no registry row */
    char machine[256];
    char date[16];                          /* "YYYY-MM-DD", "" when unknown */
    uint64_t lines, events, rejected_lines; /* 64-bit: a file may hold > 4 G lines */
    uint32_t pieces;
    int32_t occupation_cpct;    /* occupation in hundredths of a percent */
    uint64_t rows;              /* detail rows written (pieces, jobs, waits, stops, states) */
    bool appended;              /* OK as an append: only the rows the appended lines change
                                   were written (SPEC §3); else the session was replaced */
    int64_t size;               /* bytes read */
    double ms;                  /* wall-clock time of the whole ingest */
    char replaced[1024];        /* another file whose session this one replaced, else "" */
    uint64_t first_reject_line; /* the first rejected line (0: none), for the warning */
    char first_reject[512];     /* its reason */
    char moved_from[1024];      /* OK/REJECTED: the old path of a moved file (see moves), or "" */
    /* Dates worth a warning (OK only; the data is ingested all the same): the earliest event
     * is not on the date the file name gives, or first to last event spans more than 24 h. */
    bool date_mismatch, long_window;
    int64_t first_event_us, last_event_us; /* local wall-clock µs, when either is set */
    int64_t shrunk_from; /* cu_db_ingest_guarded: > 0 when the file was smaller than the size
                            last ingested (this many bytes): nothing written, status UNCHANGED */
    cu_err err;                            /* ERROR: the message; REJECTED: the reason */
} cu_ingest_result;

/* Ingests cfg->root/relpath (relpath relative to the root, as stored in fichier_log.chemin).
 * Machine and type come from cu_config_machine(cfg, parent folder). force re-ingests even
 * when the hash is unchanged. Returns 0 unless status is CU_INGEST_ERROR (-1). Logs nothing
 * itself except the warning when another file's session is replaced; call
 * cu_ingest_log(relpath, &res) for the per-file log line of SPEC §4. */
int cu_db_ingest(cu_db *db, const cu_config *cfg, const char *relpath, bool force,
                 cu_ingest_result *res);

/* cu_db_ingest (not forced) for the daemon's shrink rule (SPEC §4): a file smaller than the
 * size its registry row (not erreur) records is not written; res->shrunk_from says that size.
 * The registry is read under the ingest's lock, by the query the ingest makes anyway (no
 * round trip of its own, except for a file above watch.max_file_size). */
int cu_db_ingest_guarded(cu_db *db, const cu_config *cfg, const char *relpath,
                         cu_ingest_result *res);

/* The per-file log line: path, machine, date, pieces, occupation, lines_rejected, ms, status;
 * info for ok/rejete, debug for unchanged and for a file gone before it was read, error (with
 * the message) for other errors. A file with
 * rejected lines also gets one warning naming the first, "PATH:LINE: reason" (all of them
 * are in ligne_rejetee). */
void cu_ingest_log(const char *relpath, const cu_ingest_result *res);

/* ---- Files that moved (db/moves.c) ----------------------------------------------------- */

/* Inside an ingest transaction (cu_db_ingest calls it): registry rows with the same content
 * hash as relpath whose files are gone from root are a move to relpath: their sessions and
 * rows are deleted (the ingest writes them anew), and their machines when nothing refers to
 * them any more (never `machine`, the one the file moves to). moved_from receives the first
 * old path ("" when none). Returns 0, or -1 on a database error. */
int cu_db_take_moved(cu_db *db, const char *root, const char *relpath, const char *hash,
                     const char *machine, char *moved_from, size_t len, cu_err *err);

/* For a reconciliation: old_path's registry row, whose file is gone while the same content
 * (hash) is recorded at a path on disk, is forgotten with its session and (when nothing else
 * refers to it) its machine, in one transaction. The file is checked again first. Returns 1
 * when forgotten, 0 when there was nothing to do, -1 on a database error. */
int cu_db_forget_moved(cu_db *db, const char *root, const char *old_path, const char *hash,
                       cu_err *err);

/* What cu_db_ingest is doing, for a caller that must say so from a signal handler: the
 * daemon, when SIGTERM's deadline cuts an ingest short, says whether it was reading, parsing
 * or waiting for the database. */
typedef enum { CU_STEP_DATABASE, CU_STEP_READING, CU_STEP_PARSING } cu_ingest_step;

/* From now on cu_db_ingest writes its current step (a cu_ingest_step) into *step, which the
 * caller owns and must keep alive while db is used; NULL stops it. */
void cu_db_track_step(cu_db *db, volatile sig_atomic_t *step);

/* ---- Registry (fichier_log) for reconciliation ----------------------------------------- */

typedef struct cu_registry_entry {
    char *chemin;       /* path relative to the root */
    int64_t taille;     /* size in bytes */
    int64_t mtime_us;   /* modification time, µs since the Unix epoch (st_mtim) */
    char empreinte[65]; /* SHA-256, lowercase hex */
    char statut[8];     /* "ok", "rejete", "erreur" */
} cu_registry_entry;

typedef struct cu_registry {
    cu_registry_entry *entries; /* sorted by chemin (strcmp) */
    size_t n;
} cu_registry;

/* Names are bytes on disk, text in the database (issue 8: a Windows FTP client creates
 * "CENTRE D\xC9BIT (ALU)" in Latin-1). The stored form of a path relative to the root: each
 * name (between slashes) by the text rule of SPEC §1 (common/text.c: valid UTF-8 stays,
 * anything else is Latin-1; control characters removed; a name left empty becomes U+FFFD).
 * NULL when the path is already its own stored form (valid UTF-8, no control character: the
 * usual case, no allocation); otherwise a malloc'd string the caller frees. Every place that
 * puts a path in the database, or looks one up, goes through it; the bytes stay for opening. */
char *cu_db_name_utf8(const char *relpath);

/* Loads every fichier_log row (one query). Free with cu_registry_free. */
int cu_db_registry_load(cu_db *db, cu_registry *reg, cu_err *err);
/* Binary search; NULL when the path was never seen. chemin may be the on-disk bytes: it is
 * looked up by its stored form (cu_db_name_utf8). */
const cu_registry_entry *cu_registry_find(const cu_registry *reg, const char *chemin);
void cu_registry_free(cu_registry *reg);

/* One row, for a single file (chemin as for cu_registry_find); returns 1 when found, 0 when
 * not, -1 on error. */
int cu_db_registry_get(cu_db *db, const char *chemin, cu_registry_entry *out, cu_err *err);
void cu_registry_entry_free(cu_registry_entry *e);

/* ---- Overlapping file preparation with database work (optional) ----------------------- */

/* cu_db_ingest is cu_ingest_prepare (read, hash, parse: no database) followed by
 * cu_db_ingest_prepared (the transaction). A caller with more files queued, like --rescan, can
 * prepare the next file in a second thread while the database takes this one. A
 * cu_ingest_file is caller-owned (new/free) and reused from file to file; cu_ingest_prepare
 * touches no cu_db and no global state. With reg (may be NULL), a file whose hash the
 * registry already holds is not parsed ahead (the database check still decides). */
typedef struct cu_ingest_file cu_ingest_file;
cu_ingest_file *cu_ingest_file_new(void);
void cu_ingest_file_free(cu_ingest_file *f);
void cu_ingest_prepare(cu_ingest_file *f, const cu_config *cfg, const char *relpath,
                       const cu_registry *reg, bool force);
int cu_db_ingest_prepared(cu_db *db, cu_ingest_file *f, bool force, cu_ingest_result *res);

#endif

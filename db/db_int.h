/* db_int.h — what the files of db/ share and nobody else sees: the cu_db struct and the
 * libpq helpers that turn a failed PGresult into a cu_err. */
#ifndef CU_DB_INT_H
#define CU_DB_INT_H

#include <libpq-fe.h>
#include <sys/stat.h>

#include "db.h"
#include "logfile.h"
#include "strbuf.h"

struct cu_db {
    PGconn *conn;
    int64_t timeout_ms;   /* client-side deadline of one query (pq.c); 0 = none */
    int64_t statement_ms; /* the session's statement_timeout (db.c); 0 = none */
    cu_ingest_file *file; /* cu_db_ingest's file: bytes and parse, reused from file to file */
    cu_sb copy;           /* COPY data being built */
    struct cu_arrays *arr; /* an append's array parameters (append.c), allocated on first use */
    int prepared_append; /* how many of the ingest's three statements are prepared (ingest.c) */
    struct cu_append_memo *memo; /* what this connection last committed for a file (ingest.c) */
    volatile sig_atomic_t *step; /* cu_db_track_step's, or NULL */
};

/* One file read, hashed and (perhaps) parsed, ready for its transaction. */
struct cu_ingest_file {
    char *relpath;        /* the on-disk bytes, for opening */
    char *chemin, *folder; /* the path and its machine folder as stored (cu_db_name_utf8) */
    char *root;           /* cfg->root at preparation: where moved files are looked for */
    char *machine, *type; /* by cu_config_machine from the parent folder */
    cu_sb bytes;          /* the whole file; only a read buffer when streamed */
    bool streamed;        /* above CU_STREAM_ABOVE: read through the hash and parser, not kept */
    bool too_big;         /* larger than watch.max_file_size: not read (or not whole) */
    int64_t max_size;     /* watch.max_file_size when prepared */
    cu_logfile lf;        /* valid when parsed */
    cu_logfile prev;      /* the bytes last ingested, parsed when the file may be an append */
    bool parsed;
    bool known_same; /* the registry given to cu_ingest_prepare had this very hash */
    int read_rc;    /* 0, or -1 when the file could not be read (err says why) */
    int read_errno; /* errno of that failure: ENOENT means it vanished */
    cu_err err;
    char hash[65];
    int64_t size, mtime_us;
    /* An append's prefix hashed in the same pass as the whole file: hint_len is set by the
     * caller before cu_ingest_prepare (the size last committed for a file on this connection,
     * cu_db_ingest; 0 = none), and when 0 < hint_len < size, prefix_hash is the SHA-256 of the
     * first prefix_len (= hint_len) bytes read; else prefix_len is 0. */
    int64_t hint_len, prefix_len;
    char prefix_hash[65];
    /* For the check under the lock that the file is still what was read (issue 8: an older
     * read must never overwrite a newer one): where it is, and its stat after the read. */
    char *abspath;
    const cu_config *cfg; /* the prepare's configuration, to read the file again */
    int64_t st_size, st_mtime_ns, st_ctime_ns;
    uint64_t st_dev, st_ino;
    bool changed; /* found changed under the lock: rolled back, to be read again */
    bool guard;   /* cu_db_ingest_guarded: a file smaller than its last ingest is not written */
    double prep_ms;              /* time spent preparing, counted in the result's ms */
    volatile sig_atomic_t *step; /* where to say what it is doing (cu_db_track_step), or NULL */
};

/* ---- readfile.c: a file's bytes to the hash and the parser ---------------------------- */

/* Files above this are streamed (read a chunk at a time through the hash and the parser, never
 * held whole); a day's log, a few MB, is read whole and kept for an append. */
#define CU_STREAM_ABOVE ((int64_t)8 << 20)

/* A streamed read: what to do with the bytes, and what came of it. */
typedef struct cu_read_stream_args {
    cu_logfile *lf;         /* in: parse the bytes into it (identity from parse_path), or NULL */
    const char *parse_path;
    int64_t want;           /* in: stream the first `want` bytes whatever the file's size; -1:
                             * the whole file, streamed only when above CU_STREAM_ABOVE */
    bool streamed;          /* out: the bytes were streamed (buf holds none of them) */
    char hash[65];          /* out, when streamed: SHA-256 of the bytes read, lowercase hex */
    int64_t got;            /* out, when streamed: how many bytes were read */
} cu_read_stream_args;

/* Reads the file at path (relpath names it in errors). Larger than max bytes, before or while
 * reading: *too_big set, its content unused (st->st_size: what was seen). Otherwise, unless
 * stream says to stream it, the whole file into buf (NUL-terminated); when streamed, buf is
 * only the chunk buffer and stream's outputs hold the result. *st is the file's stat right
 * after the read (what the lock-time check compares). 0, or -1 with err and errno (ENOENT:
 * gone; ENOMEM: no memory for it, never an abort). */
int cu_read_file(cu_sb *buf, const char *path, const char *relpath, int64_t max,
                 struct stat *st, bool *too_big, cu_read_stream_args *stream, cu_err *err);
int cu_sha256_hex(const void *data, size_t len, char out[65], cu_err *err);
/* A 32-byte digest as 64 lowercase hex digits and a NUL. */
void cu_hex32(const unsigned char md[32], char out[65]);

/* An append (append.c): per detail table, in the order the ingest stores its rows, how many
 * stored rows stay (keep), how many of the old parse's rows after them go (drop), how many of
 * the new parse's rows after them are written (add). */
enum { CU_T_PIECES, CU_T_JOBS, CU_T_WAITS, CU_T_STOPS, CU_T_STATES, CU_T_REJECTS, CU_T_COUNT };
typedef struct cu_append_plan {
    size_t keep[CU_T_COUNT], drop[CU_T_COUNT], add[CU_T_COUNT];
} cu_append_plan;

/* Compares the parse of the bytes last ingested (old) with that of the whole new file (new),
 * which starts with those bytes. True when the new file can be written as an append: both
 * parse OK with the same production date, and the append only adds pieces, jobs, waits and
 * stops (the timeline's tail and the rejected lines may change). False: replace the session
 * whole (SPEC §3). */
bool cu_append_plan_make(const cu_logfile *old, const cu_logfile *new, cu_append_plan *plan);

/* Forgets the memo of the last file committed (ingest.c); cu_db_close calls it. */
typedef struct cu_append_memo cu_append_memo;
void cu_ingest_forget(cu_db *db);

/* PostgreSQL array literals ("{\"a\",NULL}") built one after the other into one buffer: the
 * parameters of an append's single statement (append.c). Reset by the first cu_arr_open
 * after n = 0; cu_arr_get(a, i) is valid until the buffer changes. */
#define CU_ARR_MAX 24
typedef struct cu_arrays {
    cu_sb buf;
    size_t start[CU_ARR_MAX];
    int n;
} cu_arrays;
void cu_arr_open(cu_arrays *a);
void cu_arr_text(cu_arrays *a, const char *s); /* NULL: a NULL element */
void cu_arr_int(cu_arrays *a, int64_t v);
void cu_arr_ts(cu_arrays *a, int64_t us);
void cu_arr_close(cu_arrays *a);
const char *cu_arr_get(const cu_arrays *a, int i);

/* Fills err with "what: primary (detail) HINT: hint" from r (or the connection's message when
 * r is NULL) and returns -1. Never includes connection parameters. */
int cu_pq_fail(cu_err *err, PGconn *conn, const PGresult *r, const char *what);

/* PQexec / PQexecParams that check the status (COMMAND_OK or TUPLES_OK) and PQclear on
 * failure. On success the caller owns the result (and must PQclear it); on failure returns
 * NULL with err filled. */
PGresult *cu_pq_exec(PGconn *conn, const char *sql, const char *what, cu_err *err);
PGresult *cu_pq_params(PGconn *conn, const char *sql, int n, const char *const *values,
                       const char *what, cu_err *err);
/* Sends sql (a COPY ... FROM STDIN) and data[0..len) as its data; 0 or -1. */
int cu_pq_copy(PGconn *conn, const char *sql, const char *data, size_t len, const char *what,
               cu_err *err);
/* The same in steps, so that a big COPY's text never has to be built whole (issue 8: peak
 * memory): cu_pq_copy_begin sends sql and waits for the server to take data (0, or -1 with err
 * and nothing to end); cu_pq_copy_put sends data[0..len) (0, or -1 once anything failed: the
 * rest is then ignored); cu_pq_copy_end ends the COPY (aborting it after a failed put) and
 * collects its outcome (0 or -1 with err). Every successful begin must be ended. */
typedef struct cu_pq_copy_state {
    PGconn *conn;
    const char *what;
    int64_t deadline;
    bool late, open;
    int rc;
} cu_pq_copy_state;
int cu_pq_copy_begin(cu_pq_copy_state *cs, PGconn *conn, const char *sql, const char *what,
                     cu_err *err);
int cu_pq_copy_put(cu_pq_copy_state *cs, const char *data, size_t len);
int cu_pq_copy_end(cu_pq_copy_state *cs, cu_err *err);
/* One statement of a pipeline: SQL, its n text parameters, what it does (for the error). */
typedef struct cu_pq_stmt {
    const char *sql;
    int n;
    const char *const *values;
    const char *what;
    const char *prepared; /* when not NULL, the name of a statement prepared for sql */
} cu_pq_stmt;
/* PQprepare with the deadline: name becomes sql on this connection. 0 or -1 (err). */
int cu_pq_prepare(PGconn *conn, const char *name, const char *sql, const char *what,
                  cu_err *err);
/* Sends the n statements in one round trip (libpq pipeline mode; they run in order, and after
 * a failure the rest are skipped) and collects their results into results[0..n-1], owned by
 * the caller (PQclear each). 0 when every one succeeded; -1 with err from the first failure
 * (every result cleared and NULL), or the deadline passed as for one query (connection
 * dropped). */
int cu_pq_pipeline(PGconn *conn, int n, const cu_pq_stmt *stmts, PGresult **results,
                   cu_err *err);

/* For the transaction of a file of `bytes` bytes: a big file's COPY takes time in
 * proportion, so above 8 MiB its statement_timeout (SET LOCAL) and client deadline grow by
 * 1 s per MiB (db.c). The caller restores db->timeout_ms when the transaction ends. */
int cu_db_scale_timeouts(cu_db *db, int64_t bytes, cu_err *err);

/* Ties conn to db, whose timeout_ms the helpers above then honour (pq.c). A query that gets
 * no answer within it drops the connection (PQstatus becomes CONNECTION_BAD) and fails with
 * "the database did not answer within N s". */
void cu_pq_attach(PGconn *conn, cu_db *db);

/* The same when the result is not needed: 0 or -1. */
int cu_pq_run(PGconn *conn, const char *sql, const char *what, cu_err *err);
int cu_pq_run_params(PGconn *conn, const char *sql, int n, const char *const *values,
                     const char *what, cu_err *err);

/* Exact formatting of the values ingest.c sends (exposed for tests/test_db.c):
 * µs as hours with 4 decimals and hundredths of a percent as a rate with 2, both rounded half
 * away from zero from integers (no floating point); a duration in µs as whole seconds, halves
 * away from zero; text escaped for COPY's text format (NULL becomes \N). */
void cu_db_fmt_hours(char out[32], int64_t us);
void cu_db_fmt_cpct(char out[16], int32_t cpct);
void cu_db_fmt_seconds(char out[32], int64_t us);
int64_t cu_db_round_seconds(int64_t us);
void cu_db_copy_text(cu_sb *sb, const char *s);

#endif

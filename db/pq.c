/* pq.c — every libpq round trip of db/, with a deadline (issue 8: stalls).
 *
 * PostgreSQL enforces statement_timeout and lock_timeout itself (db.c sets sane defaults per
 * session), but a server that stops answering altogether — a frozen backend, a half-open
 * connection behind a proxy, a unix socket where TCP keepalives do not apply — enforces
 * nothing. So each query is sent asynchronously and its result awaited with poll() until a
 * client-side deadline: the session's statement_timeout plus a grace period (db.c decides it
 * and stores it in the cu_db). When the deadline passes, the socket is shut down: libpq then
 * sees the connection as lost (PQstatus CONNECTION_BAD), which every caller already handles
 * as "database unavailable, reconnect with backoff". COPY data is sent in non-blocking mode
 * for the same reason: a server that reads nothing must not block us in send().
 *
 * The deadline is found from the PGconn through libpq's per-connection instance data, so
 * the helpers keep their PGconn signature. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include <libpq-events.h>

#include "db_int.h"

static int cu_pq_event(PGEventId id, void *info, void *pass)
{
    (void)id, (void)info, (void)pass;
    return 1;
}

void cu_pq_attach(PGconn *conn, cu_db *db)
{
    if (PQregisterEventProc(conn, cu_pq_event, "cuwatch", NULL))
        PQsetInstanceData(conn, cu_pq_event, db);
}

static int64_t cu_pq_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The absolute deadline for a query sent now; 0 for none. */
static int64_t cu_pq_deadline(PGconn *conn)
{
    const cu_db *db = PQinstanceData(conn, cu_pq_event);
    return db && db->timeout_ms > 0 ? cu_pq_now_ms() + db->timeout_ms : 0;
}

static int64_t cu_pq_timeout_of(PGconn *conn)
{
    const cu_db *db = PQinstanceData(conn, cu_pq_event);
    return db ? db->timeout_ms : 0;
}

/* Waits until the socket is ready for events (POLLIN/POLLOUT) or the deadline passes.
 * Returns 1 ready, 0 deadline passed. */
static int cu_pq_poll(PGconn *conn, short events, int64_t deadline)
{
    for (;;) {
        int wait = -1;
        if (deadline) {
            int64_t rem = deadline - cu_pq_now_ms();
            if (rem <= 0) return 0;
            wait = rem > INT_MAX ? INT_MAX : (int)rem;
        }
        struct pollfd p = {.fd = PQsocket(conn), .events = events};
        if (p.fd < 0) return 1; /* libpq will report the broken connection */
        int n = poll(&p, 1, wait);
        if (n > 0) return 1;
        if (n < 0 && errno != EINTR) return 1;
    }
}

/* The server did not answer in time: drop the connection so that libpq, and every caller
 * after it, sees it lost; then say what happened. */
static int cu_pq_timed_out(PGconn *conn, const char *what, cu_err *err)
{
    int fd = PQsocket(conn);
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
    PQconsumeInput(conn); /* reads EOF: CONNECTION_BAD */
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
    cu_fail(err, "%s: the database did not answer within %lld s: connection dropped", what,
            (long long)(cu_pq_timeout_of(conn) / 1000));
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", CU_SQLSTATE_NO_ANSWER);
    return -1;
}

/* The next result, waiting at most until deadline. *late is set when it passed. */
static PGresult *cu_pq_next(PGconn *conn, int64_t deadline, bool *late)
{
    while (PQisBusy(conn)) {
        if (!cu_pq_poll(conn, POLLIN, deadline)) {
            *late = true;
            return NULL;
        }
        if (!PQconsumeInput(conn)) break; /* PQgetResult reports the error */
    }
    return PQgetResult(conn);
}

/* Flushes what libpq holds for the server, reading meanwhile (a server that sends while we
 * send must not deadlock us). 0, or -1 (with *late set when the deadline passed). */
static int cu_pq_flush(PGconn *conn, int64_t deadline, bool *late)
{
    int f;
    while ((f = PQflush(conn)) == 1) {
        if (!cu_pq_poll(conn, POLLIN | POLLOUT, deadline)) {
            *late = true;
            return -1;
        }
        if (!PQconsumeInput(conn)) return -1;
    }
    return f == 0 ? 0 : -1;
}

/* Like PQexec's result: the results of every statement sent, the first error or else the
 * last result; stops at a COPY IN (the caller sends the data). */
static PGresult *cu_pq_collect(PGconn *conn, int64_t deadline, const char *what, cu_err *err)
{
    PGresult *keep = NULL, *r;
    bool late = false;
    while ((r = cu_pq_next(conn, deadline, &late)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(r);
        } else {
            PQclear(keep);
            keep = r;
        }
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) break;
    }
    if (late) {
        PQclear(keep);
        cu_pq_timed_out(conn, what, err);
        return NULL;
    }
    return keep;
}

static PGresult *cu_pq_check(PGconn *conn, PGresult *r, const char *what, cu_err *err)
{
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    cu_pq_fail(err, conn, r, what);
    PQclear(r);
    return NULL;
}

PGresult *cu_pq_exec(PGconn *conn, const char *sql, const char *what, cu_err *err)
{
    int64_t deadline = cu_pq_deadline(conn);
    if (!PQsendQuery(conn, sql)) return cu_pq_check(conn, NULL, what, err);
    err->msg[0] = '\0';
    PGresult *r = cu_pq_collect(conn, deadline, what, err);
    if (!r && err->msg[0]) return NULL; /* timed out: err says so */
    return cu_pq_check(conn, r, what, err);
}

PGresult *cu_pq_params(PGconn *conn, const char *sql, int n, const char *const *values,
                       const char *what, cu_err *err)
{
    int64_t deadline = cu_pq_deadline(conn);
    if (!PQsendQueryParams(conn, sql, n, NULL, values, NULL, NULL, 0))
        return cu_pq_check(conn, NULL, what, err);
    err->msg[0] = '\0';
    PGresult *r = cu_pq_collect(conn, deadline, what, err);
    if (!r && err->msg[0]) return NULL;
    return cu_pq_check(conn, r, what, err);
}

int cu_pq_run(PGconn *conn, const char *sql, const char *what, cu_err *err)
{
    PGresult *r = cu_pq_exec(conn, sql, what, err);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int cu_pq_run_params(PGconn *conn, const char *sql, int n, const char *const *values,
                     const char *what, cu_err *err)
{
    PGresult *r = cu_pq_params(conn, sql, n, values, what, err);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int cu_pq_copy_begin(cu_pq_copy_state *cs, PGconn *conn, const char *sql, const char *what,
                     cu_err *err)
{
    *cs = (cu_pq_copy_state){.conn = conn, .what = what, .deadline = cu_pq_deadline(conn)};
    if (!PQsendQuery(conn, sql)) return cu_pq_fail(err, conn, NULL, what);
    err->msg[0] = '\0';
    PGresult *r = cu_pq_collect(conn, cs->deadline, what, err);
    if (!r && err->msg[0]) return -1;
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        cu_pq_fail(err, conn, r, what);
        PQclear(r);
        /* A COPY that did start (PGRES_COPY_OUT/BOTH cannot, but be safe) is not left open. */
        return -1;
    }
    PQclear(r);
    /* Non-blocking while sending: PQputCopyData queues and returns 0 when libpq's buffer is
     * full, and cu_pq_flush waits (until the deadline) for the server to take it. */
    PQsetnonblocking(conn, 1);
    cs->open = true;
    return 0;
}

int cu_pq_copy_put(cu_pq_copy_state *cs, const char *data, size_t len)
{
    PGconn *conn = cs->conn;
    /* Slices of 1 MiB keep libpq's own buffer small however much the caller gives. */
    for (size_t off = 0; off < len && cs->rc == 0;) {
        size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
        int put = PQputCopyData(conn, data + off, (int)n);
        if (put == 1) {
            off += n;
            cs->deadline = cu_pq_deadline(conn); /* the server takes data: it is there */
            /* Send it before queueing more: in non-blocking mode libpq grows its output
             * buffer instead of waiting, up to the whole COPY (800 MB held, and kept until
             * the connection closes, after a 1 GB file). */
            if (cu_pq_flush(conn, cs->deadline, &cs->late) != 0) cs->rc = -1;
        }
        else if (put < 0 || cu_pq_flush(conn, cs->deadline, &cs->late) != 0)
            cs->rc = -1;
    }
    return cs->rc;
}

int cu_pq_copy_end(cu_pq_copy_state *cs, cu_err *err)
{
    PGconn *conn = cs->conn;
    const char *what = cs->what;
    if (!cs->open) return cu_fail(err, "%s: no COPY in progress", what);
    cs->open = false;
    int rc = cs->rc, end;
    while ((end = PQputCopyEnd(conn, rc == 0 ? NULL : "client error")) == 0)
        if (cu_pq_flush(conn, cs->deadline, &cs->late) != 0) break;
    if (end != 1 || cu_pq_flush(conn, cs->deadline, &cs->late) != 0) rc = -1;
    PQsetnonblocking(conn, 0);
    if (cs->late) return cu_pq_timed_out(conn, what, err);
    if (rc != 0) cu_pq_fail(err, conn, NULL, what);
    int64_t deadline = cu_pq_deadline(conn); /* all sent: the statement's own time from here */
    PGresult *r;
    bool late = false;
    while ((r = cu_pq_next(conn, deadline, &late)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) rc = cu_pq_fail(err, conn, r, what);
        PQclear(r);
    }
    if (late) return cu_pq_timed_out(conn, what, err);
    return rc;
}

int cu_pq_copy(PGconn *conn, const char *sql, const char *data, size_t len, const char *what,
               cu_err *err)
{
    cu_pq_copy_state cs;
    if (cu_pq_copy_begin(&cs, conn, sql, what, err) != 0) return -1;
    cu_pq_copy_put(&cs, data, len);
    return cu_pq_copy_end(&cs, err);
}

/* Several statements in one round trip: libpq's pipeline mode, sent non-blocking like COPY
 * data, results collected until the sync with the same deadline as one query. */
int cu_pq_pipeline(PGconn *conn, int n, const cu_pq_stmt *stmts, PGresult **results,
                   cu_err *err)
{
    int64_t deadline = cu_pq_deadline(conn);
    for (int i = 0; i < n; i++)
        results[i] = NULL;
    if (!PQenterPipelineMode(conn)) return cu_pq_fail(err, conn, NULL, stmts[0].what);
    PQsetnonblocking(conn, 1);
    bool late = false;
    int rc = 0, sent = 0;
    for (; sent < n; sent++) {
        const cu_pq_stmt *st = &stmts[sent];
        if (!(st->prepared ? PQsendQueryPrepared(conn, st->prepared, st->n, st->values, NULL,
                                                 NULL, 0)
                           : PQsendQueryParams(conn, st->sql, st->n, NULL, st->values, NULL,
                                               NULL, 0)))
            break;
    }
    if (sent < n) rc = cu_pq_fail(err, conn, NULL, stmts[sent].what);
    if (!PQpipelineSync(conn) || cu_pq_flush(conn, deadline, &late) != 0) {
        if (rc == 0 && !late) rc = cu_pq_fail(err, conn, NULL, stmts[0].what);
        rc = -1;
    }
    /* Each statement's results end with a NULL; the sync's result ends it all. */
    int k = 0, nulls = 0;
    while (rc == 0 || (!late && PQstatus(conn) == CONNECTION_OK)) {
        PGresult *r = cu_pq_next(conn, deadline, &late);
        if (late) break;
        if (!r) {
            k++;
            if (PQstatus(conn) != CONNECTION_OK || ++nulls > n + 1) break;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (k < n && !results[k])
            results[k] = r;
        else
            PQclear(r);
    }
    PQexitPipelineMode(conn);
    PQsetnonblocking(conn, 0);
    if (late) {
        for (int i = 0; i < n; i++) {
            PQclear(results[i]);
            results[i] = NULL;
        }
        return cu_pq_timed_out(conn, stmts[0].what, err);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        ExecStatusType st = results[i] ? PQresultStatus(results[i]) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            rc = cu_pq_fail(err, conn, results[i], stmts[i].what);
    }
    if (rc != 0)
        for (int i = 0; i < n; i++) {
            PQclear(results[i]);
            results[i] = NULL;
        }
    return rc;
}

int cu_pq_prepare(PGconn *conn, const char *name, const char *sql, const char *what, cu_err *err)
{
    int64_t deadline = cu_pq_deadline(conn);
    if (!PQsendPrepare(conn, name, sql, 0, NULL)) return cu_pq_fail(err, conn, NULL, what);
    err->msg[0] = '\0';
    PGresult *r = cu_pq_collect(conn, deadline, what, err);
    if (!r && err->msg[0]) return -1;
    r = cu_pq_check(conn, r, what, err);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

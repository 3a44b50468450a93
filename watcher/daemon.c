/* daemon.c — see daemon.h. The event loop, and what it does with each thing that happens.
 *
 * One upload, from the event to the COMMIT:
 *   inotify IN_CLOSE_WRITE -> cu_iw_read -> cu_daemon_on_watch: the path joins the queue
 *   -> the loop takes the queue's head -> cu_daemon_process: lstat -> cu_db_ingest_guarded
 *   (one transaction; its first query also says whether the file is smaller than last time:
 *   the shrink rule) -> cu_ingest_log, the file's log line.
 *
 * The loop handles one queued file per turn and polls with a zero timeout while work is
 * waiting, so inotify events keep being drained during a burst (the kernel queue does not
 * overflow behind a long backlog) and a SIGTERM is seen after the file in flight, never in
 * the middle of it: signals are blocked and read from a signalfd, so an ingest is never
 * interrupted and the transaction in flight commits before the daemon exits. The one
 * exception is a database that stops answering: see "stopping while the database does not
 * answer" below.
 *
 * The database and the root come and go; each is a small state machine here with a backoff
 * schedule, and each change of state is logged once. While the database is away, events keep
 * filling the (de-duplicated) queue; when it is back the queue drains, and a reconciliation
 * catches anything the queue could not know about. */
#include "daemon.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "db.h"
#include "inotify_watch.h"
#include "log.h"
#include "pending.h"
#include "reconcile.h"
#include "scan.h"
#include "strbuf.h"
#include "telemetry.h"

#define CU_DB_RETRY_BASE_MS 250
#define CU_DB_RETRY_CAP_MS 10000
#define CU_INGEST_RETRY_BASE_MS 1000
#define CU_INGEST_RETRY_CAP_MS 10000
#define CU_UNREADABLE_BASE_MS 1000 /* a file that could not be read: first retry, */
#define CU_UNREADABLE_CAP_MS 60000 /* then doubling up to this */
#define CU_ROOT_RETRY_BASE_MS 500
#define CU_ROOT_RETRY_CAP_MS 10000
#define CU_LIMITED_RESCAN_MS 10000 /* rescan rhythm while some folder cannot be watched */
#define CU_RELEASED INT64_MAX      /* settle entry whose time is up, queued for ingestion */
#define CU_STOP_GRACE_MS 1500      /* how long a database call may delay a SIGTERM */
#define CU_DB_REWARN_MS 300000     /* a database that stays down is warned about again */

typedef enum { CU_STATE_UNKNOWN, CU_STATE_UP, CU_STATE_DOWN } cu_state;

/* What a reconciliation found, for its summary line (SPEC §4). Every file it saw counts
 * exactly once: at once when its size and mtime match the registry (unchanged), else when its
 * turn in the queue comes (covers holds the paths still to come; files queued by events
 * meanwhile are not its business). So files = ingested + unchanged + files_rejected + errors
 * + gone + settling, and lines_rejected is the sum of the files' rejected lines. */
typedef struct cu_tally {
    size_t files, queued, ingested, unchanged, files_rejected, errors, gone, settling;
    uint64_t lines_rejected;
    cu_pending *covers;
    int64_t started_ms;
    bool open;
    cu_log_level level; /* of its lines */
} cu_tally;

typedef enum {
    CU_TALLY_INGESTED,
    CU_TALLY_UNCHANGED,
    CU_TALLY_REJECTED,
    CU_TALLY_ERROR,
    CU_TALLY_GONE,
    CU_TALLY_SETTLING
} cu_tally_outcome;

typedef struct cu_daemon {
    cu_config *cfg;
    const char *config_path;
    const char *root_override;
    cu_scan_rules rules; /* points into cfg */

    int sfd;
    sigset_t stop_set; /* SIGTERM, SIGINT: unblocked during a database call */
    bool stop;
    bool failed;     /* stop with exit status 1 */
    bool stop_timer; /* cu_stop_timer was created */

    cu_iw iw;
    cu_state root_state;
    cu_backoff root_backoff;
    int64_t root_retry_at;
    bool watch_limited; /* some folder could not be watched: rescan on a timer */
    int64_t limited_rescan_at;
    bool rewalk; /* events were lost: re-attach the watches */

    cu_db *db;
    int quiet_reconnects; /* in a row, without a file done in between (cu_daemon_reconnect) */
    cu_state db_state;
    cu_backoff db_backoff;
    int64_t db_retry_at;
    int64_t db_down_since, db_warned_at; /* monotonic ms, while db_state is DOWN */

    cu_pending *queue;         /* to ingest, in arrival order; due later after an error */
    cu_backoff ingest_backoff; /* a database error on a live connection: retry later */
    cu_pending *settling;      /* shrunken files waiting out watch.settle */
    cu_pending *unreadable;    /* files whose read failed; the stamp's size counts failures */

    bool reconcile_wanted;
    int64_t reconcile_retry_at; /* after a failed registry load on a live connection */
    cu_backoff reconcile_backoff;
    const char *reconcile_why;
    bool reconcile_quiet;         /* a routine rescan: its lines go to the debug log */
    int64_t next_timer_reconcile; /* INT64_MAX when watch.reconcile_every is off */
    cu_tally tally;
    cu_telemetry *tm; /* metrics, /healthz, sd_notify: fed here, never waited on */
} cu_daemon;

static int64_t cu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void cu_daemon_want_reconcile(cu_daemon *d, const char *why)
{
    if (!d->reconcile_wanted) d->reconcile_why = why;
    d->reconcile_wanted = true;
    d->reconcile_quiet = false;
}

static void cu_daemon_schedule_timer(cu_daemon *d)
{
    d->next_timer_reconcile =
        d->cfg->reconcile_every_ms > 0 ? cu_now_ms() + d->cfg->reconcile_every_ms : INT64_MAX;
}

/* ---- inotify ------------------------------------------------------------------------- */

/* ---- files that cannot be read ---------------------------------------------------------- */

/* A file the daemon cannot read (0600 and another owner, an I/O error) stays in the queue,
 * due again after a per-file backoff (1 s doubling to 60 s: no hot loop, and a fix is seen
 * within a minute even where inotify is blind), and at once when its attributes change (the
 * chmod or chown that fixes it). The first failure is a warning naming the file and the
 * reason; the retries are debug lines, so a file left unreadable for days does not flood the
 * log. A restart forgets the count, not the file: its registry row says erreur, so the
 * start-up reconciliation queues it again. */
static void cu_daemon_unreadable(cu_daemon *d, const char *rel, const cu_ingest_result *res)
{
    const cu_pending_item *u = cu_pending_find(d->unreadable, rel);
    int64_t failures = (u ? u->size : 0) + 1;
    int64_t wait = CU_UNREADABLE_BASE_MS;
    for (int64_t i = 1; i < failures && wait < CU_UNREADABLE_CAP_MS; i++)
        wait *= 2;
    if (wait > CU_UNREADABLE_CAP_MS) wait = CU_UNREADABLE_CAP_MS;
    cu_pending_defer(d->unreadable, rel, 0, failures, 0);
    cu_pending_defer(d->queue, rel, cu_now_ms() + wait, -1, 0);
    cu_log_field f[] = {CU_LF_STR("path", rel), CU_LF_STR("error", res->err.msg),
                        CU_LF_NUM("retry_ms", wait), CU_LF_NUM("failures", failures)};
    if (failures == 1)
        cu_log_fields(CU_LOG_WARN,
                      "cannot read the file; retrying with backoff (up to every 60 s) and at "
                      "once when its permissions change",
                      f, 4);
    else
        cu_log_fields(CU_LOG_DEBUG, "still cannot read the file", f, 4);
}

/* A file read (or gone) after failures: forget its count, and say it once. */
static void cu_daemon_readable(cu_daemon *d, const char *rel)
{
    const cu_pending_item *u = cu_pending_find(d->unreadable, rel);
    if (!u) return;
    cu_log_field f[] = {CU_LF_STR("path", rel), CU_LF_NUM("failures", u->size)};
    cu_log_fields(CU_LOG_INFO, "the file can be read again", f, 2);
    cu_pending_remove(d->unreadable, rel);
}

static void cu_daemon_on_attrib(cu_daemon *d, const char *rel)
{
    if (cu_pending_find(d->unreadable, rel)) {
        cu_log_field f[] = {CU_LF_STR("path", rel)};
        cu_log_fields(CU_LOG_DEBUG, "attributes changed: retrying the file now", f, 1);
        cu_pending_add(d->queue, rel); /* due at once, keeping its place */
    }
    /* Any other file was read at its last event; an attribute change is no new content. */
}

static void cu_daemon_on_watch(void *ctx, cu_iw_kind kind, const char *rel)
{
    cu_daemon *d = ctx;
    switch (kind) {
    case CU_IW_FILE:
        cu_pending_add(d->queue, rel);
        break;
    case CU_IW_ATTRIB:
        cu_daemon_on_attrib(d, rel);
        break;
    case CU_IW_RESCAN:
        d->rewalk = true;
        cu_daemon_want_reconcile(d, "inotify events were lost");
        break;
    case CU_IW_ROOT_LOST:
        d->root_state = CU_STATE_DOWN;
        cu_backoff_reset(&d->root_backoff);
        d->root_retry_at = cu_now_ms() + cu_backoff_fail(&d->root_backoff);
        break;
    }
}

/* Watches the root; on success a reconciliation follows (the watches exist first, so a file
 * landing during the reconciliation is seen by one or the other). */
static void cu_daemon_attach(cu_daemon *d, const char *why)
{
    cu_err err;
    if (cu_iw_attach(&d->iw, &err) != 0) {
        if (d->root_state != CU_STATE_DOWN)
            cu_log(CU_LOG_ERROR, "%s; retrying until it exists", err.msg);
        d->root_state = CU_STATE_DOWN;
        d->root_retry_at = cu_now_ms() + cu_backoff_fail(&d->root_backoff);
        return;
    }
    if (d->root_state == CU_STATE_DOWN) {
        cu_log_field f[] = {CU_LF_STR("root", d->cfg->root)};
        cu_log_fields(CU_LOG_INFO, "root is back", f, 1);
    }
    cu_log_field f[] = {CU_LF_STR("root", d->cfg->root), CU_LF_STR("pattern", d->cfg->pattern),
                        CU_LF_NUM("depth", d->cfg->depth), CU_LF_NUM("folders", d->iw.n_watches)};
    /* The rescans of a watch-limited root repeat every few seconds: keep them out of the
     * info log, which already said once why they happen. */
    bool routine = d->root_state == CU_STATE_UP && !d->rewalk;
    cu_log_fields(routine ? CU_LOG_DEBUG : CU_LOG_INFO, "watching", f, 4);
    d->root_state = CU_STATE_UP;
    d->rewalk = false;
    cu_backoff_reset(&d->root_backoff);
    bool already = d->reconcile_wanted;
    cu_daemon_want_reconcile(d, why);
    d->reconcile_quiet = routine && !already;
}

static void cu_daemon_check_limit(cu_daemon *d)
{
    bool limited = d->root_state == CU_STATE_UP && !cu_iw_complete(&d->iw);
    if (limited && !d->watch_limited) {
        cu_log(CU_LOG_ERROR,
               "inotify watch limit reached: some folders under \"%s\" cannot be watched; "
               "rescanning every %d s until they can (raise fs.inotify.max_user_watches)",
               d->cfg->root, CU_LIMITED_RESCAN_MS / 1000);
        d->limited_rescan_at = cu_now_ms() + CU_LIMITED_RESCAN_MS;
    } else if (!limited && d->watch_limited && d->root_state == CU_STATE_UP) {
        cu_log(CU_LOG_INFO, "every folder under \"%s\" is watched again", d->cfg->root);
    }
    d->watch_limited = limited;
}

/* ---- stopping while the database does not answer --------------------------------------- */

/* SIGTERM and SIGINT are read from the signalfd between two pieces of work, but a database
 * call (connect, migrate, a registry query, an ingest) blocks for as long as the server does
 * not answer: a frozen server would hold the daemon past SPEC §4's 2 seconds. So around each
 * call the two signals are unblocked and caught by cu_stop_on_signal, which records the
 * signal and arms a one-shot timer of CU_STOP_GRACE_MS. When the call returns first, the
 * daemon stops as after reading the signal from the signalfd (the transaction committed or
 * rolled back). When the timer fires first, cu_stop_on_alarm leaves at once: the server rolls
 * back the open transaction when the connection drops, the file stays on disk with its
 * registry row unchanged, and the next start's reconciliation ingests it.
 *
 * The line it writes says what the daemon was doing (reading or parsing which file, or
 * waiting for the database: cu_db_track_step keeps cu_stop_step current), and the exit status
 * is 1: the stop was not clean, an operator or a supervisor should know.
 *
 * Signal handlers can only share state through statics: these five are the only ones. */
static volatile sig_atomic_t cu_stop_in_call; /* a database call is in flight */
static volatile sig_atomic_t cu_stop_signo;   /* SIGTERM/SIGINT caught during one */
static volatile sig_atomic_t cu_stop_step;    /* a cu_ingest_step: what the call is doing */
static char cu_stop_file[1024];               /* the file it is about (escaped), or "" */
static timer_t cu_stop_timer;

static void cu_stop_on_signal(int signo)
{
    if (cu_stop_signo != 0) return;
    cu_stop_signo = signo;
    struct itimerspec its = {.it_value = {.tv_sec = CU_STOP_GRACE_MS / 1000,
                                          .tv_nsec = (CU_STOP_GRACE_MS % 1000) * 1000000L}};
    timer_settime(cu_stop_timer, 0, &its, NULL); /* async-signal-safe */
}

static void cu_stop_put(char *buf, size_t *len, size_t cap, const char *s)
{
    while (*s && *len < cap)
        buf[(*len)++] = *s++;
}

/* Async-signal-safe: the line is assembled by hand and written with one write(2). */
static void cu_stop_on_alarm(int signo)
{
    (void)signo;
    if (!cu_stop_in_call) return; /* the call returned just now: the loop stops normally */
    char line[2048];
    size_t n = 0;
    cu_stop_put(line, &n, sizeof line,
                cu_stop_signo == SIGINT ? "cuwatch: SIGINT: still " : "cuwatch: SIGTERM: still ");
    switch (cu_stop_step) {
    case CU_STEP_READING:
        cu_stop_put(line, &n, sizeof line, "reading \"");
        break;
    case CU_STEP_PARSING:
        cu_stop_put(line, &n, sizeof line, "parsing \"");
        break;
    default:
        cu_stop_put(line, &n, sizeof line, "waiting for the database");
        break;
    }
    if (cu_stop_step == CU_STEP_READING || cu_stop_step == CU_STEP_PARSING) {
        cu_stop_put(line, &n, sizeof line, cu_stop_file);
        cu_stop_put(line, &n, sizeof line, "\"");
    } else if (cu_stop_file[0]) {
        cu_stop_put(line, &n, sizeof line, " (ingesting \"");
        cu_stop_put(line, &n, sizeof line, cu_stop_file);
        cu_stop_put(line, &n, sizeof line, "\")");
    }
    cu_stop_put(line, &n, sizeof line,
                " after 1.5 s: exiting with status 1; nothing of it is committed (the "
                "transaction in flight is rolled back), the next start reconciles it\n");
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
    _exit(1);
}

/* Before a database call: what it is about, for cu_stop_on_alarm (rel NULL: no file). The
 * name is escaped as the log escapes it, so the emergency line cannot be forged either. */
static void cu_daemon_stop_context(const char *rel)
{
    cu_stop_step = CU_STEP_DATABASE;
    cu_stop_file[0] = '\0';
    if (!rel) return;
    cu_sb esc = {0};
    cu_log_text(&esc, rel);
    snprintf(cu_stop_file, sizeof cu_stop_file, "%s", esc.data ? esc.data : "");
    cu_sb_free(&esc);
}

static void cu_daemon_stop(cu_daemon *d, int signo)
{
    cu_log(CU_LOG_INFO,
           "%s: stopping, %zu file(s) still pending (start-up reconciliation will pick them up)",
           signo == SIGINT ? "SIGINT" : "SIGTERM", cu_pending_len(d->queue));
    d->stop = true;
    cu_tm_stopping(d->tm);
}

/* After a database call: SIGTERM/SIGINT go back to the signalfd; one caught meanwhile stops
 * the daemon (d->stop). */
static void cu_daemon_db_end(cu_daemon *d)
{
    cu_stop_in_call = 0;
    sigprocmask(SIG_BLOCK, &d->stop_set, NULL);
    if (cu_stop_signo == 0) return;
    struct itimerspec off;
    memset(&off, 0, sizeof off);
    timer_settime(cu_stop_timer, 0, &off, NULL);
    cu_daemon_stop(d, cu_stop_signo);
}

/* Before a database call. Returns false, with d->stop set, when a SIGTERM/SIGINT was already
 * waiting: the call is not made. */
static bool cu_daemon_db_begin(cu_daemon *d)
{
    if (d->db) cu_db_track_step(d->db, &cu_stop_step);
    cu_stop_in_call = 1;
    sigprocmask(SIG_UNBLOCK, &d->stop_set, NULL); /* a pending signal is caught right here */
    if (cu_stop_signo == 0) return true;
    cu_daemon_db_end(d);
    return false;
}

/* ---- the database ---------------------------------------------------------------------- */

static void cu_daemon_db_down(cu_daemon *d, const char *msg)
{
    cu_db_close(d->db);
    d->db = NULL;
    int64_t wait = cu_backoff_fail(&d->db_backoff);
    int64_t now = cu_now_ms();
    cu_log_field f[] = {CU_LF_STR("error", msg), CU_LF_NUM("pending", cu_pending_len(d->queue)),
                        CU_LF_NUM("retry_cap_s", CU_DB_RETRY_CAP_MS / 1000),
                        CU_LF_NUM("down_s", 0)};
    if (d->db_state != CU_STATE_DOWN) {
        d->db_down_since = d->db_warned_at = now;
        cu_log_fields(CU_LOG_ERROR, "database unavailable; retrying with backoff", f, 3);
    } else if (now - d->db_warned_at >= CU_DB_REWARN_MS) {
        /* Once is not enough for an outage that lasts: an operator who looks at the log an
         * hour later must see that it is still going on, and how much is waiting. */
        d->db_warned_at = now;
        f[3].num = (double)((now - d->db_down_since) / 1000);
        cu_log_fields(CU_LOG_WARN, "database still unavailable", f, 4);
    } else {
        cu_log(CU_LOG_DEBUG, "database still unreachable; next attempt in %lld ms",
               (long long)wait);
    }
    d->db_state = CU_STATE_DOWN;
    d->db_retry_at = now + wait;
}

/* Connects and migrates. A migration that fails on a live connection is a database the
 * daemon cannot work with: that is fatal (returns -1). */
static int cu_daemon_connect(cu_daemon *d)
{
    cu_err err;
    cu_db_conn_error why;
    if (!cu_daemon_db_begin(d)) return 0;
    d->db = cu_db_connect(d->cfg, &why, &err);
    cu_daemon_db_end(d);
    if (d->stop) return 0;
    if (!d->db) {
        cu_daemon_db_down(d, err.msg);
        return 0;
    }
    /* A read-only server (a standby after failover, default_transaction_read_only) is
     * unavailable: files stay pending and the connection is retried with backoff, which
     * also finds the new primary behind the same address. */
    if (!cu_daemon_db_begin(d)) return 0;
    int wrc = cu_db_writable(d->db, &err);
    cu_daemon_db_end(d);
    if (d->stop) return 0;
    if (wrc != 1) {
        cu_daemon_db_down(d, err.msg);
        return 0;
    }
    int applied = 0;
    if (!cu_daemon_db_begin(d)) return 0;
    int mrc = cu_db_migrate(d->db, &applied, &err);
    cu_daemon_db_end(d);
    if (d->stop) return 0;
    if (mrc != 0) {
        if (cu_db_alive(d->db) && !cu_db_err_read_only(&err)) {
            cu_log(CU_LOG_ERROR, "%s", err.msg);
            return -1;
        }
        cu_daemon_db_down(d, err.msg);
        return 0;
    }
    char ver[32];
    cu_log_field f[] = {CU_LF_STR("server", cu_db_server_version(d->db, ver)),
                        CU_LF_NUM("migrations_applied", applied),
                        CU_LF_NUM("pending", cu_pending_len(d->queue))};
    cu_log_fields(CU_LOG_INFO,
                  d->db_state == CU_STATE_DOWN ? "database is back" : "database connected", f, 3);
    d->db_state = CU_STATE_UP;
    d->quiet_reconnects = 0;
    cu_backoff_reset(&d->db_backoff);
    /* Anything that changed while we could not look (a failed ingest, a previous run). */
    cu_daemon_want_reconcile(d, "database connected");
    return 0;
}

/* ---- reconciliation -------------------------------------------------------------------- */

static void cu_daemon_tally_drop(cu_daemon *d)
{
    cu_pending_free(d->tally.covers);
    memset(&d->tally, 0, sizeof d->tally);
}

/* One outcome for rel: counted when rel is one of the open reconciliation's files. */
static void cu_daemon_tally(cu_daemon *d, const char *rel, cu_tally_outcome what,
                            uint64_t lines_rejected)
{
    cu_tally *t = &d->tally;
    if (!t->open || !cu_pending_remove(t->covers, rel)) return;
    switch (what) {
    case CU_TALLY_INGESTED:
        t->ingested++;
        break;
    case CU_TALLY_UNCHANGED:
        t->unchanged++;
        break;
    case CU_TALLY_REJECTED:
        t->files_rejected++;
        break;
    case CU_TALLY_ERROR:
        t->errors++;
        break;
    case CU_TALLY_GONE:
        t->gone++;
        break;
    case CU_TALLY_SETTLING:
        t->settling++;
        break;
    }
    t->lines_rejected += lines_rejected;
}

static void cu_daemon_tally_result(cu_daemon *d, const char *rel, const cu_ingest_result *res)
{
    static const cu_tally_outcome by_status[] = {
        [CU_INGEST_OK] = CU_TALLY_INGESTED,
        [CU_INGEST_UNCHANGED] = CU_TALLY_UNCHANGED,
        [CU_INGEST_REJECTED] = CU_TALLY_REJECTED,
        [CU_INGEST_ERROR] = CU_TALLY_ERROR,
    };
    cu_tally_outcome what =
        res->status == CU_INGEST_ERROR && res->gone ? CU_TALLY_GONE : by_status[res->status];
    bool counts_lines = res->status == CU_INGEST_OK || res->status == CU_INGEST_REJECTED;
    cu_daemon_tally(d, rel, what, counts_lines ? res->rejected_lines : 0);
}

/* Registry rows of files that moved, left behind by a race (a folder renamed back and forth
 * faster than the daemon reads): their content is recorded at a path on disk, their own path
 * is gone. Each goes with its session (db/moves.c), so a rename never leaves a day counted
 * twice or a machine that no longer exists. */
static void cu_daemon_forget_moved(cu_daemon *d, const cu_registry *reg, cu_pending *moved)
{
    const cu_pending_item *it;
    while (!d->stop && d->db && (it = cu_pending_peek(moved, 0)) != NULL) {
        char *old = cu_xstrdup(it->path);
        cu_pending_remove(moved, old);
        const cu_registry_entry *e = cu_registry_find(reg, old);
        cu_err err;
        int rc = 0;
        if (e && cu_daemon_db_begin(d)) {
            rc = cu_db_forget_moved(d->db, d->cfg->root, old, e->empreinte, &err);
            cu_daemon_db_end(d);
        }
        if (rc == 1) {
            cu_log_field f[] = {CU_LF_STR("path", old)};
            cu_log_fields(CU_LOG_INFO,
                          "moved: forgot the old path of a file whose content is recorded under "
                          "its new one, with its session",
                          f, 1);
        } else if (rc < 0 && !cu_db_alive(d->db)) {
            cu_daemon_db_down(d, err.msg);
        } else if (rc < 0) {
            cu_log_field f[] = {CU_LF_STR("path", old), CU_LF_STR("error", err.msg)};
            cu_log_fields(CU_LOG_WARN, "could not forget the old path of a moved file", f, 2);
        }
        free(old);
    }
}

static void cu_daemon_reconcile(cu_daemon *d)
{
    cu_registry reg = {0};
    cu_err err;
    int64_t t0 = cu_now_ms();
    if (!cu_daemon_db_begin(d)) return;
    int lrc = cu_db_registry_load(d->db, &reg, &err);
    cu_daemon_db_end(d);
    if (d->stop) {
        if (lrc == 0) cu_registry_free(&reg);
        return;
    }
    if (lrc != 0) {
        if (!cu_db_alive(d->db)) {
            cu_daemon_db_down(d, err.msg);
            return;
        }
        /* The server answered but refused (a lock or statement timeout, a broken table):
         * try again later, saying so once, rather than on every turn of the loop. */
        int64_t wait = cu_backoff_fail(&d->reconcile_backoff);
        d->reconcile_retry_at = cu_now_ms() + wait;
        cu_log(d->reconcile_backoff.failures == 1 ? CU_LOG_ERROR : CU_LOG_DEBUG,
               "reconciliation failed: %s; trying again in %lld ms (then up to every %d s)",
               err.msg, (long long)wait, CU_DB_RETRY_CAP_MS / 1000);
        return;
    }
    cu_backoff_reset(&d->reconcile_backoff);
    d->reconcile_retry_at = 0;
    cu_tm_registry(d->tm, d->cfg, &reg);
    cu_reconcile_stats st;
    cu_daemon_tally_drop(d); /* a reconciliation still open is superseded: this one sees all */
    cu_pending *covers = cu_pending_new();
    cu_pending *moved = cu_pending_new();
    int rc = cu_reconcile(d->cfg->root, &d->rules, &reg, d->queue, covers, moved, &st, &err);
    if (rc == 0) cu_daemon_forget_moved(d, &reg, moved);
    cu_pending_free(moved);
    cu_registry_free(&reg);
    d->reconcile_wanted = false;
    if (rc != 0) {
        cu_pending_free(covers);
        cu_log(CU_LOG_ERROR, "reconciliation failed: %s", err.msg);
        return;
    }
    cu_log_field f[] = {CU_LF_STR("reason", d->reconcile_why), CU_LF_NUM("files", st.seen),
                        CU_LF_NUM("queued", st.queued),
                        CU_LF_NUM("ms", (double)(cu_now_ms() - t0))};
    cu_log_level level = d->reconcile_quiet && st.queued == 0 ? CU_LOG_DEBUG : CU_LOG_INFO;
    d->reconcile_quiet = false;
    cu_log_fields(level, "reconciling", f, 4);
    d->tally = (cu_tally){.files = st.seen,
                          .queued = st.queued,
                          .unchanged = st.seen - st.queued,
                          .covers = covers,
                          .started_ms = t0,
                          .open = true,
                          .level = level};
}

/* The open reconciliation's summary, once each of its files has had its turn. Files deferred
 * after an error do not hold it back: they were counted as errors. */
static void cu_daemon_tally_close(cu_daemon *d)
{
    cu_tally *t = &d->tally;
    if (!t->open || cu_pending_len(t->covers) > 0) return;
    cu_log_field f[] = {CU_LF_NUM("files", t->files),
                        CU_LF_NUM("ingested", t->ingested),
                        CU_LF_NUM("unchanged", t->unchanged),
                        CU_LF_NUM("files_rejected", t->files_rejected),
                        CU_LF_NUM("errors", t->errors),
                        CU_LF_NUM("gone", t->gone),
                        CU_LF_NUM("settling", t->settling),
                        CU_LF_NUM("lines_rejected", t->lines_rejected),
                        CU_LF_NUM("seconds", (double)(cu_now_ms() - t->started_ms) / 1000.0)};
    cu_log_fields(t->level, "reconciled", f, 9);
    cu_daemon_tally_drop(d);
}

/* ---- one file -------------------------------------------------------------------------- */

/* A connection found dead when work came (idle_session_timeout, pg_terminate_backend, a
 * proxy that drops idle connections) is routine, not an outage: reconnect at once, quietly
 * (no migration, no reconciliation: the schema and the registry were fine a moment ago), so
 * the caller can retry once. Returns true when connected again; otherwise the database is
 * down (error line, backoff, reconciliation when it is back). */
static bool cu_daemon_reconnect(cu_daemon *d, const cu_err *lost)
{
    const char *why = lost->msg;
    if (d->quiet_reconnects >= 2) { /* lost again straight away: that is an outage */
        cu_daemon_db_down(d, why);
        return false;
    }
    d->quiet_reconnects++;
    cu_db_close(d->db);
    d->db = NULL;
    cu_err err;
    if (!cu_daemon_db_begin(d)) return false;
    d->db = cu_db_connect(d->cfg, NULL, &err);
    int w = d->db ? cu_db_writable(d->db, &err) : -1;
    cu_daemon_db_end(d);
    if (d->stop) return false;
    if (!d->db || w != 1) {
        cu_daemon_db_down(d, err.msg);
        return false;
    }
    /* A server that stopped answering deserves a warning; a connection closed by the server
     * or a proxy is routine. */
    cu_log_field f[] = {CU_LF_STR("reason", why)};
    cu_log_fields(cu_db_err_no_answer(lost) ? CU_LOG_WARN : CU_LOG_INFO,
                  "database connection lost; reconnected", f, 1);
    return true;
}

static bool cu_daemon_shrunk(cu_daemon *d, const char *rel, const struct stat *st, int64_t last);

/* t0: when the daemon took the file up (its ms= counts from there). guard: the shrink rule is
 * the ingest's to check (cu_db_ingest_guarded, in the query it makes anyway); a file found
 * smaller than its last ingested version is then handed to cu_daemon_shrunk. */
static void cu_daemon_ingest(cu_daemon *d, const char *rel, const struct stat *st, int64_t t0,
                             bool guard)
{
    cu_ingest_result res;
    memset(&res, 0, sizeof res);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!cu_daemon_db_begin(d)) return;
        if (guard)
            cu_db_ingest_guarded(d->db, d->cfg, rel, &res);
        else
            cu_db_ingest(d->db, d->cfg, rel, false, &res);
        cu_daemon_db_end(d); /* a stop caught meanwhile: this file's outcome is still recorded */
        if (res.shrunk_from > 0) { /* nothing written */
            cu_daemon_shrunk(d, rel, st, res.shrunk_from);
            return;
        }
        /* A complete re-upload wins; an ingest that failed (before it could tell) keeps a
         * settling file's timer. */
        if (guard && res.status != CU_INGEST_ERROR) cu_pending_remove(d->settling, rel);
        cu_tm_ingested(d->tm, rel, &res, (double)st->st_mtim.tv_sec + st->st_mtim.tv_nsec / 1e9);
        if (res.status != CU_INGEST_ERROR || (!res.conn_lost && cu_db_alive(d->db))) break;
        /* Nothing was committed: the file stays at the head of the queue. One quiet retry on
         * a new connection, then the database is down. */
        if (attempt == 1 || d->stop) {
            cu_daemon_db_down(d, res.err.msg);
            return;
        }
        if (!cu_daemon_reconnect(d, &res.err)) return;
    }
    d->quiet_reconnects = 0;
    /* ms= counts the whole time this file took, a reconnection and retry included. */
    if (res.ms < (double)(cu_now_ms() - t0)) res.ms = (double)(cu_now_ms() - t0);
    cu_daemon_tally_result(d, rel, &res);
    if (res.status == CU_INGEST_ERROR && res.io_error && !res.gone) {
        cu_daemon_unreadable(d, rel, &res);
        return;
    }
    if (res.gone)
        cu_pending_remove(d->unreadable, rel); /* nothing left to read */
    else
        cu_daemon_readable(d, rel);
    cu_ingest_log(rel, &res);
    switch (res.status) {
    case CU_INGEST_OK:
    case CU_INGEST_UNCHANGED:
    case CU_INGEST_REJECTED:
        break;
    case CU_INGEST_ERROR:
        /* An error the file will meet again (issue 8: invalid data for a column) is recorded
         * (fichier_log 'erreur', the error line above) and left to the file's next change or
         * the next reconciliation, rather than retried every few seconds for ever. */
        if (!res.io_error && !res.permanent) {
            /* The server refused this transaction (disk full, a lock or statement timeout)
             * but is there: try again later rather than wait for a reconciliation that may
             * never come (watch.reconcile_every is off by default). One backoff for all
             * files: such errors are the server's state, not the file's. A file that cannot
             * be read has its own backoff (cu_daemon_unreadable); a gone one is done. */
            int64_t wait = cu_backoff_fail(&d->ingest_backoff);
            cu_sb msg = {0};
            cu_sb_printf(&msg, "\"%s\" will be retried in %lld ms", rel, (long long)wait);
            cu_log_field f[] = {CU_LF_STR("path", rel), CU_LF_NUM("retry_ms", wait)};
            cu_log_fields(CU_LOG_INFO, msg.data, f, 2);
            cu_sb_free(&msg);
            cu_pending_defer(d->queue, rel, cu_now_ms() + wait, -1, 0);
            return;
        }
        break;
    }
    if (res.status != CU_INGEST_ERROR) cu_backoff_reset(&d->ingest_backoff);
    cu_pending_remove(d->queue, rel);
    cu_pending_remove(d->settling, rel);
}

/* The shrink rule of SPEC §4: vsftpd leaves a partial file when an upload is aborted, so a
 * file smaller than its last ingested version waits watch.settle; if it is still the same
 * then, it is ingested with a warning; a complete re-upload meanwhile (any event that finds
 * it no longer smaller) is ingested at once. The ingest itself tells a file smaller than last
 * time (cu_db_ingest_guarded, no round trip of its own): this is what follows, with last the
 * size last ingested. Returns true when the file may go now (its settle time is up and it is
 * unchanged). */
static bool cu_daemon_shrunk(cu_daemon *d, const char *rel, const struct stat *st, int64_t last)
{
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    const cu_pending_item *s = cu_pending_find(d->settling, rel);
    bool same = s && s->size == (int64_t)st->st_size && s->mtime_ns == mtime_ns;
    if (same && s->due_ms == CU_RELEASED) {
        cu_log(CU_LOG_WARN,
               "\"%s\" is smaller than its last ingested version (%lld < %lld bytes) and "
               "unchanged for %lld s: ingesting it as it is",
               rel, (long long)st->st_size, (long long)last, (long long)(d->cfg->settle_ms / 1000));
        return true;
    }
    if (!same) {
        cu_pending_defer(d->settling, rel, cu_now_ms() + d->cfg->settle_ms, st->st_size, mtime_ns);
        cu_log(CU_LOG_WARN,
               "\"%s\" is smaller than its last ingested version (%lld < %lld bytes), "
               "perhaps an aborted upload: waiting %lld s for it to change",
               rel, (long long)st->st_size, (long long)last, (long long)(d->cfg->settle_ms / 1000));
    }
    cu_daemon_tally(d, rel, CU_TALLY_SETTLING, 0);
    cu_pending_remove(d->queue, rel);
    return false;
}

/* A file whose settle time is up (released from d->settling): the registry, asked here, says
 * whether it is still smaller than its last ingested version (cu_daemon_shrunk decides) or no
 * longer (it goes at once). Returns true when the file may go now. */
static bool cu_daemon_settled(cu_daemon *d, const char *rel, const struct stat *st)
{
    cu_registry_entry row;
    memset(&row, 0, sizeof row);
    cu_err err;
    int found = -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!cu_daemon_db_begin(d)) return false;
        found = cu_db_registry_get(d->db, rel, &row, &err);
        cu_daemon_db_end(d);
        if (d->stop) {
            if (found == 1) cu_registry_entry_free(&row);
            return false;
        }
        if (found >= 0 || cu_db_alive(d->db)) break;
        /* Found dead when this file came: reconnect quietly and ask again, once. */
        if (attempt == 1) {
            cu_daemon_db_down(d, err.msg);
            return false;
        }
        if (!cu_daemon_reconnect(d, &err)) return false;
    }
    if (found < 0) {
        cu_log(CU_LOG_WARN, "%s", err.msg); /* the ingest will say more if it matters */
        return true;
    }
    bool shrunk = found == 1 && strcmp(row.statut, "erreur") != 0 && st->st_size < row.taille;
    int64_t last = row.taille;
    if (found == 1) cu_registry_entry_free(&row);
    if (!shrunk) {
        cu_pending_remove(d->settling, rel); /* a complete re-upload wins */
        return true;
    }
    return cu_daemon_shrunk(d, rel, st, last);
}

static void cu_daemon_process(cu_daemon *d, const char *path)
{
    char *rel = cu_xstrdup(path); /* path points into the queue entry we may remove */
    cu_daemon_stop_context(rel);
    int64_t t0 = cu_now_ms();
    struct stat st;
    const char *why;
    if (cu_scan_stat(d->cfg->root, rel, &st, &why) != 0) {
        cu_scan_ignored(rel, why);
        cu_daemon_tally(d, rel, CU_TALLY_GONE, 0);
        cu_pending_remove(d->unreadable, rel);
        cu_pending_remove(d->queue, rel);
        cu_pending_remove(d->settling, rel);
    } else {
        const cu_pending_item *s = cu_pending_find(d->settling, rel);
        if (s && s->due_ms == CU_RELEASED) {
            if (cu_daemon_settled(d, rel, &st) && d->db) cu_daemon_ingest(d, rel, &st, t0, false);
        } else if (d->db) {
            cu_daemon_ingest(d, rel, &st, t0, true);
        }
    }
    cu_daemon_stop_context(NULL);
    free(rel);
}

/* Settle entries whose time is up go back to the queue, marked as released. */
static void cu_daemon_release_settled(cu_daemon *d, int64_t now)
{
    const cu_pending_item *s;
    while ((s = cu_pending_peek(d->settling, now)) != NULL) {
        cu_pending_add(d->queue, s->path);
        cu_pending_defer(d->settling, s->path, CU_RELEASED, s->size, s->mtime_ns);
    }
}

/* ---- configuration --------------------------------------------------------------------- */

/* A password file every local user can read is a leak waiting to be noticed: say so at start
 * and on each reload (the daemon still uses it: refusing would take production down over a
 * mode bit). */
static void cu_daemon_warn_secrets(const cu_daemon *d)
{
    char msg[1024];
    if (cu_config_password_exposed(d->cfg, msg, sizeof msg)) cu_log(CU_LOG_WARN, "%s", msg);
}

static void cu_daemon_set_rules(cu_daemon *d)
{
    d->rules.pattern = d->cfg->pattern;
    d->rules.depth = d->cfg->depth;
}

static int cu_daemon_watch_init(cu_daemon *d, cu_err *err)
{
    return cu_iw_init(&d->iw, d->cfg->root, &d->rules, cu_daemon_on_watch, d, err);
}

static void cu_daemon_reload(cu_daemon *d)
{
    cu_config nc;
    cu_err err;
    if (cu_config_load(&nc, d->config_path, &err) != 0) {
        cu_log(CU_LOG_ERROR, "configuration not reloaded, keeping the current one: %s", err.msg);
        return;
    }
    if (d->root_override) {
        free(nc.root);
        nc.root = cu_xstrdup(d->root_override);
    }
    bool rewatch = strcmp(nc.root, d->cfg->root) != 0 || strcmp(nc.pattern, d->cfg->pattern) != 0 ||
                   nc.depth != d->cfg->depth;
    bool reconnect = (nc.conninfo == NULL) != (d->cfg->conninfo == NULL) ||
                     (nc.conninfo && strcmp(nc.conninfo, d->cfg->conninfo) != 0) ||
                     (nc.password_file == NULL) != (d->cfg->password_file == NULL) ||
                     (nc.password_file && strcmp(nc.password_file, d->cfg->password_file) != 0);
    cu_config_free(d->cfg);
    *d->cfg = nc;
    cu_daemon_set_rules(d);
    cu_log_setup((cu_log_level)nc.log_level, (cu_log_format)nc.log_format);
    cu_tm_listen(d->tm, nc.metrics_listen);
    if (rewatch) {
        /* Paths queued so far are relative to the old root: let the reconciliation of the
         * new one decide what to ingest. */
        cu_iw_free(&d->iw);
        cu_pending_free(d->queue);
        cu_pending_free(d->settling);
        cu_pending_free(d->unreadable);
        cu_daemon_tally_drop(d); /* its files were in the queue just dropped */
        d->queue = cu_pending_new();
        d->settling = cu_pending_new();
        d->unreadable = cu_pending_new();
        if (cu_daemon_watch_init(d, &err) != 0) {
            cu_log(CU_LOG_ERROR, "%s", err.msg);
            d->stop = d->failed = true;
            return;
        }
        d->root_state = CU_STATE_UNKNOWN;
        cu_backoff_reset(&d->root_backoff);
        d->root_retry_at = 0;
    }
    if (reconnect && d->db) {
        cu_db_close(d->db);
        d->db = NULL;
        d->db_retry_at = 0;
    }
    cu_daemon_schedule_timer(d);
    cu_log_field f[] = {CU_LF_STR("config", nc.source), CU_LF_NUM("machines_mapped", nc.n_map)};
    cu_log_fields(CU_LOG_INFO, "configuration reloaded", f, 2);
    cu_daemon_warn_secrets(d);
    cu_daemon_want_reconcile(d, "SIGHUP");
}

/* ---- signals --------------------------------------------------------------------------- */

static int cu_daemon_signals(cu_daemon *d, cu_err *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return cu_fail(err, "could not block signals: %s", strerror(errno));
    d->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->sfd < 0) return cu_fail(err, "could not create a signalfd: %s", strerror(errno));
    signal(SIGPIPE, SIG_IGN);

    /* The handlers used only while a database call is in flight (see above). SA_RESTART:
     * libpq and the kernel resume what the signal interrupted. */
    sigemptyset(&d->stop_set);
    sigaddset(&d->stop_set, SIGTERM);
    sigaddset(&d->stop_set, SIGINT);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_RESTART;
    sa.sa_mask = set;
    sigaddset(&sa.sa_mask, SIGALRM);
    sa.sa_handler = cu_stop_on_signal;
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        return cu_fail(err, "could not set a signal handler: %s", strerror(errno));
    sa.sa_handler = cu_stop_on_alarm;
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return cu_fail(err, "could not set a signal handler: %s", strerror(errno));
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    if (timer_create(CLOCK_MONOTONIC, &sev, &cu_stop_timer) != 0)
        return cu_fail(err, "could not create a timer: %s", strerror(errno));
    d->stop_timer = true;
    return 0;
}

static void cu_daemon_read_signals(cu_daemon *d)
{
    struct signalfd_siginfo si;
    while (read(d->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            cu_log(CU_LOG_INFO, "SIGHUP: reloading the configuration");
            cu_tm_reloading(d->tm);
            cu_daemon_reload(d);
            cu_tm_reloaded(d->tm);
        } else {
            cu_daemon_stop(d, (int)si.ssi_signo);
        }
    }
}

/* ---- the loop -------------------------------------------------------------------------- */

static int64_t cu_min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* One turn: bring up what is down, do one piece of work, or sleep until something happens. */
static int cu_daemon_turn(cu_daemon *d)
{
    int64_t now = cu_now_ms();
    if (d->root_state != CU_STATE_UP && now >= d->root_retry_at)
        cu_daemon_attach(d, "root watched");
    if (d->root_state == CU_STATE_UP &&
        (d->rewalk || (d->watch_limited && now >= d->limited_rescan_at))) {
        cu_daemon_attach(d, d->rewalk ? "inotify events were lost" : "watch limit rescan");
        if (d->watch_limited) d->limited_rescan_at = now + CU_LIMITED_RESCAN_MS;
    }
    cu_daemon_check_limit(d);
    if (!d->db && now >= d->db_retry_at && cu_daemon_connect(d) != 0) return -1;
    if (d->stop) return 0;
    if (now >= d->next_timer_reconcile) {
        cu_daemon_want_reconcile(d, "watch.reconcile_every");
        cu_daemon_schedule_timer(d);
    }
    if (d->db && d->reconcile_wanted && d->root_state == CU_STATE_UP &&
        now >= d->reconcile_retry_at)
        cu_daemon_reconcile(d);
    if (d->stop) return 0;
    cu_daemon_release_settled(d, now);
    cu_daemon_tally_close(d); /* before sleeping, so an idle daemon still says it is done */
    cu_tm_turn(d->tm,
               &(cu_tm_state){.db_up = d->db != NULL,
                              .root_up = d->root_state == CU_STATE_UP,
                              .pending = cu_pending_len(d->queue) + cu_pending_len(d->settling)});

    const cu_pending_item *next = d->db ? cu_pending_peek(d->queue, now) : NULL;
    int64_t wake = INT64_MAX;
    if (!next) {
        if (d->root_state != CU_STATE_UP) wake = cu_min64(wake, d->root_retry_at);
        if (d->watch_limited) wake = cu_min64(wake, d->limited_rescan_at);
        if (!d->db) wake = cu_min64(wake, d->db_retry_at);
        if (d->db) wake = cu_min64(wake, cu_pending_next_due(d->queue));
        if (d->db && d->reconcile_wanted) wake = cu_min64(wake, d->reconcile_retry_at);
        wake = cu_min64(wake, cu_pending_next_due(d->settling));
        wake = cu_min64(wake, d->next_timer_reconcile);
        wake = cu_min64(wake, cu_tm_wake_by(d->tm)); /* watchdog pings, /healthz */
    }
    int timeout = next ? 0 : wake == INT64_MAX ? -1 : (int)cu_min64(wake - now, 60000);
    if (timeout < 0 && wake != INT64_MAX) timeout = 0;

    struct pollfd pfd[2] = {{.fd = d->sfd, .events = POLLIN}, {.fd = d->iw.fd, .events = POLLIN}};
    int n = poll(pfd, 2, timeout);
    if (n < 0 && errno != EINTR) {
        cu_log(CU_LOG_ERROR, "poll failed: %s", strerror(errno));
        return -1;
    }
    if (n > 0 && (pfd[0].revents & POLLIN)) cu_daemon_read_signals(d);
    if (d->stop) return 0;
    if (n > 0 && (pfd[1].revents & POLLIN)) {
        cu_err err;
        if (cu_iw_read(&d->iw, &err) != 0) {
            cu_log(CU_LOG_ERROR, "%s", err.msg);
            return -1;
        }
    }
    /* The head of the queue may have changed while events were read; take it again. */
    next = d->db ? cu_pending_peek(d->queue, cu_now_ms()) : NULL;
    if (next) cu_daemon_process(d, next->path);
    cu_daemon_tally_close(d);
    return 0;
}

int cu_daemon_run(cu_config *cfg, const char *config_path, const char *root_override)
{
    cu_daemon d;
    memset(&d, 0, sizeof d);
    d.cfg = cfg;
    d.config_path = config_path;
    d.root_override = root_override;
    d.sfd = -1;
    d.iw.fd = -1;
    cu_daemon_set_rules(&d);
    cu_backoff_init(&d.db_backoff, CU_DB_RETRY_BASE_MS, CU_DB_RETRY_CAP_MS);
    cu_backoff_init(&d.root_backoff, CU_ROOT_RETRY_BASE_MS, CU_ROOT_RETRY_CAP_MS);
    cu_backoff_init(&d.ingest_backoff, CU_INGEST_RETRY_BASE_MS, CU_INGEST_RETRY_CAP_MS);
    cu_backoff_init(&d.reconcile_backoff, CU_DB_RETRY_BASE_MS, CU_DB_RETRY_CAP_MS);
    d.queue = cu_pending_new();
    d.settling = cu_pending_new();
    d.unreadable = cu_pending_new();
    cu_daemon_schedule_timer(&d);
    /* A server that does not answer at all must not hold the loop for long (SIGTERM does not
     * wait for it: see cu_daemon_db_begin). 2 s is libpq's minimum. */
    setenv("PGCONNECT_TIMEOUT", "2", 0);

    cu_err err;
    int rc = 0;
    if (cu_daemon_signals(&d, &err) != 0 || cu_daemon_watch_init(&d, &err) != 0) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        rc = 1;
    }
    if (rc == 0) cu_daemon_warn_secrets(&d);
    /* After the signals are blocked: the HTTP thread inherits that mask. */
    if (rc == 0) d.tm = cu_tm_start(cfg->metrics_listen);
    while (rc == 0 && !d.stop)
        if (cu_daemon_turn(&d) != 0) rc = 1;
    if (d.failed) rc = 1;

    cu_db_close(d.db);
    cu_iw_free(&d.iw);
    cu_pending_free(d.queue);
    cu_pending_free(d.settling);
    cu_pending_free(d.unreadable);
    cu_daemon_tally_drop(&d);
    if (d.sfd >= 0) close(d.sfd);
    if (d.stop_timer) timer_delete(cu_stop_timer);
    cu_tm_stop(d.tm);
    /* The signals stay blocked: restoring the old mask would let a SIGHUP or a second SIGTERM
     * that arrived meanwhile kill the process (status 129/143) on its way out. Only main
     * runs after this, and it exits. */
    if (rc == 0) cu_log(CU_LOG_INFO, "stopped");
    return rc;
}

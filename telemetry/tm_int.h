/* tm_int.h — the telemetry module's shared internals (telemetry.c, metrics.c, notify.c,
 * httpd.c). Not part of the API: see telemetry.h. */
#ifndef CU_TM_INT_H
#define CU_TM_INT_H

#include <pthread.h>

#include "telemetry.h"

/* Buckets of cuwatch_ingest_duration_seconds: a small file takes about a millisecond, a
 * 256 MiB one or a slow server tens of seconds (statement_timeout is 60 s). */
#define CU_TM_NBUCKETS 15
extern const double cu_tm_buckets[CU_TM_NBUCKETS];

/* Beyond this many machines, new ones get no series (and one warning): a root pointed one
 * level too high would otherwise make one series per file. */
#define CU_TM_MAX_MACHINES 1000

#define CU_TM_STATUS_MIN_MS 1000

/* Without a watchdog, /healthz fails when the loop has not turned for this long: longer
 * than the database layer's own deadline on one query (statement_timeout 60 s + 5 s, db.c),
 * so /healthz fails only when the daemon's own recovery did not work. */
#define CU_TM_STALL_MS 120000

/* An idle loop turns at least this often while anyone watches it (watchdog or /healthz), so
 * cuwatch_loop_last_iteration_timestamp_seconds is never older than this plus one turn. */
#define CU_TM_TICK_MS 15000

typedef struct cu_tm_machine {
    char *name;         /* as stored in centre_usinage.nom, valid UTF-8 */
    double last_upload; /* Unix seconds */
} cu_tm_machine;

struct cu_telemetry {
    pthread_mutex_t mu; /* guards everything below that the HTTP thread reads */
    uint64_t files[4];  /* by cu_ingest_status */
    uint64_t rows;
    uint64_t hist[CU_TM_NBUCKETS]; /* non-cumulative counts; the +Inf one is hist_count */
    uint64_t hist_count;
    double hist_sum;
    size_t pending;
    bool db_up, db_was_up;
    uint64_t reconnects;
    double last_success;     /* Unix seconds, 0 = none yet */
    double loop_last;        /* Unix seconds of the last turn */
    int64_t loop_last_ms;    /* CLOCK_MONOTONIC ms of the last turn */
    double start_time;       /* Unix seconds */
    int64_t stall_ms;        /* /healthz bound */
    cu_tm_machine *machines; /* sorted by name */
    size_t n_machines, cap_machines;
    bool machines_capped;

    /* The loop's alone (no lock). */
    bool ready_sent;
    int64_t watchdog_ms; /* 0 = no watchdog */
    int64_t last_ping_ms;
    bool root_up;
    /* STATUS= is sent when what it shows changed, at most once per CU_TM_STATUS_MIN_MS: a
     * burst of uploads would otherwise send PID 1 a message per file. */
    int64_t status_ms; /* when the last one went */
    bool status_dirty; /* changed since, not sent yet: the loop wakes to send it */
    bool sent_db_up, sent_root_up;
    size_t sent_pending;
    uint64_t file_gen, sent_file_gen; /* files seen (cu_tm_ingested) */
    char *last_file;
    const char *last_result;
    char *listen; /* metrics.listen served, NULL = none */
    struct MHD_Daemon *mhd;
};

int64_t cu_tm_now_ms(void);
double cu_tm_wall(void);

/* metrics.c */
void cu_tm_machine_seen(cu_telemetry *t, const char *name, double when); /* under mu */

/* notify.c */
void cu_tm_notify_init(cu_telemetry *t);
void cu_tm_notify_turn(cu_telemetry *t, int64_t now_ms);
void cu_tm_notify(const char *msg);

/* httpd.c */
void cu_tm_http_start(cu_telemetry *t, const char *listen);
void cu_tm_http_stop(cu_telemetry *t);

#endif

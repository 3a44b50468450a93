/* telemetry.c — see telemetry.h. What the daemon calls: start and stop, a turn of the loop,
 * a file's outcome, a registry load. The numbers live in struct cu_telemetry (tm_int.h);
 * metrics.c renders them, notify.c speaks to systemd, httpd.c serves them. */
#include "tm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "text.h"

int64_t cu_tm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double cu_tm_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

cu_telemetry *cu_tm_start(const char *listen)
{
    cu_telemetry *t = cu_xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    t->start_time = cu_tm_wall();
    t->loop_last = t->start_time;
    t->loop_last_ms = cu_tm_now_ms();
    cu_tm_notify_init(t);
    /* /healthz and the watchdog agree: a loop that systemd would kill is not healthy. */
    t->stall_ms = t->watchdog_ms > 0 ? t->watchdog_ms : CU_TM_STALL_MS;
    if (listen) cu_tm_http_start(t, listen);
    return t;
}

void cu_tm_stop(cu_telemetry *t)
{
    if (!t) return;
    cu_tm_http_stop(t);
    for (size_t i = 0; i < t->n_machines; i++)
        free(t->machines[i].name);
    free(t->machines);
    free(t->last_file);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void cu_tm_listen(cu_telemetry *t, const char *listen)
{
    if ((listen == NULL && t->listen == NULL) ||
        (listen && t->listen && strcmp(listen, t->listen) == 0))
        return;
    cu_tm_http_stop(t);
    if (listen) cu_tm_http_start(t, listen);
}

void cu_tm_turn(cu_telemetry *t, const cu_tm_state *st)
{
    int64_t now = cu_tm_now_ms();
    pthread_mutex_lock(&t->mu);
    t->loop_last_ms = now;
    t->loop_last = cu_tm_wall();
    t->pending = st->pending;
    /* A reconnect is a connection after one that was lost, not the first one. */
    if (st->db_up && !t->db_up && t->db_was_up) t->reconnects++;
    if (st->db_up) t->db_was_up = true;
    t->db_up = st->db_up;
    pthread_mutex_unlock(&t->mu);
    t->root_up = st->root_up;
    cu_tm_notify_turn(t, now);
}

int64_t cu_tm_wake_by(const cu_telemetry *t)
{
    int64_t by = INT64_MAX;
    if (t->watchdog_ms > 0) by = t->last_ping_ms + t->watchdog_ms / 2;
    if (t->status_dirty && t->status_ms + CU_TM_STATUS_MIN_MS < by)
        by = t->status_ms + CU_TM_STATUS_MIN_MS;
    if (t->mhd || t->watchdog_ms > 0) {
        /* A tick, and at most half the bound: an idle loop stays healthy with room to spare. */
        int64_t tick = t->stall_ms / 2 < CU_TM_TICK_MS ? t->stall_ms / 2 : CU_TM_TICK_MS;
        if (t->loop_last_ms + tick < by) by = t->loop_last_ms + tick;
    }
    return by;
}

/* The machine folder of a path relative to the root: its parent folder's name. */
static char *cu_tm_folder(const char *relpath)
{
    const char *slash = strrchr(relpath, '/');
    if (!slash) return NULL;
    const char *start = slash;
    while (start > relpath && start[-1] != '/')
        start--;
    return cu_xstrndup(start, (size_t)(slash - start));
}

void cu_tm_ingested(cu_telemetry *t, const char *relpath, const cu_ingest_result *res, double mtime)
{
    double now = cu_tm_wall();
    pthread_mutex_lock(&t->mu);
    if ((unsigned)res->status < 4) t->files[res->status]++;
    if (res->status == CU_INGEST_OK) t->rows += res->rows;
    if (res->status != CU_INGEST_ERROR) {
        double s = res->ms / 1000.0;
        size_t b = 0;
        while (b < CU_TM_NBUCKETS && s > cu_tm_buckets[b])
            b++;
        if (b < CU_TM_NBUCKETS) t->hist[b]++;
        t->hist_count++;
        t->hist_sum += s;
        if (res->machine[0]) cu_tm_machine_seen(t, res->machine, mtime);
    }
    if (res->status == CU_INGEST_OK || res->status == CU_INGEST_UNCHANGED) t->last_success = now;
    pthread_mutex_unlock(&t->mu);

    free(t->last_file);
    t->last_file = cu_xstrdup(relpath);
    t->file_gen++;
    static const char *const names[] = {"ok", "unchanged", "rejected", "error"};
    t->last_result = (unsigned)res->status < 4 ? names[res->status] : "?";
}

void cu_tm_registry(cu_telemetry *t, const cu_config *cfg, const cu_registry *reg)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < reg->n; i++) {
        char *folder = cu_tm_folder(reg->entries[i].chemin);
        if (!folder) continue;
        char *name, *type;
        cu_config_machine(cfg, folder, &name, &type);
        cu_tm_machine_seen(t, name, (double)reg->entries[i].mtime_us / 1e6);
        free(name);
        free(type);
        free(folder);
    }
    pthread_mutex_unlock(&t->mu);
}

void cu_tm_reloading(cu_telemetry *t)
{
    (void)t;
    /* MONOTONIC_USEC lets a newer systemd (Type=notify-reload) match the reload it asked. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char msg[96];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%lld",
             (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
    cu_tm_notify(msg);
}

void cu_tm_reloaded(cu_telemetry *t)
{
    (void)t;
    cu_tm_notify("READY=1");
}

void cu_tm_stopping(cu_telemetry *t)
{
    (void)t;
    cu_tm_notify("STOPPING=1");
}

/* metrics.c — the Prometheus text exposition (format 0.0.4) of cuwatch's numbers, and the
 * /healthz verdict.
 *
 * Naming follows Prometheus' conventions: a cuwatch_ prefix, base units (seconds), _total
 * for counters, _timestamp_seconds for points in time. Labels have low cardinality on
 * purpose: the result of an ingest (4 values) and the machine (a few dozen at a plant); never
 * a file name, which would make a new series every day.
 *
 * Rendering holds the mutex for the time it takes to print a few hundred lines into memory;
 * the HTTP thread sends the result after releasing it. */
#include "tm_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"

const double cu_tm_buckets[CU_TM_NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,      2.5,   5,    10,    30,   60};

static int cu_tm_machine_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const cu_tm_machine *)elem)->name);
}

static cu_tm_machine *cu_tm_machine_find(cu_telemetry *t, const char *name)
{
    if (t->n_machines == 0) return NULL;
    return bsearch(name, t->machines, t->n_machines, sizeof *t->machines, cu_tm_machine_cmp);
}

void cu_tm_machine_seen(cu_telemetry *t, const char *raw, double when)
{
    /* A machine seen before is found under its name as given (the usual case: no cleaning,
     * no allocation while the lock is held). */
    cu_tm_machine *m = cu_tm_machine_find(t, raw);
    if (m) {
        if (when > m->last_upload) m->last_upload = when;
        return;
    }
    /* As the database stores it: valid UTF-8, no control characters. */
    cu_sb name = {0};
    cu_text_clean(&name, raw, strlen(raw), 255);
    if (!name.data || name.len == 0) {
        cu_sb_free(&name);
        return;
    }
    m = cu_tm_machine_find(t, name.data);
    if (m) {
        if (when > m->last_upload) m->last_upload = when;
        cu_sb_free(&name);
        return;
    }
    if (t->n_machines >= CU_TM_MAX_MACHINES) {
        if (!t->machines_capped)
            cu_log(CU_LOG_WARN,
                   "more than %d machines: the new ones get no cuwatch_machine_last_upload "
                   "series (is watch.root or watch.depth right?)",
                   CU_TM_MAX_MACHINES);
        t->machines_capped = true;
        cu_sb_free(&name);
        return;
    }
    if (t->n_machines == t->cap_machines) {
        t->cap_machines = t->cap_machines ? t->cap_machines * 2 : 16;
        t->machines = cu_xrealloc(t->machines, t->cap_machines * sizeof *t->machines);
    }
    size_t i = t->n_machines;
    while (i > 0 && strcmp(t->machines[i - 1].name, name.data) > 0) {
        t->machines[i] = t->machines[i - 1];
        i--;
    }
    t->machines[i] = (cu_tm_machine){.name = name.data, .last_upload = when};
    t->n_machines++;
}

/* A label value: backslash, double quote and newline escaped (the exposition format's rule). */
static void cu_tm_label(cu_sb *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            cu_sb_puts(out, "\\\\");
        else if (*s == '"')
            cu_sb_puts(out, "\\\"");
        else if (*s == '\n')
            cu_sb_puts(out, "\\n");
        else
            cu_sb_putc(out, *s);
    }
}

static void cu_tm_head(cu_sb *out, const char *name, const char *type, const char *help)
{
    cu_sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void cu_tm_render(cu_telemetry *t, cu_sb *out)
{
    static const char *const results[] = {"ok", "unchanged", "rejected", "error"};
    pthread_mutex_lock(&t->mu);
    cu_tm_head(out, "cuwatch_build_info", "gauge", "cuwatch's version; always 1.");
    cu_sb_printf(out, "cuwatch_build_info{version=\"%s\"} 1\n", CUWATCH_VERSION);

    cu_tm_head(out, "cuwatch_files_ingested_total", "counter",
               "Files processed, by result: ok (session written), unchanged (same content), "
               "rejected (no valid event), error (nothing written).");
    for (int i = 0; i < 4; i++)
        cu_sb_printf(out, "cuwatch_files_ingested_total{result=\"%s\"} %llu\n", results[i],
                     (unsigned long long)t->files[i]);

    cu_tm_head(out, "cuwatch_rows_written_total", "counter",
               "Detail rows written by COPY (pieces, jobs, waits, stops, states).");
    cu_sb_printf(out, "cuwatch_rows_written_total %llu\n", (unsigned long long)t->rows);

    cu_tm_head(out, "cuwatch_ingest_duration_seconds", "histogram",
               "Wall-clock time of one file's ingest (read, hash, parse, transaction), "
               "errors excluded.");
    uint64_t cum = 0;
    for (int b = 0; b < CU_TM_NBUCKETS; b++) {
        cum += t->hist[b];
        cu_sb_printf(out, "cuwatch_ingest_duration_seconds_bucket{le=\"%g\"} %llu\n",
                     cu_tm_buckets[b], (unsigned long long)cum);
    }
    cu_sb_printf(out, "cuwatch_ingest_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                 (unsigned long long)t->hist_count);
    cu_sb_printf(out, "cuwatch_ingest_duration_seconds_sum %.6f\n", t->hist_sum);
    cu_sb_printf(out, "cuwatch_ingest_duration_seconds_count %llu\n",
                 (unsigned long long)t->hist_count);

    cu_tm_head(out, "cuwatch_pending_files", "gauge",
               "Files waiting to be ingested (queued, retried or settling).");
    cu_sb_printf(out, "cuwatch_pending_files %zu\n", t->pending);

    cu_tm_head(out, "cuwatch_database_up", "gauge",
               "1 when the daemon is connected to PostgreSQL and the schema is migrated.");
    cu_sb_printf(out, "cuwatch_database_up %d\n", t->db_up ? 1 : 0);

    cu_tm_head(out, "cuwatch_database_reconnects_total", "counter",
               "Connections made again after the database was lost.");
    cu_sb_printf(out, "cuwatch_database_reconnects_total %llu\n",
                 (unsigned long long)t->reconnects);

    /* No sample until there is one: a 0 would read as "last success in 1970". */
    cu_tm_head(out, "cuwatch_last_ingest_success_timestamp_seconds", "gauge",
               "When a file was last ingested successfully (ok or unchanged), Unix time.");
    if (t->last_success > 0)
        cu_sb_printf(out, "cuwatch_last_ingest_success_timestamp_seconds %.3f\n", t->last_success);

    cu_tm_head(out, "cuwatch_machine_last_upload_timestamp_seconds", "gauge",
               "Modification time of the newest file each machine uploaded, Unix time.");
    for (size_t i = 0; i < t->n_machines; i++) {
        cu_sb_puts(out, "cuwatch_machine_last_upload_timestamp_seconds{machine=\"");
        cu_tm_label(out, t->machines[i].name);
        cu_sb_printf(out, "\"} %.3f\n", t->machines[i].last_upload);
    }

    cu_tm_head(out, "cuwatch_loop_last_iteration_timestamp_seconds", "gauge",
               "When the event loop last turned, Unix time.");
    cu_sb_printf(out, "cuwatch_loop_last_iteration_timestamp_seconds %.3f\n", t->loop_last);

    cu_tm_head(out, "process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.");
    cu_sb_printf(out, "process_start_time_seconds %.3f\n", t->start_time);
    pthread_mutex_unlock(&t->mu);
}

int cu_tm_health(cu_telemetry *t, cu_sb *out)
{
    pthread_mutex_lock(&t->mu);
    int64_t age = cu_tm_now_ms() - t->loop_last_ms;
    pthread_mutex_unlock(&t->mu);
    if (age <= t->stall_ms) {
        /* Liveness only: a database that is down is the daemon waiting correctly (see
         * cuwatch_database_up), not a daemon to restart. */
        cu_sb_puts(out, "ok\n");
        return 0;
    }
    cu_sb_printf(out, "event loop stalled: its last turn was %.3f s ago (limit %g s)\n",
                 (double)age / 1000.0, (double)t->stall_ms / 1000.0);
    return -1;
}

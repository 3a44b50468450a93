/* test_telemetry.c — unit tests of the telemetry module's numbers and their Prometheus
 * rendering: counters by result, the cumulative histogram, per-machine upload times (newest
 * wins, from ingests and from the registry), label escaping, no file names in any series,
 * the reconnect count, and /healthz while the loop turns. The HTTP server and sd_notify are
 * exercised end to end by e2e_metrics.sh and e2e_notify.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "telemetry.h"

static char *render(cu_telemetry *t)
{
    cu_sb sb = {0};
    cu_tm_render(t, &sb);
    return sb.data;
}

static void has(const char *text, const char *line)
{
    if (!strstr(text, line)) fail_msg("missing \"%s\" in:\n%s", line, text);
}

static cu_ingest_result result(cu_ingest_status st, const char *machine, uint64_t rows, double ms)
{
    cu_ingest_result r;
    memset(&r, 0, sizeof r);
    r.status = st;
    snprintf(r.machine, sizeof r.machine, "%s", machine);
    r.rows = rows;
    r.ms = ms;
    return r;
}

static void test_counters_and_histogram(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    cu_telemetry *t = cu_tm_start(NULL);
    char *m = render(t);
    has(m, "# TYPE cuwatch_files_ingested_total counter\n");
    has(m, "cuwatch_files_ingested_total{result=\"ok\"} 0\n");
    has(m, "cuwatch_database_up 0\n");
    /* No success yet: no sample (0 would read as 1970). */
    assert_null(strstr(m, "\ncuwatch_last_ingest_success_timestamp_seconds "));
    free(m);

    cu_ingest_result r = result(CU_INGEST_OK, "DEM12", 40, 0.7);
    cu_tm_ingested(t, "DEM12 (PVC)/20250528.LOG", &r, 1700000000);
    r = result(CU_INGEST_OK, "DEM12", 2, 3.0);
    cu_tm_ingested(t, "DEM12 (PVC)/20250527.LOG", &r, 1600000000); /* older: not the last */
    r = result(CU_INGEST_UNCHANGED, "SU12", 0, 1500.0);
    cu_tm_ingested(t, "SU12 (HYBRIDE)/20250528.LOG", &r, 1700000100);
    r = result(CU_INGEST_REJECTED, "A\"b\\c\nd", 0, 40000.0);
    cu_tm_ingested(t, "x/y.LOG", &r, 1700000200);
    r = result(CU_INGEST_ERROR, "ERR", 0, 5.0);
    cu_tm_ingested(t, "ERR/z.LOG", &r, 1700000300);

    m = render(t);
    has(m, "cuwatch_files_ingested_total{result=\"ok\"} 2\n");
    has(m, "cuwatch_files_ingested_total{result=\"unchanged\"} 1\n");
    has(m, "cuwatch_files_ingested_total{result=\"rejected\"} 1\n");
    has(m, "cuwatch_files_ingested_total{result=\"error\"} 1\n");
    has(m, "cuwatch_rows_written_total 42\n");
    /* 0.7 ms and 3 ms, 1.5 s, 40 s; the error is not timed. */
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"0.001\"} 1\n");
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"0.005\"} 2\n");
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"2.5\"} 3\n");
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"30\"} 3\n");
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"60\"} 4\n");
    has(m, "cuwatch_ingest_duration_seconds_bucket{le=\"+Inf\"} 4\n");
    has(m, "cuwatch_ingest_duration_seconds_count 4\n");
    has(m, "cuwatch_machine_last_upload_timestamp_seconds{machine=\"DEM12\"} 1700000000.000\n");
    has(m, "cuwatch_machine_last_upload_timestamp_seconds{machine=\"SU12\"} 1700000100.000\n");
    /* The newline is a control character and goes, as in the database; quote and backslash
     * are escaped. */
    has(m, "{machine=\"A\\\"b\\\\cd\"} 1700000200.000\n");
    assert_null(strstr(m, "machine=\"ERR\""));
    assert_null(strstr(m, ".LOG")); /* never a file name */
    has(m, "\ncuwatch_last_ingest_success_timestamp_seconds ");
    free(m);
    cu_tm_stop(t);
}

static void test_registry_and_state(void **state)
{
    (void)state;
    cu_telemetry *t = cu_tm_start(NULL);
    cu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.machines_auto = true;
    cu_registry_entry e[3] = {{.chemin = "DEM12 (PVC)/20250528.LOG", .mtime_us = 1700000000500000},
                              {.chemin = "DEM12 (PVC)/20250529.LOG", .mtime_us = 1700000900000000},
                              {.chemin = "stray.LOG", .mtime_us = 1800000000000000}};
    cu_registry reg = {.entries = e, .n = 3};
    cu_tm_registry(t, &cfg, &reg);

    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true, .pending = 7});
    cu_tm_turn(t, &(cu_tm_state){.db_up = false, .root_up = true, .pending = 7});
    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true, .pending = 3});
    char *m = render(t);
    has(m, "cuwatch_machine_last_upload_timestamp_seconds{machine=\"DEM12\"} 1700000900.000\n");
    assert_null(strstr(m, "1800000000")); /* a file in the root has no machine */
    has(m, "cuwatch_pending_files 3\n");
    has(m, "cuwatch_database_up 1\n");
    has(m, "cuwatch_database_reconnects_total 1\n"); /* the first connection is not one */
    free(m);

    cu_sb h = {0};
    assert_int_equal(cu_tm_health(t, &h), 0);
    assert_string_equal(h.data, "ok\n");
    cu_sb_free(&h);
    cu_tm_stop(t);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* When the loop must turn again: never for nobody watching; within 15 s under a long
 * watchdog (so the loop timestamp stays fresh), at half a short watchdog's interval. */
static void test_wake_by(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_PID");
    unsetenv("WATCHDOG_USEC");
    cu_telemetry *t = cu_tm_start(NULL);
    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true});
    assert_true(cu_tm_wake_by(t) == INT64_MAX);
    cu_tm_stop(t);

    setenv("WATCHDOG_USEC", "180000000", 1); /* WatchdogSec=3min */
    t = cu_tm_start(NULL);
    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true});
    int64_t in = cu_tm_wake_by(t) - mono_ms();
    assert_true(in > 14000 && in <= 15000);
    cu_sb h = {0};
    assert_int_equal(cu_tm_health(t, &h), 0);
    cu_sb_free(&h);
    cu_tm_stop(t);

    setenv("WATCHDOG_USEC", "2000000", 1);
    setenv("WATCHDOG_PID", "1", 1); /* another process's watchdog: not ours */
    t = cu_tm_start(NULL);
    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true});
    assert_true(cu_tm_wake_by(t) == INT64_MAX);
    cu_tm_stop(t);
    unsetenv("WATCHDOG_PID");
    t = cu_tm_start(NULL);
    cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true});
    in = cu_tm_wake_by(t) - mono_ms();
    assert_true(in > 0 && in <= 1000);
    cu_tm_stop(t);
    unsetenv("WATCHDOG_USEC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_and_histogram),
        cmocka_unit_test(test_registry_and_state),
        cmocka_unit_test(test_wake_by),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

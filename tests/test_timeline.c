/* test_timeline.c — the production window's timeline (SPEC §3 periode_etat) on the parser
 * library alone.
 *
 * Every case checks the invariants the database tests check again on stored rows: periods
 * contiguous, adjacent states different, the first starting at the first piece and the last
 * ending at the last piece, and per state the sum equal to the metric — then the exact periods
 * it expects. The pieces' rhythm (median cycle, pieces per clock hour) is computed beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logfile.h"

#define S(x) ((int64_t)(x)*CU_US_PER_S)
#define P CU_ETAT_PRODUCTION
#define A CU_ETAT_ATTENTE
#define R CU_ETAT_ARRET

static cu_logfile lf;

static int64_t at(int h, int m, int s)
{
    return S((int64_t)cu_days_from_civil(2025, 5, 28) * 86400 + h * 3600 + m * 60 + s);
}

static int teardown(void **state)
{
    (void)state;
    cu_logfile_free(&lf);
    return 0;
}

/* The invariants that hold for any file. */
static void check_invariants(void)
{
    const cu_metrics *m = &lf.metrics;
    int64_t sum[3] = {0};
    for (size_t i = 0; i < lf.n_states; i++) {
        const cu_state_period *p = &lf.states[i];
        assert_true(p->end > p->start);
        if (i == 0) {
            assert_int_equal(p->start, lf.first_piece);
        } else {
            assert_int_equal(p->start, lf.states[i - 1].end);
            assert_int_not_equal(p->etat, lf.states[i - 1].etat);
        }
        sum[p->etat] += p->end - p->start;
    }
    if (lf.n_states) assert_int_equal(lf.states[lf.n_states - 1].end, lf.last_piece);
    assert_int_equal(sum[P], m->effective_us);
    assert_int_equal(sum[A], m->wait_us);
    assert_int_equal(sum[R], m->stop_us);
    assert_int_equal(sum[P] + sum[A] + sum[R], m->production_us);
}

static void parse(const char *text)
{
    cu_logfile_parse_buffer(&lf, "DEM12 (PVC)/20250528.LOG", text, strlen(text));
    check_invariants();
}

typedef struct {
    cu_etat etat;
    int64_t start, end;
} want;

static void expect(const want *w, size_t n)
{
    assert_int_equal(lf.n_states, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lf.states[i].etat, w[i].etat);
        assert_int_equal(lf.states[i].start, w[i].start);
        assert_int_equal(lf.states[i].end, w[i].end);
    }
}

/* ../shared/examples/DEM12 (PVC)/20250528.LOG, line for line. */
static void test_worked_example(void **state)
{
    (void)state;
    parse("20250528 05:58:00|@MachineStart\n"
          "20250528 06:00:00|@JobProfiel: R:PR7012 L:6500.00 C:CR\xc9ME\n"
          "20250528 06:01:00|@Alarm: E042 door open\n"
          "20250528 06:05:00|@MachineWait: 120 sec\n"
          "20250528 06:10:00|@StukUitgevoerd: 1\n"
          "20250528 06:20:00|@MachineWait: 300 sec\n"
          "20250528 06:22:00|@MachineWait: 240 sec\n"
          "20250528 06:30:00|@StukUitgevoerd: 2\n"
          "20250528 07:00:00|@MachineStop\n"
          "20250528 07:10:00|@MachineWait: 600 sec\n"
          "20250528 07:30:00|@MachineStart\n"
          "20250528 08:00:00|@MachineStop\n"
          "20250528 08:15:00|@StukUitgevoerd: 3\n"
          "20250528 08:40:00|@MachineWait: 12,5 sec\n"
          "20250528 09:10:00|@StukUitgevoerd: 4\n"
          "20250528 09:30:00|@MachineStop\n"
          "garbage line\n"
          "20250528 25:00:00|@StukUitgevoerd: 5\n");
    const int64_t half = CU_US_PER_S / 2;
    /* The 06:05 wait ends before W; the 07:10 wait lies inside the 07:00 stop; the trailing
     * 09:30 stop is the shutdown. */
    const want w[] = {
        {P, at(6, 10, 0), at(6, 20, 0)},         {A, at(6, 20, 0), at(6, 26, 0)},
        {P, at(6, 26, 0), at(7, 0, 0)},          {R, at(7, 0, 0), at(7, 30, 0)},
        {P, at(7, 30, 0), at(8, 0, 0)},          {R, at(8, 0, 0), at(8, 15, 0)},
        {P, at(8, 15, 0), at(8, 40, 0)},         {A, at(8, 40, 0), at(8, 40, 12) + half},
        {P, at(8, 40, 12) + half, at(9, 10, 0)},
    };
    expect(w, sizeof w / sizeof *w);
    assert_int_equal(lf.metrics.effective_us, S(7727) + half);
    assert_int_equal(lf.metrics.wait_us, S(372) + half);
    assert_int_equal(lf.metrics.stop_us, S(2700));
    assert_int_equal(lf.metrics.occupation_cpct, 7155);
    /* Gaps 20, 105 and 55 min; pieces at 06:10, 06:30, 08:15, 09:10. */
    assert_true(lf.has_cycle_median);
    assert_int_equal(lf.cycle_median_us, S(3300));
    assert_int_equal(lf.first_hour, at(6, 0, 0));
    assert_int_equal(lf.n_hours, 4);
    assert_int_equal(lf.hour_counts[0], 2);
    assert_int_equal(lf.hour_counts[1], 0);
    assert_int_equal(lf.hour_counts[2], 1);
    assert_int_equal(lf.hour_counts[3], 1);
}

static void test_one_piece_no_timeline(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@MachineStop\n"
          "20250528 06:10:00|@StukUitgevoerd: 1\n"
          "20250528 06:20:00|@MachineWait: 60\n");
    assert_int_equal(lf.n_states, 0);
    assert_int_equal(lf.metrics.production_us, 0);
}

/* Two pieces at one instant: W is a point, nothing to draw. */
static void test_point_window_no_timeline(void **state)
{
    (void)state;
    parse("20250528 06:10:00|@StukUitgevoerd: 1\n"
          "20250528 06:10:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_states, 0);
}

static void test_no_stop_no_wait(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:30:00|@StukUitgevoerd: 2\n"
          "20250528 07:00:00|@StukUitgevoerd: 3\n");
    const want w[] = {{P, at(6, 0, 0), at(7, 0, 0)}};
    expect(w, 1);
}

static void test_wait_inside_stop(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:10:00|@MachineStop\n"
          "20250528 06:15:00|@MachineWait: 300\n"
          "20250528 06:30:00|@MachineStart\n"
          "20250528 07:00:00|@StukUitgevoerd: 2\n");
    const want w[] = {{P, at(6, 0, 0), at(6, 10, 0)},
                      {R, at(6, 10, 0), at(6, 30, 0)},
                      {P, at(6, 30, 0), at(7, 0, 0)}};
    expect(w, 3);
}

/* A wait running into a stop and out of it again: attente, arret, attente. */
static void test_wait_across_stop(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:05:00|@MachineWait: 20 min\n"
          "20250528 06:10:00|@MachineStop\n"
          "20250528 06:15:00|@MachineStart\n"
          "20250528 07:00:00|@StukUitgevoerd: 2\n");
    const want w[] = {{P, at(6, 0, 0), at(6, 5, 0)},
                      {A, at(6, 5, 0), at(6, 10, 0)},
                      {R, at(6, 10, 0), at(6, 15, 0)},
                      {A, at(6, 15, 0), at(6, 25, 0)},
                      {P, at(6, 25, 0), at(7, 0, 0)}};
    expect(w, 5);
    assert_int_equal(lf.metrics.wait_us, S(900));
}

/* Overlapping and touching waits make one attente period. */
static void test_overlapping_and_touching_waits(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:20:00|@MachineWait: 300 sec\n"
          "20250528 06:22:00|@MachineWait: 240 sec\n"
          "20250528 06:26:00|@MachineWait: 1 min\n"
          "20250528 06:26:30|@MachineWait: 10 sec\n"
          "20250528 07:00:00|@StukUitgevoerd: 2\n");
    const want w[] = {{P, at(6, 0, 0), at(6, 20, 0)},
                      {A, at(6, 20, 0), at(6, 27, 0)},
                      {P, at(6, 27, 0), at(7, 0, 0)}};
    expect(w, 3);
}

/* A stop closed by a piece, a stop closed by a Start right where the next stop opens (one
 * merged arret), and a trailing stop that is no period. */
static void test_stops_closed_by_piece_touching_and_trailing(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:10:00|@MachineStop\n"
          "20250528 06:20:00|@StukUitgevoerd: 2\n"
          "20250528 06:30:00|@MachineStop\n"
          "20250528 06:40:00|@MachineStart\n"
          "20250528 06:40:00|@MachineStop\n"
          "20250528 06:50:00|@MachineStart\n"
          "20250528 07:00:00|@StukUitgevoerd: 3\n"
          "20250528 07:30:00|@MachineStop\n");
    const want w[] = {{P, at(6, 0, 0), at(6, 10, 0)},
                      {R, at(6, 10, 0), at(6, 20, 0)},
                      {P, at(6, 20, 0), at(6, 30, 0)},
                      {R, at(6, 30, 0), at(6, 50, 0)},
                      {P, at(6, 50, 0), at(7, 0, 0)}};
    expect(w, 5);
    assert_int_equal(lf.n_stops, 3);
}

/* Waits running into W from before it and out of it past its end are clipped to W. (A stop
 * never crosses W's ends: the first and last pieces close it.) */
static void test_clipped_to_window(void **state)
{
    (void)state;
    parse("20250528 05:00:00|@MachineStop\n"
          "20250528 05:45:00|@MachineWait: 10 min\n"
          "20250528 05:50:00|@StukUitgevoerd: 1\n"
          "20250528 06:50:00|@MachineWait: 20 min\n"
          "20250528 07:00:00|@StukUitgevoerd: 2\n");
    const want w[] = {{A, at(5, 50, 0), at(5, 55, 0)},
                      {P, at(5, 55, 0), at(6, 50, 0)},
                      {A, at(6, 50, 0), at(7, 0, 0)}};
    expect(w, 3);
    assert_int_equal(lf.n_stops, 1); /* 05:00-05:50, closed by the first piece, outside W */
}

/* Reusing one cu_logfile: the second file's timeline does not keep the first one's. */
static void test_reuse_resets_timeline(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250528 06:10:00|@MachineWait: 60\n"
          "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_states, 3);
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n");
    assert_int_equal(lf.n_states, 0);
}

/* Many periods, out of order in the file: the sweep still covers W, merged, with exact sums. */
static void test_many_periods(void **state)
{
    (void)state;
    char *text = malloc(1 << 20);
    assert_non_null(text);
    size_t len = 0;
    unsigned x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        int sec = (int)((x >> 8) % 43200) + 6 * 3600;
        static const char *const ev[] = {"StukUitgevoerd: p", "MachineWait: 37,5 sec",
                                         "MachineStop", "MachineStart", "MachineWait: 2 min"};
        len += (size_t)snprintf(text + len, (1 << 20) - len, "20250528 %02d:%02d:%02d|@%s\n",
                                sec / 3600, sec / 60 % 60, sec % 60, ev[(x >> 20) % 5]);
    }
    cu_logfile_parse_buffer(&lf, "DEM12 (PVC)/20250528.LOG", text, len);
    free(text);
    assert_true(lf.n_states > 100);
    check_invariants();
}

/* ---- the pieces' rhythm ----------------------------------------------------------------- */

/* Gaps are taken in timestamp order (10 s and 25 s), not file order (35 s, -25 s); with two
 * gaps the median is their mean. */
static void test_cycle_median_by_timestamp(void **state)
{
    (void)state;
    parse("20250528 06:00:00|@StukUitgevoerd: a\n"
          "20250528 06:00:35|@StukUitgevoerd: c\n"
          "20250528 06:00:10|@StukUitgevoerd: b\n");
    assert_true(lf.has_cycle_median);
    assert_int_equal(lf.cycle_median_us, S(17) + CU_US_PER_S / 2);
    assert_int_equal(lf.n_hours, 1);
    assert_int_equal(lf.hour_counts[0], 3);
}

static void test_rhythm_one_piece_and_none(void **state)
{
    (void)state;
    parse("20250528 06:59:59|@StukUitgevoerd: 1\n");
    assert_false(lf.has_cycle_median);
    assert_int_equal(lf.n_hours, 1);
    assert_int_equal(lf.first_hour, at(6, 0, 0));
    assert_int_equal(lf.hour_counts[0], 1);
    parse("20250528 06:00:00|@MachineWait: 5\n");
    assert_false(lf.has_cycle_median);
    assert_int_equal(lf.n_hours, 0);
}

/* Pieces over midnight count in their own clock hours; a span past CU_MAX_HOURS keeps the
 * median but no hourly counts. */
static void test_rhythm_hours(void **state)
{
    (void)state;
    parse("20250528 23:30:00|@StukUitgevoerd: 1\n"
          "20250529 00:10:00|@StukUitgevoerd: 2\n"
          "20250529 00:20:00|@StukUitgevoerd: 3\n"
          "20250529 00:40:00|@StukUitgevoerd: 4\n");
    assert_int_equal(lf.cycle_median_us, S(1200));
    assert_int_equal(lf.n_hours, 2);
    assert_int_equal(lf.first_hour, at(23, 0, 0));
    assert_int_equal(lf.hour_counts[0], 1);
    assert_int_equal(lf.hour_counts[1], 3);
    parse("20250528 06:00:00|@StukUitgevoerd: 1\n"
          "20250801 06:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_hours, 0);
    assert_true(lf.has_cycle_median);
    assert_int_equal(lf.cycle_median_us, S((int64_t)65 * 86400));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_worked_example, teardown),
        cmocka_unit_test_teardown(test_one_piece_no_timeline, teardown),
        cmocka_unit_test_teardown(test_point_window_no_timeline, teardown),
        cmocka_unit_test_teardown(test_no_stop_no_wait, teardown),
        cmocka_unit_test_teardown(test_wait_inside_stop, teardown),
        cmocka_unit_test_teardown(test_wait_across_stop, teardown),
        cmocka_unit_test_teardown(test_overlapping_and_touching_waits, teardown),
        cmocka_unit_test_teardown(test_stops_closed_by_piece_touching_and_trailing, teardown),
        cmocka_unit_test_teardown(test_clipped_to_window, teardown),
        cmocka_unit_test_teardown(test_reuse_resets_timeline, teardown),
        cmocka_unit_test_teardown(test_many_periods, teardown),
        cmocka_unit_test_teardown(test_cycle_median_by_timestamp, teardown),
        cmocka_unit_test_teardown(test_rhythm_one_piece_and_none, teardown),
        cmocka_unit_test_teardown(test_rhythm_hours, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

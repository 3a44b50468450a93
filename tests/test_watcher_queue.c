/* test_watcher_queue.c — the daemon's small pure pieces: the pending queue (de-duplication,
 * arrival order, due times, settle stamps), the capped backoff, and path filtering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"
#include "pending.h"
#include "scan.h"

static void pending_keeps_arrival_order_and_dedups(void **state)
{
    (void)state;
    cu_pending *q = cu_pending_new();
    assert_true(cu_pending_add(q, "A (PVC)/1.LOG"));
    assert_true(cu_pending_add(q, "B (ALU)/1.LOG"));
    assert_false(cu_pending_add(q, "A (PVC)/1.LOG")); /* coalesced, keeps its place */
    assert_true(cu_pending_add(q, "C/1.LOG"));
    assert_int_equal(cu_pending_len(q), 3);
    const char *want[] = {"A (PVC)/1.LOG", "B (ALU)/1.LOG", "C/1.LOG"};
    for (int i = 0; i < 3; i++) {
        const cu_pending_item *it = cu_pending_peek(q, 0);
        assert_non_null(it);
        assert_string_equal(it->path, want[i]);
        assert_true(cu_pending_remove(q, want[i]));
    }
    assert_null(cu_pending_peek(q, 0));
    assert_false(cu_pending_remove(q, "C/1.LOG"));
    assert_int_equal(cu_pending_next_due(q), INT64_MAX);
    cu_pending_free(q);
}

static void pending_survives_many_paths(void **state)
{
    (void)state;
    cu_pending *q = cu_pending_new();
    char p[64];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5000; i++) {
            snprintf(p, sizeof p, "M%d/%08d.LOG", i % 15, i);
            assert_int_equal(cu_pending_add(q, p), round == 0);
        }
    assert_int_equal(cu_pending_len(q), 5000);
    /* Remove every other one out of order, then check the order of the rest. */
    for (int i = 4999; i >= 0; i -= 2) {
        snprintf(p, sizeof p, "M%d/%08d.LOG", i % 15, i);
        assert_true(cu_pending_remove(q, p));
    }
    for (int i = 0; i < 5000; i += 2) {
        snprintf(p, sizeof p, "M%d/%08d.LOG", i % 15, i);
        const cu_pending_item *it = cu_pending_peek(q, 0);
        assert_string_equal(it->path, p);
        assert_non_null(cu_pending_find(q, p));
        cu_pending_remove(q, p);
    }
    assert_int_equal(cu_pending_len(q), 0);
    cu_pending_free(q);
}

static void pending_due_times_and_stamps(void **state)
{
    (void)state;
    cu_pending *q = cu_pending_new();
    cu_pending_defer(q, "a", 500, 10, 111);
    cu_pending_defer(q, "b", 200, 20, 222);
    assert_null(cu_pending_peek(q, 100));
    assert_int_equal(cu_pending_next_due(q), 200);
    assert_string_equal(cu_pending_peek(q, 200)->path, "b");
    assert_string_equal(cu_pending_peek(q, 600)->path, "a"); /* arrival order among due */
    const cu_pending_item *a = cu_pending_find(q, "a");
    assert_int_equal(a->size, 10);
    assert_int_equal(a->mtime_ns, 111);
    cu_pending_defer(q, "a", 900, 11, 112); /* updated in place */
    a = cu_pending_find(q, "a");
    assert_int_equal(a->due_ms, 900);
    assert_int_equal(a->size, 11);
    assert_true(cu_pending_add(q, "c"));
    assert_false(cu_pending_add(q, "a")); /* becomes due at once, keeps its place */
    assert_string_equal(cu_pending_peek(q, 0)->path, "a");
    cu_pending_free(q);
}

static void backoff_doubles_to_the_cap_and_resets(void **state)
{
    (void)state;
    cu_backoff b;
    cu_backoff_init(&b, 250, 10000);
    int64_t want[] = {250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(cu_backoff_fail(&b), want[i]);
    assert_int_equal(b.failures, 9);
    cu_backoff_reset(&b);
    assert_int_equal(cu_backoff_fail(&b), 250);
    /* Silly parameters are made sane. */
    cu_backoff_init(&b, 0, -5);
    assert_int_equal(cu_backoff_fail(&b), 1);
    assert_int_equal(cu_backoff_fail(&b), 1);
    /* A cap that is not a power-of-two multiple of the base is still reached exactly. */
    cu_backoff_init(&b, 300, 1000);
    assert_int_equal(cu_backoff_fail(&b), 300);
    assert_int_equal(cu_backoff_fail(&b), 600);
    assert_int_equal(cu_backoff_fail(&b), 1000);
}

static void scan_match_depth_and_pattern(void **state)
{
    (void)state;
    cu_scan_rules r = {.pattern = "*.LOG", .depth = 1};
    const char *why = NULL;
    assert_true(cu_scan_match(&r, "DEM12 (PVC)/20250528.LOG", &why));
    assert_false(cu_scan_match(&r, "20250528.LOG", &why)); /* an upload into the root */
    assert_non_null(strstr(why, "is not in a machine folder")); /* logged at warn */
    assert_false(cu_scan_match(&r, "notes.txt", &why)); /* anything else in the root */
    assert_string_equal(why, "not in a machine folder");
    assert_false(cu_scan_match(&r, "A/B/20250528.LOG", &why)); /* too deep */
    assert_string_equal(why, "below a machine folder");
    assert_false(cu_scan_match(&r, "A/20250528.log", &why)); /* case-sensitive */
    assert_string_equal(why, "name does not match the pattern");
    assert_false(cu_scan_match(&r, "A/20250528.LOG.part", NULL));
    assert_false(cu_scan_match(&r, "A/.20250528.LOG", NULL)); /* hidden temporary name */
    r.depth = 0;
    assert_true(cu_scan_match(&r, "20250528.LOG", NULL));
    assert_false(cu_scan_match(&r, "A/20250528.LOG", NULL));
    r.depth = 2;
    r.pattern = "2025*.LOG";
    assert_true(cu_scan_match(&r, "site/A (PVC)/20250528.LOG", NULL));
    assert_false(cu_scan_match(&r, "site/A (PVC)/20240528.LOG", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pending_keeps_arrival_order_and_dedups),
        cmocka_unit_test(pending_survives_many_paths),
        cmocka_unit_test(pending_due_times_and_stamps),
        cmocka_unit_test(backoff_doubles_to_the_cap_and_resets),
        cmocka_unit_test(scan_match_depth_and_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_db.c — unit tests of db/'s pure parts: the exact decimal formatting of hours and
 * rates, the rounding of duree_secondes, COPY text escaping, and the registry lookup. The
 * database itself is exercised by the tests/db_*.sh drivers (label db). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_int.h"

static void hours(int64_t us, const char *want)
{
    char buf[32];
    cu_db_fmt_hours(buf, us);
    assert_string_equal(buf, want);
}

static void test_hours(void **state)
{
    (void)state;
    hours(0, "0.0000");
    hours(INT64_C(10800) * 1000000, "3.0000"); /* the DEM12 window */
    hours(INT64_C(372500000), "0.1035");       /* 372.5 s = 0.103472 h */
    hours(INT64_C(7727500000), "2.1465");      /* 7,727.5 s */
    hours(179999, "0.0000");                   /* just under half of 0.0001 h */
    hours(180000, "0.0001");                   /* exactly half: away from zero */
    hours(-180000, "-0.0001");
    hours(-179999, "0.0000");
    hours(INT64_C(86400) * 1000000, "24.0000");
    hours(INT64_C(3599999999999), "1000.0000");
}

static void cpct(int32_t v, const char *want)
{
    char buf[16];
    cu_db_fmt_cpct(buf, v);
    assert_string_equal(buf, want);
}

static void test_rates(void **state)
{
    (void)state;
    cpct(7155, "71.55");
    cpct(2500, "25.00");
    cpct(345, "3.45");
    cpct(0, "0.00");
    cpct(5, "0.05");
    cpct(-5, "-0.05");
    cpct(10000, "100.00");
}

static void test_round_seconds(void **state)
{
    (void)state;
    assert_int_equal(cu_db_round_seconds(12500000), 13);
    assert_int_equal(cu_db_round_seconds(500000), 1);
    assert_int_equal(cu_db_round_seconds(499999), 0);
    assert_int_equal(cu_db_round_seconds(1490000), 1);
    assert_int_equal(cu_db_round_seconds(2500000), 3);
    assert_int_equal(cu_db_round_seconds(-2500000), -3);
    assert_int_equal(cu_db_round_seconds(0), 0);
}

static void test_copy_escaping(void **state)
{
    (void)state;
    cu_sb sb = {0};
    cu_db_copy_text(&sb, "a\tb\\c\nd\re");
    assert_string_equal(sb.data, "a\\tb\\\\c\\nd\\re");
    cu_sb_reset(&sb);
    cu_db_copy_text(&sb, NULL);
    assert_string_equal(sb.data, "\\N");
    cu_sb_reset(&sb);
    cu_db_copy_text(&sb, "CRÈME \\N");
    assert_string_equal(sb.data, "CRÈME \\\\N");
    cu_sb_reset(&sb);
    cu_db_copy_text(&sb, "");
    cu_sb_putc(&sb, '|');
    assert_string_equal(sb.data, "|");
    cu_sb_free(&sb);
}

static void test_registry_find(void **state)
{
    (void)state;
    cu_registry_entry e[3] = {
        {.chemin = "A (X)/20250101.LOG", .taille = 1},
        {.chemin = "B (Y)/20250101.LOG", .taille = 2},
        {.chemin = "B (Y)/20250102.LOG", .taille = 3},
    };
    cu_registry reg = {.entries = e, .n = 3};
    assert_int_equal(cu_registry_find(&reg, "B (Y)/20250101.LOG")->taille, 2);
    assert_int_equal(cu_registry_find(&reg, "B (Y)/20250102.LOG")->taille, 3);
    assert_null(cu_registry_find(&reg, "C/20250101.LOG"));
    cu_registry empty = {0};
    assert_null(cu_registry_find(&empty, "A (X)/20250101.LOG"));
}

/* Names are bytes; the stored form is UTF-8, name by name (issue 8). */
static void test_name_utf8(void **state)
{
    (void)state;
    assert_null(cu_db_name_utf8("DEM12 (PVC)/20250101.LOG"));
    assert_null(cu_db_name_utf8("CENTRE D\xC3\x89" "BIT (ALU)/20250101.LOG")); /* already UTF-8 */
    char *s = cu_db_name_utf8("CENTRE D\xC9" "BIT (ALU)/20250101.LOG");
    assert_string_equal(s, "CENTRE D\xC3\x89" "BIT (ALU)/20250101.LOG");
    free(s);
    /* Each name decides for itself: a UTF-8 folder beside a Latin-1 file name. */
    s = cu_db_name_utf8("D\xC3\x89" "BIT/caf\xE9.LOG");
    assert_string_equal(s, "D\xC3\x89" "BIT/caf\xC3\xA9.LOG");
    free(s);
    s = cu_db_name_utf8("A\r\x1b[31m/x.LOG");
    assert_string_equal(s, "A[31m/x.LOG");
    free(s);
    s = cu_db_name_utf8("\x01\x02/x.LOG");
    assert_string_equal(s, "\xEF\xBF\xBD/x.LOG");
    free(s);
    cu_registry_entry e[1] = {{.chemin = "CENTRE D\xC3\x89" "BIT (ALU)/20250101.LOG", .taille = 7}};
    cu_registry reg = {.entries = e, .n = 1};
    assert_int_equal(cu_registry_find(&reg, "CENTRE D\xC9" "BIT (ALU)/20250101.LOG")->taille, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours),         cmocka_unit_test(test_rates),
        cmocka_unit_test(test_round_seconds), cmocka_unit_test(test_copy_escaping),
        cmocka_unit_test(test_registry_find), cmocka_unit_test(test_name_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

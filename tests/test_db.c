/* test_db.c — unit tests of db/'s pure parts: the exact decimal formatting of hours and
 * rates, the rounding of duree_secondes, COPY text escaping, and the registry lookup. The
 * database itself is exercised by the tests/db_*.sh drivers (label db). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- readfile.c: a streamed read is a whole read (issue 8: peak memory) -------------------- */

/* Every field of two parses that the database layer reads. */
static void same_parse(const cu_logfile *a, const cu_logfile *b)
{
    assert_int_equal(a->status, b->status);
    assert_true(a->lines == b->lines && a->events == b->events);
    assert_true(a->unknown_events == b->unknown_events && a->rejected_lines == b->rejected_lines);
    assert_int_equal(a->has_date, b->has_date);
    assert_int_equal(a->date_days, b->date_days);
    assert_int_equal(a->n_pieces, b->n_pieces);
    for (size_t i = 0; i < a->n_pieces; i++) {
        assert_true(a->pieces[i].ts == b->pieces[i].ts && a->pieces[i].line == b->pieces[i].line);
        assert_string_equal(a->pieces[i].details, b->pieces[i].details);
    }
    assert_int_equal(a->n_jobs, b->n_jobs);
    for (size_t i = 0; i < a->n_jobs; i++) {
        assert_string_equal(a->jobs[i].reference, b->jobs[i].reference);
        assert_true(a->jobs[i].ts == b->jobs[i].ts);
    }
    assert_int_equal(a->n_waits, b->n_waits);
    assert_memory_equal(a->waits, b->waits, a->n_waits * sizeof *a->waits);
    assert_int_equal(a->n_stops, b->n_stops);
    assert_memory_equal(a->stops, b->stops, a->n_stops * sizeof *a->stops);
    assert_int_equal(a->n_states, b->n_states);
    for (size_t i = 0; i < a->n_states; i++)
        assert_true(a->states[i].start == b->states[i].start &&
                    a->states[i].end == b->states[i].end && a->states[i].etat == b->states[i].etat);
    assert_int_equal(a->n_rejects, b->n_rejects);
    for (size_t i = 0; i < a->n_rejects; i++) {
        assert_true(a->rejects[i].line == b->rejects[i].line);
        assert_string_equal(a->rejects[i].content, b->rejects[i].content);
        assert_string_equal(a->rejects[i].reason, b->rejects[i].reason);
    }
    assert_memory_equal(&a->metrics, &b->metrics, sizeof a->metrics);
    assert_int_equal(a->has_cycle_median, b->has_cycle_median);
    assert_true(a->cycle_median_us == b->cycle_median_us);
    assert_int_equal(a->n_hours, b->n_hours);
    assert_memory_equal(a->hour_counts, b->hour_counts, a->n_hours * sizeof *a->hour_counts);
}

/* A file of about 3 MiB (lines across the 1 MiB chunks, one of 100 kB across a chunk's end,
 * CRLF, Latin-1, waits out of order, stops, jobs, garbage, no final newline), read whole and
 * streamed: the same hash and the same parse, whole or as a prefix; a limit applies alike. */
static void test_streamed_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/cuwatch-test-db.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char folder[64], path[128];
    snprintf(folder, sizeof folder, "%s/M1 (X)", dir);
    assert_int_equal(mkdir(folder, 0755), 0);
    snprintf(path, sizeof path, "%s/20250310.LOG", folder);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    unsigned seed = 7;
    bool long_line = false;
    for (int i = 0; ftell(out) < 3 * 1024 * 1024 + 12345; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 8) % 100, t = 6 * 3600 + i / 2;
        if (!long_line && ftell(out) > 1000000) {
            /* a 100 kB line from about 1,000,000 bytes: across the first 1 MiB chunk's end */
            assert_true(ftell(out) < (1 << 20));
            long_line = true;
            fprintf(out, "20250310 %02u:%02u:%02u|@StukUitgevoerd: ", t / 3600, t / 60 % 60, t % 60);
            for (int k = 0; k < 100000; k++)
                fputc('a' + k % 26, out);
            fputs("\r\n", out);
            continue;
        }
        if (r < 3) t -= 900; /* late lines */
        fprintf(out, "20250310 %02u:%02u:%02u|@", t / 3600, t / 60 % 60, t % 60);
        if (r < 70) fprintf(out, "StukUitgevoerd: %d caf\xE9 ok", i);
        else if (r < 80) fprintf(out, "MachineWait: %u sec", r);
        else if (r < 85) fputs("MachineStop", out);
        else if (r < 90) fputs("MachineStart", out);
        else if (r < 95) fprintf(out, "JobProfiel: R:PVC-%u L:%u,5 C:wit", r, 1000 + r);
        else fputs("?? garbage", out);
        fputs(r % 2 ? "\r\n" : "\n", out);
    }
    fputs("20250310 23:59:59|@StukUitgevoerd: last, no newline", out);
    long size = ftell(out);
    fclose(out);

    cu_sb whole = {0}, chunk = {0};
    struct stat st;
    bool too_big = true;
    cu_err err;
    cu_read_stream_args none = {.want = -1}; /* 3 MiB: under CU_STREAM_ABOVE, read whole */
    assert_int_equal(cu_read_file(&whole, path, "x", INT64_MAX, &st, &too_big, &none, &err), 0);
    assert_false(too_big);
    assert_false(none.streamed);
    assert_int_equal(whole.len, (size_t)size);
    char hash[65];
    assert_int_equal(cu_sha256_hex(whole.data, whole.len, hash, &err), 0);
    const char *rel = "M1 (X)/20250310.LOG";
    cu_logfile a = {0}, b = {0};
    cu_logfile_parse_buffer(&a, rel, whole.data, whole.len);
    assert_true(a.n_pieces > 10000 && a.n_waits > 1000 && a.n_stops > 100 && a.n_rejects > 100);

    /* want: streamed whatever the size. */
    cu_read_stream_args s = {.lf = &b, .parse_path = rel, .want = size};
    assert_int_equal(cu_read_file(&chunk, path, "x", INT64_MAX, &st, &too_big, &s, &err), 0);
    assert_true(s.streamed && !too_big && s.got == size);
    assert_string_equal(s.hash, hash);
    assert_true(chunk.cap <= (1u << 20) + 1); /* never more than a chunk */
    same_parse(&a, &b);

    /* A prefix, cut inside a line. */
    size_t half = (size_t)size / 2 + 17;
    cu_logfile_parse_buffer(&a, rel, whole.data, half);
    assert_int_equal(cu_sha256_hex(whole.data, half, hash, &err), 0);
    s = (cu_read_stream_args){.lf = &b, .parse_path = rel, .want = (int64_t)half};
    assert_int_equal(cu_read_file(&chunk, path, "x", INT64_MAX, &st, &too_big, &s, &err), 0);
    assert_true(s.streamed && s.got == (int64_t)half);
    assert_string_equal(s.hash, hash);
    same_parse(&a, &b);

    /* Hashing only, and the limit. */
    s = (cu_read_stream_args){.want = size};
    assert_int_equal(cu_read_file(&chunk, path, "x", INT64_MAX, &st, &too_big, &s, &err), 0);
    assert_int_equal(cu_sha256_hex(whole.data, whole.len, hash, &err), 0);
    assert_string_equal(s.hash, hash);
    assert_int_equal(cu_read_file(&chunk, path, "x", size - 1, &st, &too_big, &s, &err), 0);
    assert_true(too_big);
    assert_int_equal(cu_read_file(&whole, path, "x", size - 1, &st, &too_big, &none, &err), 0);
    assert_true(too_big);

    cu_logfile_free(&a);
    cu_logfile_free(&b);
    cu_sb_free(&whole);
    cu_sb_free(&chunk);
    unlink(path);
    rmdir(folder);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours),         cmocka_unit_test(test_rates),
        cmocka_unit_test(test_round_seconds), cmocka_unit_test(test_copy_escaping),
        cmocka_unit_test(test_registry_find), cmocka_unit_test(test_name_utf8),
        cmocka_unit_test(test_streamed_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

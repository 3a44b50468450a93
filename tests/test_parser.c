/* test_parser.c — one test per rule of SPEC §1–2, on the parser library alone.
 *
 * Each test feeds a small LOG text through cu_logfile_parse_buffer (or a real file, where
 * reading is the point) and asserts the counts, detail rows and metrics it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "logfile.h"

#define S(x) ((int64_t)(x)*CU_US_PER_S)

static cu_logfile lf;

static void parse(const char *path, const char *text)
{
    cu_logfile_parse_buffer(&lf, path, text, strlen(text));
}

static void parse_dem(const char *text)
{
    parse("DEM12 (PVC)/20250528.LOG", text);
}

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

/* ---- calendar and timestamps ---------------------------------------------------------- */

static void test_feb29_leap_and_common(void **state)
{
    (void)state;
    assert_true(cu_date_valid(2024, 2, 29));
    assert_false(cu_date_valid(2025, 2, 29));
    assert_true(cu_date_valid(2000, 2, 29));
    assert_false(cu_date_valid(1900, 2, 29));
    parse_dem("20240229 10:00:00|@StukUitgevoerd: a\n20250229 10:00:00|@StukUitgevoerd: b\n");
    assert_int_equal(lf.events, 1);
    assert_int_equal(lf.rejected_lines, 1);
    assert_int_equal(lf.rejects[0].line, 2);
    assert_non_null(strstr(lf.rejects[0].reason, "invalid timestamp"));
}

static void test_hour24_second60(void **state)
{
    (void)state;
    parse_dem("20250528 24:00:00|@MachineStop\n"
              "20250528 23:59:60|@MachineStop\n"
              "20250528 23:60:00|@MachineStop\n"
              "20250532 10:00:00|@MachineStop\n"
              "20251301 10:00:00|@MachineStop\n"
              "20250528 23:59:59|@MachineStop\n");
    assert_int_equal(lf.rejected_lines, 5);
    assert_int_equal(lf.events, 1);
    assert_true(lf.has_last_stop);
    assert_int_equal(lf.last_stop, at(23, 59, 59));
}

static void test_timestamp_shape(void **state)
{
    (void)state;
    parse_dem("2025052810:00:00|@MachineStop\n"
              "20250528 10:00:00 @MachineStop\n"
              "20250528 10:00:00|@\n"
              "20250528 10:00:00|@-x\n");
    assert_int_equal(lf.rejected_lines, 4);
    assert_int_equal(lf.events, 0);
    assert_int_equal(lf.status, CU_STATUS_REJECTED);
}

/* ---- waits ---------------------------------------------------------------------------- */

static int64_t wait_of(const char *details)
{
    char line[256];
    snprintf(line, sizeof line, "20250528 10:00:00|@MachineWait: %s\n", details);
    parse_dem(line);
    if (lf.n_waits != 1) return -1;
    return lf.waits[0].end - lf.waits[0].start;
}

static void test_wait_units(void **state)
{
    (void)state;
    assert_int_equal(wait_of("12.5 sec"), 12500000);
    assert_int_equal(wait_of("12,5"), 12500000);
    assert_int_equal(wait_of("1.5 min"), 90000000);
    assert_int_equal(wait_of("30000 ms"), 30000000);
    assert_int_equal(wait_of("45"), 45000000);
    assert_int_equal(wait_of("45s"), 45000000);
    assert_int_equal(wait_of("2 secs"), 2000000);
    assert_int_equal(wait_of("3 seconds"), 3000000);
    assert_int_equal(wait_of("0"), 0);
    assert_int_equal(wait_of("0,0000005 sec"), 1); /* rounded to the microsecond */
    assert_int_equal(wait_of("527040 min"), INT64_C(366) * 86400 * 1000000); /* the longest */
}

static void test_wait_invalid(void **state)
{
    (void)state;
    const char *bad[] = {
        "-5 sec",           "abc",       "", "12 parsecs", "1.2.3", "sec", "5 sec extra",
        "999999999999 min", "527041 min"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(wait_of(bad[i]), -1);
        assert_int_equal(lf.rejected_lines, 1);
        assert_int_equal(lf.events, 0);
    }
    wait_of("-5 sec");
    assert_non_null(strstr(lf.rejects[0].reason, "negative"));
    /* The quoted excerpt of a long UTF-8 detail is cut on a character boundary. */
    wait_of("x\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
            "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
            "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
            "\xC3\xA9\xC3\xA9\xC3\xA9 x");
    assert_int_equal(lf.rejected_lines, 1);
    assert_null(strstr(lf.rejects[0].reason, "\xC3\x83")); /* no mojibake of é */
    assert_non_null(strstr(lf.rejects[0].reason, "\xC3\xA9\xC3\xA9\""));
}

/* ---- jobs ----------------------------------------------------------------------------- */

static void test_jobprofiel_tokens(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@JobProfiel: C:RAL9016 L:6500,5 R:PR7012\n"
              "20250528 06:01:00|@JobProfiel: R:PR8 L:6000\n"
              "20250528 06:02:00|@JobProfiel: L:6000 C:X\n"
              "20250528 06:03:00|@JobProfiel: R:PR9 L:abc\n");
    assert_int_equal(lf.n_jobs, 2);
    assert_string_equal(lf.jobs[0].reference, "PR7012");
    assert_string_equal(lf.jobs[0].length, "6500.5");
    assert_string_equal(lf.jobs[0].colour, "RAL9016");
    assert_string_equal(lf.jobs[1].reference, "PR8");
    assert_string_equal(lf.jobs[1].length, "6000");
    assert_null(lf.jobs[1].colour);
    assert_int_equal(lf.rejected_lines, 2);
    assert_int_equal(lf.rejects[0].line, 3);
    assert_int_equal(lf.rejects[1].line, 4);
}

/* ---- stops ---------------------------------------------------------------------------- */

static void test_stop_stop_start(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 07:00:00|@MachineStop\n"
              "20250528 07:10:00|@MachineStop\n"
              "20250528 07:30:00|@MachineStart\n"
              "20250528 08:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_stops, 1);
    assert_int_equal(lf.stops[0].start, at(7, 0, 0));
    assert_int_equal(lf.stops[0].end, at(7, 30, 0));
    assert_int_equal(lf.metrics.stop_us, S(1800));
    assert_int_equal(lf.metrics.production_us, S(7200));
    assert_int_equal(lf.metrics.stop_cpct, 2500);
    assert_int_equal(lf.metrics.occupation_cpct, 7500);
    assert_int_equal(lf.last_stop, at(7, 10, 0));
}

static void test_start_without_stop(void **state)
{
    (void)state;
    parse_dem("20250528 05:00:00|@MachineStart\n"
              "20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:30:00|@MachineStart\n"
              "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_stops, 0);
    assert_int_equal(lf.metrics.stop_us, 0);
    assert_int_equal(lf.first_start, at(5, 0, 0));
    assert_int_equal(lf.metrics.occupation_cpct, 10000);
}

static void test_stop_closed_by_piece(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 07:00:00|@MachineStop\n"
              "20250528 07:15:00|@StukUitgevoerd: 2\n"
              "20250528 08:00:00|@StukUitgevoerd: 3\n");
    assert_int_equal(lf.n_stops, 1);
    assert_int_equal(lf.stops[0].end, at(7, 15, 0));
    assert_int_equal(lf.metrics.stop_us, S(900));
}

static void test_trailing_stop(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 08:00:00|@StukUitgevoerd: 2\n"
              "20250528 09:00:00|@MachineStop\n");
    assert_int_equal(lf.n_stops, 0);
    assert_int_equal(lf.metrics.stop_us, 0);
    assert_true(lf.has_last_stop);
    assert_int_equal(lf.last_stop, at(9, 0, 0));
}

/* ---- waits against the window and stops ----------------------------------------------- */

static void test_wait_crossing_window_end(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:50:00|@MachineWait: 20 min\n"
              "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.metrics.production_us, S(3600));
    assert_int_equal(lf.metrics.wait_us, S(600));
    assert_int_equal(lf.waits[0].end - lf.waits[0].start, S(1200)); /* stored as logged */
}

static void test_wait_inside_stop(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:10:00|@MachineStop\n"
              "20250528 06:15:00|@MachineWait: 300\n"
              "20250528 06:30:00|@MachineStart\n"
              "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.metrics.stop_us, S(1200));
    assert_int_equal(lf.metrics.wait_us, 0);
    assert_int_equal(lf.metrics.effective_us, S(2400));
}

static void test_wait_partly_inside_stop(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:25:00|@MachineWait: 10 min\n"
              "20250528 06:30:00|@MachineStop\n"
              "20250528 06:40:00|@MachineStart\n"
              "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.metrics.stop_us, S(600));
    assert_int_equal(lf.metrics.wait_us, S(300));
    assert_int_equal(lf.metrics.effective_us, S(2700));
    assert_int_equal(lf.metrics.occupation_cpct + lf.metrics.wait_cpct + lf.metrics.stop_cpct,
                     10000);
}

static void test_overlapping_waits_and_rounding(void **state)
{
    (void)state;
    /* Waits 06:20+300 s and 06:22+240 s overlap: their union is 360 s, not 540 s. */
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:20:00|@MachineWait: 300 sec\n"
              "20250528 06:22:00|@MachineWait: 240 sec\n"
              "20250528 06:50:00|@MachineWait: 1 sec\n"
              "20250528 07:00:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.metrics.wait_us, S(361));
    /* 361 / 3600 = 10.0277 % → 10.03; occupation 89.97. */
    assert_int_equal(lf.metrics.wait_cpct, 1003);
    assert_int_equal(lf.metrics.occupation_cpct, 8997);
}

static void test_events_out_of_order(void **state)
{
    (void)state;
    parse_dem("20250528 07:00:00|@StukUitgevoerd: late\n"
              "20250528 06:30:00|@MachineStart\n"
              "20250528 06:00:00|@StukUitgevoerd: early\n"
              "20250528 06:10:00|@MachineStop\n"
              "20250528 06:10:00|@MachineWait: 60\n");
    assert_int_equal(lf.first_piece, at(6, 0, 0));
    assert_int_equal(lf.last_piece, at(7, 0, 0));
    assert_int_equal(lf.n_stops, 1);
    assert_int_equal(lf.stops[0].start, at(6, 10, 0));
    assert_int_equal(lf.stops[0].end, at(6, 30, 0));
    assert_int_equal(lf.metrics.wait_us, 0); /* inside the stop */
    /* numero_piece counts in file order: the first piece of the array is the first line's. */
    assert_string_equal(lf.pieces[0].details, "late");
}

static void test_equal_timestamps_keep_file_order(void **state)
{
    (void)state;
    /* Stop then Start at the same second: a zero-length stop; Start then Stop: the stop stays
     * open and is closed by the next piece. Only file order tells them apart. */
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n"
              "20250528 06:10:00|@MachineStart\n"
              "20250528 06:10:00|@MachineStop\n"
              "20250528 06:20:00|@StukUitgevoerd: 2\n");
    assert_int_equal(lf.n_stops, 1);
    assert_int_equal(lf.metrics.stop_us, S(600));
}

/* ---- lines, encodings and files ------------------------------------------------------- */

static void test_crlf_bom_blanks_latin1(void **state)
{
    (void)state;
    parse_dem("\xEF\xBB\xBF"
              "20250528 06:00:00|@StukUitgevoerd: caf\xE9 \r\n"
              "   \t\r\n"
              "\r\n"
              "\t20250528 06:01:00|@StukUitgevoerd:t\xC3\xA9st\t \r\n"
              "20250528 06:02:00|@StukUitgevoerd: a\x01\x00z\r\n");
    assert_int_equal(lf.lines, 5);
    assert_int_equal(lf.events, 3);
    assert_int_equal(lf.rejected_lines, 0);
    assert_string_equal(lf.pieces[0].details, "caf\xC3\xA9");
    assert_string_equal(lf.pieces[1].details, "t\xC3\xA9st");
}

static void test_nul_bytes_removed(void **state)
{
    (void)state;
    static const char text[] = "20250528 06:02:00|@StukUitgevoerd: a\x01\0z\n";
    cu_logfile_parse_buffer(&lf, "DEM12 (PVC)/20250528.LOG", text, sizeof text - 1);
    assert_int_equal(lf.n_pieces, 1);
    assert_string_equal(lf.pieces[0].details, "az");
}

static void test_unknown_event(void **state)
{
    (void)state;
    parse_dem("20250528 06:01:00|@Alarm: E042 door open\n20250528 06:02:00|@Alarm\n");
    assert_int_equal(lf.events, 2);
    assert_int_equal(lf.unknown_events, 2);
    assert_int_equal(lf.rejected_lines, 0);
    assert_int_equal(lf.status, CU_STATUS_OK);
}

static void test_one_megabyte_line(void **state)
{
    (void)state;
    size_t big = 1024 * 1024;
    size_t prefix = strlen("20250528 06:00:00|@StukUitgevoerd: ");
    char *text = malloc(2 * big + 200);
    char *p = text;
    p += sprintf(p, "20250528 06:00:00|@StukUitgevoerd: ");
    memset(p, 'x', big - prefix);
    p += big - prefix;
    *p++ = '\n';
    memset(p, 'y', big); /* a 1 MB garbage line */
    p += big;
    *p++ = '\n';
    p += sprintf(p, "20250528 07:00:00|@StukUitgevoerd: 2\n");
    cu_logfile_parse_buffer(&lf, "DEM12 (PVC)/20250528.LOG", text, (size_t)(p - text));
    free(text);
    assert_int_equal(lf.lines, 3);
    assert_int_equal(lf.n_pieces, 2);
    /* Details are stored as is: all of the line that is parsed (CU_LINE_KEEP bytes). */
    assert_int_equal(strlen(lf.pieces[0].details), CU_LINE_KEEP - prefix);
    assert_int_equal(lf.rejected_lines, 1);
    assert_int_equal(lf.rejects[0].line, 2);
    assert_true(strlen(lf.rejects[0].content) == CU_TEXT_MAX);
    assert_int_equal(lf.metrics.production_us, S(3600));
}

/* A UTF-8 line longer than CU_LINE_KEEP whose cut falls inside a character: its details stay
 * UTF-8 (cut back to the character's start), not read as Latin-1 for one broken byte. */
static void test_long_utf8_line_cut_at_a_character(void **state)
{
    (void)state;
    const char *prefix = "20250528 06:00:00|@StukUitgevoerd: "; /* 35 bytes: the cut is odd */
    size_t big = CU_LINE_KEEP * 2;
    char *text = malloc(big + 100);
    char *p = text + sprintf(text, "%s", prefix);
    for (size_t i = 0; i < big / 2; i++) {
        *p++ = (char)0xC3; /* é */
        *p++ = (char)0xA9;
    }
    *p++ = '\n';
    cu_logfile_parse_buffer(&lf, "DEM12 (PVC)/20250528.LOG", text, (size_t)(p - text));
    free(text);
    assert_int_equal(lf.n_pieces, 1);
    const char *d = lf.pieces[0].details;
    size_t n = strlen(d);
    assert_int_equal(n, (CU_LINE_KEEP - strlen(prefix)) / 2 * 2);
    for (size_t i = 0; i < n; i += 2)
        assert_true((unsigned char)d[i] == 0xC3 && (unsigned char)d[i + 1] == 0xA9);
}

static void test_one_megabyte_line_from_file(void **state)
{
    (void)state;
    /* Through the chunked reader: the long line spans several read chunks. */
    char dir[] = "/tmp/cuwatch-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[300], path[400];
    snprintf(sub, sizeof sub, "%s/M1 (ALU)", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/20240229.LOG", sub);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("20240229 06:00:00|@StukUitgevoerd: 1\n", f);
    for (int i = 0; i < 1024 * 1024; i++)
        fputc('z', f);
    fputs("\n20240229 07:00:00|@StukUitgevoerd: 2", f); /* no final newline */
    fclose(f);
    cu_err err;
    assert_int_equal(cu_logfile_parse_file(&lf, path, &err), 0);
    assert_int_equal(lf.lines, 3);
    assert_int_equal(lf.n_pieces, 2);
    assert_int_equal(lf.rejected_lines, 1);
    assert_string_equal(lf.machine, "M1");
    assert_string_equal(lf.type, "ALU");
    assert_true(lf.has_date);
    assert_int_equal(lf.date_days, cu_days_from_civil(2024, 2, 29));
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    assert_int_equal(cu_logfile_parse_file(&lf, path, &err), -1);
    assert_non_null(strstr(err.msg, "20240229.LOG"));
}

static void test_no_valid_event(void **state)
{
    (void)state;
    parse_dem("garbage\n\nmore garbage\n");
    assert_int_equal(lf.status, CU_STATUS_REJECTED);
    assert_string_equal(lf.error, "no valid event");
    assert_int_equal(lf.lines, 3);
    assert_int_equal(lf.rejected_lines, 2);
}

static void test_empty_file(void **state)
{
    (void)state;
    parse_dem("");
    assert_int_equal(lf.lines, 0);
    assert_int_equal(lf.events, 0);
    assert_int_equal(lf.status, CU_STATUS_REJECTED);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n20250528 07:00:00|@StukUitgevoerd: 2");
    assert_int_equal(lf.lines, 2);
    assert_int_equal(lf.n_pieces, 2);
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n\n");
    assert_int_equal(lf.lines, 2);
}

static void test_folder_without_type(void **state)
{
    (void)state;
    parse("LIGNE3/20250528.LOG", "20250528 06:00:00|@StukUitgevoerd: 1\n");
    assert_string_equal(lf.machine, "LIGNE3");
    assert_null(lf.type);
    parse("X ()/20250528.LOG", "20250528 06:00:00|@StukUitgevoerd: 1\n");
    assert_string_equal(lf.machine, "X ()");
    assert_null(lf.type);
    parse("/srv/ftp/DEM ALU 2 (ALU)/20250528.LOG", "20250528 06:00:00|@StukUitgevoerd: 1\n");
    assert_string_equal(lf.machine, "DEM ALU 2");
    assert_string_equal(lf.type, "ALU");
}

static void test_file_name_not_a_date(void **state)
{
    (void)state;
    parse("DEM12 (PVC)/export.LOG", "20250530 06:00:00|@StukUitgevoerd: 1\n"
                                    "20250529 23:00:00|@Alarm\n");
    assert_true(lf.has_date);
    assert_int_equal(lf.date_days, cu_days_from_civil(2025, 5, 29));
    parse("DEM12 (PVC)/20250230.LOG", "20250530 06:00:00|@StukUitgevoerd: 1\n");
    assert_int_equal(lf.date_days, cu_days_from_civil(2025, 5, 30));
    parse("DEM12 (PVC)/junk.LOG", "junk\n");
    assert_false(lf.has_date);
}

static void test_single_piece_means_no_production(void **state)
{
    (void)state;
    parse_dem("20250528 06:00:00|@StukUitgevoerd: 1\n20250528 06:05:00|@MachineWait: 60\n");
    assert_int_equal(lf.metrics.production_us, 0);
    assert_int_equal(lf.metrics.wait_us, 0);
    assert_int_equal(lf.metrics.occupation_cpct, 0);
    assert_int_equal(lf.n_waits, 1);
}

static void test_reject_limit(void **state)
{
    (void)state;
    size_t n = 1500;
    char *text = malloc(n * 4 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * 4, "bad\n", 4);
    text[n * 4] = '\0';
    parse_dem(text);
    free(text);
    assert_int_equal(lf.rejected_lines, 1500);
    assert_int_equal(lf.n_rejects, CU_MAX_REJECTS);
    assert_int_equal(lf.rejects[999].line, 1000);
}

static void test_skip_piece_details(void **state)
{
    (void)state;
    static const char text[] = "20250528 06:00:00|@StukUitgevoerd: caf\xE9\n"
                               "20250528 06:10:00|@MachineWait: 60\n"
                               "20250528 07:00:00|@StukUitgevoerd: 2\n";
    parse_dem(text);
    cu_metrics kept = lf.metrics;
    assert_string_equal(lf.pieces[0].details, "caf\xC3\xA9");
    lf.skip_piece_details = true;
    parse_dem(text);
    assert_int_equal(lf.n_pieces, 2);
    assert_string_equal(lf.pieces[0].details, "");
    assert_string_equal(lf.pieces[1].details, "");
    assert_memory_equal(&lf.metrics, &kept, sizeof kept);
}

/* 4.3 G lines must not wrap (issue 8): every count and line number is 64-bit. Generating
 * such a file is out of reach of a unit test; the types are what decides it. */
static void test_counters_64bit(void **state)
{
    (void)state;
    cu_logfile x = {0};
    cu_reject r = {0};
    cu_piece pc = {0};
    cu_job j = {0};
    cu_period pe = {0};
    x.lines = UINT64_C(4294967295);
    x.lines++;
    assert_true(x.lines == UINT64_C(4294967296));
    assert_int_equal(sizeof x.lines, 8);
    assert_int_equal(sizeof x.events, 8);
    assert_int_equal(sizeof x.unknown_events, 8);
    assert_int_equal(sizeof x.rejected_lines, 8);
    assert_int_equal(sizeof r.line, 8);
    assert_int_equal(sizeof pc.line, 8);
    assert_int_equal(sizeof j.line, 8);
    assert_int_equal(sizeof pe.line, 8);
}

static void test_format_ts(void **state)
{
    (void)state;
    char buf[32];
    cu_format_ts(buf, at(8, 40, 0) + 12500000, ' ');
    assert_string_equal(buf, "2025-05-28 08:40:12.5");
    cu_format_ts(buf, at(8, 40, 0), 'T');
    assert_string_equal(buf, "2025-05-28T08:40:00");
    int y, m, d;
    cu_civil_from_days(cu_days_from_civil(2024, 2, 29), &y, &m, &d);
    assert_true(y == 2024 && m == 2 && d == 29);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_feb29_leap_and_common, teardown),
        cmocka_unit_test_teardown(test_hour24_second60, teardown),
        cmocka_unit_test_teardown(test_timestamp_shape, teardown),
        cmocka_unit_test_teardown(test_wait_units, teardown),
        cmocka_unit_test_teardown(test_wait_invalid, teardown),
        cmocka_unit_test_teardown(test_jobprofiel_tokens, teardown),
        cmocka_unit_test_teardown(test_stop_stop_start, teardown),
        cmocka_unit_test_teardown(test_start_without_stop, teardown),
        cmocka_unit_test_teardown(test_stop_closed_by_piece, teardown),
        cmocka_unit_test_teardown(test_trailing_stop, teardown),
        cmocka_unit_test_teardown(test_wait_crossing_window_end, teardown),
        cmocka_unit_test_teardown(test_wait_inside_stop, teardown),
        cmocka_unit_test_teardown(test_wait_partly_inside_stop, teardown),
        cmocka_unit_test_teardown(test_overlapping_waits_and_rounding, teardown),
        cmocka_unit_test_teardown(test_events_out_of_order, teardown),
        cmocka_unit_test_teardown(test_equal_timestamps_keep_file_order, teardown),
        cmocka_unit_test_teardown(test_crlf_bom_blanks_latin1, teardown),
        cmocka_unit_test_teardown(test_nul_bytes_removed, teardown),
        cmocka_unit_test_teardown(test_unknown_event, teardown),
        cmocka_unit_test_teardown(test_one_megabyte_line, teardown),
        cmocka_unit_test_teardown(test_long_utf8_line_cut_at_a_character, teardown),
        cmocka_unit_test_teardown(test_one_megabyte_line_from_file, teardown),
        cmocka_unit_test_teardown(test_no_valid_event, teardown),
        cmocka_unit_test_teardown(test_empty_file, teardown),
        cmocka_unit_test_teardown(test_last_line_without_newline, teardown),
        cmocka_unit_test_teardown(test_folder_without_type, teardown),
        cmocka_unit_test_teardown(test_file_name_not_a_date, teardown),
        cmocka_unit_test_teardown(test_single_piece_means_no_production, teardown),
        cmocka_unit_test_teardown(test_reject_limit, teardown),
        cmocka_unit_test_teardown(test_skip_piece_details, teardown),
        cmocka_unit_test_teardown(test_format_ts, teardown),
        cmocka_unit_test_teardown(test_counters_64bit, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_logfile.c — the libFuzzer target of the LOG parser: any bytes in, a consistent session.
 *
 * The machines upload whatever their controllers write, so the parser must survive any input
 * (SPEC §1: "any length of line is handled", "a line is never silently dropped") and its
 * metrics must keep the promises of SPEC §2 whatever the input. Each input is parsed twice:
 *
 *   1. into one cu_logfile reused across all inputs, under a dated path, as a rescan reuses
 *      one for every file (this is what would show stale state leaking between files), and
 *   2. into a fresh cu_logfile under an undated path (date from the earliest event).
 *
 * Both results are checked against invariants recomputed here from the detail rows — counts
 * that must add up, rows in order, stored text that is clean UTF-8, stop and wait times equal
 * to their definition, rates summing to 100 — and against each other: the path changes the
 * identity only, never a count or a metric.
 *
 * A third parse is differential: the same input with a blank put before every line but the
 * first. Leading blanks are part of the grammar, so nothing may change but the rejected lines'
 * stored content; and a line with a leading blank never takes the parser's fast path (a
 * timestamp of the cached date at the start of the line), so this compares the fast path
 * with the general one on every input.
 *
 * Checks abort with a message instead of assert(), because Release and RelWithDebInfo builds
 * define NDEBUG and the smoke test must still check. The reused cu_logfile is freed at exit
 * so LeakSanitizer sees no leak. Built with -fsanitize=fuzzer under clang (tests/fuzz.cmake),
 * or linked with tests/fuzz_driver.c for the ordinary gcc sanitizer test run. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_DATED_PATH "FUZZ (X)/20250101.LOG"
#define FUZZ_UNDATED_PATH "FUZZ/notes.LOG"
#define FUZZ_DAY_US (INT64_C(86400) * CU_US_PER_S)

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) fuzz_fail(__LINE__, #cond);                                                   \
    } while (0)

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_logfile.c:%d: invariant violated: %s\n", line, what);
    abort();
}

/* Stored text is cleaned UTF-8 (SPEC §1): strictly valid, no NUL or C0 control but tab, at
 * most CU_TEXT_MAX bytes (piece details: as is, max CU_LINE_KEEP). An independent validator,
 * so a bug in common/text.c shows. */
static void fuzz_check_text_max(const char *s, size_t max)
{
    FUZZ_CHECK(s != NULL);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    FUZZ_CHECK(n <= max);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c < 0x80) {
            FUZZ_CHECK(c >= 0x20 || c == '\t');
            i++;
            continue;
        }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        FUZZ_CHECK(c >= 0xC2 && c <= 0xF4);
        FUZZ_CHECK(i + len <= n);
        uint32_t cp = c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            FUZZ_CHECK((p[i + k] & 0xC0) == 0x80);
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        FUZZ_CHECK(len != 3 || (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)));
        FUZZ_CHECK(len != 4 || (cp >= 0x10000 && cp <= 0x10FFFF));
        i += len;
    }
}

static void fuzz_check_text(const char *s)
{
    fuzz_check_text_max(s, CU_TEXT_MAX);
}

/* Formats a timestamp, as --parse and the database layer do; ASan watches the buffer. */
static void fuzz_check_ts(int64_t us)
{
    char out[32];
    cu_format_ts(out, us, 'T');
    FUZZ_CHECK(strlen(out) == 19);
    cu_format_ts(out, us, ' ');
    FUZZ_CHECK(strlen(out) >= 19 && strlen(out) < 32);
}

static int64_t fuzz_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t fuzz_max(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* |[a, b) ∩ union(stops)|, stops being sorted and disjoint; *j is a cursor that only moves
 * forward, for calls with increasing, disjoint [a, b). */
static int64_t fuzz_stopped_within(const cu_logfile *lf, size_t *j, int64_t a, int64_t b)
{
    while (*j < lf->n_stops && lf->stops[*j].end <= a)
        ++*j;
    int64_t sum = 0;
    for (size_t k = *j; k < lf->n_stops && lf->stops[k].start < b; k++)
        sum += fuzz_min(b, lf->stops[k].end) - fuzz_max(a, lf->stops[k].start);
    return sum;
}

/* SPEC §2 recomputed from the detail rows: stop = |union(stops) ∩ W| and
 * wait = |(union(waits) ∩ W) minus union(stops)|. */
static void fuzz_check_metrics(const cu_logfile *lf)
{
    const cu_metrics *m = &lf->metrics;
    int64_t w0 = lf->first_piece, w1 = lf->last_piece;
    bool window = lf->n_pieces >= 2;

    FUZZ_CHECK(m->production_us == (window ? w1 - w0 : 0));
    FUZZ_CHECK(m->wait_us >= 0 && m->stop_us >= 0 && m->effective_us >= 0);
    FUZZ_CHECK(m->effective_us == m->production_us - m->stop_us - m->wait_us);

    int64_t stop = 0, wait = 0;
    if (window) {
        size_t j = 0;
        stop = fuzz_stopped_within(lf, &j, w0, w1);
        /* Merge the waits (sorted by start) into disjoint runs, clip each run to W, and
         * subtract what of it is stopped. */
        j = 0;
        for (size_t i = 0; i < lf->n_waits;) {
            int64_t a = lf->waits[i].start, b = lf->waits[i].end;
            for (i++; i < lf->n_waits && lf->waits[i].start <= b; i++)
                b = fuzz_max(b, lf->waits[i].end);
            a = fuzz_max(a, w0);
            b = fuzz_min(b, w1);
            if (a < b) wait += (b - a) - fuzz_stopped_within(lf, &j, a, b);
        }
    }
    FUZZ_CHECK(m->stop_us == stop);
    FUZZ_CHECK(m->wait_us == wait);

    int32_t pct[3] = {m->occupation_cpct, m->wait_cpct, m->stop_cpct};
    int64_t part[3] = {m->effective_us, m->wait_us, m->stop_us};
    for (int i = 0; i < 3; i++) {
        FUZZ_CHECK(pct[i] >= 0 && pct[i] <= 10000);
        if (m->production_us == 0) {
            FUZZ_CHECK(pct[i] == 0);
        } else {
            /* Rounded to 0.01 %: within half a unit of the exact ratio (plus float slack). */
            double exact = (double)part[i] * 10000.0 / (double)m->production_us;
            FUZZ_CHECK(fabs(pct[i] - exact) <= 0.5 + 1e-6);
        }
    }
    if (m->production_us > 0) {
        int32_t sum = pct[0] + pct[1] + pct[2];
        FUZZ_CHECK(sum >= 10000 - 2 && sum <= 10000 + 2);
    }
}

static int fuzz_i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median gap between consecutive pieces in time order, recomputed the plain way (sort the
 * timestamps, sort the gaps), against the parser's selection. */
static void fuzz_check_rhythm(const cu_logfile *lf)
{
    size_t n = lf->n_pieces;
    FUZZ_CHECK(lf->has_cycle_median == (n >= 2));
    if (n < 2) return;
    int64_t *ts = malloc(n * sizeof *ts);
    if (!ts) abort();
    for (size_t i = 0; i < n; i++)
        ts[i] = lf->pieces[i].ts;
    qsort(ts, n, sizeof *ts, fuzz_i64_cmp);
    for (size_t i = 0; i + 1 < n; i++)
        ts[i] = ts[i + 1] - ts[i];
    size_t ng = n - 1;
    qsort(ts, ng, sizeof *ts, fuzz_i64_cmp);
    int64_t want = ng % 2 ? ts[ng / 2] : ts[ng / 2 - 1] + (ts[ng / 2] - ts[ng / 2 - 1]) / 2;
    FUZZ_CHECK(lf->cycle_median_us == want);
    free(ts);
}

static void fuzz_check(const cu_logfile *lf, const uint8_t *data, size_t size, bool dated)
{
    /* Identity. */
    FUZZ_CHECK(lf->path && strcmp(lf->path, dated ? FUZZ_DATED_PATH : FUZZ_UNDATED_PATH) == 0);
    FUZZ_CHECK(lf->machine && strcmp(lf->machine, "FUZZ") == 0);
    if (dated) {
        FUZZ_CHECK(lf->type && strcmp(lf->type, "X") == 0);
        FUZZ_CHECK(lf->has_date && lf->date_days == cu_days_from_civil(2025, 1, 1));
    } else {
        FUZZ_CHECK(lf->type == NULL);
        FUZZ_CHECK(lf->has_date == (lf->events > 0));
    }

    /* Status: rejected exactly when no line is a valid event. */
    FUZZ_CHECK((lf->status == CU_STATUS_REJECTED) == (lf->events == 0));
    if (lf->status == CU_STATUS_REJECTED)
        FUZZ_CHECK(lf->error && lf->error[0]);
    else
        FUZZ_CHECK(lf->error == NULL);

    /* Counts: every line is counted; a non-empty one is an event or a reject, never both. */
    size_t newlines = 0;
    for (size_t i = 0; i < size; i++)
        newlines += data[i] == '\n';
    size_t partial = size > 0 && data[size - 1] != '\n';
    FUZZ_CHECK(lf->lines >= newlines && lf->lines <= newlines + partial);
    FUZZ_CHECK((uint64_t)lf->events + lf->rejected_lines <= lf->lines);
    FUZZ_CHECK(lf->unknown_events <= lf->events);
    FUZZ_CHECK(lf->n_pieces + lf->n_jobs + lf->n_waits + lf->unknown_events <= lf->events);
    FUZZ_CHECK(lf->n_stops <= lf->events);
    FUZZ_CHECK(lf->n_rejects ==
               (lf->rejected_lines < CU_MAX_REJECTS ? lf->rejected_lines : CU_MAX_REJECTS));

    uint32_t prev = 0;
    for (size_t i = 0; i < lf->n_rejects; i++) {
        const cu_reject *r = &lf->rejects[i];
        FUZZ_CHECK(r->line > prev && r->line <= lf->lines);
        prev = r->line;
        fuzz_check_text(r->content);
        FUZZ_CHECK(r->reason && r->reason[0]);
        fuzz_check_text(r->reason);
    }

    /* Pieces in file order (numbered by their place); the summary is their earliest and latest. */
    int64_t day0 = (int64_t)lf->date_days * FUZZ_DAY_US;
    prev = 0;
    for (size_t i = 0; i < lf->n_pieces; i++) {
        const cu_piece *p = &lf->pieces[i];
        FUZZ_CHECK(p->line > prev && p->line <= lf->lines);
        prev = p->line;
        fuzz_check_text_max(p->details, CU_LINE_KEEP); /* stored as is */
        FUZZ_CHECK(p->ts >= lf->first_piece && p->ts <= lf->last_piece);
        if (!dated) FUZZ_CHECK(p->ts >= day0);
    }
    FUZZ_CHECK(lf->has_first_piece == (lf->n_pieces > 0));
    FUZZ_CHECK(lf->has_last_piece == (lf->n_pieces > 0));
    if (lf->has_first_piece) {
        FUZZ_CHECK(lf->first_piece <= lf->last_piece);
        fuzz_check_ts(lf->first_piece);
        fuzz_check_ts(lf->last_piece);
    }
    if (lf->has_first_start) fuzz_check_ts(lf->first_start);
    if (lf->has_last_stop) fuzz_check_ts(lf->last_stop);
    if (lf->has_first_start || lf->has_last_stop) FUZZ_CHECK(lf->events > 0);

    /* Jobs in file order; a reference is one non-blank token, a length a plain decimal. */
    prev = 0;
    for (size_t i = 0; i < lf->n_jobs; i++) {
        const cu_job *j = &lf->jobs[i];
        FUZZ_CHECK(j->line > prev && j->line <= lf->lines);
        prev = j->line;
        fuzz_check_text(j->reference);
        FUZZ_CHECK(j->reference[0] && !strchr(j->reference, ' '));
        if (j->colour) fuzz_check_text(j->colour);
        if (j->length) {
            fuzz_check_text(j->length);
            FUZZ_CHECK(j->length[0] && !strchr(j->length, ','));
        }
        fuzz_check_ts(j->ts);
    }

    /* Waits and stops in timestamp order; stops never overlap, since a stop is closed by
     * the next Start or piece before another can open. */
    for (size_t i = 0; i < lf->n_waits; i++) {
        const cu_period *w = &lf->waits[i];
        FUZZ_CHECK(w->start <= w->end && w->line >= 1 && w->line <= lf->lines);
        if (i > 0) FUZZ_CHECK(lf->waits[i - 1].start <= w->start);
        fuzz_check_ts(w->start);
    }
    for (size_t i = 0; i < lf->n_stops; i++) {
        const cu_period *s = &lf->stops[i];
        FUZZ_CHECK(s->start <= s->end && s->line >= 1 && s->line <= lf->lines);
        if (i > 0) FUZZ_CHECK(lf->stops[i - 1].end <= s->start);
        fuzz_check_ts(s->start);
        fuzz_check_ts(s->end);
    }

    fuzz_check_metrics(lf);
    fuzz_check_rhythm(lf);
}

/* The path gives the identity only: every count, row and metric must be the same. */
static void fuzz_check_same(const cu_logfile *a, const cu_logfile *b)
{
    FUZZ_CHECK(a->status == b->status);
    FUZZ_CHECK(a->lines == b->lines && a->events == b->events);
    FUZZ_CHECK(a->unknown_events == b->unknown_events && a->rejected_lines == b->rejected_lines);
    FUZZ_CHECK(a->n_pieces == b->n_pieces && a->n_jobs == b->n_jobs);
    FUZZ_CHECK(a->n_waits == b->n_waits && a->n_stops == b->n_stops);
    FUZZ_CHECK(a->n_rejects == b->n_rejects);
    FUZZ_CHECK(memcmp(&a->metrics, &b->metrics, sizeof a->metrics) == 0);
    FUZZ_CHECK(a->has_first_piece == b->has_first_piece);
    FUZZ_CHECK(!a->has_first_piece || a->first_piece == b->first_piece);
    FUZZ_CHECK(a->has_last_piece == b->has_last_piece);
    FUZZ_CHECK(!a->has_last_piece || a->last_piece == b->last_piece);
    FUZZ_CHECK(a->has_first_start == b->has_first_start);
    FUZZ_CHECK(!a->has_first_start || a->first_start == b->first_start);
    FUZZ_CHECK(a->has_last_stop == b->has_last_stop);
    FUZZ_CHECK(!a->has_last_stop || a->last_stop == b->last_stop);
    for (size_t i = 0; i < a->n_pieces; i++) {
        FUZZ_CHECK(a->pieces[i].ts == b->pieces[i].ts && a->pieces[i].line == b->pieces[i].line);
        FUZZ_CHECK(strcmp(a->pieces[i].details, b->pieces[i].details) == 0);
    }
    for (size_t i = 0; i < a->n_stops; i++)
        FUZZ_CHECK(a->stops[i].start == b->stops[i].start && a->stops[i].end == b->stops[i].end);
    for (size_t i = 0; i < a->n_waits; i++)
        FUZZ_CHECK(a->waits[i].start == b->waits[i].start && a->waits[i].end == b->waits[i].end &&
                   a->waits[i].line == b->waits[i].line);
    for (size_t i = 0; i < a->n_jobs; i++) {
        const cu_job *x = &a->jobs[i], *y = &b->jobs[i];
        FUZZ_CHECK(x->ts == y->ts && x->line == y->line);
        FUZZ_CHECK(strcmp(x->reference, y->reference) == 0);
        FUZZ_CHECK(!x->length == !y->length && (!x->length || strcmp(x->length, y->length) == 0));
        FUZZ_CHECK(!x->colour == !y->colour && (!x->colour || strcmp(x->colour, y->colour) == 0));
    }
    for (size_t i = 0; i < a->n_rejects; i++) {
        FUZZ_CHECK(a->rejects[i].line == b->rejects[i].line);
        FUZZ_CHECK(strcmp(a->rejects[i].reason, b->rejects[i].reason) == 0);
    }
}

/* The input with a blank before every line but the first, or NULL when a line is so long that
 * the blank would push it over CU_LINE_KEEP (its parsed part would then differ). */
static char *fuzz_blanked(const uint8_t *data, size_t size, size_t *out_size)
{
    size_t lines = 0, len = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') {
            if (len + 1 >= CU_LINE_KEEP) return NULL;
            lines++, len = 0;
        } else {
            len++;
        }
    }
    if (len + 1 >= CU_LINE_KEEP) return NULL;
    char *out = malloc(size + lines + 1);
    if (!out) abort();
    size_t w = 0;
    for (size_t i = 0; i < size; i++) {
        out[w++] = (char)data[i];
        if (data[i] == '\n' && i + 1 < size) out[w++] = ' ';
    }
    *out_size = w;
    return out;
}

static cu_logfile fuzz_reused;

static void fuzz_free_reused(void)
{
    cu_logfile_free(&fuzz_reused);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool registered;
    if (!registered) {
        atexit(fuzz_free_reused);
        registered = true;
    }
    cu_logfile_parse_buffer(&fuzz_reused, FUZZ_DATED_PATH, (const char *)data, size);
    fuzz_check(&fuzz_reused, data, size, true);

    cu_logfile fresh = {0};
    cu_logfile_parse_buffer(&fresh, FUZZ_UNDATED_PATH, (const char *)data, size);
    fuzz_check(&fresh, data, size, false);
    fuzz_check_same(&fuzz_reused, &fresh);
    cu_logfile_free(&fresh);

    size_t bsize;
    char *blanked = fuzz_blanked(data, size, &bsize);
    if (blanked) {
        cu_logfile general = {0};
        cu_logfile_parse_buffer(&general, FUZZ_DATED_PATH, blanked, bsize);
        fuzz_check_same(&fuzz_reused, &general);
        cu_logfile_free(&general);
        free(blanked);
    }
    return 0;
}

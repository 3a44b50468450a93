/* logfile.c — reading one LOG file: lines, the grammar of SPEC §1, and the four events.
 *
 * The file is read in fixed-size chunks and split on LF; a line that spans two chunks is
 * assembled in a carry buffer that never holds more than CU_LINE_KEEP bytes, so memory stays
 * bounded whatever the line length. Each line is matched against the grammar with fixed-
 * position checks (no regular expressions, no per-line allocation): this is the hot path of
 * every ingest and of the parse benchmark.
 *
 * Text that is kept (piece details, job fields, rejected lines, reasons) is appended to one
 * arena per file; while parsing, records hold arena offsets, turned into pointers once the
 * arena stops moving (cu_logfile_fix_pointers). The metrics are computed by metrics.c. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile_priv.h"
#include "text.h"

#define CU_READ_CHUNK (256 * 1024)
#define CU_WAIT_MAX_S INT64_C(366 * 86400)

/* Growth of the record arrays; they are kept across files (see logfile.h). */
#define CU_GROW(arr, n, cap)                                                                       \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 256;                                                         \
            (arr) = cu_xrealloc((arr), (cap) * sizeof *(arr));                                     \
        }                                                                                          \
    } while (0)

/* ---- arena ---------------------------------------------------------------------------- */

/* Appends cleaned text, at most max bytes, and a NUL; returns its offset. */
static size_t cu_arena_text_max(cu_logfile_priv *p, const char *s, size_t n, size_t max)
{
    size_t off = p->arena.len;
    cu_text_clean(&p->arena, s, n, max);
    cu_sb_putc(&p->arena, '\0');
    return off;
}

/* The same, cut to CU_TEXT_MAX: rejected lines, reasons, job fields. */
static size_t cu_arena_text(cu_logfile_priv *p, const char *s, size_t n)
{
    return cu_arena_text_max(p, s, n, CU_TEXT_MAX);
}

#define CU_OFF(off) ((const char *)(uintptr_t)(off))
#define CU_NO_TEXT ((size_t)-1)

/* ---- rejects -------------------------------------------------------------------------- */

/* A quoted, cleaned excerpt of the line for reasons: enough to recognise it, never huge. */
static void cu_add_reject(cu_logfile *lf, const char *line, size_t n, cu_lineno lineno,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void cu_add_reject(cu_logfile *lf, const char *line, size_t n, cu_lineno lineno,
                          const char *fmt, ...)
{
    cu_logfile_priv *p = lf->priv;
    lf->rejected_lines++;
    if (lf->n_rejects >= CU_MAX_REJECTS) return;
    CU_GROW(lf->rejects, lf->n_rejects, p->cap_rejects);
    cu_reject *r = &lf->rejects[lf->n_rejects++];
    r->line = lineno;
    r->content = CU_OFF(cu_arena_text(p, line, n));
    /* Reasons quote the line, so they go through the same cleaning as any stored text. */
    cu_sb_reset(&p->scratch);
    va_list ap;
    va_start(ap, fmt);
    cu_sb_vprintf(&p->scratch, fmt, ap);
    va_end(ap);
    size_t off = cu_arena_text(p, p->scratch.data, p->scratch.len);
    r->reason = CU_OFF(off);
}

/* ---- small lexers --------------------------------------------------------------------- */

static bool cu_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool cu_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int cu_num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool cu_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cu_digit(s[i])) return false;
    return true;
}

/* YYYYMMDD with a date that exists. */
static bool cu_parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (!cu_all_digits(s, 8)) return false;
    *y = cu_num2(s) * 100 + cu_num2(s + 2);
    *m = cu_num2(s + 4);
    *d = cu_num2(s + 6);
    return cu_date_valid(*y, *m, *d);
}

/* Shape "YYYYMMDD HH:MM:SS"; returns false when the characters are not even of that form. */
static bool cu_ts_shape(const char *s, size_t n)
{
    return n >= 17 && cu_all_digits(s, 8) && s[8] == ' ' && cu_digit(s[9]) && cu_digit(s[10]) &&
           s[11] == ':' && cu_digit(s[12]) && cu_digit(s[13]) && s[14] == ':' && cu_digit(s[15]) &&
           cu_digit(s[16]);
}

/* Lines of one file share their date, so the last date seen is cached: the calendar work
 * is done once per distinct date instead of once per line. */
static bool cu_ts_value(cu_logfile_priv *p, const char *s, int64_t *us)
{
    if (!p->date_cached || memcmp(s, p->date_key, 8) != 0) {
        int y, m, d;
        memcpy(p->date_key, s, 8);
        p->date_cached = true;
        p->date_valid = cu_parse_ymd(s, &y, &m, &d);
        if (p->date_valid) p->date_us = (int64_t)cu_days_from_civil(y, m, d) * 86400 * CU_US_PER_S;
    }
    if (!p->date_valid) return false;
    int hh = cu_num2(s + 9), mi = cu_num2(s + 12), ss = cu_num2(s + 15);
    if (hh > 23 || mi > 59 || ss > 59) return false;
    *us = p->date_us + (int64_t)(hh * 3600 + mi * 60 + ss) * CU_US_PER_S;
    return true;
}

/* The common line, checked as two words: "YYYYMMDD HH:MM:SS|@" whose date is the cached,
 * valid one (so its digits were checked when it was cached). Returns false for anything else,
 * including a valid line of another date: the general checks above then decide, with the
 * precise reason. Digits are '0'..'9' when the high nibble is 3 and adding 6 leaves it 3 (no
 * byte carries: 0x3F + 6 < 0x100); a wrong byte fails one of the masked compares. */
static inline bool cu_ts_fast(const cu_logfile_priv *p, const char *s, size_t n, int64_t *us)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t digits = UINT64_C(0xFFFF00FFFF00FFFF); /* "HH:MM:SS" */
    const uint64_t colons = UINT64_C(0x0000FF0000FF0000);
    const uint64_t nib = UINT64_C(0xF0F0F0F0F0F0F0F0), zeros = UINT64_C(0x3030303030303030);
    uint64_t d, t, key;
    if (n < 19 || !p->date_cached || !p->date_valid) return false;
    memcpy(&d, s, 8);
    memcpy(&key, p->date_key, 8);
    memcpy(&t, s + 9, 8);
    if (d != key || s[8] != ' ' || s[17] != '|' || s[18] != '@' ||
        (t & colons) != (UINT64_C(0x3A3A3A3A3A3A3A3A) & colons) ||
        (t & digits & nib) != (zeros & digits) ||
        ((t + UINT64_C(0x0606060606060606)) & digits & nib) != (zeros & digits))
        return false;
    int hh = cu_num2(s + 9), mi = cu_num2(s + 12), ss = cu_num2(s + 15);
    if (hh > 23 || mi > 59 || ss > 59) return false;
    *us = p->date_us + (int64_t)(hh * 3600 + mi * 60 + ss) * CU_US_PER_S;
    return true;
#else
    (void)p, (void)s, (void)n, (void)us;
    return false; /* the masks are little-endian; the general checks are exact anyway */
#endif
}

/* A non-negative decimal with '.' or ',' as separator: digits, optionally a separator and
 * digits (at least one digit in all). Returns the characters consumed, 0 when none. The value
 * is returned as integer part and up to 9 fractional digits (nanounits), rounded. */
static size_t cu_decimal(const char *s, size_t n, int64_t *ipart, int64_t *nanos)
{
    size_t i = 0, idig = 0, fdig = 0;
    int64_t iv = 0, fv = 0, scale = 1000000000;
    bool round_up = false;
    while (i < n && cu_digit(s[i])) {
        if (idig < 12)
            iv = iv * 10 + (s[i] - '0');
        else
            return 0; /* absurdly large: not a duration a machine logs */
        idig++, i++;
    }
    if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n && cu_digit(s[i + 1])) {
        i++;
        while (i < n && cu_digit(s[i])) {
            if (fdig < 9) {
                scale /= 10;
                fv += (s[i] - '0') * scale;
            } else if (fdig == 9) {
                round_up = s[i] >= '5';
            }
            fdig++, i++;
        }
    } else if (i < n && (s[i] == '.' || s[i] == ',') && idig > 0) {
        i++; /* "5." */
    }
    if (idig + fdig == 0) return 0;
    if (round_up && ++fv == 1000000000) fv = 0, iv++;
    *ipart = iv;
    *nanos = fv;
    return i;
}

static bool cu_word_ieq(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n != w) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return false;
    }
    return true;
}

/* The MachineWait detail: a number and an optional unit. Returns NULL and the duration in µs,
 * or the reason it is not one. */
static const char *cu_parse_wait(const char *s, size_t n, int64_t *us)
{
    if (n == 0) return "MachineWait without a duration";
    if (s[0] == '-') return "MachineWait with a negative duration";
    int64_t ip, nanos;
    size_t used = cu_decimal(s, n, &ip, &nanos);
    if (used == 0) return "MachineWait with an invalid duration";
    size_t i = used;
    while (i < n && cu_blank(s[i]))
        i++;
    const char *unit = s + i;
    size_t ulen = n - i;
    int64_t mult; /* µs per unit */
    if (ulen == 0 || cu_word_ieq(unit, ulen, "s") || cu_word_ieq(unit, ulen, "sec") ||
        cu_word_ieq(unit, ulen, "secs") || cu_word_ieq(unit, ulen, "seconds") ||
        cu_word_ieq(unit, ulen, "second"))
        mult = CU_US_PER_S;
    else if (cu_word_ieq(unit, ulen, "min") || cu_word_ieq(unit, ulen, "mins") ||
             cu_word_ieq(unit, ulen, "minutes") || cu_word_ieq(unit, ulen, "minute"))
        mult = 60 * CU_US_PER_S;
    else if (cu_word_ieq(unit, ulen, "ms"))
        mult = 1000;
    else
        return "MachineWait with an unknown unit or trailing text";
    /* A wait longer than CU_WAIT_MAX_S is no machine's; refusing it also keeps every sum
     * below exact in 64 bits. nanos × mult / 1e9 is rounded half up (< 6e16, fits). */
    if (ip > CU_WAIT_MAX_S * CU_US_PER_S / mult) return "MachineWait longer than a year";
    *us = ip * mult + (nanos * mult + 500000000) / 1000000000;
    return NULL;
}

/* ---- events --------------------------------------------------------------------------- */

static void cu_add_event(cu_logfile_priv *p, int64_t ts, cu_lineno line, cu_ev_kind kind)
{
    CU_GROW(p->evs, p->n_evs, p->cap_evs);
    p->evs[p->n_evs++] = (cu_ev){.ts = ts, .tag = (uint64_t)line << 3 | (uint64_t)kind};
}

/* A valid MachineWait: its event (for the first and last event, and the date) and its period,
 * in file order here; metrics.c puts the periods in time order. */
static void cu_add_wait(cu_logfile *lf, int64_t ts, cu_lineno line, int64_t us)
{
    cu_logfile_priv *p = lf->priv;
    cu_add_event(p, ts, line, CU_EV_WAIT);
    CU_GROW(lf->waits, lf->n_waits, p->cap_waits);
    lf->waits[lf->n_waits++] = (cu_period){.start = ts, .end = ts + us, .line = line};
}

static bool cu_job_token(const char *tok, size_t n, char key, const char **val, size_t *vlen)
{
    if (n >= 2 && tok[0] == key && tok[1] == ':') {
        *val = tok + 2;
        *vlen = n - 2;
        return true;
    }
    return false;
}

/* "R:<ref> L:<len> C:<colour>" in any order; returns the reject reason or NULL. */
static const char *cu_parse_job(cu_logfile *lf, const char *s, size_t n, int64_t ts,
                                cu_lineno lineno)
{
    const char *ref = NULL, *len = NULL, *col = NULL;
    size_t rn = 0, ln = 0, cn = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && cu_blank(s[i]))
            i++;
        size_t start = i;
        while (i < n && !cu_blank(s[i]))
            i++;
        const char *tok = s + start;
        size_t tn = i - start;
        const char *v;
        size_t vn;
        if (tn == 0) break;
        if (cu_job_token(tok, tn, 'R', &v, &vn)) {
            if (!ref) ref = v, rn = vn;
        } else if (cu_job_token(tok, tn, 'L', &v, &vn)) {
            if (!len) len = v, ln = vn;
        } else if (cu_job_token(tok, tn, 'C', &v, &vn)) {
            if (!col) col = v, cn = vn;
        }
    }
    if (!ref || rn == 0) return "JobProfiel without an R: reference";
    int64_t ip, nanos;
    if (len && (ln == 0 || cu_decimal(len, ln, &ip, &nanos) != ln))
        return "JobProfiel with an invalid L: length";

    cu_logfile_priv *p = lf->priv;
    CU_GROW(lf->jobs, lf->n_jobs, p->cap_jobs);
    cu_job *j = &lf->jobs[lf->n_jobs++];
    j->ts = ts;
    j->line = lineno;
    j->reference = CU_OFF(cu_arena_text(p, ref, rn));
    j->length = CU_OFF(CU_NO_TEXT);
    j->colour = CU_OFF(CU_NO_TEXT);
    if (len) {
        size_t off = p->arena.len;
        cu_sb_append(&p->arena, len, ln);
        cu_sb_putc(&p->arena, '\0');
        char *comma = memchr(p->arena.data + off, ',', ln);
        if (comma) *comma = '.';
        j->length = CU_OFF(off);
    }
    if (col && cn > 0) j->colour = CU_OFF(cu_arena_text(p, col, cn));
    return NULL;
}

/* At most max bytes of s, not cutting a UTF-8 sequence in two, so that a quoted excerpt in a
 * reason stays valid UTF-8 whenever the line was. */
static size_t cu_excerpt_len(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* [A-Za-z0-9_], the characters of an event name; a table because this runs on every line. */
static const bool cu_name_char[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['_'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
    ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
    ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
    ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
    ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static bool cu_name_is(const char *name, size_t n, const char *want, size_t wn)
{
    return n == wn && memcmp(name, want, n) == 0;
}
#define CU_NAME_IS(name, n, lit) cu_name_is(name, n, lit, sizeof lit - 1)

/* A piece: its details start at s[i] (after the name) and run to the end of the line. */
static void cu_add_piece(cu_logfile *lf, const char *s, size_t n, size_t i, int64_t ts,
                         cu_lineno lineno)
{
    cu_logfile_priv *p = lf->priv;
    CU_GROW(lf->pieces, lf->n_pieces, p->cap_pieces);
    cu_piece *pc = &lf->pieces[lf->n_pieces++];
    pc->ts = ts;
    pc->line = lineno;
    /* Cleaning every piece's text is most of an ingest's parse; skip it, and even finding
     * where it starts and ends, when nobody reads it. */
    if (lf->skip_piece_details) {
        pc->details = CU_OFF(CU_NO_TEXT);
    } else {
        while (n > i && cu_blank(s[n - 1]))
            n--;
        while (i < n && cu_blank(s[i]))
            i++;
        if (i < n && s[i] == ':') i++;
        while (i < n && cu_blank(s[i]))
            i++;
        /* Stored as is (SPEC §2: cleaned, never cut), within the CU_LINE_KEEP bytes of a
         * line that are parsed at all. */
        pc->details = CU_OFF(cu_arena_text_max(p, s + i, n - i, SIZE_MAX));
    }
    cu_add_event(p, ts, lineno, CU_EV_PIECE);
    lf->events++;
}

/* The event of a line whose timestamp is valid: s[0..n) is the line without its outer blanks,
 * orig[0..orig_n) the line as read (for rejects), full its real length. */
static void cu_parse_event(cu_logfile *lf, const char *orig, size_t orig_n, const char *s, size_t n,
                           size_t full, int64_t ts, cu_lineno lineno)
{
    cu_logfile_priv *p = lf->priv;
    const char *name = s + 19;
    size_t i = 19;
    while (i < n && cu_name_char[(unsigned char)s[i]])
        i++;
    size_t name_n = (size_t)(s + i - name);
    if (name_n == 0) {
        cu_add_reject(lf, orig, orig_n, lineno, "missing event name after \"|@\"");
        return;
    }
    while (i < n && cu_blank(s[i]))
        i++;
    if (i < n && s[i] == ':') i++;
    while (i < n && cu_blank(s[i]))
        i++;
    const char *det = s + i;
    size_t det_n = n - i;
    bool cut = full > orig_n;

    if (CU_NAME_IS(name, name_n, "StukUitgevoerd")) {
        cu_add_piece(lf, s, n, (size_t)(name + name_n - s), ts, lineno);
        return;
    } else if (CU_NAME_IS(name, name_n, "MachineWait")) {
        int64_t us = 0;
        const char *why = cut ? "MachineWait line too long" : cu_parse_wait(det, det_n, &us);
        if (why) {
            if (det_n > 0 && !cut)
                cu_add_reject(lf, orig, orig_n, lineno, "%s: \"%.*s\"", why,
                              (int)cu_excerpt_len(det, det_n, 64), det);
            else
                cu_add_reject(lf, orig, orig_n, lineno, "%s", why);
            return;
        }
        cu_add_wait(lf, ts, lineno, us);
    } else if (CU_NAME_IS(name, name_n, "MachineStop")) {
        cu_add_event(p, ts, lineno, CU_EV_STOP);
    } else if (CU_NAME_IS(name, name_n, "MachineStart")) {
        cu_add_event(p, ts, lineno, CU_EV_START);
    } else if (CU_NAME_IS(name, name_n, "JobProfiel")) {
        const char *why =
            cut ? "JobProfiel line too long" : cu_parse_job(lf, det, det_n, ts, lineno);
        if (why) {
            cu_add_reject(lf, orig, orig_n, lineno, "%s", why);
            return;
        }
        cu_add_event(p, ts, lineno, CU_EV_JOB);
    } else {
        lf->unknown_events++;
        cu_add_event(p, ts, lineno, CU_EV_UNKNOWN);
    }
    lf->events++;
}

/* A line that is not a piece with a timestamp of the cached date: the general path, kept out
 * of line so that the fast path's function stays small (cheap to call for every line). */
static void cu_parse_line_general(cu_logfile *lf, const char *s, size_t n, size_t full,
                                  cu_lineno lineno) __attribute__((noinline));

/* One line, without its LF. full is the line's real length (> n when it was cut). */
/* A line cut at CU_LINE_KEEP may end inside a UTF-8 character, which would make the whole
 * kept part invalid UTF-8 and so read as Latin-1: the cut goes back to the character's start.
 * (A Latin-1 line may lose up to three characters more at its cut; it is cut anyway.) */
static size_t cu_cut_at_char(const char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)s[n - k];
        if ((c & 0xC0) == 0x80) continue; /* a continuation byte: look further back */
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return len > k ? n - k : n;
    }
    return n;
}

static void cu_parse_line(cu_logfile *lf, const char *s, size_t n, size_t full, cu_lineno lineno)
{
    int64_t ts;
    if (full > n) n = cu_cut_at_char(s, n);
    /* Most lines start with a timestamp of the cached date (so no BOM and no leading blank),
     * and most of those are pieces: they take this path, nothing else. */
    if (cu_ts_fast(lf->priv, s, n, &ts) && n >= 33 && memcmp(s + 19, "StukUitgevoerd", 14) == 0 &&
        (n == 33 || !cu_name_char[(unsigned char)s[33]])) {
        cu_add_piece(lf, s, n, 33, ts, lineno);
        return;
    }
    cu_parse_line_general(lf, s, n, full, lineno);
}

static void cu_parse_line_general(cu_logfile *lf, const char *s, size_t n, size_t full,
                                  cu_lineno lineno)
{
    cu_logfile_priv *p = lf->priv;
    int64_t ts;
    if (cu_ts_fast(p, s, n, &ts)) { /* another event of the cached date */
        size_t m = n;
        while (m > 0 && cu_blank(s[m - 1]))
            m--;
        cu_parse_event(lf, s, n, s, m, full, ts, lineno);
        return;
    }

    const char *orig = s;
    size_t orig_n = n;
    if (lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    while (n > 0 && cu_blank(*s))
        s++, n--;
    while (n > 0 && cu_blank(s[n - 1]))
        n--;
    if (n == 0 && full == orig_n) return; /* an empty line: neither event nor reject */

    if (!cu_ts_shape(s, n)) {
        cu_add_reject(lf, orig, orig_n, lineno,
                      "line does not start with a timestamp \"YYYYMMDD HH:MM:SS\"");
        return;
    }
    if (!cu_ts_value(p, s, &ts)) {
        cu_add_reject(lf, orig, orig_n, lineno, "invalid timestamp \"%.17s\"", s);
        return;
    }
    if (n < 19 || s[17] != '|' || s[18] != '@') {
        cu_add_reject(lf, orig, orig_n, lineno, "expected \"|@\" after the timestamp");
        return;
    }
    cu_parse_event(lf, orig, orig_n, s, n, full, ts, lineno);
}

/* ---- line splitting ------------------------------------------------------------------- */

/* Feeds bytes; complete lines are parsed at once, a partial one is carried (bounded). */
static void cu_feed(cu_logfile *lf, const char *data, size_t len)
{
    cu_logfile_priv *p = lf->priv;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        if (p->carry_full == 0 && nl) {
            lf->lines++;
            size_t keep = n > CU_LINE_KEEP ? CU_LINE_KEEP : n;
            cu_parse_line(lf, data, keep, n, lf->lines);
        } else {
            size_t room = CU_LINE_KEEP - p->carry.len;
            cu_sb_append(&p->carry, data, n < room ? n : room);
            p->carry_full += n;
            if (nl) {
                lf->lines++;
                cu_parse_line(lf, p->carry.data, p->carry.len, p->carry_full, lf->lines);
                cu_sb_reset(&p->carry);
                p->carry_full = 0;
            }
        }
        if (!nl) break;
        data = nl + 1;
        len -= n + 1;
    }
}

/* The last line of a file needs no newline to count. */
static void cu_finish(cu_logfile *lf)
{
    cu_logfile_priv *p = lf->priv;
    if (p->carry_full > 0) {
        lf->lines++;
        cu_parse_line(lf, p->carry.data, p->carry.len, p->carry_full, lf->lines);
        cu_sb_reset(&p->carry);
        p->carry_full = 0;
    }
}

/* ---- identity ------------------------------------------------------------------------- */

static void cu_identity(cu_logfile *lf, const char *path, const char *folder)
{
    cu_logfile_priv *p = lf->priv;
    size_t fl = strlen(folder);
    p->ident.len = 0;
    cu_sb_reserve(&p->ident, strlen(path) + 3 * fl + 8);
    /* path \0 folder \0 machine \0 type \0 — one buffer, stable until the next parse. */
    size_t off_path = p->ident.len;
    cu_sb_puts(&p->ident, path);
    cu_sb_putc(&p->ident, '\0');
    size_t off_folder = p->ident.len;
    cu_sb_puts(&p->ident, folder);
    cu_sb_putc(&p->ident, '\0');
    size_t off_name = p->ident.len;
    cu_sb_reserve(&p->ident, 2 * fl + 2);
    char *name = p->ident.data + off_name;
    char *type = name + fl + 1;
    bool has_type;
    cu_folder_machine(folder, name, type, &has_type);
    p->ident.len += 2 * fl + 2;
    lf->path = p->ident.data + off_path;
    lf->folder = p->ident.data + off_folder;
    lf->machine = name;
    lf->type = has_type ? type : NULL;

    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int y, m, d;
    lf->has_date = strlen(base) >= 8 && cu_parse_ymd(base, &y, &m, &d);
    if (lf->has_date) lf->date_days = cu_days_from_civil(y, m, d);
    lf->date_from_name = lf->has_date;
}

void cu_folder_machine(const char *folder, char *name, char *type, bool *has_type)
{
    size_t n = strlen(folder);
    *has_type = false;
    /* "NAME (TYPE)": the last " (" opens the type, which runs to a final ')'. */
    const char *open = NULL;
    for (const char *q = folder; (q = strstr(q, " (")) != NULL; q++)
        open = q;
    if (open && n > 0 && folder[n - 1] == ')') {
        const char *nb = folder, *ne = open, *tb = open + 2, *te = folder + n - 1;
        while (nb < ne && cu_blank(*nb))
            nb++;
        while (ne > nb && cu_blank(ne[-1]))
            ne--;
        while (tb < te && cu_blank(*tb))
            tb++;
        while (te > tb && cu_blank(te[-1]))
            te--;
        if (ne > nb && te > tb && !memchr(tb, '(', (size_t)(te - tb)) &&
            !memchr(tb, ')', (size_t)(te - tb))) {
            memcpy(name, nb, (size_t)(ne - nb));
            name[ne - nb] = '\0';
            memcpy(type, tb, (size_t)(te - tb));
            type[te - tb] = '\0';
            *has_type = true;
            return;
        }
    }
    memcpy(name, folder, n + 1);
    type[0] = '\0';
}

/* ---- whole files ---------------------------------------------------------------------- */

static void cu_begin(cu_logfile *lf)
{
    if (!lf->priv) lf->priv = cu_xcalloc(1, sizeof *lf->priv);
    cu_logfile_priv *p = lf->priv;
    cu_sb_reset(&p->arena);
    cu_sb_reset(&p->carry);
    p->carry_full = 0;
    p->n_evs = 0;
    p->date_cached = false;
    lf->status = CU_STATUS_OK;
    lf->error = NULL;
    lf->lines = lf->events = lf->unknown_events = lf->rejected_lines = 0;
    lf->n_pieces = lf->n_jobs = lf->n_waits = lf->n_stops = lf->n_rejects = 0;
    lf->n_states = lf->n_hours = 0;
    lf->has_cycle_median = false;
    lf->has_first_piece = lf->has_last_piece = lf->has_first_start = lf->has_last_stop = false;
    lf->has_events = false;
    memset(&lf->metrics, 0, sizeof lf->metrics);
}

/* Offsets become pointers now that the arena no longer moves. */
static void cu_fix_pointers(cu_logfile *lf)
{
    const char *base = lf->priv->arena.data;
#define CU_FIX(ptr) ((ptr) = ((uintptr_t)(ptr) == CU_NO_TEXT ? NULL : base + (uintptr_t)(ptr)))
    for (size_t i = 0; i < lf->n_pieces; i++) {
        CU_FIX(lf->pieces[i].details);
        if (!lf->pieces[i].details) lf->pieces[i].details = "";
    }
    for (size_t i = 0; i < lf->n_jobs; i++) {
        CU_FIX(lf->jobs[i].reference);
        CU_FIX(lf->jobs[i].length);
        CU_FIX(lf->jobs[i].colour);
    }
    for (size_t i = 0; i < lf->n_rejects; i++) {
        CU_FIX(lf->rejects[i].content);
        CU_FIX(lf->rejects[i].reason);
    }
#undef CU_FIX
}

static void cu_end(cu_logfile *lf)
{
    cu_finish(lf);
    cu_fix_pointers(lf);
    cu_logfile_compute(lf);
    if (lf->events == 0) {
        lf->status = CU_STATUS_REJECTED;
        lf->error = "no valid event";
    }
}

void cu_logfile_parse_start(cu_logfile *lf, const char *path)
{
    cu_begin(lf);
    const char *slash = strrchr(path, '/');
    char *folder = NULL;
    if (slash) {
        const char *start = slash;
        while (start > path && start[-1] != '/')
            start--;
        folder = cu_xstrndup(start, (size_t)(slash - start));
    }
    cu_identity(lf, path, folder ? folder : "");
    free(folder);
}

void cu_logfile_parse_feed(cu_logfile *lf, const char *data, size_t len)
{
    cu_feed(lf, data, len);
}

void cu_logfile_parse_finish(cu_logfile *lf)
{
    cu_end(lf);
}

void cu_logfile_parse_buffer(cu_logfile *lf, const char *path, const char *data, size_t len)
{
    cu_logfile_parse_start(lf, path);
    cu_feed(lf, data, len);
    cu_end(lf);
}

/* The machine folder: the parent directory's name, resolved when the path does not spell
 * it ("20250528.LOG", "./x.LOG", "../x.LOG"). */
static char *cu_parent_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? cu_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : cu_xstrdup(".");
    const char *last = strrchr(dir, '/');
    last = last ? last + 1 : dir;
    if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
        char *real = realpath(dir, NULL);
        if (real) {
            free(dir);
            dir = real;
            last = strrchr(dir, '/');
            last = last ? last + 1 : dir;
        }
    }
    char *folder = cu_xstrdup(last);
    free(dir);
    return folder;
}

int cu_logfile_parse_file(cu_logfile *lf, const char *path, cu_err *err)
{
    /* O_NONBLOCK for the open only: a FIFO without a writer would block it for good. Such a
     * FIFO then reads as empty, a pipe (/dev/stdin) as what it carries; a device never ends
     * (/dev/zero) or is no log at all, and is refused as the daemon refuses it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return cu_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
        close(fd);
        return cu_fail(err, "%s: cannot read: a device, not a regular file", path);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return cu_fail(err, "%s: cannot read: %s", path, strerror(e));
    }
    cu_begin(lf);
    cu_logfile_priv *p = lf->priv;
    char *folder = cu_parent_folder(path);
    cu_identity(lf, path, folder);
    free(folder);
    if (!p->rbuf) p->rbuf = cu_xmalloc(CU_READ_CHUNK);
    for (;;) {
        ssize_t got = read(fd, p->rbuf, CU_READ_CHUNK);
        if (got < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            cu_end(lf);
            return cu_fail(err, "%s: cannot read: %s", path, strerror(e));
        }
        if (got == 0) break;
        cu_feed(lf, p->rbuf, (size_t)got);
    }
    close(fd);
    cu_end(lf);
    return 0;
}

void cu_logfile_release_scratch(cu_logfile *lf)
{
    cu_logfile_priv *p = lf->priv;
    if (!p) return;
    free(p->evs);
    p->evs = NULL;
    p->n_evs = p->cap_evs = 0;
    free(p->clip_stops);
    free(p->clip_waits);
    p->clip_stops = p->clip_waits = NULL;
    p->cap_clip_stops = p->cap_clip_waits = 0;
    free(p->rbuf);
    p->rbuf = NULL;
    cu_sb_free(&p->carry);
    cu_sb_free(&p->scratch);
}

void cu_logfile_free(cu_logfile *lf)
{
    cu_logfile_priv *p = lf->priv;
    if (p) {
        cu_sb_free(&p->arena);
        cu_sb_free(&p->carry);
        cu_sb_free(&p->scratch);
        cu_sb_free(&p->ident);
        free(p->evs);
        free(p->rbuf);
        free(p->clip_stops);
        free(p->clip_waits);
        free(p);
    }
    free(lf->pieces);
    free(lf->jobs);
    free(lf->waits);
    free(lf->stops);
    free(lf->rejects);
    free(lf->states);
    free(lf->hour_counts);
    memset(lf, 0, sizeof *lf);
}

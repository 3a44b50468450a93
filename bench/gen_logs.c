/* gen_logs.c — cuwatch-genlogs: a seeded generator of realistic machining-centre LOG files.
 *
 * Benchmarks, the fuzz corpus and the generator's own tests need LOG data that looks like what
 * the machines upload (SPEC §1) without shipping megabytes of fixtures. This program writes
 * OUT/<NAME> (<TYPE>)/YYYYMMDD.LOG for N machine folders × D consecutive days, each file about
 * L lines of one working day (~05:45–22:00) in timestamp order, with every event kind of the
 * SPEC and the oddities real files have: Latin-1 bytes, CRLF endings on some machines, wait
 * durations in every accepted spelling, Stop/Start pairs with their irregular variants, job
 * tokens in any order, unknown events, a few out-of-order lines and ~0.1 % noise.
 *
 * Output is a pure function of the arguments: every file draws from its own splitmix64 stream
 * seeded by (seed, machine, day), never from rand(), so the same seed gives the same bytes on
 * any libc and a file does not change when more machines or days are asked for. Each file is
 * built in one memory buffer with hand-written formatting and written with one write(2):
 * 3 × 200 × 5,000 lines take a second or two.
 *
 * Two mixes (see gen_mixes): "classic", the default, whose bytes for a seed never change
 * (other benchmarks compare numbers across commits on it), and "varied", the held-out set of
 * issue 11 (CRLF, Latin-1 throughout, free text with ':' and '|' on every piece line, stops and
 * starts between pieces, waits in every unit). Knobs change one proportion of either.
 *
 * Usage: cuwatch-genlogs --out DIR [--machines N] [--days D] [--lines L] [--seed S]
 *                        [--start YYYYMMDD] [--clean] [--mix classic|varied] [knobs, see
 *                        --help]
 * Prints "files=F bytes=B lines=L" on stdout. Exit status 0, 1 on I/O error, 2 on usage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- PRNG ----------------------------------------------------------------------------- */

typedef struct gen_rng {
    uint64_t s;
} gen_rng;

/* splitmix64 (Steele, Lea, Flood): tiny, fast, and good enough for test data. */
static uint64_t gen_next(gen_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. Multiply-shift instead of % avoids the division. */
static uint32_t gen_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t gen_range(gen_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + gen_below(r, hi - lo + 1);
}

/* Uniform in [0, 1). */
static double gen_unit(gen_rng *r)
{
    return (double)(gen_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t gen_seed(uint64_t seed, uint64_t a, uint64_t b)
{
    gen_rng r = {seed ^ (a * UINT64_C(0xD1B54A32D192ED03)) ^ (b * UINT64_C(0x8CB92BA72F3D8DD7))};
    gen_next(&r);
    return gen_next(&r);
}

/* ---- output buffer -------------------------------------------------------------------- */

typedef struct gen_buf {
    char *data;
    size_t len, cap;
} gen_buf;

static void gen_reserve(gen_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        fputs("cuwatch-genlogs: out of memory\n", stderr);
        exit(1);
    }
    b->data = p;
    b->cap = cap;
}

static void gen_put(gen_buf *b, const char *s, size_t n)
{
    gen_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void gen_puts(gen_buf *b, const char *s)
{
    gen_put(b, s, strlen(s));
}

static void gen_putc(gen_buf *b, char c)
{
    gen_reserve(b, 1);
    b->data[b->len++] = c;
}

static void gen_putu(gen_buf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    gen_reserve(b, (size_t)n);
    while (n)
        b->data[b->len++] = tmp[--n];
}

/* ---- calendar (the generator links nothing from cuwatch, so it has its own) ------------- */

static bool gen_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool gen_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    return d <= mdays[m - 1] + (m == 2 && gen_leap(y));
}

static void gen_next_day(int *y, int *m, int *d)
{
    if (gen_date_valid(*y, *m, *d + 1)) {
        ++*d;
    } else if (*m < 12) {
        ++*m;
        *d = 1;
    } else {
        ++*y;
        *m = 1;
        *d = 1;
    }
}

/* ---- machines ------------------------------------------------------------------------- */

/* The three centres of the original installation first, then invented ones; every seventh
 * invented folder has no "(TYPE)" suffix, as a hand-made folder would. */
static void gen_machine_folder(char *out, size_t size, unsigned i)
{
    static const char *const known[] = {"DEM12 (PVC)", "DEMALU (ALU)", "SU12 (HYBRIDE)"};
    static const char *const prefix[] = {"DEM", "ALU", "SU", "PVC", "HYB", "CU"};
    static const char *const type[] = {"PVC", "ALU", "HYBRIDE"};
    if (i < 3)
        snprintf(out, size, "%s", known[i]);
    else if (i % 7 == 6)
        snprintf(out, size, "ATELIER%u", i);
    else
        snprintf(out, size, "%s%02u (%s)", prefix[i % 6], 10 + i, type[i % 3]);
}

/* ---- mixes ---------------------------------------------------------------------------- */

/* What a day is made of. "classic" is the generator's original data, kept byte for byte
 * (tests and benchmarks of other modules use it); "varied" is what the held-out set of real
 * uploads looks like (issue 11): CRLF everywhere, Latin-1 text throughout, free text on every
 * piece line (with ':' and '|' inside), many stops and starts between pieces, waits in every
 * unit, job tokens in any order. Every proportion can be changed from the command line. */
typedef struct gen_mix {
    const char *name;
    int crlf; /* percent of machines writing CRLF; -1: the classic rule (every third) */
    /* Lines per 10,000: noise, out-of-order pieces, unknown events, jobs, waits, stops. The
     * rest are pieces. */
    uint32_t noise, disorder, unknown, jobs, waits, stops;
    uint32_t stop_min, stop_max; /* seconds a stop lasts */
    bool rich;                   /* the varied line texts below (false: the classic ones) */
    /* rich only, percent of lines: piece lines with free text (the rest carry their number
     * only), and lines whose accented text is Latin-1 or UTF-8 (the rest plain ASCII). */
    uint32_t details, latin1, utf8;
} gen_mix;

static const gen_mix gen_mixes[] = {
    {.name = "classic",
     .crlf = -1,
     .noise = 10,
     .disorder = 20,
     .unknown = 100,
     .jobs = 200,
     .waits = 300,
     .stops = 30,
     .stop_min = 60,
     .stop_max = 1500},
    {.name = "varied",
     .crlf = 100,
     .noise = 20,
     .disorder = 20,
     .unknown = 300,
     .jobs = 200,
     .waits = 400,
     .stops = 300,
     .stop_min = 20,
     .stop_max = 600,
     .rich = true,
     .details = 100,
     .latin1 = 70,
     .utf8 = 5},
};

/* ---- one day's file ------------------------------------------------------------------- */

typedef enum { GEN_ASCII, GEN_LATIN1, GEN_UTF8 } gen_enc;

typedef struct gen_day {
    gen_rng rng;
    gen_buf *out;
    const gen_mix *mix;
    char date[9]; /* "YYYYMMDD" */
    bool crlf;
    double t;      /* the machine clock, seconds since midnight */
    double end;    /* the end of the working day */
    uint32_t left; /* lines still to write */
    double pace;   /* the day's average seconds per line */
    uint32_t piece;
} gen_day;

static const char *const gen_refs[] = {"PR7012", "PR7014", "AL4520", "AL4521", "HY300",
                                       "PR5080", "AL6090", "HY310",  "PR7016", "PR2040"};
static const char *const gen_colours[] = {"CRM-HME",          "RAL9016", "BLANC", "GRIS-ANTH",
                                          "CH\xCANE-DOR\xC9", "RAL7016", "NOIR",  "SABLE"};

static void gen_line_end(gen_day *g)
{
    if (g->crlf) gen_putc(g->out, '\r');
    gen_putc(g->out, '\n');
    g->left--;
}

static void gen_two(gen_buf *b, unsigned v)
{
    char s[2] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10)};
    gen_put(b, s, 2);
}

/* Writes "YYYYMMDD HH:MM:SS|@" for second-of-day t. */
static void gen_stamp(gen_day *g, long t)
{
    if (t < 0) t = 0;
    if (t > 86399) t = 86399;
    gen_put(g->out, g->date, 8);
    gen_putc(g->out, ' ');
    gen_two(g->out, (unsigned)(t / 3600));
    gen_putc(g->out, ':');
    gen_two(g->out, (unsigned)(t / 60 % 60));
    gen_putc(g->out, ':');
    gen_two(g->out, (unsigned)(t % 60));
    gen_put(g->out, "|@", 2);
}

/* Event name and the separator before details; a few lines use the looser spellings the
 * grammar allows ("Name:x", "Name : x", "Name x"). */
static void gen_event(gen_day *g, const char *name, bool details)
{
    gen_puts(g->out, name);
    if (!details) return;
    uint32_t r = gen_below(&g->rng, 1000);
    if (r < 3)
        gen_puts(g->out, ":");
    else if (r < 5)
        gen_puts(g->out, " : ");
    else if (r < 6)
        gen_puts(g->out, " ");
    else
        gen_puts(g->out, ": ");
}

static void gen_piece_details(gen_day *g)
{
    gen_buf *b = g->out;
    const char *ref = gen_refs[gen_below(&g->rng, 10)];
    uint32_t r = gen_below(&g->rng, 100);
    g->piece++;
    if (r < 40) {
        gen_putu(b, g->piece);
    } else if (r < 70) {
        gen_putu(b, g->piece);
        gen_puts(b, " R:");
        gen_puts(b, ref);
        gen_puts(b, " L:");
        gen_putu(b, gen_range(&g->rng, 300, 6500));
        gen_puts(b, " Barre ");
        gen_putu(b, gen_range(&g->rng, 1, 6));
        gen_puts(b, "/6");
    } else if (r < 82) {
        /* Latin-1, as the machines' Windows controllers write it. */
        gen_putu(b, g->piece);
        gen_puts(b, " Profil\xE9 ");
        gen_puts(b, ref);
        gen_puts(b, " coupe 45\xB0/90\xB0 L=");
        gen_putu(b, gen_range(&g->rng, 300, 6500));
        gen_puts(b, " mm");
    } else if (r < 86) {
        /* The same text already in UTF-8, from a newer controller. */
        gen_putu(b, g->piece);
        gen_puts(b, " Profil\xC3\xA9 ");
        gen_puts(b, ref);
        gen_puts(b, " coupe 90\xC2\xB0");
    } else if (r < 96) {
        gen_puts(b, "Pos ");
        gen_putu(b, gen_range(&g->rng, 1, 40));
        gen_puts(b, " Cde ");
        gen_putu(b, 250000 + gen_below(&g->rng, 9999));
        gen_puts(b, " Chassis ");
        gen_putu(b, gen_range(&g->rng, 1, 12));
        gen_puts(b, " - ");
        gen_puts(b, ref);
    } else {
        gen_puts(b, "Renfort acier ");
        gen_putu(b, gen_range(&g->rng, 20, 60));
        gen_puts(b, "x");
        gen_putu(b, gen_range(&g->rng, 20, 60));
        gen_puts(b, " \xE9p. 2mm");
    }
}

static void gen_piece(gen_day *g, long t)
{
    gen_stamp(g, t);
    gen_event(g, "StukUitgevoerd", true);
    gen_piece_details(g);
    gen_line_end(g);
}

/* A wait of some seconds in one of the spellings of SPEC §1; returns the seconds written. */
static double gen_wait(gen_day *g, long t)
{
    gen_buf *b = g->out;
    uint32_t secs =
        gen_below(&g->rng, 10) ? gen_range(&g->rng, 5, 120) : gen_range(&g->rng, 120, 900);
    uint32_t tenth = gen_below(&g->rng, 10);
    double dur = secs;
    gen_stamp(g, t);
    gen_event(g, "MachineWait", true);
    uint32_t r = gen_below(&g->rng, 100);
    if (r < 50) {
        gen_putu(b, secs);
        gen_puts(b, " sec");
    } else if (r < 60) {
        gen_putu(b, secs);
        gen_putc(b, ',');
        gen_putu(b, tenth);
        gen_puts(b, " sec");
        dur += tenth / 10.0;
    } else if (r < 65) {
        gen_putu(b, secs);
        gen_putc(b, '.');
        gen_putu(b, tenth);
        gen_puts(b, " sec");
        dur += tenth / 10.0;
    } else if (r < 73) {
        uint32_t min = secs / 60;
        uint32_t frac = secs % 60 / 6; /* tenths of a minute */
        gen_putu(b, min);
        gen_putc(b, '.');
        gen_putu(b, frac);
        gen_puts(b, " min");
        dur = min * 60 + frac * 6;
    } else if (r < 80) {
        gen_putu(b, (uint64_t)secs * 1000 + tenth * 100);
        gen_puts(b, " ms");
        dur += tenth / 10.0;
    } else if (r < 90) {
        gen_putu(b, secs);
    } else {
        static const char *const unit[] = {" s", " secs", " seconds", "sec"};
        gen_putu(b, secs);
        gen_puts(b, unit[gen_below(&g->rng, 4)]);
    }
    gen_line_end(g);
    return dur;
}

static void gen_job(gen_day *g, long t)
{
    gen_buf *b = g->out;
    static const uint8_t orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                         {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    /* The usual order most of the time, any other now and then. */
    const uint8_t *order = orders[gen_below(&g->rng, 4) ? 0 : gen_below(&g->rng, 6)];
    bool colour = gen_below(&g->rng, 10) != 0;
    char sep = gen_below(&g->rng, 5) ? '.' : ',';
    bool first = true;
    gen_stamp(g, t);
    gen_event(g, "JobProfiel", true);
    for (int i = 0; i < 3; i++) {
        if (order[i] == 2 && !colour) continue;
        if (!first) gen_putc(b, ' ');
        first = false;
        switch (order[i]) {
        case 0:
            gen_puts(b, "R:");
            gen_puts(b, gen_refs[gen_below(&g->rng, 10)]);
            break;
        case 1:
            gen_puts(b, "L:");
            gen_putu(b, gen_range(&g->rng, 3000, 7000));
            gen_putc(b, sep);
            gen_two(b, gen_below(&g->rng, 4) ? 0 : gen_below(&g->rng, 100));
            break;
        default:
            gen_puts(b, "C:");
            gen_puts(b, gen_colours[gen_below(&g->rng, 8)]);
            break;
        }
    }
    gen_line_end(g);
}

static void gen_unknown(gen_day *g, long t)
{
    static const char *const lines[] = {
        "Alarm: E042 door open",
        "Alarm: E017 pression air basse",
        "Alarm: E101 scie bloqu\351e", /* octal: a hex escape would swallow the 'e' */
        "OperatorLogin: jdupont",
        "ToolChange: T12 -> T07",
        "Heartbeat",
        "ProgramLoad: PVC_70_2.prg",
        "Alarm: E042 door open",
    };
    gen_stamp(g, t);
    gen_puts(g->out, lines[gen_below(&g->rng, 8)]);
    gen_line_end(g);
}

/* The ~0.1 % of lines that real uploads contain and the parser must reject or skip. */
static void gen_noise(gen_day *g, long t)
{
    gen_buf *b = g->out;
    switch (gen_below(&g->rng, 7)) {
    case 0:
        gen_puts(b, "garbage line");
        break;
    case 1:
        gen_put(b, g->date, 8);
        gen_puts(b, " 25:00:00|@StukUitgevoerd: ");
        gen_putu(b, g->piece);
        break;
    case 2: /* an empty line: counted, neither event nor reject */
        break;
    case 3:
        gen_stamp(g, t);
        gen_puts(b, "MachineWait: ??? sec");
        break;
    case 4:
        gen_stamp(g, t);
        gen_puts(b, "JobProfiel: L:6500.00 C:BLANC");
        break;
    case 5: /* a line cut by a controller reboot */
        gen_put(b, g->date, 8);
        gen_puts(b, " 1");
        break;
    default:
        gen_put(b, "\x01\x02PK\x03\x04 \xff\xfe", 10);
        break;
    }
    gen_line_end(g);
}

/* ---- the varied mix's texts ------------------------------------------------------------- */

/* Text templates are written in Latin-1; gen_text writes them in the line's encoding. The
 * ASCII form folds each accented letter to its base letter, as an older controller would. */
static const char gen_fold[] = " !cL$Y|S\"ca<--r-o+23'uP.,1o>424?AAAAAAACEEEEIIIIDNOOOOOxOUUUUYT"
                               "saaaaaaaceeeeiiiidnooooo/ouuuuyty";
_Static_assert(sizeof gen_fold == 97, "one ASCII letter for each of 0xA0..0xFF");

static void gen_text(gen_buf *b, gen_enc enc, const char *s)
{
    if (enc == GEN_LATIN1) {
        gen_puts(b, s);
        return;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0xA0) {
            gen_putc(b, (char)c);
        } else if (enc == GEN_UTF8) {
            gen_putc(b, (char)(0xC0 | (c >> 6)));
            gen_putc(b, (char)(0x80 | (c & 0x3F)));
        } else {
            gen_putc(b, gen_fold[c - 0xA0]);
        }
    }
}

/* The encoding of the next line's accented text, by the mix's proportions. */
static gen_enc gen_line_enc(gen_day *g)
{
    uint32_t r = gen_below(&g->rng, 100);
    return r < g->mix->latin1                  ? GEN_LATIN1
           : r < g->mix->latin1 + g->mix->utf8 ? GEN_UTF8
                                               : GEN_ASCII;
}

#define GEN_PICK(g, arr) ((arr)[gen_below(&(g)->rng, sizeof(arr) / sizeof *(arr))])

/* A decimal with one or two fraction digits and '.' or ','. */
static void gen_decimal(gen_day *g, uint32_t lo, uint32_t hi, unsigned digits)
{
    gen_putu(g->out, gen_range(&g->rng, lo, hi));
    gen_putc(g->out, gen_below(&g->rng, 2) ? ',' : '.');
    if (digits == 2)
        gen_two(g->out, gen_below(&g->rng, 100));
    else
        gen_putc(g->out, (char)('0' + gen_below(&g->rng, 10)));
}

/* A piece line's free text, as the held-out uploads have it on every piece: the piece's
 * number, then some of profile, length, colour, bar, order, operator and a note, separated
 * by '|', ';' or '-', with ':' inside fields. 60–200 bytes. */
static void gen_piece_rich(gen_day *g)
{
    /* Octal where a letter a-f follows an accent: a hex escape would swallow it. */
    static const char *const number[] = {"", "", "", "N\xB0", "Pi\350ce ", "Stuk ", "#"};
    static const char *const sep[] = {" | ", " | ", " | ", "; ", " - ", ", "};
    static const char *const ref[] = {"R:", "Profil\xE9 ", "R\351f. ", "Art.Nr "};
    static const char *const colour[] = {"Gris anthracite", "Ch\xEAne dor\xE9", "Blanc cr\xE8me",
                                         "Noir mat",        "Wei\xDF",          "Eiche hell",
                                         "Acajou",          "Gris b\xE9ton",    "Vert \xE9meraude"};
    static const char *const colour_code[] = {"CH\xCANE-DOR\xC9", "RAL9016", "GRIS-ANTH",
                                              "CRM-HME",          "RAL7016", "BLANC-CR\xC8ME"};
    static const char *const oper[] = {"J. Dupont",      "M. Lef\xE8vre", "S. M\xFCller",
                                       "A. Fran\xE7ois", "K. Jansen",     "\xC9. Leli\xE8vre"};
    static const char *const note[] = {
        "d\351faut de surface, recoup\xE9",
        "contr\xF4le qualit\xE9: OK",
        "joint pos\xE9 | \xE0 v\xE9rifier",
        "coupe 45\xB0/90\xB0",
        "renfort acier 20x30 \xE9p. 2mm",
        "Gehrung 45\xB0 gepr\374ft",
        "rayure c\xF4t\xE9 ext\xE9rieur -> rebut",
        "ok",
        "reprise apr\xE8s arr\xEAt: lame chang\351e",
        "\xE9tiquette: A12|B07",
    };
    gen_enc enc = gen_line_enc(g);
    gen_buf *b = g->out;
    g->piece++;
    gen_text(b, enc, GEN_PICK(g, number));
    gen_putu(b, g->piece);
    const char *s = GEN_PICK(g, sep);
    size_t start = b->len;
    if (gen_below(&g->rng, 10) < 9) {
        gen_puts(b, s);
        gen_text(b, enc, GEN_PICK(g, ref));
        gen_puts(b, gen_refs[gen_below(&g->rng, 10)]);
    }
    if (gen_below(&g->rng, 10) < 8) {
        gen_puts(b, s);
        switch (gen_below(&g->rng, 4)) {
        case 0:
            gen_puts(b, "L:");
            gen_decimal(g, 300, 6500, 2);
            break;
        case 1:
            gen_puts(b, "L=");
            gen_putu(b, gen_range(&g->rng, 300, 6500));
            gen_puts(b, " mm");
            break;
        case 2:
            gen_puts(b, "Longueur: ");
            gen_putu(b, gen_range(&g->rng, 300, 6500));
            gen_puts(b, "mm");
            break;
        default:
            gen_puts(b, "Lengte ");
            gen_decimal(g, 300, 6500, 1);
            break;
        }
    }
    if (gen_below(&g->rng, 10) < 6) {
        gen_puts(b, s);
        if (gen_below(&g->rng, 2)) {
            gen_puts(b, "C:");
            gen_text(b, enc, GEN_PICK(g, colour_code));
        } else {
            gen_text(b, enc, gen_below(&g->rng, 2) ? "Couleur: " : "Teinte: ");
            gen_text(b, enc, GEN_PICK(g, colour));
        }
    }
    if (gen_below(&g->rng, 10) < 4) {
        gen_puts(b, s);
        gen_puts(b, "Barre ");
        gen_putu(b, gen_range(&g->rng, 1, 6));
        gen_puts(b, "/6 Reste: ");
        gen_putu(b, gen_range(&g->rng, 5, 900));
        gen_puts(b, " mm");
    }
    if (gen_below(&g->rng, 10) < 5) {
        gen_puts(b, s);
        gen_puts(b, "Cde ");
        gen_putu(b, 250000 + gen_below(&g->rng, 9999));
        gen_puts(b, " Pos ");
        gen_putu(b, gen_range(&g->rng, 1, 40));
        gen_text(b, enc, " Ch\xE2ssis ");
        gen_putu(b, gen_range(&g->rng, 1, 12));
    }
    if (gen_below(&g->rng, 10) < 5) {
        gen_puts(b, s);
        gen_text(b, enc, "Op\xE9rateur: ");
        gen_text(b, enc, GEN_PICK(g, oper));
    }
    /* The note comes half the time, and always when nothing else did. */
    if (gen_below(&g->rng, 10) < 5 || b->len == start) {
        gen_puts(b, s);
        gen_text(b, enc, gen_below(&g->rng, 2) ? "Remarque: " : "Note: ");
        gen_text(b, enc, GEN_PICK(g, note));
    }
}

static void gen_piece_varied(gen_day *g, long t)
{
    gen_stamp(g, t);
    if (gen_below(&g->rng, 100) < g->mix->details) {
        gen_event(g, "StukUitgevoerd", true);
        gen_piece_rich(g);
    } else {
        gen_event(g, "StukUitgevoerd", true);
        gen_putu(g->out, ++g->piece);
    }
    gen_line_end(g);
}

/* A wait in one of the spellings SPEC §1 accepts, units varied; returns the seconds. */
static double gen_wait_varied(gen_day *g, long t)
{
    gen_buf *b = g->out;
    uint32_t secs =
        gen_below(&g->rng, 10) ? gen_range(&g->rng, 5, 120) : gen_range(&g->rng, 120, 900);
    uint32_t tenth = gen_below(&g->rng, 10);
    double dur = secs;
    gen_stamp(g, t);
    gen_event(g, "MachineWait", true);
    switch (gen_below(&g->rng, 10)) {
    case 0: /* "12,5 sec" */
        gen_putu(b, secs);
        gen_putc(b, ',');
        gen_putu(b, tenth);
        gen_puts(b, GEN_PICK(g, ((const char *const[]){" sec", " Sec", " s", "s"})));
        dur += tenth / 10.0;
        break;
    case 1: /* "3 min", "2,5 min", "1.5 mins" */
        gen_putu(b, secs / 60);
        if (secs % 60 / 6) {
            gen_putc(b, gen_below(&g->rng, 2) ? ',' : '.');
            gen_putu(b, secs % 60 / 6);
        }
        gen_puts(b, GEN_PICK(g, ((const char *const[]){" min", " mins", " minutes", "min"})));
        dur = secs / 60 * 60 + secs % 60 / 6 * 6;
        break;
    case 2: /* "450ms" */
        gen_putu(b, (uint64_t)secs * 1000 + tenth * 100);
        gen_puts(b, gen_below(&g->rng, 2) ? "ms" : " ms");
        dur += tenth / 10.0;
        break;
    case 3:
        gen_putu(b, secs);
        break;
    case 4: /* "12.5 sec", trailing blanks */
        gen_putu(b, secs);
        gen_putc(b, '.');
        gen_putu(b, tenth);
        gen_puts(b, " sec \t");
        dur += tenth / 10.0;
        break;
    default:
        gen_putu(b, secs);
        gen_puts(b, GEN_PICK(g, ((const char *const[]){" sec", " secs", " seconds", " second", "s",
                                                       " SEC"})));
        break;
    }
    gen_line_end(g);
    return dur;
}

/* A job with its tokens in any order, sometimes tab-separated, C: sometimes missing. */
static void gen_job_varied(gen_day *g, long t)
{
    static const uint8_t orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                         {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const char *const colour[] = {"CRM-HME",          "RAL9016",        "BLANC", "GRIS-ANTH",
                                         "CH\xCANE-DOR\xC9", "BLANC-CR\xC8ME", "NOIR",  "SABLE"};
    gen_buf *b = g->out;
    const uint8_t *order = orders[gen_below(&g->rng, 6)];
    bool colour_on = gen_below(&g->rng, 10) != 0;
    gen_enc enc = gen_line_enc(g);
    const char *sep = gen_below(&g->rng, 8) ? " " : gen_below(&g->rng, 2) ? "\t" : "  ";
    bool first = true;
    gen_stamp(g, t);
    gen_event(g, "JobProfiel", true);
    for (int i = 0; i < 3; i++) {
        if (order[i] == 2 && !colour_on) continue;
        if (!first) gen_puts(b, sep);
        first = false;
        if (order[i] == 0) {
            gen_puts(b, "R:");
            gen_puts(b, gen_refs[gen_below(&g->rng, 10)]);
        } else if (order[i] == 1) {
            gen_puts(b, "L:");
            if (gen_below(&g->rng, 5))
                gen_decimal(g, 3000, 7000, 2);
            else
                gen_putu(b, gen_range(&g->rng, 3000, 7000));
        } else {
            gen_puts(b, "C:");
            gen_text(b, enc, GEN_PICK(g, colour));
        }
    }
    gen_line_end(g);
}

static void gen_unknown_varied(gen_day *g, long t)
{
    static const char *const lines[] = {
        "Alarm: E042 porte ouverte | op\xE9rateur pr\xE9venu",
        "Alarm: E017 pression air basse: 4,2 bar",
        "Alarm: E101 scie bloqu\351e",
        "OperatorLogin: Lef\xE8vre",
        "ToolChange: T12 -> T07 | lame \370500",
        "Heartbeat",
        "ProgramLoad: C:\\Programme\\PVC_70_2.prg",
        "Status: Pr\xEAt",
        "Message: Nettoyage \xE0 faire: filtre",
        "Counter: 1234|5678",
    };
    gen_enc enc = gen_line_enc(g);
    gen_stamp(g, t);
    gen_text(g->out, enc, GEN_PICK(g, lines));
    gen_line_end(g);
}

/* The classic noise plus what a busy controller also writes: lines cut short, NUL bytes,
 * bad waits, blanks around a line, a burst of binary. */
static void gen_noise_varied(gen_day *g, long t)
{
    gen_buf *b = g->out;
    switch (gen_below(&g->rng, 6)) {
    case 0:
        gen_noise(g, t);
        return;
    case 1: /* cut in the middle of its timestamp or its text */
        gen_stamp(g, t);
        gen_puts(b, "StukUitge");
        break;
    case 2: /* a NUL inside a piece's text: a valid piece, the NUL is dropped */
        gen_stamp(g, t);
        gen_puts(b, "StukUitgevoerd: ");
        gen_putu(b, ++g->piece);
        gen_put(b, " R:PR7012\0\0 L:300", 18);
        break;
    case 3:
        gen_stamp(g, t);
        gen_puts(b, gen_below(&g->rng, 2) ? "MachineWait: -5 sec" : "MachineWait: 5 heures");
        break;
    case 4: /* blanks around a valid line */
        gen_puts(b, " \t");
        gen_stamp(g, t);
        gen_puts(b, "MachineStart \t");
        break;
    default: { /* binary junk */
        uint32_t n = gen_range(&g->rng, 20, 300);
        for (uint32_t i = 0; i < n; i++) {
            char c = (char)gen_below(&g->rng, 256);
            gen_putc(b, c == '\n' ? '.' : c);
        }
        break;
    }
    }
    gen_line_end(g);
}

/* Advances the clock so that the remaining lines spread over the rest of the day. */
static void gen_tick(gen_day *g)
{
    double mean = g->left ? (g->end - g->t) / g->left : 0;
    if (mean > 0) g->t += 2.0 * mean * gen_unit(&g->rng);
}

/* A pause (a stop, a wait) takes at most a third of the time not reserved for the lines still
 * to come (half the day's average pace each), so the clock never runs into the end of the day
 * with hundreds of lines left to squeeze into its last second. */
static void gen_pause(gen_day *g, double want)
{
    double room = (g->end - g->t - g->left * g->pace / 2) / 3;
    if (want > room) want = room;
    if (want > 0) g->t += want;
}

static void gen_day_file(gen_day *g, uint32_t lines)
{
    g->t = 5 * 3600 + 45 * 60 + gen_below(&g->rng, 600);
    g->end = 22 * 3600 - 900 + gen_below(&g->rng, 1800);
    g->left = lines;
    g->pace = lines ? (g->end - g->t) / lines : 0;
    g->piece = 0;
    bool stopped = false;
    bool trailing_stop = gen_below(&g->rng, 10) < 6;
    const gen_mix *mix = g->mix;
    void (*piece)(gen_day *, long) = mix->rich ? gen_piece_varied : gen_piece;
    uint32_t c_noise = mix->noise, c_disorder = c_noise + mix->disorder,
             c_unknown = c_disorder + mix->unknown, c_jobs = c_unknown + mix->jobs,
             c_waits = c_jobs + mix->waits, c_stops = c_waits + mix->stops;

    if (g->left > 0) {
        gen_stamp(g, (long)g->t);
        gen_event(g, "MachineStart", false);
        gen_line_end(g);
    }
    while (g->left > (trailing_stop ? 1u : 0u)) {
        gen_tick(g);
        long t = (long)g->t;
        if (stopped) {
            /* A stop lasts a few minutes; then the machine is restarted, stopped again, or
             * simply produces a piece (which closes the stop too). */
            gen_pause(g, gen_range(&g->rng, mix->stop_min, mix->stop_max));
            t = (long)g->t;
            uint32_t r = gen_below(&g->rng, 10);
            if (r == 0) {
                gen_stamp(g, t);
                gen_event(g, "MachineStop", false);
                gen_line_end(g);
            } else if (r == 1) {
                gen_pause(g, mix->rich ? gen_wait_varied(g, t) : gen_wait(g, t));
            } else if (r < 8) {
                gen_stamp(g, t);
                gen_event(g, "MachineStart", false);
                gen_line_end(g);
                stopped = false;
            } else {
                piece(g, t);
                stopped = false;
            }
            continue;
        }
        /* The mix per 10,000 lines (classic: 10 noise, 20 out of order, 100 unknown events,
         * 200 jobs, 300 waits, 30 stops, the rest pieces; a 5,000-line day thus has ~15 stops
         * and ~150 waits, which gives occupation rates of about 50-70 %). */
        uint32_t r = gen_below(&g->rng, 10000);
        if (r < c_noise) {
            mix->rich ? gen_noise_varied(g, t) : gen_noise(g, t);
        } else if (r < c_disorder) {
            piece(g, t - (long)gen_range(&g->rng, 1, 90)); /* clock hiccup: out of order */
        } else if (r < c_unknown) {
            mix->rich ? gen_unknown_varied(g, t) : gen_unknown(g, t);
        } else if (r < c_jobs) {
            mix->rich ? gen_job_varied(g, t) : gen_job(g, t);
        } else if (r < c_waits) {
            gen_pause(g, mix->rich ? gen_wait_varied(g, t) : gen_wait(g, t));
        } else if (r < c_stops) {
            gen_stamp(g, t);
            gen_event(g, "MachineStop", false);
            gen_line_end(g);
            stopped = true;
        } else {
            piece(g, t);
        }
    }
    if (g->left > 0) {
        /* The end-of-day shutdown: a stop nobody closes. */
        g->t = g->end;
        gen_stamp(g, (long)g->t);
        gen_event(g, "MachineStop", false);
        gen_line_end(g);
    }
}

/* ---- files and folders ---------------------------------------------------------------- */

static int gen_write_file(const char *path, const gen_buf *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "cuwatch-genlogs: could not create \"%s\": %s\n", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = write(fd, b->data + off, b->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fprintf(stderr, "cuwatch-genlogs: could not write \"%s\": %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "cuwatch-genlogs: could not write \"%s\": %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int gen_mkdir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "cuwatch-genlogs: could not create directory \"%s\": %s\n", path,
            strerror(errno));
    return -1;
}

static bool gen_is_log(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".LOG") == 0;
}

/* --clean: removes the *.LOG files one level below out (what a previous run wrote) and the
 * folders this leaves empty. Nothing else is touched, so a mistyped --out cannot wipe a tree. */
static int gen_clean(const char *out)
{
    DIR *top = opendir(out);
    if (!top) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(top)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", out, e->d_name);
        struct stat st;
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        DIR *sub = opendir(dir);
        if (!sub) continue;
        struct dirent *f;
        while ((f = readdir(sub)) != NULL) {
            if (!gen_is_log(f->d_name)) continue;
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", dir, f->d_name);
            if (lstat(file, &st) == 0 && S_ISREG(st.st_mode) && unlink(file) != 0) rc = -1;
        }
        closedir(sub);
        rmdir(dir); /* fails harmlessly when something else lives there */
    }
    closedir(top);
    return rc;
}

static bool gen_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) return false;
    *out = (uint32_t)v;
    return true;
}

static const char gen_usage[] =
    "Usage: cuwatch-genlogs --out DIR [--machines N] [--days D] [--lines L] [--seed S]\n"
    "                       [--start YYYYMMDD] [--clean] [--mix classic|varied] [KNOBS]\n"
    "Writes DIR/<NAME> (<TYPE>)/YYYYMMDD.LOG for N machines x D days, about L lines each.\n"
    "Defaults: 3 machines, 200 days, 5000 lines, seed 1, start 20250101, mix classic.\n"
    "Knobs change one proportion of the chosen mix:\n"
    "  --crlf PCT       machines writing CRLF (classic: every third)\n"
    "  --noise N, --disorder N, --unknown N, --jobs N, --waits N, --stops N\n"
    "                   garbage, out-of-order pieces, unknown events, JobProfiel, MachineWait,\n"
    "                   MachineStop lines per 10,000 (the rest are pieces)\n"
    "  --stop-secs MIN-MAX  how long a stop lasts\n"
    "  --details PCT, --latin1 PCT, --utf8 PCT  (varied texts only) piece lines with free\n"
    "                   text; lines whose accented text is Latin-1, UTF-8 (the rest ASCII)\n";

/* A knob's value: "N" for the rest, "MIN-MAX" for --stop-secs. */
static bool gen_knob(gen_mix *mix, int opt, const char *v)
{
    uint32_t n = 0;
    if (opt == 'S') {
        const char *dash = strchr(v, '-');
        char lo[16];
        if (!dash || (size_t)(dash - v) >= sizeof lo) return false;
        memcpy(lo, v, (size_t)(dash - v));
        lo[dash - v] = '\0';
        return gen_parse_u32(lo, 86400, &mix->stop_min) &&
               gen_parse_u32(dash + 1, 86400, &mix->stop_max) && mix->stop_min <= mix->stop_max;
    }
    bool pct = opt == 'C' || opt == 'D' || opt == 'L' || opt == 'U';
    if (!gen_parse_u32(v, pct ? 100 : 10000, &n)) return false;
    switch (opt) {
    case 'C':
        mix->crlf = (int)n;
        break;
    case 'D':
        mix->details = n;
        break;
    case 'L':
        mix->latin1 = n;
        break;
    case 'U':
        mix->utf8 = n;
        break;
    case 'N':
        mix->noise = n;
        break;
    case 'O':
        mix->disorder = n;
        break;
    case 'K':
        mix->unknown = n;
        break;
    case 'J':
        mix->jobs = n;
        break;
    case 'W':
        mix->waits = n;
        break;
    case 'T':
        mix->stops = n;
        break;
    default:
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"machines", required_argument, NULL, 'm'},
        {"days", required_argument, NULL, 'd'},
        {"lines", required_argument, NULL, 'l'},
        {"seed", required_argument, NULL, 's'},
        {"start", required_argument, NULL, 'b'},
        {"clean", no_argument, NULL, 'c'},
        {"mix", required_argument, NULL, 'x'},
        {"crlf", required_argument, NULL, 'C'},
        {"details", required_argument, NULL, 'D'},
        {"latin1", required_argument, NULL, 'L'},
        {"utf8", required_argument, NULL, 'U'},
        {"noise", required_argument, NULL, 'N'},
        {"disorder", required_argument, NULL, 'O'},
        {"unknown", required_argument, NULL, 'K'},
        {"jobs", required_argument, NULL, 'J'},
        {"waits", required_argument, NULL, 'W'},
        {"stops", required_argument, NULL, 'T'},
        {"stop-secs", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    uint32_t machines = 3, days = 200, lines = 5000, start = 20250101;
    uint64_t seed = 1;
    bool clean = false;
    /* The mix is chosen first, wherever --mix stands, so that knobs change the chosen one. */
    gen_mix mix = gen_mixes[0];
    for (int i = 1; i < argc; i++) {
        const char *name = NULL;
        if (strcmp(argv[i], "--mix") == 0 && i + 1 < argc)
            name = argv[i + 1];
        else if (strncmp(argv[i], "--mix=", 6) == 0)
            name = argv[i] + 6;
        if (!name) continue;
        size_t k = 0, nmix = sizeof gen_mixes / sizeof *gen_mixes;
        while (k < nmix && strcmp(gen_mixes[k].name, name) != 0)
            k++;
        if (k == nmix) {
            fprintf(stderr, "cuwatch-genlogs: unknown mix \"%s\" (classic, varied)\n", name);
            return 2;
        }
        mix = gen_mixes[k];
    }
    int c;
    while ((c = getopt_long(argc, argv, "o:m:d:l:s:b:ch", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'x':
            break; /* read above */
        case 'C':
        case 'D':
        case 'L':
        case 'U':
        case 'N':
        case 'O':
        case 'K':
        case 'J':
        case 'W':
        case 'T':
        case 'S':
            ok = gen_knob(&mix, c, optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'm':
            ok = gen_parse_u32(optarg, 10000, &machines);
            break;
        case 'd':
            ok = gen_parse_u32(optarg, 100000, &days);
            break;
        case 'l':
            ok = gen_parse_u32(optarg, 100000000, &lines);
            break;
        case 'b':
            ok = gen_parse_u32(optarg, 99991231, &start);
            break;
        case 'c':
            clean = true;
            break;
        case 's': {
            char *end;
            errno = 0;
            seed = strtoull(optarg, &end, 0);
            ok = !errno && end != optarg && !*end;
            break;
        }
        case 'h':
            fputs(gen_usage, stdout);
            return 0;
        default:
            fputs(gen_usage, stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "cuwatch-genlogs: invalid value \"%s\"\n", optarg);
            return 2;
        }
    }
    int y = (int)(start / 10000), m = (int)(start / 100 % 100), d = (int)(start % 100);
    if (!out || optind != argc || !gen_date_valid(y, m, d)) {
        if (out && optind == argc) fprintf(stderr, "cuwatch-genlogs: invalid --start date\n");
        fputs(gen_usage, stderr);
        return 2;
    }
    if ((uint64_t)mix.noise + mix.disorder + mix.unknown + mix.jobs + mix.waits + mix.stops >
            10000 ||
        mix.latin1 + mix.utf8 > 100) {
        fprintf(stderr, "cuwatch-genlogs: the proportions add up to more than the whole\n");
        return 2;
    }
    if (clean && gen_clean(out) != 0) {
        fprintf(stderr, "cuwatch-genlogs: could not clean \"%s\": %s\n", out, strerror(errno));
        return 1;
    }
    if (gen_mkdir(out) != 0) return 1;

    gen_buf buf = {0};
    uint64_t total_bytes = 0, total_lines = 0, files = 0;
    char folder[64], path[8192];
    for (uint32_t mi = 0; mi < machines; mi++) {
        gen_machine_folder(folder, sizeof folder, mi);
        snprintf(path, sizeof path, "%s/%s", out, folder);
        if (gen_mkdir(path) != 0) return 1;
    }
    for (uint32_t di = 0; di < days; di++) {
        char date[24];
        snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
        for (uint32_t mi = 0; mi < machines; mi++) {
            gen_day g = {.rng = {gen_seed(seed, mi, di)}, .out = &buf, .mix = &mix};
            memcpy(g.date, date, sizeof g.date); /* 8 digits and the NUL */
            /* The DEM12 controller (and every third one after it) writes CRLF, like the
             * worked example; every fifth machine starts its files with a UTF-8 BOM. */
            g.crlf = mix.crlf < 0 ? mi % 3 == 0 : (mi * 37 + 11) % 100 < (unsigned)mix.crlf;
            buf.len = 0;
            if (mi % 5 == 4) gen_put(&buf, "\xEF\xBB\xBF", 3);
            /* Days differ a little in length, as real ones do. */
            uint32_t n = lines;
            if (n >= 20) n = n - n / 20 + gen_below(&g.rng, n / 10 + 1);
            gen_day_file(&g, n);
            /* One file in twenty lacks the final newline (an upload cut at the last byte). */
            size_t eol = g.crlf ? 2 : 1;
            if (gen_below(&g.rng, 20) == 0 && buf.len > eol && buf.data[buf.len - eol - 1] != '\n')
                buf.len -= eol;
            gen_machine_folder(folder, sizeof folder, mi);
            snprintf(path, sizeof path, "%s/%s/%s.LOG", out, folder, date);
            if (gen_write_file(path, &buf) != 0) return 1;
            files++;
            total_bytes += buf.len;
            total_lines += n;
        }
        gen_next_day(&y, &m, &d);
    }
    free(buf.data);
    printf("files=%" PRIu64 " bytes=%" PRIu64 " lines=%" PRIu64 "\n", files, total_bytes,
           total_lines);
    return 0;
}

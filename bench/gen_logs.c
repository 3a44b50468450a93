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
 * Usage: cuwatch-genlogs --out DIR [--machines N] [--days D] [--lines L] [--seed S]
 *                        [--start YYYYMMDD] [--clean]
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

static uint64_t gen_mix(uint64_t seed, uint64_t a, uint64_t b)
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

/* ---- one day's file ------------------------------------------------------------------- */

typedef struct gen_day {
    gen_rng rng;
    gen_buf *out;
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
            gen_pause(g, gen_range(&g->rng, 60, 1500));
            t = (long)g->t;
            uint32_t r = gen_below(&g->rng, 10);
            if (r == 0) {
                gen_stamp(g, t);
                gen_event(g, "MachineStop", false);
                gen_line_end(g);
            } else if (r == 1) {
                gen_pause(g, gen_wait(g, t));
            } else if (r < 8) {
                gen_stamp(g, t);
                gen_event(g, "MachineStart", false);
                gen_line_end(g);
                stopped = false;
            } else {
                gen_piece(g, t);
                stopped = false;
            }
            continue;
        }
        /* The mix per 10,000 lines: 10 noise, 20 out of order, 100 unknown events, 200 jobs,
         * 300 waits, 30 stops, the rest pieces. A 5,000-line day thus has ~15 stops and ~150
         * waits, which gives occupation rates of about 50-70 %. */
        uint32_t r = gen_below(&g->rng, 10000);
        if (r < 10) {
            gen_noise(g, t);
        } else if (r < 30) {
            gen_piece(g, t - (long)gen_range(&g->rng, 1, 90)); /* clock hiccup: out of order */
        } else if (r < 130) {
            gen_unknown(g, t);
        } else if (r < 330) {
            gen_job(g, t);
        } else if (r < 630) {
            gen_pause(g, gen_wait(g, t));
        } else if (r < 660) {
            gen_stamp(g, t);
            gen_event(g, "MachineStop", false);
            gen_line_end(g);
            stopped = true;
        } else {
            gen_piece(g, t);
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
    "                       [--start YYYYMMDD] [--clean]\n"
    "Writes DIR/<NAME> (<TYPE>)/YYYYMMDD.LOG for N machines x D days, about L lines each.\n"
    "Defaults: 3 machines, 200 days, 5000 lines, seed 1, start 20250101.\n";

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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    uint32_t machines = 3, days = 200, lines = 5000, start = 20250101;
    uint64_t seed = 1;
    bool clean = false;
    int c;
    while ((c = getopt_long(argc, argv, "o:m:d:l:s:b:ch", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
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
            gen_day g = {.rng = {gen_mix(seed, mi, di)}, .out = &buf};
            memcpy(g.date, date, sizeof g.date); /* 8 digits and the NUL */
            /* The DEM12 controller (and every third one after it) writes CRLF, like the
             * worked example; every fifth machine starts its files with a UTF-8 BOM. */
            g.crlf = mi % 3 == 0;
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

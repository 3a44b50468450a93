/* fuzz_driver.c — runs the libFuzzer target without libFuzzer, for the ordinary test suite.
 *
 * libFuzzer needs clang; the everyday build (gcc with ASan/UBSan) should still exercise
 * tests/fuzz_logfile.c and its invariants. This driver feeds every file found under its
 * arguments (directories are walked recursively) through LLVMFuzzerTestOneInput, then a fixed
 * number of mutants of them: bit flips, byte edits, deleted and duplicated chunks, splices of
 * two inputs and insertions of the tokens the LOG grammar cares about. Mutations come from a
 * seeded splitmix64 stream, so a failure reproduces exactly with the same arguments.
 *
 * Usage: fuzz_driver [-n MUTANTS] [-s SEED] PATH...   (defaults: 3000 mutants, seed 1)
 * Inputs are cut to 64 KiB, the -max_len of the real fuzzing runs. */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DRV_MAX_LEN 65536

typedef struct drv_input {
    uint8_t *data;
    size_t len;
} drv_input;

/* The corpus, filled by the nftw callback (which takes no user pointer). */
static drv_input *drv_corpus;
static size_t drv_n, drv_cap;

static void *drv_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("fuzz_driver: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static int drv_add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || !S_ISREG(st->st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_driver: could not open \"%s\": %s\n", path, strerror(errno));
        return 1;
    }
    uint8_t *buf = drv_xrealloc(NULL, DRV_MAX_LEN);
    size_t len = fread(buf, 1, DRV_MAX_LEN, f);
    fclose(f);
    if (drv_n == drv_cap) {
        drv_cap = drv_cap ? drv_cap * 2 : 64;
        drv_corpus = drv_xrealloc(drv_corpus, drv_cap * sizeof *drv_corpus);
    }
    /* Shrink to the exact size so ASan catches a read one byte past the input. */
    drv_corpus[drv_n++] = (drv_input){drv_xrealloc(buf, len), len};
    return 0;
}

static uint64_t drv_state;

static uint64_t drv_next(void)
{
    uint64_t z = (drv_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static size_t drv_below(size_t n)
{
    return n ? (size_t)(drv_next() % n) : 0;
}

/* Bytes that change how a line parses: separators, line ends, blanks, the BOM, event names,
 * units, job keys, and timestamps that are valid, impossible or at the calendar's edges. */
#define DRV_TOKEN(s)                                                                               \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct {
    const char *s;
    size_t n; /* "\0" is a token too, so lengths are not strlen */
} drv_tokens[] = {
    DRV_TOKEN("|@"),
    DRV_TOKEN("\n"),
    DRV_TOKEN("\r\n"),
    DRV_TOKEN("\r"),
    DRV_TOKEN(" "),
    DRV_TOKEN("\t"),
    DRV_TOKEN(":"),
    DRV_TOKEN("\xEF\xBB\xBF"),
    DRV_TOKEN("\0"),
    DRV_TOKEN("\xE9"),
    DRV_TOKEN("\xC3\xA9"),
    DRV_TOKEN("\xF0\x9F\x98"),
    DRV_TOKEN("StukUitgevoerd"),
    DRV_TOKEN("MachineWait"),
    DRV_TOKEN("MachineStop"),
    DRV_TOKEN("MachineStart"),
    DRV_TOKEN("JobProfiel"),
    DRV_TOKEN("Alarm"),
    DRV_TOKEN(" sec"),
    DRV_TOKEN(" min"),
    DRV_TOKEN(" ms"),
    DRV_TOKEN("12,5"),
    DRV_TOKEN("1.5"),
    DRV_TOKEN("-3"),
    DRV_TOKEN("1e308"),
    DRV_TOKEN("99999999999999999999"),
    DRV_TOKEN("R:"),
    DRV_TOKEN("L:"),
    DRV_TOKEN("C:"),
    DRV_TOKEN("L:6500,00"),
    DRV_TOKEN("20250101 06:00:00|@"),
    DRV_TOKEN("20240229 23:59:59|@"),
    DRV_TOKEN("20250229 12:00:00|@"),
    DRV_TOKEN("20251231 24:00:00|@"),
    DRV_TOKEN("99991231 23:59:59|@"),
    DRV_TOKEN("00010101 00:00:00|@"),
};

/* Mutates in place into buf (capacity DRV_MAX_LEN); returns the new length. */
static size_t drv_mutate(uint8_t *buf, size_t len)
{
    size_t ops = 1 + drv_below(4);
    for (size_t k = 0; k < ops; k++) {
        size_t pos = drv_below(len + 1);
        switch (drv_below(7)) {
        case 0: /* flip a bit */
            if (len) buf[drv_below(len)] ^= (uint8_t)(1u << drv_below(8));
            break;
        case 1: /* set a byte */
            if (len) buf[drv_below(len)] = (uint8_t)drv_next();
            break;
        case 2: { /* delete a chunk */
            size_t n = drv_below(len - pos + 1);
            if (drv_below(4)) n = n % 16;
            memmove(buf + pos, buf + pos + n, len - pos - n);
            len -= n;
            break;
        }
        case 3: { /* duplicate a chunk, e.g. a line or two */
            if (!len) break;
            size_t from = drv_below(len), n = 1 + drv_below(len - from);
            if (n > 256) n = 256;
            if (len + n > DRV_MAX_LEN) break;
            memmove(buf + pos + n, buf + pos, len - pos);
            memmove(buf + pos, from >= pos ? buf + from + n : buf + from, n);
            len += n;
            break;
        }
        case 4: { /* splice in part of another input */
            const drv_input *o = &drv_corpus[drv_below(drv_n)];
            if (!o->len) break;
            size_t from = drv_below(o->len), n = drv_below(o->len - from) + 1;
            if (pos + n > DRV_MAX_LEN) n = DRV_MAX_LEN - pos;
            memcpy(buf + pos, o->data + from, n);
            if (pos + n > len) len = pos + n;
            break;
        }
        case 5: /* cut the tail */
            len = pos;
            break;
        default: { /* insert a token */
            size_t t = drv_below(sizeof drv_tokens / sizeof *drv_tokens);
            size_t n = drv_tokens[t].n;
            if (len + n > DRV_MAX_LEN) break;
            memmove(buf + pos + n, buf + pos, len - pos);
            memcpy(buf + pos, drv_tokens[t].s, n);
            len += n;
            break;
        }
        }
    }
    return len;
}

static void drv_run(const uint8_t *data, size_t len)
{
    /* An exact-size copy: the target must not read past what it was given. */
    uint8_t *copy = drv_xrealloc(NULL, len);
    if (len) memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
}

int main(int argc, char **argv)
{
    unsigned long mutants = 3000;
    drv_state = 1;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            mutants = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-s") == 0)
            drv_state = strtoull(argv[i + 1], NULL, 10);
        else
            break;
    }
    if (i >= argc) {
        fputs("Usage: fuzz_driver [-n MUTANTS] [-s SEED] PATH...\n", stderr);
        return 2;
    }
    for (; i < argc; i++) {
        if (nftw(argv[i], drv_add_file, 16, FTW_PHYS) != 0) {
            fprintf(stderr, "fuzz_driver: could not read \"%s\"\n", argv[i]);
            return 1;
        }
    }
    /* The empty input and the corpus as found, then the mutants. */
    drv_run(NULL, 0);
    for (size_t k = 0; k < drv_n; k++)
        drv_run(drv_corpus[k].data, drv_corpus[k].len);
    uint8_t *buf = drv_xrealloc(NULL, DRV_MAX_LEN);
    for (unsigned long k = 0; k < mutants && drv_n > 0; k++) {
        const drv_input *in = &drv_corpus[drv_below(drv_n)];
        memcpy(buf, in->data, in->len);
        drv_run(buf, drv_mutate(buf, in->len));
    }
    printf("fuzz_driver: %zu corpus files and %lu mutants passed\n", drv_n, drv_n ? mutants : 0);
    free(buf);
    for (size_t k = 0; k < drv_n; k++)
        free(drv_corpus[k].data);
    free(drv_corpus);
    return 0;
}

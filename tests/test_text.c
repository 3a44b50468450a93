/* test_text.c — common/text.c, the text rules of SPEC §1 (encoding per text, controls
 * removed, a cut on a character boundary), checked two ways:
 *   - a few texts whose cleaned form is written out by hand;
 *   - differentially: the word-at-a-time cu_utf8_valid and cu_text_clean must give exactly
 *     what the byte-at-a-time reference (tests/text_ref.c, the code they replaced) gives, on
 *     every byte sequence of up to three bytes, on four-byte sequences around every boundary
 *     of the UTF-8 table, and on random texts shaped like log details (ASCII runs of every
 *     length around the 8-byte words, Latin-1 and UTF-8 letters, controls, broken
 *     sequences), for budgets that cut anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"
#include "text_ref.h"

/* IN is a string literal: its length is known even with NUL bytes inside. */
#define EXPECT_CLEAN(in, max, want) expect_clean(in, sizeof in - 1, max, want)

static void expect_clean(const char *in, size_t n, size_t max, const char *want)
{
    cu_sb out = {0};
    cu_text_clean(&out, in, n, max);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.len ? out.data : "", want, out.len);
    cu_sb_free(&out);
}

static void test_clean_by_hand(void **state)
{
    (void)state;
    EXPECT_CLEAN("plain text", 1024, "plain text");
    EXPECT_CLEAN("plain text", 5, "plain");
    /* Latin-1 é, ° and a C1 control; the same letters in UTF-8 stay as they are. */
    EXPECT_CLEAN("Profil\xE9 45\xB0\x85!", 1024, "Profil\xC3\xA9 45\xC2\xB0!");
    EXPECT_CLEAN("Profil\xC3\xA9 45\xC2\xB0", 1024, "Profil\xC3\xA9 45\xC2\xB0");
    /* One invalid byte anywhere makes the whole text Latin-1. */
    EXPECT_CLEAN("\xC3\xA9t\xE9", 1024, "\xC3\x83\xC2\xA9t\xC3\xA9");
    /* NUL, C0 controls and DEL go, tab stays, CR goes. */
    EXPECT_CLEAN("a\0b\tc\x01\x7F"
                 "d\r",
                 1024, "ab\tcd");
    /* Cuts never split a character: "aé" needs 3 bytes, 2 give "a". */
    EXPECT_CLEAN("a\xC3\xA9", 2, "a");
    EXPECT_CLEAN("a\xE9", 2, "a");
    EXPECT_CLEAN("a\xE9", 3, "a\xC3\xA9");
    EXPECT_CLEAN("", 1024, "");
    EXPECT_CLEAN("abc", 0, "");
}

/* Both versions on one input: the same validity, the same cleaned bytes for each budget,
 * appended after existing content. */
static void check_same(const unsigned char *in, size_t n)
{
    const char *s = (const char *)in;
    bool fast = cu_utf8_valid(s, n), ref = cu_ref_utf8_valid(s, n);
    if (fast != ref) {
        fprintf(stderr, "cu_utf8_valid disagrees (%d, reference %d) on %zu bytes:", fast, ref, n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02X", in[i]);
        fputc('\n', stderr);
        fail();
    }
    static const size_t budgets[] = {0,  1,  2,  3,  4,  7,    8,           9,
                                     15, 16, 17, 31, 64, 1024, SIZE_MAX / 4};
    for (size_t b = 0; b < sizeof budgets / sizeof *budgets; b++) {
        cu_sb a = {0}, r = {0};
        cu_sb_puts(&a, "x");
        cu_sb_puts(&r, "x");
        cu_text_clean(&a, s, n, budgets[b]);
        cu_ref_text_clean(&r, s, n, budgets[b]);
        if (a.len != r.len || memcmp(a.data, r.data, a.len) != 0 || a.data[a.len] != '\0') {
            fprintf(stderr, "cu_text_clean disagrees with budget %zu on %zu bytes:", budgets[b], n);
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, " %02X", in[i]);
            fputc('\n', stderr);
            fail();
        }
        cu_sb_free(&a);
        cu_sb_free(&r);
    }
}

/* Validity only (cleaning is checked on the random texts): every sequence of 1–3 bytes, and
 * 4-byte ones for every lead byte from 0xE0 with the boundary values of the later bytes. */
static void test_utf8_exhaustive(void **state)
{
    (void)state;
    unsigned char b[16];
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (unsigned char)x;
        assert_int_equal(cu_utf8_valid((char *)b, 1), cu_ref_utf8_valid((char *)b, 1));
        for (unsigned y = 0; y < 256; y++) {
            b[1] = (unsigned char)y;
            assert_int_equal(cu_utf8_valid((char *)b, 2), cu_ref_utf8_valid((char *)b, 2));
            if (x < 0x80) continue; /* an ASCII lead: the rest is the 2-byte case again */
            for (unsigned z = 0; z < 256; z++) {
                b[2] = (unsigned char)z;
                assert_int_equal(cu_utf8_valid((char *)b, 3), cu_ref_utf8_valid((char *)b, 3));
            }
        }
    }
    static const unsigned char edge[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F,
                                         0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xF4, 0xFF};
    for (unsigned x = 0xE0; x < 256; x++)
        for (unsigned y = 0; y < 256; y++)
            for (size_t z = 0; z < sizeof edge; z++)
                for (size_t v = 0; v < sizeof edge; v++) {
                    /* At every offset in a word, after ASCII, and followed by ASCII. */
                    for (size_t off = 0; off < 9; off += 5) {
                        memset(b, 'a', sizeof b);
                        b[off] = (unsigned char)x, b[off + 1] = (unsigned char)y;
                        b[off + 2] = edge[z], b[off + 3] = edge[v];
                        for (size_t n = off + 1; n <= off + 4 + 3; n += 3)
                            assert_int_equal(cu_utf8_valid((char *)b, n),
                                             cu_ref_utf8_valid((char *)b, n));
                    }
                }
}

static uint64_t rng_state = 0x1234567;

static uint32_t rnd(uint32_t n)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (uint32_t)(((z ^ (z >> 31)) >> 32) * n >> 32);
}

/* Appends one random piece of a text in one of three styles: 0 ASCII and UTF-8 letters
 * (valid UTF-8), 1 ASCII and Latin-1 letters, 2 anything (broken sequences, any bytes). All
 * three have ASCII runs of every length across the 8-byte words, and controls. */
static size_t put_piece(unsigned char *b, size_t cap, unsigned style)
{
    static const char *const utf8[] = {"\xC3\xA9",         "\xC2\xB0", "\xE2\x82\xAC",
                                       "\xF0\x9F\x98\x80", "\xC2\x85", "\xEF\xBF\xBD",
                                       "\xF4\x8F\xBF\xBF"};
    static const char *const bad[] = {
        "\xC3", "\xE2\x82",     "\xED\xA0\x80",        "\xC0\xAF", "\xF4\x90\x80\x80",
        "\x80", "\xE0\x80\xAF", "\xF8\x88\x80\x80\x80"};
    unsigned char tmp[64];
    size_t n = 0;
    uint32_t kind = rnd(10);
    if (kind == 9 && style != 2) kind = 0;
    if (kind <= 4) { /* an ASCII run */
        n = rnd(40);
        for (size_t i = 0; i < n; i++)
            tmp[i] = (unsigned char)(0x20 + rnd(0x5F));
    } else if (kind == 5) { /* tab, NUL, C0 controls, DEL, CR */
        tmp[0] = (unsigned char)"\t\0\x01\x1F\x7F\r"[rnd(6)];
        n = 1;
    } else if (kind <= 8) { /* a letter */
        unsigned how = style == 2 ? rnd(3) : style;
        const char *u = how == 0 ? utf8[rnd(7)] : how == 2 ? bad[rnd(8)] : NULL;
        if (u) {
            n = strlen(u);
            memcpy(tmp, u, n);
        } else {
            tmp[0] = (unsigned char)(0x80 + rnd(0x80)); /* Latin-1, C1 controls too */
            n = 1;
        }
    } else { /* any bytes */
        n = 1 + rnd(6);
        for (size_t i = 0; i < n; i++)
            tmp[i] = (unsigned char)rnd(256);
    }
    if (n > cap) n = cap;
    memcpy(b, tmp, n);
    return n;
}

static void test_clean_random(void **state)
{
    (void)state;
    unsigned char buf[2200];
    for (int round = 0; round < 30000; round++) {
        unsigned style = rnd(3);
        size_t target = rnd(8) ? rnd(200) : rnd(sizeof buf);
        size_t n = 0;
        while (n < target)
            n += put_piece(buf + n, target - n, style);
        check_same(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_by_hand),
        cmocka_unit_test(test_utf8_exhaustive),
        cmocka_unit_test(test_clean_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

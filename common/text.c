/* text.c — see text.h.
 *
 * Both functions run on every piece detail an ingest keeps (tens of millions of bytes per
 * rescan), so they are built for the text machines actually write: mostly plain ASCII with an
 * accented letter every few words. Plain runs are crossed eight bytes at a time with word
 * tests (SWAR: plain C, no intrinsics, any target) and copied as words; only the bytes that
 * need a decision are looked at one by one. Cleaning decides the encoding in the same pass:
 * it converts optimistically as UTF-8 and starts over as Latin-1 at the first invalid
 * sequence, which in a Latin-1 line is its first accented letter. tests/test_text.c checks
 * both functions against the plain byte-at-a-time definitions on random and exhaustive
 * inputs. */
#include "text.h"

#include <stdint.h>
#include <string.h>

#define CU_ONES UINT64_C(0x0101010101010101)
#define CU_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t cu_load64(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

/* The high bit of each byte of w that is not printable ASCII (0x20..0x7E): a high bit
 * (non-ASCII), 0x7F (adding 1 sets its high bit) or a C0 control (subtracting 0x20 borrows
 * into its high bit while its own is clear). Carries and borrows only run from a flagged byte
 * to higher ones, so "any" is exact, and so is the lowest flagged byte (the first in memory on
 * a little-endian machine). */
static inline uint64_t cu_word_special(uint64_t w)
{
    return (w | (w + CU_ONES) | ((w - 0x20 * CU_ONES) & ~w)) & CU_HIGHS;
}

static inline bool cu_byte_plain(unsigned char c)
{
    return (unsigned char)(c - 0x20) < 0x5F;
}

/* The length of the well-formed UTF-8 sequence at s[0] (a byte >= 0x80), or 0 when there is
 * none: Unicode's table of well-formed byte sequences, i.e. no overlongs, no surrogates,
 * nothing above U+10FFFF. */
static inline size_t cu_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0xC2) return 0; /* continuation byte, or C0/C1 overlong lead */
    if (c < 0xE0) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[2] & 0xC0) != 0x80) return 0;
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi ? 3 : 0;
    }
    if (c > 0xF4 || n < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return s[1] >= lo && s[1] <= hi ? 4 : 0;
}

bool cu_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* ASCII, eight bytes at a time; two words per step on long runs. */
        while (i + 16 <= n && ((cu_load64(s + i) | cu_load64(s + i + 8)) & CU_HIGHS) == 0)
            i += 16;
        if (i + 8 <= n && (cu_load64(s + i) & CU_HIGHS) == 0) {
            i += 8;
            continue;
        }
        if (i == n) break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = cu_utf8_seq(s + i, n - i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

/* Copies the plain run at s[*i] to o[*w], within cap; advances both. Returns false when the
 * budget ran out inside the run (the output is then complete). Words are stored whole (cap
 * permitting) and the cursor then moves to the first special byte, found with one ctz. */
static inline bool cu_copy_plain(const unsigned char *s, size_t n, size_t *ip, unsigned char *o,
                                 size_t *wp, size_t cap)
{
    size_t i = *ip, w = *wp;
    while (i + 8 <= n && w + 8 <= cap) {
        uint64_t x = cu_load64(s + i);
        uint64_t m = cu_word_special(x);
        memcpy(o + w, &x, 8);
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            size_t k = (size_t)__builtin_ctzll(m) >> 3;
            *ip = i + k, *wp = w + k;
            return true;
#else
            break;
#endif
        }
        i += 8, w += 8;
    }
    while (i < n && cu_byte_plain(s[i])) {
        if (w == cap) {
            *ip = i, *wp = w;
            return false;
        }
        o[w++] = s[i++];
    }
    *ip = i, *wp = w;
    return true;
}

/* The cleaned UTF-8 text from s[i] on, written from o[w]; returns the final length, or
 * SIZE_MAX as soon as s turns out not to be valid UTF-8. */
static size_t cu_clean_utf8(const unsigned char *s, size_t n, size_t i, unsigned char *o, size_t w,
                            size_t cap)
{
    while (i < n) {
        if (!cu_copy_plain(s, n, &i, o, &w, cap)) break;
        if (i == n) return w;
        unsigned char c = s[i];
        if (c < 0x80) { /* tab, kept; other C0 controls and DEL, removed */
            if (c == '\t') {
                if (w == cap) break;
                o[w++] = c;
            }
            i++;
            continue;
        }
        size_t len = cu_utf8_seq(s + i, n - i);
        if (len == 0) return SIZE_MAX;
        if (w + len > cap) break;
        memcpy(o + w, s + i, len);
        w += len;
        i += len;
    }
    /* The output is full; whether it stands depends on the rest of the text being UTF-8. */
    return cu_utf8_valid((const char *)s + i, n - i) ? w : SIZE_MAX;
}

/* The text from s[i] on read as Latin-1, written from o[w]; returns the final length. */
static size_t cu_clean_latin1(const unsigned char *s, size_t n, size_t i, unsigned char *o,
                              size_t w, size_t cap)
{
    while (i < n) {
        if (!cu_copy_plain(s, n, &i, o, &w, cap)) return w;
        if (i == n) return w;
        unsigned char c = s[i++];
        if (c >= 0xA0) {
            if (w + 2 > cap) return w;
            o[w++] = (unsigned char)(0xC0 | (c >> 6));
            o[w++] = (unsigned char)(0x80 | (c & 0x3F));
        } else if (c == '\t') {
            if (w == cap) return w;
            o[w++] = c;
        } /* other C0 controls, DEL and C1 controls (no text in Latin-1 logs): removed */
    }
    return w;
}

void cu_text_clean(cu_sb *out, const char *str, size_t n, size_t max_bytes)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Output is at most twice the input (Latin-1 → UTF-8) and at most max_bytes: reserve
     * once and write in place. */
    size_t cap = n <= max_bytes / 2 ? 2 * n : max_bytes;
    cu_sb_reserve(out, cap);
    unsigned char *o = (unsigned char *)out->data + out->len;
    size_t i = 0, w = 0;
    /* A plain ASCII prefix reads the same in both encodings; most texts are nothing else. */
    if (cu_copy_plain(s, n, &i, o, &w, cap) && i < n) {
        size_t head = w;
        w = cu_clean_utf8(s, n, i, o, w, cap);
        if (w == SIZE_MAX) w = cu_clean_latin1(s, n, i, o, head, cap);
    }
    out->len += w;
    out->data[out->len] = '\0';
}

/* text_ref.c — the byte-at-a-time definitions of common/text.c's two functions, as they
 * stood before the word-at-a-time rewrite: the reference that tests/test_text.c compares the
 * fast versions against. Test code only. */
#include "text_ref.h"

#include <stdint.h>
#include <string.h>

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
bool cu_ref_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

static bool cu_ref_is_dropped(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* The common case, plain printable ASCII, is one memcpy. The test has no early exit so
 * that the compiler can vectorise it: these strings are short. */
static bool cu_ref_plain_ascii(const unsigned char *s, size_t n)
{
    unsigned char bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        /* Printable ASCII is 0x20..0x7E, i.e. c - 0x20 < 0x5F; tab is allowed too. */
        bad |= (unsigned char)((unsigned char)(c - 0x20) >= 0x5F) & (unsigned char)(c != '\t');
    }
    return bad == 0;
}

void cu_ref_text_clean(cu_sb *out, const char *str, size_t n, size_t max_bytes)
{
    const unsigned char *s = (const unsigned char *)str;
    if (cu_ref_plain_ascii(s, n)) {
        cu_sb_append(out, s, n < max_bytes ? n : max_bytes);
        return;
    }
    /* Output is at most twice the input (Latin-1 → UTF-8) and at most max_bytes: reserve
     * once and write in place. */
    size_t cap = n <= max_bytes / 2 ? 2 * n : max_bytes;
    cu_sb_reserve(out, cap);
    unsigned char *o = (unsigned char *)out->data + out->len;
    size_t w = 0;
    if (cu_ref_utf8_valid(str, n)) {
        for (size_t i = 0; i < n;) {
            unsigned char c = s[i];
            size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (len == 1 && cu_ref_is_dropped(c)) {
                i++;
                continue;
            }
            if (w + len > cap) break;
            memcpy(o + w, s + i, len);
            w += len;
            i += len;
        }
    } else if (2 * n <= cap) {
        /* Latin-1 with room for the worst case: no budget checks in the loop. */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = s[i];
            if ((unsigned char)(c - 0x20) < 0x5F) {
                o[w++] = c;
            } else if (c >= 0xA0) {
                o[w++] = (unsigned char)(0xC0 | (c >> 6));
                o[w++] = (unsigned char)(0x80 | (c & 0x3F));
            } else if (c == '\t') {
                o[w++] = c;
            } /* other C0 and C1 controls, DEL: removed */
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = s[i];
            if (c < 0x80) {
                if (cu_ref_is_dropped(c)) continue;
                if (w + 1 > cap) break;
                o[w++] = c;
            } else {
                if (c < 0xA0) continue; /* C1 controls carry no text in Latin-1 logs */
                if (w + 2 > cap) break;
                o[w++] = (unsigned char)(0xC0 | (c >> 6));
                o[w++] = (unsigned char)(0x80 | (c & 0x3F));
            }
        }
    }
    out->len += w;
    out->data[out->len] = '\0';
}

/* text.c — see text.h. */
#include "text.h"

#include <stdint.h>

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
bool cu_utf8_valid(const char *str, size_t n)
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

static bool cu_is_dropped(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* The common case, plain printable ASCII, is one memcpy. The test has no early exit so
 * that the compiler can vectorise it: these strings are short. */
static bool cu_plain_ascii(const unsigned char *s, size_t n)
{
    unsigned char bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        /* Printable ASCII is 0x20..0x7E, i.e. c - 0x20 < 0x5F; tab is allowed too. */
        bad |= (unsigned char)((unsigned char)(c - 0x20) >= 0x5F) & (unsigned char)(c != '\t');
    }
    return bad == 0;
}

void cu_text_clean(cu_sb *out, const char *str, size_t n, size_t max_bytes)
{
    const unsigned char *s = (const unsigned char *)str;
    if (cu_plain_ascii(s, n)) {
        cu_sb_append(out, s, n < max_bytes ? n : max_bytes);
        return;
    }
    size_t budget = max_bytes;
    cu_sb_reserve(out, n < max_bytes / 2 ? n * 2 : max_bytes);
    if (cu_utf8_valid(str, n)) {
        size_t i = 0;
        while (i < n) {
            unsigned char c = s[i];
            size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (len == 1 && cu_is_dropped(c)) {
                i++;
                continue;
            }
            if (len > budget) break;
            cu_sb_append(out, s + i, len);
            budget -= len;
            i += len;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (cu_is_dropped(c)) continue;
            if (budget < 1) break;
            cu_sb_putc(out, (char)c);
            budget--;
        } else {
            if (c < 0xA0) continue; /* C1 controls carry no text in Latin-1 logs */
            if (budget < 2) break;
            char pair[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
            cu_sb_append(out, pair, 2);
            budget -= 2;
        }
    }
}

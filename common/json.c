/* json.c — see json.h. */
#include "json.h"

#include <string.h>

#include "text.h"

void cu_json_str(cu_sb *out, const char *s, size_t n)
{
    if (!s) {
        cu_sb_puts(out, "null");
        return;
    }
    cu_sb clean = {0};
    /* Keep tabs and other controls visible in JSON: clean only the encoding here. */
    const char *text = s;
    size_t len = n;
    if (!cu_utf8_valid(s, n)) {
        cu_text_clean(&clean, s, n, (size_t)-1 / 4);
        text = clean.data ? clean.data : "";
        len = clean.len;
    }
    cu_sb_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        switch (c) {
        case '"':
            cu_sb_puts(out, "\\\"");
            break;
        case '\\':
            cu_sb_puts(out, "\\\\");
            break;
        case '\n':
            cu_sb_puts(out, "\\n");
            break;
        case '\r':
            cu_sb_puts(out, "\\r");
            break;
        case '\t':
            cu_sb_puts(out, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                cu_sb_printf(out, "\\u%04x", c);
            } else if (c == 0xC2 && i + 1 < len && (unsigned char)text[i + 1] <= 0x9F &&
                       (unsigned char)text[i + 1] >= 0x80) {
                /* C1 controls (U+0080..U+009F): some terminals obey them raw. */
                cu_sb_printf(out, "\\u%04x", (unsigned char)text[++i]);
            } else
                cu_sb_putc(out, (char)c);
        }
    }
    cu_sb_putc(out, '"');
    cu_sb_free(&clean);
}

void cu_json_cstr(cu_sb *out, const char *s)
{
    cu_json_str(out, s, s ? strlen(s) : 0);
}

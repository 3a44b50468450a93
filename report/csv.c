/* csv.c — --export --format csv and csv-excel: the selected rows of v_jour, header = its
 * column names (SPEC §8).
 *
 * csv is RFC 4180: comma, CRLF line ends, a field quoted when it holds a comma, a quote, CR or
 * LF, quotes doubled; UTF-8; numbers as PostgreSQL prints them ('.' decimals).
 *
 * csv-excel is what a French Excel opens by double-click: a UTF-8 BOM (without it Excel reads
 * the bytes as Windows-1252), ';' (the list separator of a French Windows), decimal comma,
 * timestamps cut to "YYYY-MM-DD HH:MM:SS" (Excel parses neither fractions nor zone offsets).
 * Text that Excel would take for a formula (=, +, -, @ first: machine names and paths come
 * from FTP users) gets a leading apostrophe. */
#include <string.h>

#include "model.h"
#include "pgtypes.h"
#include "strbuf.h"

static void cu_csv_field(FILE *out, const char *s, size_t n, char sep)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n') quote = true;
    if (!quote) {
        fwrite(s, 1, n, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

int cu_csv_write(FILE *out, const cu_model *m, bool excel, cu_err *err)
{
    const cu_rtab *t = &m->jours;
    char sep = excel ? ';' : ',';
    if (excel) fputs("\xEF\xBB\xBF", out);
    for (int c = 0; c < t->ncols; c++) {
        if (c) putc(sep, out);
        const char *name = PQfname(t->res, c);
        cu_csv_field(out, name, strlen(name), sep);
    }
    fputs("\r\n", out);
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c) putc(sep, out);
            if (cu_rtab_null(t, r, c)) continue; /* NULL: an empty field */
            const char *v = cu_rtab_get(t, r, c);
            size_t n = strlen(v);
            unsigned oid = PQftype(t->res, c);
            if (!excel) {
                cu_csv_field(out, v, n, sep);
            } else if (cu_oid_number(oid)) {
                for (const char *p = v; *p; p++)
                    putc(*p == '.' ? ',' : *p, out);
            } else if (oid == CU_OID_TIMESTAMP || oid == CU_OID_TIMESTAMPTZ) {
                fwrite(v, 1, n < 19 ? n : 19, out);
            } else {
                if (v[0] && strchr("=+-@", v[0])) {
                    cu_sb sb = {0};
                    cu_sb_putc(&sb, '\'');
                    cu_sb_append(&sb, v, n);
                    cu_csv_field(out, sb.data, sb.len, sep);
                    cu_sb_free(&sb);
                } else {
                    cu_csv_field(out, v, n, sep);
                }
            }
        }
        fputs("\r\n", out);
    }
    if (ferror(out)) return cu_fail(err, "export: write error");
    return 0;
}

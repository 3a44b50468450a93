/* html_fmt.c — formatting helpers of the HTML report (see html_fmt.h). */
#include <math.h>
#include <string.h>

#include "html_fmt.h"

void cu_h_esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            putc(*s, out);
        }
    }
}

void cu_h_num(FILE *out, double v, int dec, cu_report_lang lang)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", dec, fabs(v) < 0.5 * pow(10, -dec) ? 0.0 : v);
    const char *p = buf;
    if (*p == '-') putc(*p++, out);
    size_t intlen = strcspn(p, ".");
    for (size_t i = 0; i < intlen; i++) {
        if (i && (intlen - i) % 3 == 0) fputs(lang == CU_LANG_FR ? "\u202f" : ",", out);
        putc(p[i], out);
    }
    if (p[intlen] == '.') {
        putc(lang == CU_LANG_FR ? ',' : '.', out);
        fputs(p + intlen + 1, out);
    }
}

void cu_h_dur(FILE *out, double s)
{
    long total = lround(s);
    if (total < 60)
        fprintf(out, "%ld s", total);
    else if (total < 3600)
        fprintf(out, "%ld min", (total + 30) / 60 > 59 ? 59 : (total + 30) / 60);
    else {
        long m = (total + 30) / 60;
        fprintf(out, "%ld h %02ld", m / 60, m % 60);
    }
}

int64_t cu_h_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cu_h_date(FILE *out, const char *iso, bool full, cu_report_lang lang)
{
    static const char *const fr[] = {"jeu.", "ven.", "sam.", "dim.", "lun.", "mar.", "mer."};
    static const char *const en[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    cu_ts t;
    if (!cu_ts_parse(iso, &t)) {
        cu_h_esc(out, iso);
        return;
    }
    int64_t days = cu_h_days_from_civil(t.year, t.month, t.day);
    int wd = (int)(((days % 7) + 7) % 7); /* 1970-01-01 was a Thursday */
    if (lang == CU_LANG_FR) {
        fprintf(out, "%s %02d/%02d", fr[wd], t.day, t.month);
        if (full) fprintf(out, "/%04d", t.year);
    } else {
        fprintf(out, "%s ", en[wd]);
        if (full) fprintf(out, "%04d-", t.year);
        fprintf(out, "%02d-%02d", t.month, t.day);
    }
}

double cu_minutes_of(const char *ts, const char *jour)
{
    cu_ts t, j;
    if (!cu_ts_parse(ts, &t) || !cu_ts_parse(jour, &j)) return NAN;
    int64_t dd =
        cu_h_days_from_civil(t.year, t.month, t.day) - cu_h_days_from_civil(j.year, j.month, j.day);
    return (double)dd * 1440.0 + t.hour * 60.0 + t.min + t.sec / 60.0;
}

void cu_h_coord(FILE *out, double v)
{
    /* The common case by integer arithmetic: snprintf's %.2f was a third of the report's CPU
     * on a month of 50 machines (perf, bench/report). Only when v × 100 is far from a half
     * (ties and near-ties go to snprintf, which rounds the exact binary value) is rounding it
     * the same as %.2f; coordinates are minutes, well under 10^6, where v × 100 is exact to
     * 10^-8. */
    if (v >= 0 && v < 1e6) {
        double s = v * 100.0, fl = floor(s), frac = s - fl;
        if (fabs(frac - 0.5) > 1e-6) {
            long n = (long)fl + (frac > 0.5);
            char buf[32];
            int len = snprintf(buf, sizeof buf, "%ld", n / 100);
            int cents = (int)(n % 100);
            if (cents) {
                buf[len++] = '.';
                buf[len++] = (char)('0' + cents / 10);
                if (cents % 10) buf[len++] = (char)('0' + cents % 10);
            }
            fwrite(buf, 1, (size_t)len, out);
            return;
        }
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    fputs(strcmp(buf, "-0") == 0 ? "0" : buf, out);
}

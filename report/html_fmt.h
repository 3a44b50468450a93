/* html_fmt.h — the little formatting html.c needs: HTML escaping, numbers in the report's
 * language, durations, dates and clock times. Internal to report/. All write to a FILE. */
#ifndef CU_REPORT_HTML_FMT_H
#define CU_REPORT_HTML_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pgtypes.h"
#include "report.h"

/* Escapes & < > " ' (text and attribute values alike: names and reasons come from FTP users). */
void cu_h_esc(FILE *out, const char *s);
/* 12345.678 with `dec` decimals: "12 345,68" (fr, narrow no-break space) or "12,345.68" (en). */
void cu_h_num(FILE *out, double v, int dec, cu_report_lang lang);
/* Seconds as "3 h 05" (or "12 min", "45 s" when shorter). */
void cu_h_dur(FILE *out, double s);
/* "2025-05-28" as "mer. 28/05" (fr) or "Wed 05-28" (en); with year when full. */
void cu_h_date(FILE *out, const char *iso, bool full, cu_report_lang lang);
/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
int64_t cu_h_days_from_civil(int y, int m, int d);
/* Minutes since 00:00 of day `jour` ("YYYY-MM-DD") of timestamp ts; NAN when unparsable. */
double cu_minutes_of(const char *ts, const char *jour);
/* Minutes (since 00:00) as a short SVG number: at most 2 decimals (0.6 s, a hundredth of a
 * pixel at any printable width), no trailing zeros. */
void cu_h_coord(FILE *out, double v);

#endif

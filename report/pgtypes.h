/* pgtypes.h — the PostgreSQL type OIDs report/ tells apart (pg_type.dat; stable across
 * versions), and the parsing of their text forms. Internal to report/. */
#ifndef CU_REPORT_PGTYPES_H
#define CU_REPORT_PGTYPES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CU_OID_INT8 = 20,
    CU_OID_INT2 = 21,
    CU_OID_INT4 = 23,
    CU_OID_FLOAT4 = 700,
    CU_OID_FLOAT8 = 701,
    CU_OID_NUMERIC = 1700,
    CU_OID_DATE = 1082,
    CU_OID_TIMESTAMP = 1114,
    CU_OID_TIMESTAMPTZ = 1184,
};

static inline bool cu_oid_number(unsigned oid)
{
    return oid == CU_OID_INT8 || oid == CU_OID_INT2 || oid == CU_OID_INT4 || oid == CU_OID_FLOAT4 ||
           oid == CU_OID_FLOAT8 || oid == CU_OID_NUMERIC;
}
static inline bool cu_oid_time(unsigned oid)
{
    return oid == CU_OID_DATE || oid == CU_OID_TIMESTAMP || oid == CU_OID_TIMESTAMPTZ;
}

/* "YYYY-MM-DD[ HH:MM:SS[.ffffff]][+TZ]" (PostgreSQL's ISO output) -> its fields; the zone, if
 * any, is ignored (values are shown in the session's zone). Returns false when it is not. */
typedef struct cu_ts {
    int year, month, day, hour, min;
    double sec;
} cu_ts;

/* Digits s[0..n-1] as a number, or -1 when one is not a digit. */
static inline int cu_ts_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* By hand rather than sscanf: the report parses two timestamps per drawn period, and sscanf
 * was a quarter of its CPU time on a month of 50 machines (perf, bench/report). */
static inline bool cu_ts_parse(const char *s, cu_ts *t)
{
    *t = (cu_ts){0};
    if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-') return false;
    t->year = cu_ts_digits(s, 4);
    t->month = cu_ts_digits(s + 5, 2);
    t->day = cu_ts_digits(s + 8, 2);
    if (t->year < 0 || t->month < 0 || t->day < 0) return false;
    if (s[10] == ' ' || s[10] == 'T') {
        const char *p = s + 11;
        if (strnlen(p, 6) < 6 || p[2] != ':' || p[5] != ':') return false;
        t->hour = cu_ts_digits(p, 2);
        t->min = cu_ts_digits(p + 3, 2);
        if (t->hour < 0 || t->min < 0 || p[6] < '0' || p[6] > '9') return false;
        t->sec = strtod(p + 6, NULL);
    }
    return true;
}

#endif

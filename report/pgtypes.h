/* pgtypes.h — the PostgreSQL type OIDs report/ tells apart (pg_type.dat; stable across
 * versions), and the parsing of their text forms. Internal to report/. */
#ifndef CU_REPORT_PGTYPES_H
#define CU_REPORT_PGTYPES_H

#include <stdbool.h>
#include <stdio.h>

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

static inline bool cu_ts_parse(const char *s, cu_ts *t)
{
    *t = (cu_ts){0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &t->year, &t->month, &t->day, &n) != 3 || n != 10) return false;
    if (s[10] == ' ' || s[10] == 'T') {
        if (sscanf(s + 11, "%2d:%2d:%lf", &t->hour, &t->min, &t->sec) != 3) return false;
    }
    return true;
}

#endif

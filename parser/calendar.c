/* calendar.c — proleptic Gregorian dates and wall-clock timestamps, without time zones.
 *
 * LOG timestamps are the machine's local wall-clock time and are stored as TIMESTAMP without
 * time zone, so cuwatch never converts them: it only validates them and does exact integer
 * arithmetic on them (µs since 1970-01-01T00:00:00 of that same naive calendar). The
 * day-count conversions are Howard Hinnant's civil-from-days algorithms. */
#include <inttypes.h>
#include <stdio.h>

#include "logfile.h"

static bool cu_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool cu_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    int max = mdays[m - 1] + (m == 2 && cu_leap(y));
    return d <= max;
}

int32_t cu_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cu_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t cu_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void cu_format_ts(char out[32], int64_t us, char sep)
{
    int64_t days = cu_floor_div(us, 86400 * CU_US_PER_S);
    int64_t rem = us - days * 86400 * CU_US_PER_S;
    int64_t secs = rem / CU_US_PER_S, frac = rem % CU_US_PER_S;
    int y, m, d;
    cu_civil_from_days((int32_t)days, &y, &m, &d);
    int n = snprintf(out, 32, "%04d-%02d-%02d%c%02d:%02d:%02d", y, m, d, sep, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    if (sep == ' ' && frac != 0 && n > 0 && n < 24) {
        char f[8];
        snprintf(f, sizeof f, "%06" PRId64, frac);
        int len = 6;
        while (len > 0 && f[len - 1] == '0')
            len--;
        f[len] = '\0';
        snprintf(out + n, (size_t)(32 - n), ".%s", f);
    }
}

void cu_format_date(char out[16], int32_t days)
{
    int y, m, d;
    cu_civil_from_days(days, &y, &m, &d);
    /* The ranges are stated so the compiler can see the output fits. */
    snprintf(out, 16, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

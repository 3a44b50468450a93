/* err.c — see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int cu_fail(cu_err *err, const char *fmt, ...)
{
    if (err) {
        err->sqlstate[0] = '\0';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

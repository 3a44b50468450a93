/* err.h — the error value that every fallible cuwatch function fills.
 *
 * Functions return 0 on success and -1 on failure, and on failure write a one-line message
 * into a caller-owned cu_err. Only main decides to exit. Messages follow PostgreSQL's style:
 * a short primary message that names the thing, e.g.
 *   DEM12 (PVC)/20250528.LOG:17: invalid timestamp "20250528 25:00:00"
 * No message may ever contain a password. */
#ifndef CU_ERR_H
#define CU_ERR_H

#include <stddef.h>

typedef struct cu_err {
    char msg[1024];
    char sqlstate[6]; /* PostgreSQL's SQLSTATE when the server refused ("" otherwise): lets
                         callers tell "read-only" or "lock timeout" from a broken query */
} cu_err;

/* Formats into err (which may be NULL) and returns -1, so callers can `return cu_fail(...)`. */
int cu_fail(cu_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

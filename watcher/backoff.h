/* backoff.h — capped exponential backoff for reconnecting to PostgreSQL (and re-finding a
 * missing root).
 *
 * The first retry waits base_ms, each next one twice as long, never more than cap_ms. A
 * success resets it. Plain value type, no allocation; the caller owns the clock. */
#ifndef CU_BACKOFF_H
#define CU_BACKOFF_H

#include <stdint.h>

typedef struct cu_backoff {
    int64_t base_ms;
    int64_t cap_ms;
    int64_t next_ms;   /* the delay the next failure will get */
    uint32_t failures; /* since the last reset */
} cu_backoff;

void cu_backoff_init(cu_backoff *b, int64_t base_ms, int64_t cap_ms);
/* Records a failure; returns how long to wait before the next attempt. */
int64_t cu_backoff_fail(cu_backoff *b);
void cu_backoff_reset(cu_backoff *b);

#endif

/* backoff.c — see backoff.h. No jitter: one daemon reconnects to one server, there is no
 * herd to spread out, and a deterministic schedule is easier to read in the log. */
#include "backoff.h"

void cu_backoff_init(cu_backoff *b, int64_t base_ms, int64_t cap_ms)
{
    if (base_ms < 1) base_ms = 1;
    if (cap_ms < base_ms) cap_ms = base_ms;
    b->base_ms = base_ms;
    b->cap_ms = cap_ms;
    cu_backoff_reset(b);
}

int64_t cu_backoff_fail(cu_backoff *b)
{
    int64_t d = b->next_ms;
    b->next_ms = d > b->cap_ms / 2 ? b->cap_ms : d * 2;
    b->failures++;
    return d;
}

void cu_backoff_reset(cu_backoff *b)
{
    b->next_ms = b->base_ms;
    b->failures = 0;
}

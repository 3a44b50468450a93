/* pending.h — the daemon's queue of files waiting to be ingested.
 *
 * A queue of paths (relative to the watched root) in arrival order, de-duplicated: adding a
 * path that is already queued keeps it where it is, so a burst of events for one file
 * (IN_CLOSE_WRITE after each of several writes, a rename after a write) coalesces into one
 * ingest, and files are still ingested in the order they first arrived.
 *
 * Each entry may carry a due time (monotonic milliseconds) before which it is not handed out,
 * and a "stamp" (size and mtime) the caller recorded when it deferred it. The daemon uses one
 * queue with due 0 for the work to do now, and a second for shrunken files waiting out
 * watch.settle (SPEC §4): the stamp tells it whether the file changed meanwhile.
 *
 * Ownership: the queue copies every path it is given and frees them; cu_pending_peek returns a
 * pointer into the queue that stays valid until the entry is removed or the queue freed.
 * Allocation failure aborts (see strbuf.h); nothing here fails otherwise. */
#ifndef CU_PENDING_H
#define CU_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cu_pending cu_pending;

typedef struct cu_pending_item {
    const char *path; /* owned by the queue */
    int64_t due_ms;   /* not handed out before this monotonic time; 0 = at once */
    int64_t size;     /* stamp recorded by cu_pending_defer, else -1 */
    int64_t mtime_ns;
} cu_pending_item;

cu_pending *cu_pending_new(void);
void cu_pending_free(cu_pending *q);

/* Queues path for now, at the end; when it is already queued it keeps its place and becomes
 * due at once. Returns true when the path was not queued before. */
bool cu_pending_add(cu_pending *q, const char *path);

/* Queues path with a due time and stamp, or updates them when it is already queued (keeping
 * its place). */
void cu_pending_defer(cu_pending *q, const char *path, int64_t due_ms, int64_t size,
                      int64_t mtime_ns);

/* The first entry, in arrival order, that is due at now_ms; NULL when none. */
const cu_pending_item *cu_pending_peek(const cu_pending *q, int64_t now_ms);
/* The entry for path, or NULL. */
const cu_pending_item *cu_pending_find(const cu_pending *q, const char *path);
/* Removes path; returns false when it was not queued. */
bool cu_pending_remove(cu_pending *q, const char *path);

/* The earliest due time of any entry; INT64_MAX when the queue is empty. */
int64_t cu_pending_next_due(const cu_pending *q);
size_t cu_pending_len(const cu_pending *q);

#endif

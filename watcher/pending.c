/* pending.c — see pending.h.
 *
 * A doubly-linked list keeps arrival order; a chained hash table on the path finds an entry in
 * O(1), so de-duplication stays cheap when a burst queues thousands of files. Peek walks the
 * list from the head: entries due at once are found immediately, and only the settle queue,
 * which holds a handful of shrunken files, ever has entries that are not due. */
#include "pending.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct cu_pnode {
    cu_pending_item item;
    struct cu_pnode *prev, *next; /* arrival order */
    struct cu_pnode *chain;       /* hash bucket */
    uint64_t hash;
} cu_pnode;

struct cu_pending {
    cu_pnode *head, *tail;
    cu_pnode **buckets;
    size_t nbuckets; /* a power of two */
    size_t len;
};

static uint64_t cu_pending_hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

cu_pending *cu_pending_new(void)
{
    cu_pending *q = cu_xcalloc(1, sizeof *q);
    q->nbuckets = 64;
    q->buckets = cu_xcalloc(q->nbuckets, sizeof *q->buckets);
    return q;
}

void cu_pending_free(cu_pending *q)
{
    if (!q) return;
    for (cu_pnode *n = q->head, *next; n; n = next) {
        next = n->next;
        free((char *)n->item.path);
        free(n);
    }
    free(q->buckets);
    free(q);
}

static cu_pnode *cu_pending_lookup(const cu_pending *q, const char *path, uint64_t h)
{
    for (cu_pnode *n = q->buckets[h & (q->nbuckets - 1)]; n; n = n->chain)
        if (n->hash == h && strcmp(n->item.path, path) == 0) return n;
    return NULL;
}

static void cu_pending_grow(cu_pending *q)
{
    size_t nb = q->nbuckets * 2;
    cu_pnode **b = cu_xcalloc(nb, sizeof *b);
    for (cu_pnode *n = q->head; n; n = n->next) {
        n->chain = b[n->hash & (nb - 1)];
        b[n->hash & (nb - 1)] = n;
    }
    free(q->buckets);
    q->buckets = b;
    q->nbuckets = nb;
}

/* Returns the entry for path, appending a new one (due at once, no stamp) when missing. */
static cu_pnode *cu_pending_get(cu_pending *q, const char *path, bool *added)
{
    uint64_t h = cu_pending_hash(path);
    cu_pnode *n = cu_pending_lookup(q, path, h);
    *added = n == NULL;
    if (n) return n;
    if (q->len >= q->nbuckets) cu_pending_grow(q);
    n = cu_xcalloc(1, sizeof *n);
    n->item.path = cu_xstrdup(path);
    n->item.size = -1;
    n->item.mtime_ns = -1;
    n->hash = h;
    n->chain = q->buckets[h & (q->nbuckets - 1)];
    q->buckets[h & (q->nbuckets - 1)] = n;
    n->prev = q->tail;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->len++;
    return n;
}

bool cu_pending_add(cu_pending *q, const char *path)
{
    bool added;
    cu_pnode *n = cu_pending_get(q, path, &added);
    n->item.due_ms = 0;
    return added;
}

void cu_pending_defer(cu_pending *q, const char *path, int64_t due_ms, int64_t size,
                      int64_t mtime_ns)
{
    bool added;
    cu_pnode *n = cu_pending_get(q, path, &added);
    n->item.due_ms = due_ms;
    n->item.size = size;
    n->item.mtime_ns = mtime_ns;
}

const cu_pending_item *cu_pending_peek(const cu_pending *q, int64_t now_ms)
{
    for (cu_pnode *n = q->head; n; n = n->next)
        if (n->item.due_ms <= now_ms) return &n->item;
    return NULL;
}

const cu_pending_item *cu_pending_find(const cu_pending *q, const char *path)
{
    cu_pnode *n = cu_pending_lookup(q, path, cu_pending_hash(path));
    return n ? &n->item : NULL;
}

bool cu_pending_remove(cu_pending *q, const char *path)
{
    uint64_t h = cu_pending_hash(path);
    cu_pnode **pp = &q->buckets[h & (q->nbuckets - 1)];
    while (*pp && !((*pp)->hash == h && strcmp((*pp)->item.path, path) == 0))
        pp = &(*pp)->chain;
    cu_pnode *n = *pp;
    if (!n) return false;
    *pp = n->chain;
    if (n->prev)
        n->prev->next = n->next;
    else
        q->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        q->tail = n->prev;
    q->len--;
    free((char *)n->item.path);
    free(n);
    return true;
}

int64_t cu_pending_next_due(const cu_pending *q)
{
    int64_t due = INT64_MAX;
    for (cu_pnode *n = q->head; n; n = n->next) {
        if (n->item.due_ms < due) due = n->item.due_ms;
        if (due == 0) break;
    }
    return due;
}

size_t cu_pending_len(const cu_pending *q)
{
    return q->len;
}

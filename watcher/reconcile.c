/* reconcile.c — see reconcile.h. */
#include "reconcile.h"

#include <string.h>

typedef struct cu_rec_ctx {
    const cu_registry *reg;
    cu_pending *queue, *covered;
    cu_reconcile_stats *stats;
} cu_rec_ctx;

static void cu_rec_file(void *ctx, const char *rel, const struct stat *st)
{
    cu_rec_ctx *c = ctx;
    c->stats->seen++;
    const cu_registry_entry *e = cu_registry_find(c->reg, rel);
    int64_t mtime_us = (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
    if (e && e->taille == (int64_t)st->st_size && e->mtime_us == mtime_us &&
        strcmp(e->statut, "erreur") != 0)
        return;
    cu_pending_add(c->queue, rel);
    c->stats->queued++;
    if (c->covered) cu_pending_add(c->covered, rel);
}

int cu_reconcile(const char *root, const cu_scan_rules *rules, const cu_registry *reg,
                 cu_pending *queue, cu_pending *covered, cu_reconcile_stats *stats, cu_err *err)
{
    memset(stats, 0, sizeof *stats);
    cu_rec_ctx c = {.reg = reg, .queue = queue, .covered = covered, .stats = stats};
    cu_scan_visitor v = {.on_file = cu_rec_file, .ctx = &c};
    return cu_scan_walk(root, "", 0, rules, &v, err);
}

/* reconcile.c — see reconcile.h. */
#include "reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct cu_rec_ctx {
    const cu_registry *reg;
    cu_pending *queue, *covered;
    cu_reconcile_stats *stats;
    bool *on_disk; /* per registry entry, when moved files are looked for */
} cu_rec_ctx;

static void cu_rec_file(void *ctx, const char *rel, const struct stat *st)
{
    cu_rec_ctx *c = ctx;
    c->stats->seen++;
    const cu_registry_entry *e = cu_registry_find(c->reg, rel);
    if (e && c->on_disk) c->on_disk[e - c->reg->entries] = true;
    int64_t mtime_us = (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
    if (e && e->taille == (int64_t)st->st_size && e->mtime_us == mtime_us &&
        strcmp(e->statut, "erreur") != 0)
        return;
    cu_pending_add(c->queue, rel);
    c->stats->queued++;
    if (c->covered) cu_pending_add(c->covered, rel);
}

static int cu_rec_cmp_hash(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rows not on disk whose content hash is that of a row on disk (neither in error). */
static void cu_rec_moved(const cu_registry *reg, const bool *on_disk, cu_pending *moved)
{
    const char **present = cu_xcalloc(reg->n + 1, sizeof *present);
    size_t n = 0;
    for (size_t i = 0; i < reg->n; i++)
        if (on_disk[i] && reg->entries[i].empreinte[0] &&
            strcmp(reg->entries[i].statut, "erreur") != 0)
            present[n++] = reg->entries[i].empreinte;
    qsort(present, n, sizeof *present, cu_rec_cmp_hash);
    for (size_t i = 0; i < reg->n; i++) {
        const cu_registry_entry *e = &reg->entries[i];
        if (on_disk[i] || !e->empreinte[0] || strcmp(e->statut, "erreur") == 0) continue;
        const char *key = e->empreinte;
        if (n && bsearch(&key, present, n, sizeof *present, cu_rec_cmp_hash))
            cu_pending_add(moved, e->chemin);
    }
    free(present);
}

int cu_reconcile(const char *root, const cu_scan_rules *rules, const cu_registry *reg,
                 cu_pending *queue, cu_pending *covered, cu_pending *moved,
                 cu_reconcile_stats *stats, cu_err *err)
{
    memset(stats, 0, sizeof *stats);
    cu_rec_ctx c = {.reg = reg, .queue = queue, .covered = covered, .stats = stats};
    if (moved) c.on_disk = cu_xcalloc(reg->n + 1, sizeof *c.on_disk);
    cu_scan_visitor v = {.on_file = cu_rec_file, .ctx = &c};
    int rc = cu_scan_walk(root, "", 0, rules, &v, err);
    if (rc == 0 && moved) cu_rec_moved(reg, c.on_disk, moved);
    free(c.on_disk);
    return rc;
}

/* reconcile.h — reconciliation (SPEC §4): the files on disk against the registry.
 *
 * Every matching file under the root whose size or modification time differs from its
 * fichier_log row (or that has no row, or whose last ingest ended in error) is queued for
 * ingestion. Nothing is read or hashed here: cu_db_ingest hashes a queued file and skips it
 * when its content did not change, so a file merely touched costs one read, and an untouched
 * one costs one fstatat(2). This is what runs at start-up, after a reconnect or a lost event,
 * on SIGHUP and on the watch.reconcile_every timer.
 *
 * Ownership: everything is the caller's; the function keeps nothing. */
#ifndef CU_RECONCILE_H
#define CU_RECONCILE_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "pending.h"
#include "scan.h"

typedef struct cu_reconcile_stats {
    size_t seen;   /* matching regular files on disk */
    size_t queued; /* of which to be ingested (newly queued, or already in the queue) */
} cu_reconcile_stats;

/* Returns -1 when the root cannot be listed. covered (may be NULL) receives every path counted
 * in stats->queued, so the caller can tell when the reconciliation's own files are done: its
 * summary then adds up (seen = queued + the files found unchanged by size and mtime).
 * moved (may be NULL) receives the registry paths whose files were not found while the same
 * content (empreinte) is recorded at a path that was: files that moved and whose old row a
 * race left behind (see db/moves.c, cu_db_forget_moved). */
int cu_reconcile(const char *root, const cu_scan_rules *rules, const cu_registry *reg,
                 cu_pending *queue, cu_pending *covered, cu_pending *moved,
                 cu_reconcile_stats *stats, cu_err *err);

#endif

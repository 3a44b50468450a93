/* scan.h — which files under the root are LOG files, and walking the root to find them.
 *
 * SPEC §1: a file is ingested when its name matches watch.pattern (fnmatch(3), case-sensitive)
 * and it lies watch.depth folders below the root; its parent is its machine folder. Files in
 * the root, deeper or shallower files, symlinks and anything that is not a regular file are
 * ignored, each with a debug-level log line.
 *
 * Paths are relative to the root: "" is the root itself, "DEM12 (PVC)" a machine folder,
 * "DEM12 (PVC)/20250528.LOG" a file. Folder levels count from the root (level 0), so files are
 * taken from folders at level == depth and folders are walked down to that level.
 *
 * The walk never follows symlinks and never writes anything. */
#ifndef CU_SCAN_H
#define CU_SCAN_H

#include <stdbool.h>
#include <sys/stat.h>

#include "err.h"

typedef struct cu_scan_rules {
    const char *pattern; /* fnmatch pattern on the file name */
    int depth;           /* folders between the root and the file */
} cu_scan_rules;

/* Whether rel (a root-relative file path) has the right depth and a matching name; no I/O.
 * When it does not, *why (if not NULL) says why, for the debug log line. */
bool cu_scan_match(const cu_scan_rules *rules, const char *rel, const char **why);

/* lstat(2)s root/rel and checks that it is a regular file (symlinks are not). Returns 0 and
 * fills *st; -1 with *why set when it is missing or not a regular file. */
int cu_scan_stat(const char *root, const char *rel, struct stat *st, const char **why);

/* The debug-level line for a path that is not a LOG file (SPEC §1), with the reason; a warn
 * line for a matching file outside any machine folder (an upload into the root). */
void cu_scan_ignored(const char *rel, const char *why);

typedef struct cu_scan_visitor {
    /* Called for each folder, before its entries are read, so a watch added here sees
     * every file that lands after the listing started. Returns 0 to go on, -1 to skip the
     * folder (e.g. when it cannot be watched). May be NULL. */
    int (*on_dir)(void *ctx, const char *rel, int level);
    /* Called for each matching regular file. May be NULL. */
    void (*on_file)(void *ctx, const char *rel, const struct stat *st);
    /* Called for a sub-folder that cannot be listed, with the message; the walk goes on.
     * May be NULL: the message is then logged as a warning. */
    void (*on_error)(void *ctx, const char *rel, const char *msg);
    void *ctx;
} cu_scan_visitor;

/* Walks root/rel (a folder at the given level) and everything below it down to the machine
 * folders. Returns -1 only when root/rel itself cannot be opened; unreadable sub-folders are
 * logged and skipped. */
int cu_scan_walk(const char *root, const char *rel, int level, const cu_scan_rules *rules,
                 const cu_scan_visitor *v, cu_err *err);

#endif

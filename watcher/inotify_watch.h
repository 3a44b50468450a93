/* inotify_watch.h — the inotify side of the daemon (SPEC §4): watches on the root and on every
 * folder down to the machine folders, translated into three things the daemon acts on.
 *
 *   CU_IW_FILE       a matching file was closed after writing (IN_CLOSE_WRITE, as vsftpd
 *                    writes in place) or renamed into a machine folder (IN_MOVED_TO), or was
 *                    found in a folder that just appeared. rel is its root-relative path.
 *   CU_IW_ATTRIB     a matching file's attributes changed (IN_ATTRIB: chmod, chown, touch).
 *                    Not a new upload: the daemon retries a file it could not read, at once.
 *   CU_IW_RESCAN     events were lost: the kernel queue overflowed (IN_Q_OVERFLOW). The
 *                    daemon re-attaches and reconciles the whole root.
 *   CU_IW_ROOT_LOST  the root was removed, moved away or unmounted. All watches are dropped;
 *                    the daemon calls cu_iw_attach again later (with backoff) and reconciles.
 *
 * A folder created (or moved in) later is watched at once and then listed, so a file that
 * landed before its watch existed is still reported. A folder that cannot be watched because
 * the user's watch limit is reached (ENOSPC, fs.inotify.max_user_watches) is still listed and
 * marks the watcher incomplete: cu_iw_complete() turns false, and the daemon falls back to
 * periodic full rescans until a re-attach succeeds; this holds for the root's own watch too (the
 * root is listed and attached, only unwatched). A folder removed or moved away loses its
 * watches. Every folder is watched with IN_DONT_FOLLOW and nothing is ever written.
 *
 * Ownership: cu_iw_init fills a caller-owned cu_iw (copying root and rules); cu_iw_free
 * releases it. rel pointers given to the callback are valid during the call only.
 * Errors: cu_iw_init fails only when inotify itself is unavailable; cu_iw_attach fails when
 * the root cannot be watched (missing, not a folder), with the reason in err, but not for the
 * watch limit (see above). */
#ifndef CU_INOTIFY_WATCH_H
#define CU_INOTIFY_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/inotify.h>

#include "err.h"
#include "scan.h"

typedef enum { CU_IW_FILE, CU_IW_ATTRIB, CU_IW_RESCAN, CU_IW_ROOT_LOST } cu_iw_kind;

typedef void (*cu_iw_cb)(void *ctx, cu_iw_kind kind, const char *rel);

typedef struct cu_iw_entry {
    int wd;
    int level; /* 0 = root */
    char *rel; /* "" for the root */
} cu_iw_entry;

typedef struct cu_iw {
    int fd; /* the inotify descriptor, non-blocking: poll it, then call cu_iw_read */
    char *root;
    char *pattern;
    cu_scan_rules rules;
    cu_iw_entry *watches; /* sorted by wd */
    size_t n_watches, cap_watches;
    bool attached;   /* the root is watched (false with incomplete: the limit hit the root) */
    bool incomplete; /* some folder could not be watched (ENOSPC) since the last attach */
    bool quiet;      /* during cu_iw_attach: files found are not reported */
    bool new_folder; /* walking a folder just created: its empty files are still uploading */
    int root_errno;  /* why the root could not be watched */
    cu_iw_cb cb;
    void *ctx;
} cu_iw;

int cu_iw_init(cu_iw *iw, const char *root, const cu_scan_rules *rules, cu_iw_cb cb, void *ctx,
               cu_err *err);
void cu_iw_free(cu_iw *iw);

/* Drops any watch, then watches the root and every folder below it down to the machine
 * folders. Files already there are NOT reported: the daemon reconciles them against the
 * registry right after (so an unchanged file is not even read). */
int cu_iw_attach(cu_iw *iw, cu_err *err);
/* Drops every watch (the root is then unwatched until the next cu_iw_attach). */
void cu_iw_detach(cu_iw *iw);
/* True when attached and every folder is watched. */
bool cu_iw_complete(const cu_iw *iw);

/* Reads and handles every event available on iw->fd without blocking. Returns -1 only on a
 * read error other than EAGAIN. */
int cu_iw_read(cu_iw *iw, cu_err *err);
/* Handles one event as read from the descriptor (exposed so tests can feed synthetic ones,
 * such as IN_Q_OVERFLOW). */
void cu_iw_handle(cu_iw *iw, const struct inotify_event *ev);

#endif

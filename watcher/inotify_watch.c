/* inotify_watch.c — see inotify_watch.h.
 *
 * The watch table maps a watch descriptor to the folder it watches (its root-relative path and
 * level). The kernel hands out descriptors in increasing order, so appending usually keeps the
 * table sorted; insertion still goes through a binary search so a wrap-around or a re-used
 * descriptor cannot break lookups.
 *
 * Folders above the machine folders only need to tell us about new, moved and removed
 * sub-folders; machine folders only about files written or renamed into them. Asking for
 * nothing more keeps the kernel queue short during a burst of uploads. */
#include "inotify_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"

#define CU_IW_SELF (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)
#define CU_IW_MASK_TREE (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | CU_IW_SELF)
/* IN_ATTRIB: a file that could not be read (0600, another owner) and is then fixed with chmod
 * changes nothing else; without it the fix goes unnoticed until the next retry. */
#define CU_IW_MASK_MACHINE (IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_EXCL_UNLINK | CU_IW_SELF)

int cu_iw_init(cu_iw *iw, const char *root, const cu_scan_rules *rules, cu_iw_cb cb, void *ctx,
               cu_err *err)
{
    memset(iw, 0, sizeof *iw);
    iw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (iw->fd < 0) return cu_fail(err, "could not start inotify: %s", strerror(errno));
    iw->root = cu_xstrdup(root);
    iw->pattern = cu_xstrdup(rules->pattern);
    iw->rules.pattern = iw->pattern;
    iw->rules.depth = rules->depth;
    iw->cb = cb;
    iw->ctx = ctx;
    return 0;
}

static void cu_iw_drop_all(cu_iw *iw)
{
    for (size_t i = 0; i < iw->n_watches; i++)
        free(iw->watches[i].rel);
    iw->n_watches = 0;
}

void cu_iw_free(cu_iw *iw)
{
    cu_iw_drop_all(iw);
    free(iw->watches);
    if (iw->fd >= 0) close(iw->fd);
    free(iw->root);
    free(iw->pattern);
    memset(iw, 0, sizeof *iw);
    iw->fd = -1;
}

/* Index of wd in the table, or where it would go (with *found false). */
static size_t cu_iw_search(const cu_iw *iw, int wd, bool *found)
{
    size_t lo = 0, hi = iw->n_watches;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (iw->watches[mid].wd < wd)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < iw->n_watches && iw->watches[lo].wd == wd;
    return lo;
}

static void cu_iw_remove_at(cu_iw *iw, size_t i)
{
    free(iw->watches[i].rel);
    memmove(&iw->watches[i], &iw->watches[i + 1], (iw->n_watches - i - 1) * sizeof iw->watches[0]);
    iw->n_watches--;
}

static void cu_iw_set(cu_iw *iw, int wd, int level, const char *rel)
{
    bool found;
    size_t i = cu_iw_search(iw, wd, &found);
    if (found) { /* the same folder seen again (e.g. on a re-walk): refresh its path */
        free(iw->watches[i].rel);
    } else {
        if (iw->n_watches == iw->cap_watches) {
            iw->cap_watches = iw->cap_watches ? iw->cap_watches * 2 : 16;
            iw->watches = cu_xrealloc(iw->watches, iw->cap_watches * sizeof iw->watches[0]);
        }
        memmove(&iw->watches[i + 1], &iw->watches[i], (iw->n_watches - i) * sizeof iw->watches[0]);
        iw->n_watches++;
    }
    iw->watches[i] = (cu_iw_entry){.wd = wd, .level = level, .rel = cu_xstrdup(rel)};
}

/* Forgets the folder rel and every folder below it, removing their watches. */
static void cu_iw_forget_tree(cu_iw *iw, const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i < iw->n_watches;) {
        const char *r = iw->watches[i].rel;
        if (strncmp(r, rel, n) == 0 && (r[n] == '\0' || r[n] == '/')) {
            inotify_rm_watch(iw->fd, iw->watches[i].wd); /* may already be gone: fine */
            cu_iw_remove_at(iw, i);
        } else {
            i++;
        }
    }
}

/* The scan visitor: a watch on each folder before it is listed. */
static int cu_iw_on_dir(void *ctx, const char *rel, int level)
{
    cu_iw *iw = ctx;
    cu_sb path = {0};
    cu_sb_printf(&path, "%s%s%s", iw->root, *rel ? "/" : "", rel);
    uint32_t mask = level < iw->rules.depth ? CU_IW_MASK_TREE : CU_IW_MASK_MACHINE;
    mask |= IN_ONLYDIR;
    if (level > 0) mask |= IN_DONT_FOLLOW; /* the root itself may be a symlink */
    int wd = inotify_add_watch(iw->fd, path.data, mask);
    int e = errno;
    cu_sb_free(&path);
    if (wd < 0) {
        if (level == 0 && e != ENOSPC) {
            iw->root_errno = e; /* cu_iw_attach reports it */
            return -1;
        }
        if (e == ENOSPC) {
            /* The user's watch limit: files landing here later would go unseen. The daemon
             * sees cu_iw_complete() false, says so once, and rescans until it can watch.
             * Even the root's own watch: the root is there, it is only not watched. */
            iw->incomplete = true;
        } else if (e != ENOENT && e != ENOTDIR) {
            cu_log_field f[] = {CU_LF_STR("path", rel), CU_LF_STR("error", strerror(e))};
            cu_log_fields(CU_LOG_WARN, "could not watch folder", f, 2);
        }
        /* Still list it: what is there now gets ingested. */
        return 0;
    }
    cu_iw_set(iw, wd, level, rel);
    if (level == 0) iw->attached = true;
    return 0;
}

static void cu_iw_on_file(void *ctx, const char *rel, const struct stat *st)
{
    cu_iw *iw = ctx;
    if (iw->quiet) return;
    /* In a folder that was just created, an empty file is an upload that has only begun (the
     * FTP client's MKD then STOR): its IN_CLOSE_WRITE, now watched, brings it. Queued now it
     * would be read empty and recorded rejected, then ingested again. */
    if (iw->new_folder && st && st->st_size == 0) {
        cu_log_field f[] = {CU_LF_STR("path", rel)};
        cu_log_fields(CU_LOG_DEBUG, "empty file in a new folder: awaiting its close", f, 1);
        return;
    }
    iw->cb(iw->ctx, CU_IW_FILE, rel);
}

static int cu_iw_walk(cu_iw *iw, const char *rel, int level, cu_err *err)
{
    cu_scan_visitor v = {.on_dir = cu_iw_on_dir, .on_file = cu_iw_on_file, .ctx = iw};
    return cu_scan_walk(iw->root, rel, level, &iw->rules, &v, err);
}

int cu_iw_attach(cu_iw *iw, cu_err *err)
{
    cu_iw_detach(iw);
    iw->incomplete = false;
    iw->root_errno = 0;
    struct stat st;
    if (stat(iw->root, &st) != 0)
        return cu_fail(err, "could not watch root \"%s\": %s", iw->root, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return cu_fail(err, "could not watch root \"%s\": not a folder", iw->root);
    cu_err werr;
    iw->quiet = true; /* the daemon reconciles after attaching; no need to queue every file */
    int rc = cu_iw_walk(iw, "", 0, &werr);
    iw->quiet = false;
    if (rc != 0 || (!iw->attached && !iw->incomplete)) {
        bool listed = iw->attached || iw->incomplete; /* else the root's own watch failed */
        cu_iw_detach(iw);
        return cu_fail(err, "could not watch root \"%s\": %s", iw->root,
                       listed ? werr.msg : strerror(iw->root_errno));
    }
    return 0;
}

void cu_iw_detach(cu_iw *iw)
{
    for (size_t i = 0; i < iw->n_watches; i++)
        inotify_rm_watch(iw->fd, iw->watches[i].wd);
    cu_iw_drop_all(iw);
    iw->attached = false;
}

bool cu_iw_complete(const cu_iw *iw)
{
    return iw->attached && !iw->incomplete;
}

static void cu_iw_root_lost(cu_iw *iw, const char *how)
{
    cu_sb msg = {0};
    cu_sb_printf(&msg, "root %s; waiting for it to come back", how);
    cu_log_field f[] = {CU_LF_STR("root", iw->root)};
    cu_log_fields(CU_LOG_ERROR, msg.data, f, 1);
    cu_sb_free(&msg);
    cu_iw_detach(iw);
    iw->cb(iw->ctx, CU_IW_ROOT_LOST, "");
}

void cu_iw_handle(cu_iw *iw, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        cu_log(CU_LOG_WARN, "inotify queue overflowed: events were lost; rescanning \"%s\"",
               iw->root);
        iw->cb(iw->ctx, CU_IW_RESCAN, "");
        return;
    }
    bool found;
    size_t idx = cu_iw_search(iw, ev->wd, &found);
    if (!found) return; /* a watch already forgotten (its IN_IGNORED, late events) */
    cu_iw_entry *e = &iw->watches[idx];

    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED)) {
        if (e->level == 0) {
            cu_iw_root_lost(iw, ev->mask & IN_MOVE_SELF ? "was moved away" : "was removed");
            return;
        }
        /* A folder moved within the root keeps its watch but not its path: forget it (its
         * new name, if still under the root, arrives as IN_MOVED_TO and is watched anew). */
        char *rel = cu_xstrdup(e->rel);
        cu_log_field f[] = {CU_LF_STR("path", rel)};
        cu_log_fields(CU_LOG_INFO,
                      ev->mask & IN_MOVE_SELF ? "folder was moved" : "folder was removed", f, 1);
        cu_iw_forget_tree(iw, rel);
        free(rel);
        return;
    }
    if (ev->len == 0 || ev->name[0] == '\0') return;

    cu_sb rel = {0};
    cu_sb_printf(&rel, "%s%s%s", e->rel, *e->rel ? "/" : "", ev->name);
    int level = e->level;
    if (ev->mask & IN_ISDIR) {
        if (ev->mask & IN_MOVED_FROM) {
            cu_iw_forget_tree(iw, rel.data);
        } else if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && level < iw->rules.depth) {
            cu_err err;
            iw->new_folder = true;
            int walked = cu_iw_walk(iw, rel.data, level + 1, &err);
            iw->new_folder = false;
            if (walked != 0) {
                cu_log(CU_LOG_DEBUG, "%s", err.msg); /* gone again already */
            } else {
                /* Said once it is watched and scanned: what arrives after this line is
                 * seen by its own events only. */
                cu_log_field f[] = {CU_LF_STR("path", rel.data)};
                cu_log_fields(CU_LOG_INFO, "new folder", f, 1);
            }
        }
    } else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
        const char *why;
        if (cu_scan_match(&iw->rules, rel.data, &why)) {
            iw->cb(iw->ctx, CU_IW_FILE, rel.data);
        } else {
            cu_scan_ignored(rel.data, why);
        }
    } else if (ev->mask & IN_ATTRIB) {
        /* Quietly ignored when not a LOG file: attribute changes are no uploads. */
        if (cu_scan_match(&iw->rules, rel.data, NULL)) iw->cb(iw->ctx, CU_IW_ATTRIB, rel.data);
    }
    cu_sb_free(&rel);
}

int cu_iw_read(cu_iw *iw, cu_err *err)
{
    /* Aligned for struct inotify_event, large enough for many events per read(2). */
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(iw->fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EAGAIN) return 0;
            if (errno == EINTR) continue;
            return cu_fail(err, "could not read inotify events: %s", strerror(errno));
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            cu_iw_handle(iw, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

/* scan.c — see scan.h. */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"

/* A file that matches the pattern but lies above the machine folders (an FTP client that
 * uploaded into the root): a misconfigured machine, not noise, so it is logged at warn. */
static const char cu_scan_misplaced[] =
    "matches the pattern but is not in a machine folder (<root>/<machine folder>/<file>)";

bool cu_scan_match(const cu_scan_rules *rules, const char *rel, const char **why)
{
    const char *why_dummy;
    if (!why) why = &why_dummy;
    int slashes = 0;
    const char *base = rel;
    for (const char *p = rel; *p; p++)
        if (*p == '/') {
            slashes++;
            base = p + 1;
        }
    if (slashes != rules->depth) {
        if (slashes < rules->depth && fnmatch(rules->pattern, base, FNM_PERIOD) == 0)
            *why = cu_scan_misplaced;
        else
            *why = slashes < rules->depth ? "not in a machine folder" : "below a machine folder";
        return false;
    }
    /* FNM_PERIOD: like the shell, "*.LOG" does not match a hidden ".x.LOG", which is what
     * FTP clients commonly use as the temporary name of an upload renamed when complete. */
    if (fnmatch(rules->pattern, base, FNM_PERIOD) != 0) {
        *why = "name does not match the pattern";
        return false;
    }
    return true;
}

int cu_scan_stat(const char *root, const char *rel, struct stat *st, const char **why)
{
    cu_sb path = {0};
    cu_sb_printf(&path, "%s/%s", root, rel);
    int rc = lstat(path.data, st);
    cu_sb_free(&path);
    if (rc != 0) {
        *why = errno == ENOENT ? "gone" : "cannot be read";
        return -1;
    }
    if (S_ISLNK(st->st_mode)) {
        *why = "a symbolic link";
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        *why = "not a regular file";
        return -1;
    }
    return 0;
}

void cu_scan_ignored(const char *rel, const char *why)
{
    cu_log_level level = why == cu_scan_misplaced ? CU_LOG_WARN : CU_LOG_DEBUG;
    if (cu_log_enabled(level)) {
        cu_log_field f[] = {CU_LF_STR("path", rel), CU_LF_STR("reason", why)};
        cu_log_fields(level, "ignored", f, 2);
    }
}

static int cu_scan_dir(const char *root, cu_sb *rel, int level, const cu_scan_rules *rules,
                       const cu_scan_visitor *v, cu_err *err)
{
    if (v->on_dir && v->on_dir(v->ctx, rel->data, level) != 0) return 0;
    cu_sb path = {0};
    cu_sb_printf(&path, "%s%s%s", root, rel->len ? "/" : "", rel->data);
    int fd = open(path.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (level ? O_NOFOLLOW : 0));
    if (fd < 0) {
        int e = errno;
        cu_sb_free(&path);
        return cu_fail(err, "could not open folder \"%s\": %s", rel->len ? rel->data : root,
                       strerror(e));
    }
    cu_sb_free(&path);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return cu_fail(err, "could not read folder \"%s\": %s", rel->data, strerror(errno));
    }
    size_t keep = rel->len;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        rel->len = keep;
        if (keep) cu_sb_putc(rel, '/');
        cu_sb_puts(rel, de->d_name);
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; /* gone */
        if (S_ISDIR(st.st_mode) && level < rules->depth) {
            cu_err sub;
            if (cu_scan_dir(root, rel, level + 1, rules, v, &sub) != 0) {
                if (v->on_error)
                    v->on_error(v->ctx, rel->data, sub.msg);
                else
                    cu_log(CU_LOG_WARN, "%s", sub.msg);
            }
            continue;
        }
        const char *why = NULL;
        if (S_ISDIR(st.st_mode))
            why = "a folder below a machine folder";
        else if (!cu_scan_match(rules, rel->data, &why))
            ;
        else if (S_ISLNK(st.st_mode))
            why = "a symbolic link";
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        if (why) {
            cu_scan_ignored(rel->data, why);
            continue;
        }
        if (v->on_file) v->on_file(v->ctx, rel->data, &st);
    }
    rel->len = keep;
    if (rel->data) rel->data[keep] = '\0';
    closedir(d);
    return 0;
}

int cu_scan_walk(const char *root, const char *rel, int level, const cu_scan_rules *rules,
                 const cu_scan_visitor *v, cu_err *err)
{
    cu_sb r = {0};
    cu_sb_puts(&r, rel);
    int rc = cu_scan_dir(root, &r, level, rules, v, err);
    cu_sb_free(&r);
    return rc;
}

/* cmd_db.c — the one-shot database commands of SPEC §5: --rescan [--force], --migrate, --check.
 *
 * --rescan walks the root for files matching the pattern exactly `depth` folders down
 * (watcher/scan.c: regular files only; symlinks are never followed), ingests each through db/
 * (which skips unchanged content by its hash), logs one line per file and a summary, and shows
 * progress when stderr is a terminal. A lost connection is retried once; if the database stays away
 * the rescan stops and exits 3.
 *
 * The database does most of the work of an ingest (the COPY of the detail rows), so while it
 * commits one file a second thread reads, hashes and parses the next one (cu_ingest_prepare
 * touches neither the connection nor any shared state): the client's own time disappears
 * behind the server's. */
#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "db.h"
#include "log.h"
#include "scan.h"
#include "strbuf.h"

/* ---- Walking the root ------------------------------------------------------------------ */

typedef struct cu_paths {
    char **v;
    size_t n, cap;
} cu_paths;

static void cu_paths_add(cu_paths *p, char *s)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->v = cu_xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = s;
}

static void cu_paths_free(cu_paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
}

static int cu_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk is the daemon's (watcher/scan.c), so --rescan and the daemon agree on which files
 * are LOG files. A machine folder that cannot be listed is an error of the rescan. */
typedef struct cu_listing {
    cu_paths *paths;
    int *errors;
} cu_listing;

static void cu_list_file(void *ctx, const char *rel, const struct stat *st)
{
    (void)st;
    cu_paths_add(((cu_listing *)ctx)->paths, cu_xstrdup(rel));
}

static void cu_list_error(void *ctx, const char *rel, const char *msg)
{
    (void)rel;
    cu_log(CU_LOG_ERROR, "%s", msg);
    (*((cu_listing *)ctx)->errors)++;
}

static int cu_list_root(const cu_config *cfg, cu_paths *out, int *errors)
{
    cu_listing l = {out, errors};
    cu_scan_rules rules = {.pattern = cfg->pattern, .depth = cfg->depth};
    cu_scan_visitor v = {.on_file = cu_list_file, .on_error = cu_list_error, .ctx = &l};
    cu_err err;
    if (cu_scan_walk(cfg->root, "", 0, &rules, &v, &err) != 0) {
        cu_log(CU_LOG_ERROR, "root %s: %s", cfg->root, err.msg);
        return -1;
    }
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cu_cmp_str); /* v is NULL when empty */
    return 0;
}

/* ---- Connecting ------------------------------------------------------------------------ */

static int cu_exit_for(cu_db_conn_error why)
{
    return why == CU_DB_CONN_CONFIG ? CU_EXIT_USAGE : CU_EXIT_NODB;
}

static cu_db *cu_connect_migrate(const cu_config *cfg, int *exit_code)
{
    cu_err err;
    cu_db_conn_error why;
    cu_db *db = cu_db_connect(cfg, &why, &err);
    if (!db) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        *exit_code = cu_exit_for(why);
        return NULL;
    }
    /* A read-only server (a standby, default_transaction_read_only) is unavailable for a
     * rescan: say so up front and exit 3 rather than fail every file. */
    int w = cu_db_writable(db, &err);
    if (w != 1) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        *exit_code = w == 0 || !cu_db_alive(db) ? CU_EXIT_NODB : CU_EXIT_FAIL;
        cu_db_close(db);
        return NULL;
    }
    int applied = 0;
    if (cu_db_migrate(db, &applied, &err) != 0) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        *exit_code = cu_db_alive(db) && !cu_db_err_read_only(&err) ? CU_EXIT_FAIL : CU_EXIT_NODB;
        cu_db_close(db);
        return NULL;
    }
    return db;
}

/* ---- --rescan -------------------------------------------------------------------------- */

static double cu_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cu_progress(size_t done, size_t total, double elapsed)
{
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r\033[K%zu/%zu files, %.1f files/s, ETA %.0f s", done, total, rate, eta);
    fflush(stderr);
}

/* The next file's preparation, run in a second thread. */
typedef struct cu_prep_job {
    cu_ingest_file *file;
    const cu_config *cfg;
    const char *relpath;
    const cu_registry *reg;
    bool force;
} cu_prep_job;

static void *cu_prep_main(void *arg)
{
    cu_prep_job *j = arg;
    cu_ingest_prepare(j->file, j->cfg, j->relpath, j->reg, j->force);
    return NULL;
}

int cu_cmd_rescan(const cu_config *cfg, bool force)
{
    int exit_code = CU_EXIT_OK;
    double t0 = cu_mono();
    cu_db *db = cu_connect_migrate(cfg, &exit_code);
    if (!db) return exit_code;

    cu_paths files = {0};
    int errors = 0, unlisted = 0; /* files that failed; machine folders that could not be listed */
    if (cu_list_root(cfg, &files, &unlisted) != 0) {
        cu_db_close(db);
        return CU_EXIT_FAIL;
    }
    cu_registry reg = {0};
    cu_err rerr;
    if (cu_db_registry_load(db, &reg, &rerr) != 0) cu_log(CU_LOG_WARN, "%s", rerr.msg);
    bool tty = isatty(STDERR_FILENO);
    /* files = ingested + unchanged + files_rejected + errors + gone (+ those never reached
     * when the database went away); lines_rejected sums the files' rejected lines. */
    size_t ingested = 0, unchanged = 0, files_rejected = 0, gone = 0, done = 0;
    uint64_t rows = 0, lines_rejected = 0;
    bool db_gone = false;
    cu_ingest_file *cur = cu_ingest_file_new(), *next = cu_ingest_file_new();
    if (files.n) cu_ingest_prepare(cur, cfg, files.v[0], &reg, force);
    for (size_t i = 0; i < files.n; i++) {
        cu_prep_job job = {next, cfg, i + 1 < files.n ? files.v[i + 1] : NULL, &reg, force};
        pthread_t th;
        bool threaded = job.relpath && pthread_create(&th, NULL, cu_prep_main, &job) == 0;

        cu_ingest_result res;
        cu_db_ingest_prepared(db, cur, force, &res);
        if (res.status == CU_INGEST_ERROR && res.conn_lost) {
            /* One reconnection attempt: a server restart should not fail the whole rescan. */
            cu_err err;
            cu_db_close(db);
            db = cu_db_connect(cfg, NULL, &err);
            if (db) cu_db_ingest_prepared(db, cur, force, &res);
        }
        if (threaded)
            pthread_join(th, NULL);
        else if (job.relpath)
            cu_prep_main(&job);

        if (tty) fputs("\r\033[K", stderr);
        cu_ingest_log(files.v[i], &res);
        done++;
        switch (res.status) {
        case CU_INGEST_OK:
            ingested++, rows += res.rows, lines_rejected += res.rejected_lines;
            break;
        case CU_INGEST_UNCHANGED:
            unchanged++;
            break;
        case CU_INGEST_REJECTED:
            files_rejected++, lines_rejected += res.rejected_lines;
            break;
        case CU_INGEST_ERROR:
            /* Deleted or moved since the listing: nothing to ingest, nothing failed. */
            if (res.gone)
                gone++;
            else
                errors++;
            break;
        }
        if (!db || (res.status == CU_INGEST_ERROR && res.conn_lost)) {
            cu_log(CU_LOG_ERROR, "database unreachable: rescan stopped after %zu of %zu files",
                   done, files.n);
            db_gone = true;
            break;
        }
        if (tty) cu_progress(done, files.n, cu_mono() - t0);
        cu_ingest_file *t = cur;
        cur = next;
        next = t;
    }
    cu_ingest_file_free(cur);
    cu_ingest_file_free(next);
    cu_registry_free(&reg);
    if (tty && files.n) fputs("\r\033[K", stderr);
    double secs = cu_mono() - t0;
    cu_log_fields(CU_LOG_INFO, "rescan finished",
                  (cu_log_field[]){CU_LF_NUM("files", files.n), CU_LF_NUM("ingested", ingested),
                                   CU_LF_NUM("unchanged", unchanged),
                                   CU_LF_NUM("files_rejected", files_rejected),
                                   CU_LF_NUM("errors", errors), CU_LF_NUM("gone", gone),
                                   CU_LF_NUM("lines_rejected", lines_rejected),
                                   CU_LF_NUM("folders_unlisted", unlisted), CU_LF_NUM("rows", rows),
                                   CU_LF_NUM("seconds", (double)(int64_t)(secs * 1000) / 1000)},
                  10);
    errors += unlisted;
    cu_log(errors ? CU_LOG_WARN : CU_LOG_INFO, "Total: %zu files, %d error%s", files.n, errors,
           errors == 1 ? "" : "s");
    cu_paths_free(&files);
    cu_db_close(db);
    if (db_gone) return CU_EXIT_NODB;
    return errors ? CU_EXIT_FAIL : CU_EXIT_OK;
}

/* ---- --migrate ------------------------------------------------------------------------- */

int cu_cmd_migrate(const cu_config *cfg)
{
    cu_err err;
    cu_db_conn_error why;
    cu_db *db = cu_db_connect(cfg, &why, &err);
    if (!db) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        return cu_exit_for(why);
    }
    int applied = 0, current = 0, latest = 0, rc = CU_EXIT_OK;
    if (cu_db_migrate(db, &applied, &err) != 0) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        rc = cu_db_alive(db) && !cu_db_err_read_only(&err) ? CU_EXIT_FAIL : CU_EXIT_NODB;
    } else if (cu_db_schema_version(db, &current, &latest, &err) != 0) {
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        rc = CU_EXIT_FAIL;
    } else {
        cu_log(CU_LOG_INFO, "schema at version %d: %d migration%s applied now", current, applied,
               applied == 1 ? "" : "s");
    }
    cu_db_close(db);
    return rc;
}

/* ---- --check --------------------------------------------------------------------------- */

/* One line of the report on stdout. Folder names come from FTP users: every control
 * character is escaped, so a name cannot rewrite the operator's terminal. */
static void cu_check_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cu_check_say(const char *fmt, ...)
{
    cu_sb raw = {0}, out = {0};
    va_list ap;
    va_start(ap, fmt);
    cu_sb_vprintf(&raw, fmt, ap);
    va_end(ap);
    cu_log_text(&out, raw.data ? raw.data : "");
    cu_sb_putc(&out, '\n');
    fwrite(out.data, 1, out.len, stdout);
    cu_sb_free(&raw);
    cu_sb_free(&out);
}

/* Names of the sub-folders of dir (not hidden), sorted; *files counts its entries matching
 * the pattern that are not folders, *unreadable those of them this process cannot read (the
 * first few named in *unreadable_names). */
static void cu_check_list(const char *dir, const char *pattern, cu_paths *folders, size_t *files,
                          size_t *unreadable, cu_sb *unreadable_names)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (folders) cu_paths_add(folders, cu_xstrdup(e->d_name));
        } else if (fnmatch(pattern, e->d_name, FNM_PERIOD) == 0) {
            ++*files;
            if (unreadable && faccessat(dirfd(d), e->d_name, R_OK, 0) != 0) {
                if (++*unreadable <= 3)
                    cu_sb_printf(unreadable_names, "%s\"%s/%s\"", *unreadable > 1 ? ", " : "", dir,
                                 e->d_name);
            }
        }
    }
    closedir(d);
    if (folders && folders->n)
        qsort(folders->v, folders->n, sizeof *folders->v, cu_cmp_str); /* v is NULL when empty */
}

/* Warnings about the root's layout (SPEC §1: <root>/<machine folder>/<file> with depth 1):
 * files in the root itself, no machine folder, a root one level too high, unreadable files.
 * They do not fail the check: cuwatch runs, but sees nothing there. */
static void cu_check_layout(const cu_config *cfg, const cu_paths *folders)
{
    size_t misplaced = 0, files = 0, unreadable = 0;
    cu_sb names = {0}, path = {0};
    cu_check_list(cfg->root, cfg->pattern, NULL, &misplaced, NULL, NULL);
    if (misplaced)
        cu_check_say("root: warning: %zu file%s matching \"%s\" directly in %s: uploads must go "
                     "into a machine folder (<root>/<machine folder>/<file>)",
                     misplaced, misplaced == 1 ? "" : "s", cfg->pattern, cfg->root);
    if (folders->n == 0)
        cu_check_say("root: warning: no machine folder in %s (expected %s/<machine folder>/<file>)",
                     cfg->root, cfg->root);
    for (size_t i = 0; i < folders->n; i++) {
        cu_sb_reset(&path);
        cu_sb_printf(&path, "%s/%s", cfg->root, folders->v[i]);
        cu_paths sub = {0};
        size_t here = 0;
        cu_check_list(path.data, cfg->pattern, &sub, &here, &unreadable, &names);
        files += here;
        if (cfg->depth == 1 && folders->n == 1 && here == 0 && sub.n > 0) {
            size_t deeper = 0;
            for (size_t j = 0; j < sub.n; j++) {
                cu_sb p2 = {0};
                cu_sb_printf(&p2, "%s/%s", path.data, sub.v[j]);
                cu_check_list(p2.data, cfg->pattern, NULL, &deeper, NULL, NULL);
                cu_sb_free(&p2);
            }
            if (deeper)
                cu_check_say("root: warning: %s looks one level too deep: its only folder "
                             "\"%s\" holds %zu folder%s with LOG files; watch.root should "
                             "probably be %s",
                             cfg->root, folders->v[i], sub.n, sub.n == 1 ? "" : "s", path.data);
        }
        cu_paths_free(&sub);
    }
    if (unreadable)
        cu_check_say("root: warning: %zu of %zu LOG file%s cannot be read by this user (%s%s); "
                     "vsftpd's local_umask=077 (Debian's default) makes uploads 0600: set "
                     "local_umask=022", unreadable, files, files == 1 ? "" : "s", names.data,
                     unreadable > 3 ? ", ..." : "");
    cu_sb_free(&names);
    cu_sb_free(&path);
}

static int cu_check_root(const cu_config *cfg)
{
    struct stat st;
    if (stat(cfg->root, &st) != 0) {
        cu_check_say("root: FAILED: %s: %s", cfg->root, strerror(errno));
        return CU_EXIT_FAIL;
    }
    if (!S_ISDIR(st.st_mode)) {
        cu_check_say("root: FAILED: %s: not a folder", cfg->root);
        return CU_EXIT_FAIL;
    }
    if (access(cfg->root, R_OK | X_OK) != 0) {
        cu_check_say("root: FAILED: %s: not readable: %s", cfg->root, strerror(errno));
        return CU_EXIT_FAIL;
    }
    cu_paths folders = {0};
    size_t ignored = 0;
    cu_check_list(cfg->root, cfg->pattern, &folders, &ignored, NULL, NULL);
    cu_sb line = {0};
    cu_sb_printf(&line, "root: ok: %s, %zu machine folder%s", cfg->root, folders.n,
                 folders.n == 1 ? "" : "s");
    for (size_t i = 0; i < folders.n; i++) {
        char *name = NULL, *type = NULL;
        cu_config_machine(cfg, folders.v[i], &name, &type);
        cu_sb_printf(&line, "%s\"%s\" -> machine %s, type %s", i ? "; " : ": ", folders.v[i], name,
                     type ? type : "none");
        free(name);
        free(type);
    }
    cu_check_say("%s", line.data);
    cu_sb_free(&line);
    cu_check_layout(cfg, &folders);
    cu_paths_free(&folders);
    return CU_EXIT_OK;
}

static void cu_check_report(void *ctx, const char *item, bool ok, const char *msg)
{
    (void)ctx;
    cu_check_say("%s: %s: %s", item, ok ? "ok" : "FAILED", msg);
}

static int cu_check_db(const cu_config *cfg)
{
    cu_err err;
    cu_db_conn_error why;
    cu_db *db = cu_db_connect(cfg, &why, &err);
    if (!db) {
        cu_check_say("database: FAILED: %s", err.msg);
        return cu_exit_for(why);
    }
    char version[32];
    int current = 0, latest = 0, rc = CU_EXIT_OK;
    if (cu_db_schema_version(db, &current, &latest, &err) != 0) {
        cu_check_say("database: FAILED: PostgreSQL %s: %s", cu_db_server_version(db, version),
                     err.msg);
        rc = cu_db_alive(db) ? CU_EXIT_FAIL : CU_EXIT_NODB; /* lost meanwhile: unreachable */
    } else {
        int pending = latest > current ? latest - current : 0;
        cu_check_say("database: ok: PostgreSQL %s, schema version %d (latest %d), %d pending "
                     "migration%s%s",
                     cu_db_server_version(db, version), current, latest, pending,
                     pending == 1 ? "" : "s", current > latest ? " (newer than this cuwatch)" : "");
        /* What the daemon will need beyond a connection: one line per item. */
        int failed = cu_db_check_access(db, cu_check_report, NULL, &err);
        if (failed < 0) {
            cu_check_say("database: FAILED: %s", err.msg);
            rc = cu_db_alive(db) ? CU_EXIT_FAIL : CU_EXIT_NODB;
        } else if (failed > 0) {
            rc = CU_EXIT_FAIL;
        }
    }
    cu_db_close(db);
    return rc;
}

int cu_cmd_check(const cu_config *cfg, const char *config_path, int config_status,
                 const char *config_error)
{
    if (!cfg || config_status != 0) {
        cu_check_say("configuration: FAILED: %s", config_error ? config_error : "not loaded");
        return CU_EXIT_USAGE;
    }
    (void)config_path;
    cu_check_say("configuration: ok: %s", cfg->source ? cfg->source : "defaults (no file)");
    char exposed[1024];
    if (cu_config_password_exposed(cfg, exposed, sizeof exposed))
        cu_check_say("configuration: WARNING: %s", exposed);
    int root_rc = cu_check_root(cfg);
    int db_rc = cu_check_db(cfg);
    fflush(stdout);
    if (db_rc != CU_EXIT_OK) return db_rc;
    return root_rc;
}

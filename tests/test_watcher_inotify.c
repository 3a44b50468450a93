/* test_watcher_inotify.c — the inotify watcher and the tree walk on a real temporary folder:
 * files written and renamed into place, folders created, moved and removed, the root removed
 * and re-created, and the overflow path fed a synthetic IN_Q_OVERFLOW event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inotify_watch.h"
#include "scan.h"
#include "strbuf.h"

typedef struct seen {
    char paths[64][256];
    int kinds[64];
    int n;
} seen;

typedef struct fixture {
    char root[256];
    cu_iw iw;
    seen s;
} fixture;

static void on_event(void *ctx, cu_iw_kind kind, const char *rel)
{
    seen *s = ctx;
    if (s->n == 64) return;
    s->kinds[s->n] = kind;
    snprintf(s->paths[s->n], sizeof s->paths[0], "%s", rel);
    s->n++;
}

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

static void put(fixture *f, const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", f->root, rel);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Reads events until one of kind for rel (NULL: any path) arrives or 2 s pass. */
static bool wait_for(fixture *f, cu_iw_kind kind, const char *rel)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        for (int i = 0; i < f->s.n; i++)
            if (f->s.kinds[i] == (int)kind && (!rel || strcmp(f->s.paths[i], rel) == 0))
                return true;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= 2) return false;
        struct pollfd p = {.fd = f->iw.fd, .events = POLLIN};
        poll(&p, 1, 100);
        cu_err err;
        assert_int_equal(cu_iw_read(&f->iw, &err), 0);
    }
}

/* Drains what is queued now (after a short grace period) and returns how many events came. */
static int settle_events(fixture *f)
{
    struct pollfd p = {.fd = f->iw.fd, .events = POLLIN};
    while (poll(&p, 1, 100) > 0) {
        cu_err err;
        assert_int_equal(cu_iw_read(&f->iw, &err), 0);
    }
    return f->s.n;
}

static int setup(void **state)
{
    fixture *f = cu_xcalloc(1, sizeof *f);
    snprintf(f->root, sizeof f->root, "%s/cuwatch-iw.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->root));
    sh("mkdir '%s/A (PVC)' && printf x > '%s/A (PVC)/old.LOG'", f->root, f->root);
    cu_scan_rules r = {.pattern = "*.LOG", .depth = 1};
    cu_err err;
    assert_int_equal(cu_iw_init(&f->iw, f->root, &r, on_event, &f->s, &err), 0);
    assert_int_equal(cu_iw_attach(&f->iw, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cu_iw_free(&f->iw);
    sh("rm -rf '%s'", f->root);
    free(f);
    return 0;
}

static void attach_watches_without_reporting(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->iw.n_watches, 2); /* root and "A (PVC)" */
    assert_true(cu_iw_complete(&f->iw));
    assert_int_equal(settle_events(f), 0); /* old.LOG is the reconciliation's business */
}

static void close_write_reports_matching_files_only(void **state)
{
    fixture *f = *state;
    put(f, "A (PVC)/20250528.LOG", "20250528 08:00:00|@StukUitgevoerd\n");
    assert_true(wait_for(f, CU_IW_FILE, "A (PVC)/20250528.LOG"));
    f->s.n = 0;
    put(f, "A (PVC)/notes.txt", "x");
    put(f, "root.LOG", "x");
    sh("mkdir '%s/A (PVC)/deeper' && printf x > '%s/A (PVC)/deeper/x.LOG'", f->root, f->root);
    assert_int_equal(settle_events(f), 0);
}

static void rename_into_place_is_reported(void **state)
{
    fixture *f = *state;
    put(f, "A (PVC)/.in.20250529.LOG", "x"); /* hidden temporary name: not a LOG file */
    sh("mv '%s/A (PVC)/.in.20250529.LOG' '%s/A (PVC)/20250529.LOG'", f->root, f->root);
    assert_true(wait_for(f, CU_IW_FILE, "A (PVC)/20250529.LOG"));
    for (int i = 0; i < f->s.n; i++)
        assert_string_equal(f->s.paths[i], "A (PVC)/20250529.LOG");
}

static void new_folder_is_watched_then_listed(void **state)
{
    fixture *f = *state;
    /* The file lands before the daemon can have watched the folder: the listing finds it. */
    sh("mkdir '%s/B (ALU)' && printf x > '%s/B (ALU)/1.LOG'", f->root, f->root);
    assert_true(wait_for(f, CU_IW_FILE, "B (ALU)/1.LOG"));
    assert_int_equal(f->iw.n_watches, 3);
    put(f, "B (ALU)/2.LOG", "y"); /* and later ones come from the watch */
    assert_true(wait_for(f, CU_IW_FILE, "B (ALU)/2.LOG"));
    /* A folder prepared elsewhere and moved in, files and all. */
    char outside[300];
    snprintf(outside, sizeof outside, "%s.out", f->root);
    sh("mkdir -p '%s/C (HYB)' && printf z > '%s/C (HYB)/3.LOG' && mv '%s/C (HYB)' '%s/'", outside,
       outside, outside, f->root);
    assert_true(wait_for(f, CU_IW_FILE, "C (HYB)/3.LOG"));
    sh("rm -rf '%s'", outside);
}

/* An upload into a folder just made (MKD, then STOR): the folder's listing finds the file
 * still empty and open; it is reported once, on its close, not also by the listing. */
static void empty_file_in_new_folder_waits_for_its_close(void **state)
{
    fixture *f = *state;
    char dir[400], path[450];
    snprintf(dir, sizeof dir, "%s/G (PVC)", f->root);
    snprintf(path, sizeof path, "%s/1.LOG", dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    FILE *up = fopen(path, "w"); /* created before the folder's watch can exist */
    assert_non_null(up);
    settle_events(f); /* the folder's event: watched, then listed */
    assert_int_equal(f->iw.n_watches, 3);
    for (int i = 0; i < f->s.n; i++)
        assert_string_not_equal(f->s.paths[i], "G (PVC)/1.LOG");
    fputs("20250528 06:00:00|@StukUitgevoerd: 1\n", up);
    fclose(up);
    assert_true(wait_for(f, CU_IW_FILE, "G (PVC)/1.LOG"));
    settle_events(f);
    int n = 0;
    for (int i = 0; i < f->s.n; i++)
        n += strcmp(f->s.paths[i], "G (PVC)/1.LOG") == 0;
    assert_int_equal(n, 1);
}

static void folders_removed_or_renamed_follow(void **state)
{
    fixture *f = *state;
    sh("mkdir '%s/D'", f->root);
    settle_events(f);
    assert_int_equal(f->iw.n_watches, 3);
    sh("mv '%s/D' '%s/E'", f->root, f->root);
    settle_events(f);
    assert_int_equal(f->iw.n_watches, 3);
    f->s.n = 0;
    put(f, "E/1.LOG", "x");
    assert_true(wait_for(f, CU_IW_FILE, "E/1.LOG"));
    for (int i = 0; i < f->s.n; i++)
        assert_string_not_equal(f->s.paths[i], "D/1.LOG");
    sh("rm -rf '%s/E'", f->root);
    settle_events(f);
    assert_int_equal(f->iw.n_watches, 2);
    /* Moved out of the root: forgotten too. */
    sh("mkdir '%s/F' && mv '%s/F' '%s.gone'", f->root, f->root, f->root);
    settle_events(f);
    assert_int_equal(f->iw.n_watches, 2);
    sh("rmdir '%s.gone'", f->root);
}

static void overflow_asks_for_a_rescan(void **state)
{
    fixture *f = *state;
    struct inotify_event ev = {.wd = -1, .mask = IN_Q_OVERFLOW};
    cu_iw_handle(&f->iw, &ev);
    assert_int_equal(f->s.n, 1);
    assert_int_equal(f->s.kinds[0], CU_IW_RESCAN);
    /* Events for unknown watches (already forgotten) are ignored. */
    struct inotify_event stale = {.wd = 9999, .mask = IN_CLOSE_WRITE};
    cu_iw_handle(&f->iw, &stale);
    assert_int_equal(f->s.n, 1);
}

static void root_removed_then_recreated(void **state)
{
    fixture *f = *state;
    sh("rm -rf '%s'", f->root);
    assert_true(wait_for(f, CU_IW_ROOT_LOST, NULL));
    assert_false(f->iw.attached);
    assert_int_equal(f->iw.n_watches, 0);
    cu_err err;
    assert_int_equal(cu_iw_attach(&f->iw, &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    sh("mkdir -p '%s/A (PVC)'", f->root);
    assert_int_equal(cu_iw_attach(&f->iw, &err), 0);
    f->s.n = 0;
    put(f, "A (PVC)/1.LOG", "x");
    assert_true(wait_for(f, CU_IW_FILE, "A (PVC)/1.LOG"));
    /* Moved away counts as lost as well. */
    sh("mv '%s' '%s.moved'", f->root, f->root);
    assert_true(wait_for(f, CU_IW_ROOT_LOST, NULL));
    sh("mv '%s.moved' '%s'", f->root, f->root);
}

typedef struct found {
    char paths[16][256];
    int n;
} found;

static void collect(void *ctx, const char *rel, const struct stat *st)
{
    found *fd = ctx;
    assert_true(S_ISREG(st->st_mode));
    snprintf(fd->paths[fd->n++], sizeof fd->paths[0], "%s", rel);
}

static void walk_takes_regular_matching_files_at_depth(void **state)
{
    fixture *f = *state;
    sh("cd '%s' && printf x > top.LOG && mkdir -p 'A (PVC)/sub' && printf x > 'A (PVC)/sub/d.LOG'"
       " && printf x > 'A (PVC)/a.log' && ln -s old.LOG 'A (PVC)/link.LOG'"
       " && mkfifo 'A (PVC)/fifo.LOG' && ln -s 'A (PVC)' 'L (PVC)'",
       f->root);
    found fd = {0};
    cu_scan_rules r = {.pattern = "*.LOG", .depth = 1};
    cu_scan_visitor v = {.on_file = collect, .ctx = &fd};
    cu_err err;
    assert_int_equal(cu_scan_walk(f->root, "", 0, &r, &v, &err), 0);
    assert_int_equal(fd.n, 1);
    assert_string_equal(fd.paths[0], "A (PVC)/old.LOG");

    struct stat st;
    const char *why;
    assert_int_equal(cu_scan_stat(f->root, "A (PVC)/old.LOG", &st, &why), 0);
    assert_int_equal(cu_scan_stat(f->root, "A (PVC)/link.LOG", &st, &why), -1);
    assert_string_equal(why, "a symbolic link");
    assert_int_equal(cu_scan_stat(f->root, "A (PVC)/fifo.LOG", &st, &why), -1);
    assert_string_equal(why, "not a regular file");
    assert_int_equal(cu_scan_stat(f->root, "A (PVC)/none.LOG", &st, &why), -1);
    assert_string_equal(why, "gone");

    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope", f->root);
    assert_int_equal(cu_scan_walk(missing, "", 0, &r, &v, &err), -1);
    assert_non_null(strstr(err.msg, "could not open folder"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(attach_watches_without_reporting, setup, teardown),
        cmocka_unit_test_setup_teardown(close_write_reports_matching_files_only, setup, teardown),
        cmocka_unit_test_setup_teardown(rename_into_place_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(new_folder_is_watched_then_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(folders_removed_or_renamed_follow, setup, teardown),
        cmocka_unit_test_setup_teardown(overflow_asks_for_a_rescan, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_file_in_new_folder_waits_for_its_close, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(root_removed_then_recreated, setup, teardown),
        cmocka_unit_test_setup_teardown(walk_takes_regular_matching_files_at_depth, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

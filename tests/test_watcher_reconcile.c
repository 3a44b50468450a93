/* test_watcher_reconcile.c — reconciliation on a temporary root against a hand-made registry:
 * files unchanged in size and mtime are left alone, any difference (or no row, or a row in
 * error) queues the file, and the walk's rules (pattern, depth, regular files) apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "pending.h"
#include "reconcile.h"

static char root[256];

static void sh(const char *cmd)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "cd '%s' && %s", root, cmd);
    assert_int_equal(system(buf), 0);
}

static cu_registry_entry row(const char *rel, const char *statut)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(lstat(p, &st), 0);
    cu_registry_entry e = {.chemin = (char *)rel, .taille = st.st_size};
    e.mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    snprintf(e.statut, sizeof e.statut, "%s", statut);
    return e;
}

static void reconcile_queues_only_what_changed(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/cuwatch-rec.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(root));
    sh("mkdir 'A (PVC)' B && printf 1 > 'A (PVC)/1.LOG' && printf 22 > 'A (PVC)/2.LOG'"
       " && printf 3 > 'A (PVC)/3.LOG' && printf 4 > B/4.LOG && printf 5 > B/5.LOG"
       " && printf x > top.LOG && printf y > B/notes.txt && ln -s 1.LOG 'A (PVC)/L.LOG'");
    /* Sorted by chemin, as cu_db_registry_load returns it. */
    cu_registry_entry e[] = {row("A (PVC)/1.LOG", "ok"), row("A (PVC)/2.LOG", "ok"),
                             row("A (PVC)/3.LOG", "rejete"), row("B/4.LOG", "erreur")};
    e[1].taille = 1;     /* grew since */
    e[2].mtime_us -= 10; /* touched since */
    cu_registry reg = {.entries = e, .n = 4};
    cu_pending *q = cu_pending_new();
    cu_scan_rules rules = {.pattern = "*.LOG", .depth = 1};
    cu_reconcile_stats st;
    cu_err err;
    assert_int_equal(cu_reconcile(root, &rules, &reg, q, NULL, NULL, &st, &err), 0);
    assert_int_equal(st.seen, 5);
    assert_int_equal(st.queued, 4);
    assert_null(cu_pending_find(q, "A (PVC)/1.LOG")); /* unchanged */
    assert_non_null(cu_pending_find(q, "A (PVC)/2.LOG"));
    assert_non_null(cu_pending_find(q, "A (PVC)/3.LOG"));
    assert_non_null(cu_pending_find(q, "B/4.LOG")); /* last ingest failed: retried */
    assert_non_null(cu_pending_find(q, "B/5.LOG")); /* never seen */
    /* Again: everything is already queued; the queue does not grow, but those files are
     * still this reconciliation's to count (its summary must add up). */
    cu_pending *covered = cu_pending_new();
    assert_int_equal(cu_reconcile(root, &rules, &reg, q, covered, NULL, &st, &err), 0);
    assert_int_equal(st.queued, 4);
    assert_int_equal(cu_pending_len(q), 4);
    assert_int_equal(cu_pending_len(covered), 4);
    assert_null(cu_pending_find(covered, "A (PVC)/1.LOG"));
    cu_pending_free(covered);
    /* Moved files: a row whose file is gone while its content is recorded at a path on disk. */
    cu_registry_entry m[] = {row("A (PVC)/1.LOG", "ok"),
                             {.chemin = "Gone/2.LOG", .statut = "erreur"},
                             {.chemin = "Old (PVC)/1.LOG", .statut = "ok"},
                             {.chemin = "Old (PVC)/9.LOG", .statut = "ok"}};
    snprintf(m[0].empreinte, sizeof m[0].empreinte, "h1");
    snprintf(m[1].empreinte, sizeof m[1].empreinte, "h1");
    snprintf(m[2].empreinte, sizeof m[2].empreinte, "h1");
    snprintf(m[3].empreinte, sizeof m[3].empreinte, "h9");
    cu_registry mreg = {.entries = m, .n = 4};
    cu_pending *moved = cu_pending_new();
    assert_int_equal(cu_reconcile(root, &rules, &mreg, q, NULL, moved, &st, &err), 0);
    assert_int_equal(cu_pending_len(moved), 1);
    assert_non_null(cu_pending_find(moved, "Old (PVC)/1.LOG")); /* h9 is nowhere on disk */
    cu_pending_free(moved);
    cu_pending_free(q);
    /* A missing root is an error, not a crash. */
    sh("rm -rf ./*");
    assert_int_equal(rmdir(root), 0);
    q = cu_pending_new();
    assert_int_equal(cu_reconcile(root, &rules, &reg, q, NULL, NULL, &st, &err), -1);
    cu_pending_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reconcile_queues_only_what_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

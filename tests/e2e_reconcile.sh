#!/usr/bin/env bash
# e2e_reconcile.sh — start-up reconciliation and the watch.reconcile_every timer:
#   - files already on disk at the first start are ingested;
#   - after a stop, a file changed meanwhile is re-ingested, a file only touched is hashed and
#     found unchanged (no new ingest), an untouched one is not even read;
#   - with reconcile_every set, the reconciliation repeats on its timer and catches a change
#     inotify cannot see (a write through a hard link outside the watched folders).
# Usage: e2e_reconcile.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
for d in 01 02 03; do e2e_log_file "R (PVC)/202503$d.LOG" 4 "202503$d"; done
e2e_daemon_start
e2e_wait_sql "SELECT count(*) FROM session_production" 3 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "files present at start-up not ingested"
kill -TERM "$DPID"; wait "$DPID"; DPID=

e2e_log_file "R (PVC)/20250301.LOG" 7 20250301 # changed
touch -d '+1 min' "$ROOT/R (PVC)/20250302.LOG" # touched only
# reconcile_every belongs in the watch: section, so the file is written whole here.
{
    printf 'watch:\n  root: %s\n  reconcile_every: 1s\n' "$ROOT"
    printf 'database:\n  conninfo: "host=%s port=%s dbname=%s user=%s"\n' \
        "$PGHOST" "$PGPORT" "$PGDATABASE" "$PGUSER"
} >"$CONF"
: >"$DLOG"
e2e_daemon_start
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE date_production = '2025-03-01'" 7 \
    $((10000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "file changed while stopped not re-ingested"
e2e_wait_log 'reconciled files=3 ingested=1 unchanged=2 files_rejected=0 errors=0 gone=0' 5000 ||
    e2e_fail "expected one re-ingest and one unchanged file at start-up"
grep 'reconciling reason="root watched"' "$DLOG" | grep -q 'queued=2' ||
    e2e_fail "start-up reconciliation should queue exactly the changed and the touched file"

# A change inotify cannot see (as on NFS or CIFS): the file rewritten through a hard link
# outside the watched folders. Only the timer's reconciliation can find it.
ln "$ROOT/R (PVC)/20250303.LOG" "$E2E/side.LOG"
e2e_log_text 9 20250303 >"$E2E/side.LOG"
ms=$(e2e_wait_sql "SELECT total_pieces FROM session_production WHERE date_production = '2025-03-03'" 9 \
    $((5000 * CU_E2E_SLACK))) || e2e_fail "the timer's reconciliation did not catch the change"
grep -q 'reconciling reason=watch.reconcile_every' "$DLOG" || e2e_fail "no timer reconciliation"
echo "change invisible to inotify caught by the timer after ${ms} ms"
echo "start-up and timer reconciliation as expected"
echo PASS

#!/usr/bin/env bash
# e2e_watch_limit.sh — the inotify watch limit reached (ENOSPC from inotify_add_watch), for real
# but without touching the host: the daemon runs in its own user namespace whose
# user.max_inotify_watches is 3 (root + 2 machine folders). It must say so once, clearly,
# still ingest the files of the folders it cannot watch (listed at start-up), and find later
# files there with its periodic rescans, while watched folders stay instant.
# Usage: e2e_watch_limit.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
unshare -U -r true 2>/dev/null || { echo "no user namespaces: skipped"; exit 77; }
e2e_init "$1"
for m in A B C D; do e2e_log_file "$m (PVC)/20250101.LOG" 2 20250101; done
unshare -U -r sh -c 'echo 3 > /proc/sys/user/max_inotify_watches && exec "$0" -c "$1"' \
    "$CUWATCH" "$CONF" >>"$DLOG" 2>&1 &
DPID=$!
e2e_wait_sql "SELECT count(*) FROM session_production" 4 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "files of unwatchable folders not ingested at start-up"
e2e_wait_log 'watch limit reached' 5000 || e2e_fail "no clear log line about the watch limit"
for m in A B C D; do e2e_log_file "$m (PVC)/20250102.LOG" 3 20250102; done
ms=$(e2e_wait_sql "SELECT count(*) FROM session_production WHERE date_production = '2025-01-02'" 4 \
    $((25000 * CU_E2E_SLACK))) || e2e_fail "files in unwatched folders not found by the rescans"
echo "watch limit: later files in unwatched folders found by the periodic rescan within ${ms} ms"
[ "$(grep -c 'watch limit reached' "$DLOG")" = 1 ] || e2e_fail "the watch-limit line is repeated"
e2e_daemon_alive || e2e_fail "daemon died"

# A limit of 0: not even the root can be watched. The root is there all the same: the daemon
# must reconcile it and rescan it periodically, not wait for it as if it were missing.
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "the daemon did not stop cleanly"
DLOG=$E2E/daemon0.log
unshare -U -r sh -c 'echo 0 > /proc/sys/user/max_inotify_watches && exec "$0" -c "$1"' \
    "$CUWATCH" "$CONF" >>"$DLOG" 2>&1 &
DPID=$!
for m in A E; do e2e_log_file "$m (PVC)/20250103.LOG" 4 20250103; done
e2e_wait_sql "SELECT count(*) FROM session_production WHERE date_production = '2025-01-03'" 2 \
    $((10000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "limit 0: files present at start-up not ingested"
e2e_wait_log 'watch limit reached' 5000 || e2e_fail "limit 0: no clear log line about the watch limit"
for m in A E; do e2e_log_file "$m (PVC)/20250104.LOG" 5 20250104; done
ms=$(e2e_wait_sql "SELECT count(*) FROM session_production WHERE date_production = '2025-01-04'" 2 \
    $((25000 * CU_E2E_SLACK))) || e2e_fail "limit 0: later files not found by the rescans"
echo "watch limit 0: later files found by the periodic rescan within ${ms} ms"
[ "$(grep -c 'watch limit reached' "$DLOG")" = 1 ] || e2e_fail "limit 0: the watch-limit line is repeated"
e2e_daemon_alive || e2e_fail "daemon died"
echo PASS

#!/usr/bin/env bash
# e2e_overflow.sh — a real IN_Q_OVERFLOW, without touching the system-wide limits: the daemon
# is frozen (SIGSTOP) while more events than fs.inotify.max_queued_events pile up (two files
# rewritten alternately, so the kernel cannot merge them), and a new machine folder with files
# appears meanwhile, its creation lost in the overflow. After SIGCONT the daemon must log the
# overflow once, re-watch and reconcile: every file ingested, the new folder watched.
# Usage: e2e_overflow.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
e2e_log_file "O (PVC)/20250101.LOG" 2 20250101
e2e_log_file "O (PVC)/20250102.LOG" 2 20250102
e2e_daemon_start
e2e_wait_sql "SELECT count(*) FROM session_production" 2 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "daemon did not start"
limit=$(cat /proc/sys/fs/inotify/max_queued_events)
kill -STOP "$DPID"
python3 - "$ROOT" "$limit" <<'PY'
import os, sys
root, limit = sys.argv[1], int(sys.argv[2])
paths = [os.path.join(root, "O (PVC)", f"2025010{d}.LOG") for d in (1, 2)]
for i in range(limit + 2000):
    with open(paths[i % 2], "w") as fh:
        fh.write(f"2025010{i % 2 + 1} 06:00:00|@StukUitgevoerd\n2025010{i % 2 + 1} 07:00:00|@StukUitgevoerd\n" + "#" * (i % 3) + "\n")
new = os.path.join(root, "LATE (ALU)")
os.mkdir(new)
for d in range(1, 21):
    with open(os.path.join(new, f"202502{d:02d}.LOG"), "w") as fh:
        fh.write(f"202502{d:02d} 06:00:00|@StukUitgevoerd\n")
PY
kill -CONT "$DPID"
e2e_wait_log 'overflow' $((5000 * CU_E2E_SLACK)) || e2e_fail "no overflow logged"
ms=$(e2e_wait_sql "SELECT count(*) FROM session_production WHERE fichier_log_source LIKE 'LATE%'" 20 $((20000 * CU_E2E_SLACK))) ||
    e2e_fail "files in a folder created during the overflow were not ingested"
echo "overflow: logged, rescanned, 20 files of the unseen folder ingested ${ms} ms after SIGCONT"
e2e_log_file "LATE (ALU)/20250301.LOG" 3 20250301
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'LATE (ALU)/20250301.LOG'" 3 5000 >/dev/null ||
    e2e_fail "the folder created during the overflow is not watched"
[ "$(grep -c 'overflow' "$DLOG")" = 1 ] || e2e_fail "expected one overflow line"
e2e_daemon_alive || e2e_fail "daemon died"
echo PASS

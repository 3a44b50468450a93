#!/usr/bin/env bash
# e2e_valgrind.sh — a short daemon run under valgrind (memcheck): start-up with files to
# reconcile, uploads, a new folder, a shrunken file deferred, SIGHUP, SIGTERM. Passes when
# valgrind reports no error and no definite or indirect leak, and the daemon exits 0.
# Needs a build without sanitizers (valgrind and ASan exclude each other).
# Usage: e2e_valgrind.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing: skipped"; exit 77; }
e2e_init "$1"
CU_E2E_SLACK=20
e2e_log_file "A (PVC)/20250101.LOG" 8 20250101
vg=$E2E/valgrind.log
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$vg" \
    "$CUWATCH" -c "$CONF" >>"$DLOG" 2>&1 &
DPID=$!
e2e_wait_sql "SELECT count(*) FROM session_production" 1 60000 >/dev/null || e2e_fail "start-up file"
for d in 02 03 04; do e2e_log_file "A (PVC)/202501$d.LOG" 5 "202501$d"; done
e2e_log_file "B (ALU)/20250101.LOG" 4 20250101
e2e_log_file "A (PVC)/20250101.LOG" 2 20250101 # shrunk: deferred by the settle rule
e2e_wait_sql "SELECT count(*) FROM session_production" 5 60000 >/dev/null || e2e_fail "uploads"
e2e_wait_log 'smaller than its last' 30000 || e2e_fail "no settle notice"
kill -HUP "$DPID"
e2e_wait_log 'configuration reloaded' 30000 || e2e_fail "no reload"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
cat "$vg"
[ "$rc" = 0 ] || e2e_fail "exit status $rc under valgrind"
[ ! -s "$vg" ] || e2e_fail "valgrind reported problems"
echo PASS

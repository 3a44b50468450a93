#!/usr/bin/env bash
# e2e_stop_reason.sh — SIGTERM while the daemon parses a big file (issue 8): when the file
# in flight keeps it past SIGTERM's 1.5 s deadline, it exits with status 1 and a line that
# says what it was doing ("still parsing "B (PVC)/20250701.LOG""), not that the database did
# not answer; nothing of the file is committed, and the next start ingests it.
# Deterministic without guessing at durations: SIGTERM once the daemon says (debug) it parses
# the big file; the daemon is stopped (SIGSTOP) as soon as its handler has taken the SIGTERM,
# until the deadline's timer has fired (SIGALRM pending); then SIGCONT: the deadline struck
# mid-parse.
# Usage: e2e_stop_reason.sh CUWATCH
E2E_LOG_LEVEL=debug
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
mkdir "$ROOT/B (PVC)"
e2e_daemon_start
e2e_wait_log 'reconciled' $((10000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

f="B (PVC)/20250701.LOG"
e2e_log_text 1200000 20250701 >"$E2E/big.LOG" # ~60 MB: long enough to parse to be seen doing it
mv "$E2E/big.LOG" "$ROOT/$f"                # complete at once (IN_MOVED_TO)
e2e_wait_log 'parsing a large file .*path="B \(PVC\)/20250701.LOG"' $((20000 * CU_E2E_SLACK)) ||
    e2e_fail "the daemon did not start parsing the big file"

pending() { # MASK: true while the signal in MASK is pending for the process
    local v
    v=$(awk '/^ShdPnd:/ { print $2 }' "/proc/$DPID/status" 2>/dev/null) || return 1
    [ -n "$v" ] && (((16#$v & $1) != 0))
}
kill -TERM "$DPID"
t0=$(e2e_now_ms)
while pending $((1 << 14)); do # SIGTERM (15) not taken by its handler yet
    [ $(($(e2e_now_ms) - t0)) -lt 5000 ] || e2e_fail "SIGTERM was never taken"
done
kill -STOP "$DPID"
t0=$(e2e_now_ms)
until pending $((1 << 13)); do # SIGALRM (14): the 1.5 s deadline struck while stopped
    [ $(($(e2e_now_ms) - t0)) -lt 10000 ] || { kill -CONT "$DPID"; e2e_fail "the deadline never fired"; }
    sleep 0.05
done
kill -CONT "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
tail -n 3 "$DLOG"
grep -q "SIGTERM: still parsing \"$f\" after 1.5 s: exiting with status 1" "$DLOG" ||
    e2e_fail "the forced exit does not say it was parsing the file"
! grep -q 'did not answer' "$DLOG" || e2e_fail "the forced exit blames the database"
[ "$rc" = 1 ] || e2e_fail "forced exit status $rc, expected 1"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log")" = 0 ] || e2e_fail "something was committed"

# The next start ingests it.
e2e_daemon_start
e2e_wait_sql "SELECT total_pieces FROM session_production" 1200000 $((60000 * CU_E2E_SLACK)) \
    >/dev/null || e2e_fail "the big file was not ingested after the restart"
echo PASS

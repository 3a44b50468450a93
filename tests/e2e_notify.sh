#!/usr/bin/env bash
# e2e_notify.sh — systemd's notify protocol against a socket this test binds (no systemd can
# run here): the real daemon with NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as systemd
# sets them for Type=notify and WatchdogSec=.
#   1. READY=1 with a STATUS= once watching, the database connected and the start-up
#      reconciliation queued; WATCHDOG=1 about every half interval while idle;
#   2. STATUS= follows the last file ingested (sent when it changes, not every turn);
#   3. the loop blocked past the watchdog interval (PostgreSQL frozen with SIGSTOP while the
#      daemon asks it about a new file, so the loop waits inside libpq): the pings stop;
#      thawed, they resume and the file is ingested;
#   4. SIGHUP: RELOADING=1, then READY=1; SIGTERM: STOPPING=1.
# Usage: e2e_notify.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"

SOCK=$E2E/notify.sock
NLOG=$E2E/notify.log
: >"$NLOG"
python3 "$E2E_SRC/tests/notify_listen.py" "$SOCK" "$NLOG" &
E2E_KILL="$!"
t0=$(e2e_now_ms)
until [ -S "$SOCK" ]; do
    [ $(($(e2e_now_ms) - t0)) -lt 5000 ] || e2e_fail "the notify listener did not bind"
    sleep 0.02
done

WD_MS=2000
# Waits until the notify log has N lines matching a grep -E pattern.
wait_notify() { # PATTERN N MS
    local t0
    t0=$(e2e_now_ms)
    until [ "$(grep -cE "$1" "$NLOG" || true)" -ge "$2" ]; do
        [ $(($(e2e_now_ms) - t0)) -le "$3" ] || { echo "notify log:" >&2; cat "$NLOG" >&2; return 1; }
        sleep 0.02
    done
}
pings_after() { awk -F'\t' -v t="$1" '$1 > t && $2 == "WATCHDOG=1"' "$NLOG" | wc -l; }

e2e_log_file "DEM12 (PVC)/20250601.LOG" 3 20250601
# WATCHDOG_PID is the daemon's own pid, as systemd sets it: exec keeps the shell's pid.
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=$((WD_MS * 1000)) \
    bash -c 'WATCHDOG_PID=$$ exec "$@"' _ "$CUWATCH" -c "$CONF" >>"$DLOG" 2>&1 &
DPID=$!

# 1. READY with its STATUS, after the start-up reconciliation ingested the file already there.
wait_notify '^[0-9]+	READY=1 \| STATUS=database up, ' 1 $((10000 * CU_E2E_SLACK)) ||
    e2e_fail "no READY=1 with STATUS="
grep -m1 'READY=1' "$NLOG"
e2e_wait_sql "SELECT total_pieces FROM session_production" 3 $((5000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the file present at start was not ingested"
wait_notify 'STATUS=database up, 0 file\(s\) pending, last: DEM12 \(PVC\)/20250601.LOG \(ok\)' 1 5000 ||
    e2e_fail "STATUS= does not name the last file"
t_idle=$(e2e_now_ms)
wait_notify 'WATCHDOG=1$' 4 $((WD_MS * 4)) || e2e_fail "fewer than 4 watchdog pings in $((WD_MS * 4)) ms"
n=$(pings_after "$t_idle")
echo "idle: $n pings in $(($(e2e_now_ms) - t_idle)) ms (interval ${WD_MS} ms)"
# Idle, STATUS= is not repeated: it is sent when it changes.
[ "$(grep -c 'STATUS=' "$NLOG")" -le 3 ] || e2e_fail "STATUS= sent on every turn: $(grep -c STATUS= "$NLOG")"

# A burst: STATUS= follows it at most once a second, not once per file, and its last word is
# the final state (nothing pending).
n_before=$(grep -c 'STATUS=' "$NLOG")
t_burst=$(e2e_now_ms)
mkdir "$E2E/burst"
for day in $(seq 20250701 20250728) $(seq 20250801 20250812); do
    e2e_log_text 3 "$day" >"$E2E/burst/$day.LOG"
done
mv "$E2E/burst" "$ROOT/B (PVC)"
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE chemin LIKE 'B (PVC)/%'" 40 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the burst was not ingested"
wait_notify 'STATUS=database up, 0 file\(s\) pending, last: B \(PVC\)/' 1 3000 ||
    e2e_fail "no final STATUS= after the burst"
sent=$(($(grep -c 'STATUS=' "$NLOG") - n_before))
took=$(($(e2e_now_ms) - t_burst))
echo "burst of 40 files: $sent STATUS= in $took ms"
[ "$sent" -le $((took / 1000 + 2)) ] || e2e_fail "$sent STATUS= messages in $took ms: more than one a second"

# 3. Block the loop inside libpq: freeze the server, then give the daemon a file to ask about.
e2e_pg_freeze
e2e_log_file "DEM12 (PVC)/20250602.LOG" 5 20250602
e2e_pg_wait_unread $((5000 * CU_E2E_SLACK)) || e2e_fail "the daemon never asked the frozen server"
t_block=$(e2e_now_ms)
sleep $((WD_MS * 2 / 1000)) # the assertion is that nothing arrives: time must pass
late=$(pings_after $((t_block + 100)))
echo "blocked: $late pings in $((WD_MS * 2)) ms"
[ "$late" = 0 ] || e2e_fail "$late watchdog pings while the loop was blocked in libpq"
e2e_daemon_alive || e2e_fail "the daemon died while blocked"
t_thaw=$(e2e_now_ms)
e2e_pg_thaw
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'DEM12 (PVC)/20250602.LOG'" \
    5 $((5000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "the file was not ingested after the thaw"
t1=$(e2e_now_ms)
until [ "$(pings_after "$t_thaw")" -ge 1 ]; do
    [ $(($(e2e_now_ms) - t1)) -le $((WD_MS * 2)) ] || e2e_fail "the pings did not resume"
    sleep 0.02
done
wait_notify 'last: DEM12 \(PVC\)/20250602.LOG \(ok\)' 1 5000 || e2e_fail "STATUS= not updated"

# 4. Reload, then stop.
kill -HUP "$DPID"
wait_notify 'RELOADING=1 \| MONOTONIC_USEC=[0-9]+$' 1 5000 || e2e_fail "no RELOADING=1"
wait_notify 'READY=1' 2 5000 || e2e_fail "no READY=1 after the reload"
r=$(grep -n 'RELOADING=1' "$NLOG" | sed -n 1p | cut -d: -f1)
y=$(grep -n 'READY=1' "$NLOG" | sed -n 2p | cut -d: -f1)
[ "$y" -gt "$r" ] || e2e_fail "READY=1 came before RELOADING=1"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
[ "$rc" = 0 ] || e2e_fail "exit status $rc after SIGTERM"
wait_notify '^[0-9]+	STOPPING=1$' 1 2000 || e2e_fail "no STOPPING=1"
echo "--- notify log"
cat "$NLOG"
echo PASS

#!/usr/bin/env bash
# e2e_date_doubts.sh — dates worth a warning (issue 8), from the daemon and from --rescan:
#   - a file whose first event is not on the date its name gives (a machine clock a day off,
#     a file put under the wrong name): one warning naming the file, both dates;
#   - a file whose events span more than 24 h: one warning naming the file and the span;
#   - a night shift crossing midnight within 24 h, and an ordinary day: no warning.
# Each is still ingested as SPEC says (the name's date wins).
# Usage: e2e_date_doubts.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
mkdir "$ROOT/D (PVC)"
e2e_daemon_start
e2e_wait_log 'reconciled' $((10000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"
w() { printf '%s|@StukUitgevoerd\n' "$@"; }
w "20250909 07:00:00" "20250909 08:00:00" >"$ROOT/D (PVC)/20250910.LOG"                 # a day off
w "20250911 06:00:00" "20250911 18:00:00" "20250912 10:00:00" >"$ROOT/D (PVC)/20250911.LOG" # 28 h
w "20250912 22:00:00" "20250913 02:00:00" >"$ROOT/D (PVC)/20250912.LOG"                 # night shift
e2e_log_file "D (PVC)/20250914.LOG" 5 20250914                                           # ordinary
e2e_wait_sql "SELECT string_agg(date_production::text || ':' || total_pieces, ' ' ORDER BY 1)
              FROM session_production" "2025-09-10:2 2025-09-11:3 2025-09-12:2 2025-09-14:5" \
    $((10000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "the files were not all ingested as named"
check() { # LOG
    grep -E 'warn .*first event is not on the date its name gives.*path="D \(PVC\)/20250910.LOG" name_date=2025-09-10 first_event=2025-09-09T07:00:00' "$1" ||
        e2e_fail "$1: no warning for the file dated a day off"
    grep -E 'warn .*events span more than 24 h.*path="D \(PVC\)/20250911.LOG" .*hours=28' "$1" ||
        e2e_fail "$1: no warning for the 28 h span"
    [ "$(grep -cE 'warn .*(date its name|more than 24 h)' "$1")" = 2 ] ||
        e2e_fail "$1: warnings for files that deserve none"
}
check "$DLOG"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
"$CUWATCH" -c "$CONF" --rescan --force 2>"$E2E/rescan.log" || e2e_fail "--rescan --force failed"
check "$E2E/rescan.log"
echo PASS

#!/usr/bin/env bash
# e2e_settle.sh — the aborted re-upload rule of SPEC §4 (watch.settle, here 2 s): a file that
# shrinks is not ingested at once, only once it has stayed the same for the settle time, with a
# warning naming it; a complete re-upload meanwhile wins; a growing file goes at once.
# Usage: e2e_settle.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
E2E_SETTLE=2s
e2e_init "$1"
e2e_daemon_start
e2e_wait_log 'reconcil' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"
q="SELECT total_pieces FROM session_production WHERE fichier_log_source = 'A (PVC)/20250528.LOG'"

e2e_log_file "A (PVC)/20250528.LOG" 10 20250528
e2e_wait_sql "$q" 10 5000 >/dev/null || e2e_fail "first version not ingested"
# An aborted re-upload: smaller. Not ingested at once...
e2e_log_file "A (PVC)/20250528.LOG" 3 20250528
e2e_wait_log 'smaller than its last ingested version.*waiting' 5000 || e2e_fail "no settle notice"
[ "$(e2e_sql "$q")" = 10 ] || e2e_fail "a shrunken file was ingested at once"
# ...but after 2 s unchanged, with a warning naming it.
ms=$(e2e_wait_sql "$q" 3 $((6000 * CU_E2E_SLACK))) || e2e_fail "settled file never ingested"
grep -q 'warn .*"A (PVC)/20250528.LOG" is smaller .*ingesting it as it is' "$DLOG" ||
    e2e_fail "no warning naming the settled file"
echo "shrunken file ingested after settling (${ms} ms after the notice)"

# Growing: at once.
e2e_log_file "A (PVC)/20250528.LOG" 12 20250528
e2e_wait_sql "$q" 12 2000 >/dev/null || e2e_fail "grown file not ingested at once"
# Aborted again, then a complete re-upload before the settle time: the complete one wins.
e2e_log_file "A (PVC)/20250528.LOG" 2 20250528
e2e_wait_log_count 'smaller than its last ingested version.*waiting' 2 5000 ||
    e2e_fail "no settle notice for the second aborted upload"
e2e_log_file "A (PVC)/20250528.LOG" 14 20250528
e2e_wait_sql "$q" 14 2000 >/dev/null || e2e_fail "complete re-upload not ingested at once"
sleep 2.5 # past the settle time of the aborted one: nothing may change now
[ "$(e2e_sql "$q")" = 14 ] || e2e_fail "the aborted upload overrode the complete one"
[ "$(grep -c 'ingesting it as it is' "$DLOG")" = 1 ] || e2e_fail "extra settled ingest"
echo PASS

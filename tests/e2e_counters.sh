#!/usr/bin/env bash
# e2e_counters.sh — the summaries add up and say what they count (issue 8): files =
# ingested + unchanged + files_rejected + errors + gone (+ settling for the daemon), and
# lines_rejected (the per-file field is lines_rejected too) sums the files' rejected lines.
#   1. --rescan (text log) of 5 files, one rejected whole and one with rejected lines;
#   2. the daemon (JSON log) starting on those 5 unchanged files: its reconciliation reports
#      files=5 unchanged=5, not 0 of everything;
#   3. the daemon restarted after one file changed, one was touched and a rejected file was
#      added: files=6 = 1 ingested + 4 unchanged + 1 files_rejected, lines_rejected=4.
# Usage: e2e_counters.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
M="C (PVC)"
for d in 01 02 03; do e2e_log_file "$M/202504$d.LOG" 5 "202504$d"; done
e2e_log_file "$M/20250404.LOG" 5 20250404
printf 'not a line\nnor this one\nneither\n' >>"$ROOT/$M/20250404.LOG" # 3 rejected lines
printf 'garbage\nmore garbage\n' >"$ROOT/$M/20250405.LOG"              # no event: rejete, 2 lines

rc=0
"$CUWATCH" -c "$CONF" --rescan 2>"$E2E/rescan.log" || rc=$?
cat "$E2E/rescan.log"
[ "$rc" = 0 ] || e2e_fail "--rescan exited $rc"
grep -qE 'rescan finished files=5 ingested=4 unchanged=0 files_rejected=1 errors=0 gone=0 lines_rejected=5 ' \
    "$E2E/rescan.log" || e2e_fail "the rescan summary does not add up or is misnamed"
grep -q 'path="C (PVC)/20250404.LOG" .*lines_rejected=3 ' "$E2E/rescan.log" ||
    e2e_fail "the per-file line does not say lines_rejected=3"
! grep -qE ' rejected=' "$E2E/rescan.log" || e2e_fail "an ambiguous rejected= field is left"

# The daemon, in JSON: a start-up reconciliation over 5 unchanged files.
e2e_config '  format: json' # appended right after the log: section's level
summary() { # the last "reconciled" object, as "k=v ..." in a fixed order
    python3 - "$DLOG" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
s = [o for o in objs if o.get("msg") == "reconciled"]
if not s:
    sys.exit(1)
o = s[-1]
keys = ["files", "ingested", "unchanged", "files_rejected", "errors", "gone", "settling", "lines_rejected"]
print(" ".join(f"{k}={o.get(k)}" for k in keys))
PY
}
e2e_daemon_start
e2e_wait_log '"msg":"reconciled"' $((10000 * CU_E2E_SLACK)) || e2e_fail "no reconciliation summary"
got=$(summary) || e2e_fail "no reconciliation summary"
echo "start-up on unchanged files: $got"
[ "$got" = "files=5 ingested=0 unchanged=5 files_rejected=0 errors=0 gone=0 settling=0 lines_rejected=0" ] ||
    e2e_fail "a reconciliation over 5 unchanged files reports: $got"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=

e2e_log_file "$M/20250401.LOG" 8 20250401                          # changed
touch -d '+1 min' "$ROOT/$M/20250402.LOG"                           # touched only
printf 'x\ny\nz\nw\n' >"$ROOT/$M/20250406.LOG"                      # rejete, 4 lines
: >"$DLOG"
e2e_daemon_start
e2e_wait_log '"msg":"reconciled"' $((10000 * CU_E2E_SLACK)) || e2e_fail "no reconciliation summary"
got=$(summary)
echo "after a change, a touch and a new rejected file: $got"
[ "$got" = "files=6 ingested=1 unchanged=4 files_rejected=1 errors=0 gone=0 settling=0 lines_rejected=4" ] ||
    e2e_fail "the reconciliation summary does not add up: $got"
grep -q '"lines_rejected":4' "$DLOG" || e2e_fail "no per-file lines_rejected in JSON"
echo PASS

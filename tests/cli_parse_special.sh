#!/usr/bin/env bash
# cli_parse_special — `cuwatch --parse` given something that is not a regular file never
# hangs: a device that never ends (/dev/zero) is refused with a clear error naming it (exit
# 1, the other files still parsed), a FIFO nobody writes to reads as an empty file, and a
# pipe (/dev/stdin) as what it carries. Both used to block for good.
# Usage: cli_parse_special.sh CUWATCH
set -euo pipefail
CUWATCH=${1:?usage: $0 path/to/cuwatch}
W=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-parse-special.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$W/M (PVC)"
printf '20250528 06:00:00|@StukUitgevoerd: a\n20250528 07:00:00|@StukUitgevoerd: b\n' >"$W/M (PVC)/20250528.LOG"
mkfifo "$W/M (PVC)/20250529.LOG"

rc=0
timeout 20 "$CUWATCH" --parse /dev/zero "$W/M (PVC)/20250528.LOG" >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 1 ] || fail "--parse /dev/zero: exit $rc (124: it hung)"
grep -qF '/dev/zero: cannot read: a device, not a regular file' "$W/err" || { cat "$W/err"; fail "no clear error for /dev/zero"; }
grep -qF '"total_pieces":2' "$W/out" || fail "the regular file after /dev/zero was not parsed"
echo "ok: /dev/zero refused, the next file parsed"

rc=0
timeout 20 "$CUWATCH" --parse "$W/M (PVC)/20250529.LOG" >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 0 ] || { cat "$W/err"; fail "--parse FIFO: exit $rc (124: it hung)"; }
grep -qF '"status":"rejete"' "$W/out" || fail "a FIFO without a writer: $(cat "$W/out")"
echo "ok: a FIFO without a writer reads as empty"

rc=0
timeout 20 "$CUWATCH" --parse /dev/stdin <"$W/M (PVC)/20250528.LOG" >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 0 ] || { cat "$W/err"; fail "--parse /dev/stdin from a file: exit $rc"; }
rc=0
cat "$W/M (PVC)/20250528.LOG" | timeout 20 "$CUWATCH" --parse /dev/stdin >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 0 ] || { cat "$W/err"; fail "--parse /dev/stdin from a pipe: exit $rc"; }
grep -qF '"total_pieces":2' "$W/out" || fail "a pipe's content: $(cat "$W/out")"
echo "ok: /dev/stdin, a file or a pipe, is parsed"
echo PASS

#!/usr/bin/env bash
# db_crash — crash safety of the one-file transaction: a large rescan is killed with SIGKILL
# at random moments, 20 times (three times in four with --force); a final rescan then
# leaves tables equal to those of one clean ingest (contents compared without ids, creation
# times and timings).
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
gen_logs "$root" 3 30 2000 5
# Some rejected files and lines too.
mkdir -p "$root/JUNK (X)"
printf 'PK\x03\x04 zip\n' >"$root/JUNK (X)/20250110.LOG"
nfiles=$(find "$root" -name '*.LOG' | wc -l)

createdb clean
write_config "$WORK/clean.yaml" "$root" clean
t0=$(date +%s.%N)
run_cuwatch "$WORK/clean.out" -c "$WORK/clean.yaml" --rescan || { cat "$WORK/clean.out"; fail "clean ingest"; }
t1=$(date +%s.%N)
# Kill within the first 60 % of the time one full rescan took, so kills land all along the
# writing part of it even when a later run is faster than this one (a loaded machine).
span_ms=$(python3 -c "print(max(200, int(($t1 - $t0) * 600)))")

cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
RANDOM=42
killed=0
for i in $(seq 1 20); do
    force=
    [ $((i % 4)) != 0 ] && force=--force
    "$CUWATCH" -c "$cfg" --rescan $force >"$WORK/kill$i.out" 2>&1 &
    pid=$!
    delay_ms=$((RANDOM % span_ms))
    sleep "$(printf '0.%03d' $((delay_ms % 1000)))"
    [ "$delay_ms" -ge 1000 ] && sleep $((delay_ms / 1000))
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null || true
done
[ "$killed" -ge 12 ] || fail "only $killed of 20 rescans were killed while running"
ok "$killed rescans killed with SIGKILL"

rc=0
run_cuwatch "$WORK/final.out" -c "$cfg" --rescan || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/final.out"; fail "final rescan exit $rc"; }
contains "$WORK/final.out" "Total: $nfiles files, 0 errors" "final rescan"

dump_tables clean >"$WORK/clean.dump"
dump_tables >"$WORK/crash.dump"
[ "$(wc -l <"$WORK/clean.dump")" -gt 10000 ] || fail "clean dump too small"
diff "$WORK/clean.dump" "$WORK/crash.dump" >&2 || fail "tables differ from a clean ingest"
ok "after 20 kills and a final rescan, the tables equal one clean ingest"
echo "1 passed, 0 failed"

#!/usr/bin/env bash
# db_concurrency — concurrent writers never duplicate rows nor fail on each other:
#  - two --migrate at once on an empty database both succeed and apply each migration once;
#  - three --rescan --force at once over the same root all exit 0, with no deadlock or
#    unique-violation error, no duplicate machine, session or detail row, and the same tables
#    as one clean ingest.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
gen_logs "$root" 3 8 400 11
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
nfiles=$(find "$root" -name '*.LOG' | wc -l)

pids=()
for i in 1 2; do
    "$CUWATCH" -c "$cfg" --migrate >"$WORK/m$i.out" 2>&1 &
    pids+=($!)
done
for i in 1 2; do
    wait "${pids[$((i - 1))]}" || { cat "$WORK/m$i.out"; fail "--migrate $i failed"; }
done
eq "$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM cuwatch_migrations")" "1,2" \
    "each migration applied once"
ok "two --migrate at once"

pids=()
for i in 1 2 3; do
    "$CUWATCH" -c "$cfg" --rescan --force >"$WORK/r$i.out" 2>&1 &
    pids+=($!)
done
for i in 1 2 3; do
    rc=0
    wait "${pids[$((i - 1))]}" || rc=$?
    [ "$rc" = 0 ] || { cat "$WORK/r$i.out"; fail "rescan $i exit $rc"; }
    contains "$WORK/r$i.out" "Total: $nfiles files, 0 errors" "rescan $i summary"
    lacks "$WORK/r$i.out" "deadlock" "rescan $i"
    lacks "$WORK/r$i.out" "duplicate key" "rescan $i"
done
ok "three --rescan --force at once all exit 0"

eq "$(q "SELECT count(*) - count(DISTINCT nom) FROM centre_usinage")" 0 "duplicate machines"
eq "$(q "SELECT count(*) FROM centre_usinage")" 3 "machines"
eq "$(q "SELECT count(*) FROM session_production")" "$nfiles" "one session per file"
eq "$(q "SELECT count(*) FROM (SELECT session_id, numero_piece FROM piece_production
         GROUP BY 1, 2 HAVING count(*) > 1) d")" 0 "duplicate pieces"
eq "$(q "SELECT count(*) FROM session_production s WHERE total_pieces <>
         (SELECT count(*) FROM piece_production p WHERE p.session_id = s.id)")" 0 \
    "each session has exactly its pieces"
eq "$(q "SELECT count(*) FROM fichier_log")" "$nfiles" "one registry row per file"

# The result equals one clean ingest.
createdb clean
write_config "$WORK/clean.yaml" "$root" clean
run_cuwatch "$WORK/clean.out" -c "$WORK/clean.yaml" --rescan || fail "clean ingest"
dump_tables >"$WORK/concurrent.dump"
dump_tables clean >"$WORK/clean.dump"
diff "$WORK/clean.dump" "$WORK/concurrent.dump" >&2 || fail "concurrent result differs from a clean ingest"
ok "no duplicate rows; same tables as one clean ingest"
echo "1 passed, 0 failed"

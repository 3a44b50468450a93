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
eq "$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM cuwatch_migrations")" "$CU_VERSIONS" \
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

# Writes to one session are serialised by a transaction-level advisory lock on (machine,
# date) (SPEC §3): while another session holds it, an ingest of that machine and date waits
# and writes nothing; once it is released, the ingest completes. (The row locks of the
# upserts alone would not show here: this is the lock a second writer of another file for
# the same session meets first.)
lockroot=$WORK/lockroot
mkdir -p "$lockroot/LOCKM (PVC)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$lockroot/LOCKM (PVC)/"
createdb locktest
write_config "$WORK/lock.yaml" "$lockroot" locktest
key="hashtext('LOCKM'), (date '2025-05-28' - date '1970-01-01')"
psql -XAtq -d locktest -v ON_ERROR_STOP=1 \
    -c "SET application_name = 'lockholder'" \
    -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
deadline=$((SECONDS + 30))
until [ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
            WHERE a.application_name = 'lockholder' AND l.locktype = 'advisory' AND l.granted" locktest)" = 1 ]; do
    [ $SECONDS -lt $deadline ] || fail "the lock holder never got its lock"
    sleep 0.05
done
"$CUWATCH" -c "$WORK/lock.yaml" --rescan >"$WORK/lock.out" 2>&1 &
writer=$!
deadline=$((SECONDS + 30))
until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted" locktest)" = 1 ]; do
    [ $SECONDS -lt $deadline ] || { cat "$WORK/lock.out"; fail "cuwatch never waited for the session lock"; }
    kill -0 "$writer" 2>/dev/null || { cat "$WORK/lock.out"; fail "cuwatch finished while the session was locked"; }
    sleep 0.05
done
eq "$(q "SELECT count(*) FROM session_production" locktest)" 0 "nothing written while locked"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lockholder'" locktest >/dev/null
wait "$holder" 2>/dev/null || true
rc=0
wait "$writer" || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/lock.out"; fail "rescan after the lock was released: exit $rc"; }
eq "$(q "SELECT total_pieces FROM session_production" locktest)" 4 "written once released"
ok "a session locked by another writer is waited for, then written"
echo "1 passed, 0 failed"

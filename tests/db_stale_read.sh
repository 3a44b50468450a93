#!/usr/bin/env bash
# db_stale_read — an older read never overwrites a newer one (issue 8). A `--rescan --force`
# reads an upload half-way, then waits for the file's lock (held here from psql, standing for
# the daemon's transaction); meanwhile the upload completes and the complete file is committed
# by another writer. When the rescan gets the lock, the file is no longer what it read: it
# reads it again and commits the complete content, not its stale partial copy.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
root=$WORK/root
rel="DEM12 (PVC)/20250528.LOG"
mkdir -p "$root/DEM12 (PVC)"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/migrate.out" -c "$cfg" --migrate || { cat "$WORK/migrate.out"; fail "--migrate"; }

lines() { # FROM TO: one piece a minute
    awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
        printf "20250528 %02d:%02d:00|@StukUitgevoerd: piece %d\n", 6 + int(i / 60), i % 60, i }'
}
lines 1 100 >"$root/$rel" # the partial upload

# The lock on the file's path, as the ingest takes it, held by a psql session fed from a FIFO.
mkfifo "$WORK/hold"
psql -XAtq -v ON_ERROR_STOP=1 <"$WORK/hold" >"$WORK/hold.out" 2>&1 &
hold=$!
exec 7>"$WORK/hold"
printf "SELECT pg_advisory_lock(hashtextextended('%s', 0));\n" "$rel" >&7
waitq() { # SQL WANT: poll with a deadline
    for _ in $(seq 300); do [ "$(q "$1")" = "$2" ] && return 0; sleep 0.05; done
    fail "timeout waiting for [$1] = [$2], last [$(q "$1")]"
}
waitq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" 1

# The rescan reads the partial file, then waits for the lock.
"$CUWATCH" -c "$cfg" --rescan --force >"$WORK/rescan.out" 2>&1 &
rescan=$!
waitq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted" 1

# The upload completes, and the complete file is what the other writer commits.
lines 101 400 >>"$root/$rel"
full=$(stat -c %s "$root/$rel")
printf 'SELECT pg_advisory_unlock_all();\n\\q\n' >&7
exec 7>&-
wait "$hold"
rc=0
wait "$rescan" || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/rescan.out"; fail "--rescan --force exit $rc"; }
eq "$(q "SELECT total_pieces FROM session_production")" 400 "the session has the complete file"
eq "$(q "SELECT taille FROM fichier_log")" "$full" "the registry has the complete size"
eq "$(q "SELECT count(*) FROM piece_production")" 400 "every piece"
ok "the stale partial read did not win"
echo "1 passed, 0 failed"

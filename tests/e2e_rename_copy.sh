#!/usr/bin/env bash
# e2e_rename_copy.sh — what is not a move (issue 8, db/moves.c): a copy keeps both sessions,
# and a folder whose name is stored in another form than its bytes (Latin-1 "LATÉ (ALU)", as a
# Windows FTP client creates it) is not taken for gone when its content shows up elsewhere;
# renamed, that folder's files do move.
# Usage: e2e_rename_copy.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
lat=$'LAT\xc9 (ALU)' # Latin-1 bytes on disk, stored as UTF-8 "LATÉ (ALU)"
e2e_log_file "A (PVC)/20250920.LOG" 4 20250920
mkdir "$ROOT/$lat"
e2e_log_text 6 20250921 >"$ROOT/$lat/20250921.LOG"
e2e_daemon_start
machines() { e2e_sql "SELECT string_agg(nom || ':' || (SELECT count(*) FROM session_production s
                        WHERE s.centre_usinage_id = c.id), ',' ORDER BY nom) FROM centre_usinage c"; }
e2e_wait_sql "SELECT count(*) FROM session_production" 2 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "start-up ingest"
# Copies: the originals stay where they are.
mkdir "$ROOT/COPIE (PVC)" "$ROOT/COPIE2 (ALU)"
cp -p "$ROOT/A (PVC)/20250920.LOG" "$ROOT/COPIE (PVC)/"
cp -p "$ROOT/$lat/20250921.LOG" "$ROOT/COPIE2 (ALU)/"
e2e_wait_sql "SELECT count(*) FROM fichier_log" 4 $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the copies were not ingested"
got=$(machines)
echo "after copies: $got"
[ "$got" = "A:1,COPIE:1,COPIE2:1,LATÉ:1" ] || e2e_fail "a copy was taken for a move: $got"
! grep -q 'moved: ' "$DLOG" || e2e_fail "a 'moved' line for a copy"
# The Latin-1 folder renamed: a move.
mv "$ROOT/$lat" "$ROOT/LATIN (ALU)"
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE chemin = 'LATIN (ALU)/20250921.LOG'" 1 \
    $((10000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "the renamed folder's file was not ingested"
got=$(machines)
echo "after renaming the Latin-1 folder: $got"
# LATÉ's session moved to LATIN; COPIE2's copy, still on disk, keeps its own.
[ "$got" = "A:1,COPIE:1,COPIE2:1,LATIN:1" ] || e2e_fail "the Latin-1 folder's rename: $got"
echo PASS

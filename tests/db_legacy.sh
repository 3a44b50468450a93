#!/usr/bin/env bash
# db_legacy — a database created by the old service (tests/data/legacy/old_schema.sql: no
# UNIQUE, FKs without CASCADE) with duplicate machines and sessions and their detail rows is
# migrated: the most recent session per machine and date is kept with its details, the others
# go, sessions of duplicate machines are repointed, a missing column comes back, constraints
# are added; then an ordinary ingest works (no "no unique or exclusion constraint" error).
# A state that cannot be repaired (a machine without a name) stops with a message saying what
# to fix, and leaves the database as it was.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
LEGACY=${CU_TEST_DATA:-$HERE/data}/legacy/old_schema.sql

psql -Xq -v ON_ERROR_STOP=1 -f "$LEGACY"
psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO centre_usinage (id, nom, type_cu, description) VALUES
  (1, 'DEM12', 'PVC', 'DEM12 (PVC)'), (2, 'DEM12', NULL, NULL), (3, 'SU12', 'HYBRIDE', NULL);
SELECT setval('centre_usinage_id_seq', 3);
INSERT INTO session_production (id, centre_usinage_id, date_production, total_pieces, date_creation) VALUES
  (1, 1, '2025-05-28', 10, '2025-05-29 01:00'),  -- older duplicate of (DEM12, 05-28)
  (2, 2, '2025-05-28', 11, '2025-05-30 01:00'),  -- most recent, on the duplicate machine
  (3, 1, '2025-05-28', 12, '2025-05-28 23:00'),  -- oldest duplicate
  (4, 2, '2025-05-27', 5,  '2025-05-28 01:00'),  -- only session of its day, duplicate machine
  (5, 3, '2025-05-28', 7,  '2025-05-29 01:00'),
  (6, 3, '2025-05-28', 8,  '2025-05-29 01:00');  -- same date_creation: the higher id wins
SELECT setval('session_production_id_seq', 6);
INSERT INTO piece_production (session_id, numero_piece, details) VALUES
  (1, 1, 'old-1'), (1, 2, 'old-2'), (2, 1, 'keep-1'), (2, 2, 'keep-2'), (3, 1, 'oldest'),
  (4, 1, 'day27'), (5, 1, 'su-old'), (6, 1, 'su-keep');
INSERT INTO job_profil (session_id, reference) VALUES (1, 'OLD'), (2, 'KEEP');
INSERT INTO periode_attente (session_id, duree_secondes) VALUES (1, 10), (2, 20), (3, 30);
INSERT INTO periode_arret (session_id, duree_secondes) VALUES (3, 40), (2, 50);
-- an even older schema lacked a column that cuwatch writes
ALTER TABLE session_production DROP COLUMN heure_dernier_machine_stop;
SQL

# The old service's failure, for the record.
if psql -XAtq -c "INSERT INTO centre_usinage (nom) VALUES ('X') ON CONFLICT (nom) DO NOTHING" \
    >"$WORK/seed.out" 2>&1; then fail "the legacy schema accepted ON CONFLICT"; fi
contains "$WORK/seed.out" "no unique or exclusion constraint matching the ON CONFLICT" "legacy failure"

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"

rc=0
run_cuwatch "$WORK/migrate.out" -c "$cfg" --migrate || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/migrate.out"; fail "--migrate exit $rc"; }
eq "$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM cuwatch_migrations")" "$CU_VERSIONS" \
    "migrations recorded"
eq "$(q "SELECT string_agg(id || ':' || nom || ':' || coalesce(type_cu, '-'), ' ' ORDER BY id)
         FROM centre_usinage")" "1:DEM12:PVC 3:SU12:HYBRIDE" "duplicate machines merged"
eq "$(q "SELECT string_agg(id || ':' || centre_usinage_id || ':' || date_production || ':' ||
         total_pieces, ' ' ORDER BY id) FROM session_production")" \
    "2:1:2025-05-28:11 4:1:2025-05-27:5 6:3:2025-05-28:8" "most recent session kept, others merged"
eq "$(q "SELECT string_agg(session_id || ':' || details, ' ' ORDER BY session_id, numero_piece)
         FROM piece_production")" "2:keep-1 2:keep-2 4:day27 6:su-keep" "kept sessions keep their pieces"
eq "$(q "SELECT string_agg(session_id || ':' || reference, ' ') FROM job_profil")" "2:KEEP" "jobs"
eq "$(q "SELECT string_agg(session_id || ':' || duree_secondes, ' ') FROM periode_attente")" "2:20" "waits"
eq "$(q "SELECT string_agg(session_id || ':' || duree_secondes, ' ') FROM periode_arret")" "2:50" "stops"
eq "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'session_production'
         AND column_name = 'heure_dernier_machine_stop'")" 1 "missing column added"
# The detail tables' foreign keys became statement-level integrity triggers (migration 006).
eq "$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'session_production'::regclass")" \
    0 "no per-row foreign key left on the detail tables"
eq "$(q "SELECT string_agg(tgrelid::regclass::text, ' ' ORDER BY tgrelid::regclass::text)
         FROM pg_trigger WHERE tgname = 'cu_detail_check_ins'")" \
    "job_profil periode_arret periode_attente periode_etat piece_production" "integrity triggers"
eq "$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'u' AND conrelid IN
         ('centre_usinage'::regclass, 'session_production'::regclass)")" 2 "UNIQUE constraints"
ok "legacy database repaired"

# A second --migrate has nothing to do.
run_cuwatch "$WORK/migrate2.out" -c "$cfg" --migrate || fail "second --migrate failed"
contains "$WORK/migrate2.out" "0 migrations applied" "second migrate"

# Now an ordinary ingest works and replaces the (DEM12, 2025-05-28) session in place.
rc=0
run_cuwatch "$WORK/rescan.out" -c "$cfg" --rescan || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/rescan.out"; fail "rescan after repair exit $rc"; }
lacks "$WORK/rescan.out" "ON CONFLICT" "rescan"
eq "$(q "SELECT id || ':' || total_pieces || ':' || taux_occupation || ':' || heure_dernier_machine_stop
         FROM session_production WHERE centre_usinage_id = 1 AND date_production = '2025-05-28'")" \
    "2:4:71.55:2025-05-28 09:30:00" "session upserted in place"
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = 2")" 4 "its details replaced"
eq "$(q "SELECT count(*) FROM session_production")" 3 "no new session"
ok "ingest after the repair"

# Cascade: deleting a session deletes its details.
q "DELETE FROM session_production WHERE id = 4" >/dev/null
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = 4")" 0 "cascade"

# Unrepairable: a machine without a name. The migration stops, says what to fix, and
# leaves the database untouched (its transaction rolled back).
createdb legacy_bad
psql -XAtq -d legacy_bad -v ON_ERROR_STOP=1 -f "$LEGACY"
q "INSERT INTO centre_usinage (nom) VALUES ('A'), (NULL), ('A')" legacy_bad
write_config "$WORK/bad.yaml" "$root" legacy_bad
rc=0
run_cuwatch "$WORK/bad.out" -c "$WORK/bad.yaml" --migrate || rc=$?
eq "$rc" 1 "--migrate on an unrepairable database"
contains "$WORK/bad.out" "have no nom (id 2)" "what is wrong"
contains "$WORK/bad.out" "HINT: Give each of them its machine name" "what to fix"
eq "$(q "SELECT count(*) FROM centre_usinage" legacy_bad)" 3 "nothing changed"
eq "$(q "SELECT count(*) FROM cuwatch_migrations" legacy_bad)" 0 "migration 1 not recorded"
rc=0
run_cuwatch "$WORK/bad2.out" -c "$WORK/bad.yaml" --rescan || rc=$?
eq "$rc" 1 "--rescan on an unrepairable database"
# Fixed as the hint says, it migrates.
q "UPDATE centre_usinage SET nom = 'B' WHERE nom IS NULL" legacy_bad
run_cuwatch "$WORK/bad3.out" -c "$WORK/bad.yaml" --migrate || { cat "$WORK/bad3.out"; fail "after the fix"; }
eq "$(q "SELECT string_agg(nom, ',' ORDER BY id) FROM centre_usinage" legacy_bad)" "A,B" "merged after the fix"
ok "unrepairable state reported with a hint"
echo "1 passed, 0 failed"

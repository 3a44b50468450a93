#!/usr/bin/env bash
# db_legacy_not_null — a database created by the old service's own DDL
# (tests/data/legacy/old_service_ddl.sql: UNIQUE constraints, and NOT NULL on type_cu,
# date_production, reference, the detail timestamps...) holding its data: after --migrate, a
# machine folder without "(TYPE)" ingests (type_cu NULL) instead of failing for ever on a
# not-null violation; the old rows are all still there; the NOT NULLs SPEC §3 does not have
# are gone, nom's and the primary keys' stay.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
DDL=${CU_TEST_DATA:-$HERE/data}/legacy/old_service_ddl.sql

psql -Xq -v ON_ERROR_STOP=1 -f "$DDL"
q "INSERT INTO centre_usinage (nom, type_cu, description) VALUES ('DEM12', 'PVC', 'DEM12 (PVC)');
   INSERT INTO session_production (centre_usinage_id, date_production, total_pieces)
   VALUES (1, '2025-05-27', 3);
   INSERT INTO piece_production (session_id, numero_piece, timestamp_production)
   VALUES (1, 1, '2025-05-27 08:00')" >/dev/null
# The old service's DDL as the test means it: type_cu NOT NULL.
eq "$(q "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'centre_usinage'::regclass
         AND attname = 'type_cu'")" t "legacy type_cu NOT NULL"

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/DEM99"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM99/20250528.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"

run_cuwatch "$WORK/migrate.out" -c "$cfg" --migrate || { cat "$WORK/migrate.out"; fail "--migrate"; }
rc=0
run_cuwatch "$WORK/rescan.out" -c "$cfg" --rescan || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/rescan.out"; fail "--rescan exit $rc"; }
lacks "$WORK/rescan.out" "not-null" "rescan"
eq "$(q "SELECT nom || ':' || coalesce(type_cu, 'NULL') || ':' || description FROM centre_usinage
         ORDER BY id")" "DEM12:PVC:DEM12 (PVC)
DEM99:NULL:DEM99" "a machine without type"
eq "$(q "SELECT statut FROM fichier_log WHERE chemin = 'DEM99/20250528.LOG'")" ok "registry"
eq "$(q "SELECT count(*) FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
         WHERE c.nom = 'DEM99'")" 1 "its session"
eq "$(q "SELECT count(*) FROM session_production WHERE date_production = '2025-05-27'")" 1 "old session kept"
eq "$(q "SELECT count(*) FROM piece_production WHERE timestamp_production = '2025-05-27 08:00'")" 1 \
    "old piece kept"
# What stays NOT NULL: the primary keys and centre_usinage.nom, nothing else.
eq "$(q "SELECT string_agg(c.relname || '.' || a.attname, ' ' ORDER BY 1)
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relname IN ('centre_usinage', 'session_production', 'job_profil',
               'periode_attente', 'periode_arret', 'piece_production')
           AND a.attnum > 0 AND a.attnotnull AND a.attname <> 'id'")" "centre_usinage.nom" \
    "NOT NULLs left"
ok "old service DDL repaired; a folder without (TYPE) ingests"
echo "1 passed, 0 failed"

#!/usr/bin/env bash
# db_counters — line counts and line numbers are 64-bit end to end (issue 8): after the
# migrations fichier_log.lignes/evenements/lignes_rejetees and ligne_rejetee.numero_ligne are
# BIGINT, hold a count above 2^32, and an ordinary ingest still writes them.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
root=$WORK/root
mkdir -p "$root/DEM12 (PVC)"
printf '20250528 06:00:00|@StukUitgevoerd: 1\nnot a line\n20250528 07:00:00|@StukUitgevoerd: 2\n' \
    >"$root/DEM12 (PVC)/20250528.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/rescan.out" -c "$cfg" --rescan || { cat "$WORK/rescan.out"; fail "--rescan"; }
eq "$(q "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ' '
         ORDER BY table_name, column_name) FROM information_schema.columns
         WHERE (table_name, column_name) IN (('fichier_log', 'lignes'),
               ('fichier_log', 'evenements'), ('fichier_log', 'lignes_rejetees'),
               ('ligne_rejetee', 'numero_ligne'))")" \
    "fichier_log.evenements:bigint fichier_log.lignes:bigint fichier_log.lignes_rejetees:bigint ligne_rejetee.numero_ligne:bigint" \
    "column types"
eq "$(q "SELECT lignes || ':' || evenements || ':' || lignes_rejetees FROM fichier_log")" "3:2:1" "counts"
eq "$(q "SELECT numero_ligne FROM ligne_rejetee")" 2 "line number"
q "UPDATE fichier_log SET lignes = 4294967296 + 7; UPDATE ligne_rejetee SET numero_ligne = 4294967296"
eq "$(q "SELECT lignes FROM fichier_log")" 4294967303 "a count above 2^32"
ok "64-bit counters"
echo "1 passed, 0 failed"

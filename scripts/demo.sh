#!/usr/bin/env bash
# demo.sh — cuwatch end to end on a self-contained default, as the README's first command:
# installs what is missing (scripts/deps.sh --demo: no system service), builds (Release,
# build-demo, without the tests), starts a
# throwaway PostgreSQL (tests/pg_harness.sh; as the postgres user when run as root),
# generates three machines' LOG files over three weeks, runs `cuwatch --rescan` on them and
# prints a KPI table from the database, then writes the HTML report of that data (cuwatch
# --report) to a file that outlives the demo and says where it is. The server and the data
# are removed at the end; the report stays.
#
# Usage: scripts/demo.sh [DAYS [LINES]]     (default 21 days × 5,000 lines per file)
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-21}
lines=${2:-5000}

scripts/deps.sh --demo
build=${CUWATCH_BUILD_DIR:-build-demo}
echo "== building ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target cuwatch cuwatch-genlogs >/dev/null

echo "== starting a throwaway PostgreSQL"
. tests/pg_harness.sh
cu_pg_start
work=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-demo.XXXXXX")
chmod 755 "$work"
trap 'cu_pg_stop; rm -rf "$work"' EXIT

echo "== generating LOG files: 3 machines × $days days × $lines lines"
"$build/bench/cuwatch-genlogs" --out "$work/vsftpd" --machines 3 --days "$days" \
    --lines "$lines" --seed 2025
cat >"$work/cuwatch.yaml" <<YAML
watch:
  root: "$work/vsftpd"
database:
  conninfo: "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"
log:
  level: info
YAML

echo "== cuwatch --check"
"$build/cli/cuwatch" -c "$work/cuwatch.yaml" --check || true
echo "== cuwatch --rescan"
"$build/cli/cuwatch" -c "$work/cuwatch.yaml" --rescan

echo "== KPIs per machine and day"
psql -X -q -P footer=off <<'SQL'
SELECT c.nom AS machine, c.type_cu AS type, s.date_production AS day,
       s.total_pieces AS pieces, s.duree_production_totale AS "production h",
       s.taux_occupation AS "occupation %", s.taux_attente AS "wait %",
       s.taux_arret_volontaire AS "stop %"
  FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
 ORDER BY c.nom, s.date_production;
SQL
echo "== per machine over the period"
psql -X -q -P footer=off <<'SQL'
SELECT c.nom AS machine, count(*) AS days, sum(s.total_pieces) AS pieces,
       sum(s.duree_production_totale) AS "production h",
       round(sum(s.temps_production_effectif) * 100 / nullif(sum(s.duree_production_totale), 0), 2)
         AS "occupation %",
       round(sum(s.temps_attente) * 100 / nullif(sum(s.duree_production_totale), 0), 2) AS "wait %",
       round(sum(s.temps_arret_volontaire) * 100 / nullif(sum(s.duree_production_totale), 0), 2)
         AS "stop %",
       (SELECT count(*) FROM fichier_log f WHERE f.centre_usinage_id = c.id
         AND f.lignes_rejetees > 0) AS "files with rejected lines"
  FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
 GROUP BY c.id, c.nom ORDER BY c.nom;
SQL
report=${CUWATCH_DEMO_REPORT:-${TMPDIR:-/tmp}/cuwatch-demo-report.html}
echo "== cuwatch --report (the 7 most recent days, every machine)"
"$build/cli/cuwatch" -c "$work/cuwatch.yaml" --report -o "$report"
echo "report: $report  (open file://$report in a browser; print it on A4 landscape)"
echo "== done; the server and the generated files are removed, the report stays"

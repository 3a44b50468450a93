#!/usr/bin/env bash
# deploy_grafana.sh — loads demo data (cuwatch-genlogs, cuwatch --rescan) into a throwaway
# PostgreSQL with the compose stack's roles (deploy/db-init/10-cuwatch-roles.sql), then runs
# tests/deploy_grafana.py as cuwatch_reader: every dashboard panel's SQL on the SPEC §8 views.
# Usage: deploy_grafana.sh CUWATCH SOURCE_DIR    (CUWATCH_GENLOGS from the environment)
set -euo pipefail
src=${2:?usage: $0 CUWATCH SOURCE_DIR}
. "$(dirname "$0")/db_lib.sh"
umask 077
printf 'writer-%s\n' "$RANDOM$RANDOM" >"$WORK/writer_pw"
printf 'reader-%s\n' "$RANDOM$RANDOM" >"$WORK/reader_pw"
umask 022
psql -X -q -v writer_password_file="$WORK/writer_pw" -v reader_password_file="$WORK/reader_pw" \
    -f "$src/deploy/db-init/10-cuwatch-roles.sql" >"$WORK/roles.out" 2>&1 ||
    { cat "$WORK/roles.out" >&2; fail "roles script"; }
# Four machines over five weeks, ingested by cuwatch as cuwatch_writer (as in compose).
gen_logs "$WORK/root" 4 35 600 3
write_config "$WORK/c.yaml" "$WORK/root"
sed -i "s/user=$PGUSER/user=cuwatch_writer/" "$WORK/c.yaml"
run_cuwatch "$WORK/rescan.out" -c "$WORK/c.yaml" --rescan || { cat "$WORK/rescan.out" >&2; fail "--rescan"; }
# The dashboards read as Grafana does: the read-only role (trust auth on the test socket).
PGUSER=cuwatch_reader python3 "$src/tests/deploy_grafana.py" "$src"

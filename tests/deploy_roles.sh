#!/usr/bin/env bash
# deploy_roles.sh — deploy/db-init/10-cuwatch-roles.sql against a real PostgreSQL: cuwatch
# migrates and ingests as cuwatch_writer (a non-superuser), dashboards read as
# cuwatch_reader and cannot write; re-running the script on a database that a superuser
# created (the old service's situation) adopts its tables so that the writer can migrate.
# Usage: deploy_roles.sh CUWATCH SOURCE_DIR    (CUWATCH_GENLOGS from the environment)
set -euo pipefail
src=${2:?usage: $0 CUWATCH SOURCE_DIR}
roles_sql=$src/deploy/db-init/10-cuwatch-roles.sql
# Every login needs a password, over TCP as in the compose stack.
CU_PG_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
export CU_PG_TCP=1 CU_PG_PASSWORD
. "$(dirname "$0")/db_lib.sh"
export PGPASSWORD=$CU_PG_PASSWORD         # the test's own superuser sessions only

umask 077
head -c 15 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$WORK/writer_pw"; echo >>"$WORK/writer_pw"
head -c 15 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$WORK/reader_pw"; echo >>"$WORK/reader_pw"
umask 022
roles() { # roles DB: run the init script as the superuser in DB
    psql -X -q -d "$1" -v writer_password_file="$WORK/writer_pw" \
        -v reader_password_file="$WORK/reader_pw" -f "$roles_sql" >"$WORK/roles.out" 2>&1 ||
        { cat "$WORK/roles.out" >&2; fail "the roles script failed on $1"; }
}
# as ROLE DB SQL: one query as ROLE, with its password, over TCP (no superuser environment).
as() {
    local pw=$WORK/${1#cuwatch_}_pw
    env -u PGPASSWORD PGPASSWORD="$(head -n 1 "$pw")" \
        psql -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$CU_PG_TCP_PORT" -U "$1" -d "$2" -c "$3"
}
# cw DB OUT ARGS...: cuwatch as the writer, password from password_file, no PG* password.
cw() {
    local db=$1 out=$2
    shift 2
    cat >"$WORK/cuwatch-$db.yaml" <<YAML
watch:
  root: "$WORK/root"
database:
  conninfo: "host=127.0.0.1 port=$CU_PG_TCP_PORT dbname=$db user=cuwatch_writer"
  password_file: $WORK/writer_pw
YAML
    env -u PGPASSWORD -u PGUSER -u PGHOST "$CUWATCH" -c "$WORK/cuwatch-$db.yaml" "$@" >"$out" 2>&1
}

gen_logs "$WORK/root" 3 4 400 7

# 1. A fresh database (the compose stack's first start): roles first, then cuwatch.
roles "$PGDATABASE"
eq "$(q "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = 'cuwatch_writer'")" f \
    "cuwatch_writer's role attributes"
cw "$PGDATABASE" "$WORK/migrate.out" --migrate || { cat "$WORK/migrate.out" >&2; fail "--migrate as cuwatch_writer"; }
cw "$PGDATABASE" "$WORK/rescan.out" --rescan || { cat "$WORK/rescan.out" >&2; fail "--rescan as cuwatch_writer"; }
! grep -qF -f "$WORK/writer_pw" "$WORK/migrate.out" "$WORK/rescan.out" || fail "the password was printed"
eq "$(as cuwatch_writer "$PGDATABASE" 'SELECT count(*) FROM session_production')" 12 "sessions written by the writer"
eq "$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'cuwatch_writer'")" 0 \
    "tables not owned by cuwatch_writer"
cw "$PGDATABASE" "$WORK/check.out" --check || { cat "$WORK/check.out" >&2; fail "--check as cuwatch_writer"; }

# The writer can do nothing beyond its database objects.
for sql in "CREATE ROLE intruder" "CREATE DATABASE other" "ALTER ROLE cuwatch_writer SUPERUSER" \
    "SELECT pg_read_file('postgresql.conf')" "COPY session_production TO PROGRAM 'true'"; do
    ! as cuwatch_writer "$PGDATABASE" "$sql" >/dev/null 2>"$WORK/err" || fail "the writer could: $sql"
    grep -qE 'permission denied|must be superuser' "$WORK/err" || { cat "$WORK/err" >&2; fail "the writer's $sql: unexpected error"; }
done

# 2. The reader: every table and view (including those of later migrations), never a write.
views=$(q "SELECT string_agg(viewname, ' ' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public'")
for rel in centre_usinage session_production periode_arret fichier_log ligne_rejetee $views; do
    as cuwatch_reader "$PGDATABASE" "SELECT count(*) FROM $rel" >/dev/null ||
        fail "cuwatch_reader cannot read $rel"
done
eq "$(as cuwatch_reader "$PGDATABASE" 'SELECT sum(total_pieces) > 0 FROM session_production')" t "the reader's sums"
for sql in "INSERT INTO centre_usinage (nom) VALUES ('X')" "DELETE FROM fichier_log" \
    "CREATE TABLE t (i int)" "UPDATE session_production SET total_pieces = 0"; do
    ! as cuwatch_reader "$PGDATABASE" "$sql" >/dev/null 2>"$WORK/err" || fail "the reader could: $sql"
    grep -qE 'permission denied|read-only transaction' "$WORK/err" || { cat "$WORK/err" >&2; fail "the reader's $sql: unexpected error"; }
done
# Not only the read-only default: the privilege itself is missing.
! as cuwatch_reader "$PGDATABASE" "BEGIN READ WRITE; INSERT INTO centre_usinage (nom) VALUES ('X'); COMMIT" \
    >/dev/null 2>"$WORK/err" || fail "the reader inserted in a read-write transaction"
contains "$WORK/err" "permission denied for table centre_usinage" "the reader's read-write INSERT"
# A view a later migration creates (as the writer) is readable at once.
as cuwatch_writer "$PGDATABASE" "CREATE VIEW v_test_later AS SELECT nom FROM centre_usinage" >/dev/null
eq "$(as cuwatch_reader "$PGDATABASE" 'SELECT count(*) FROM v_test_later')" 3 "a later view, read by the reader"

# 3. A database the old service (or a superuser) created: the script adopts its objects,
#    then the writer migrates and ingests; running it twice changes nothing.
createdb legacy
cat >"$WORK/su.yaml" <<YAML
watch:
  root: "$WORK/root"
database:
  conninfo: "host=$PGHOST port=$PGPORT dbname=legacy user=$PGUSER"
YAML
run_cuwatch "$WORK/su.out" -c "$WORK/su.yaml" --migrate || { cat "$WORK/su.out" >&2; fail "--migrate as the superuser"; }
cw legacy "$WORK/denied.out" --rescan && fail "the writer ingested into tables it does not own yet"
roles legacy
roles legacy
cw legacy "$WORK/migrate2.out" --migrate || { cat "$WORK/migrate2.out" >&2; fail "--migrate after adoption"; }
cw legacy "$WORK/rescan2.out" --rescan || { cat "$WORK/rescan2.out" >&2; fail "--rescan after adoption"; }
eq "$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
          AND relkind IN ('r', 'v', 'S') AND relowner <> 'cuwatch_writer'::regrole" legacy)" 0 "objects left unadopted"
eq "$(as cuwatch_reader legacy 'SELECT count(*) FROM session_production')" 12 "the reader on the adopted database"

# 4. A missing password file stops the script with a clear message, before any change.
! psql -X -q -d "$PGDATABASE" -v writer_password_file=/nonexistent -v reader_password_file="$WORK/reader_pw" \
    -f "$roles_sql" >"$WORK/nopw.out" 2>&1 || fail "the roles script accepted a missing password file"
contains "$WORK/nopw.out" "writer password file is missing or empty" "a missing password file"
ok "roles: writer migrates and ingests without being a superuser; reader reads, never writes"

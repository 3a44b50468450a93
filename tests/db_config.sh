#!/usr/bin/env bash
# db_config — SPEC §5–6 exit codes and messages around configuration and the database, on a
# server that requires a password: password_file, PGPASSWORD and the old DB_* variables work;
# a wrong or missing password and an unreachable server exit 3; a bad configuration exits 2
# naming file, line and column; a missing root fails --check with 1. No password ever appears
# in any output.
set -euo pipefail
PW='Sesame-7f3a9-Ouvre-Toi'
WRONG='Wrong-c0ffee-Passw0rd'
export CU_PG_PASSWORD=$PW
. "$(dirname "$0")/db_lib.sh"
unset PGPASSWORD
q() { PGPASSWORD=$PW psql -XAtq -v ON_ERROR_STOP=1 ${2:+-d "$2"} -c "$1"; }

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/Atelier sans type"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
printf '%s\n' "$PW" >"$WORK/pw"
printf '%s\n' "$WRONG" >"$WORK/wrong"
chmod 600 "$WORK/pw" "$WORK/wrong"
outs=()
# expect STATUS NAME ARGS...: run cuwatch, check its exit status, keep its output.
expect() {
    local want=$1 name=$2
    shift 2
    local rc=0
    run_cuwatch "$WORK/$name.out" "$@" || rc=$?
    outs+=("$WORK/$name.out")
    [ "$rc" = "$want" ] || { cat "$WORK/$name.out" >&2; fail "$name: exit $rc, expected $want"; }
}
conf() { # conf FILE CONNINFO [PASSWORD_FILE] [ROOT]
    {
        echo "watch:"
        echo "  root: \"${4:-$root}\""
        echo "database:"
        [ -n "$2" ] && echo "  conninfo: \"$2\""
        [ -n "${3:-}" ] && echo "  password_file: \"$3\""
        echo "machines:"
        echo "  map:"
        echo "    \"Atelier sans type\": { name: ATELIER }"
    } >"$1"
}
conn="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=postgres"

# password_file
conf "$WORK/good.yaml" "$conn" "$WORK/pw"
expect 0 check_good -c "$WORK/good.yaml" --check
contains "$WORK/check_good.out" "configuration: ok" "check"
contains "$WORK/check_good.out" "root: ok" "check"
contains "$WORK/check_good.out" '"DEM12 (PVC)" -> machine DEM12, type PVC' "machine folder listed"
contains "$WORK/check_good.out" '"Atelier sans type" -> machine ATELIER, type none' "mapped folder"
contains "$WORK/check_good.out" "database: ok: PostgreSQL 15" "server version"
contains "$WORK/check_good.out" "schema version 0 (latest $CU_LATEST), $CU_LATEST pending migrations" "pending migrations"
expect 0 migrate_good -c "$WORK/good.yaml" --migrate
expect 0 check_good2 -c "$WORK/good.yaml" --check
contains "$WORK/check_good2.out" "schema version $CU_LATEST (latest $CU_LATEST), 0 pending migrations" "after migrate"
expect 0 rescan_good -c "$WORK/good.yaml" --rescan
eq "$(q "SELECT count(*) FROM session_production")" 1 "ingested with password_file"
ok "password_file"

# PGPASSWORD, and the old service's DB_* variables
conf "$WORK/nopw.yaml" "$conn"
PGPASSWORD=$PW expect 0 check_pgpassword -c "$WORK/nopw.yaml" --check
conf "$WORK/legacyenv.yaml" ""
DB_HOST=$PGHOST DB_NAME=$PGDATABASE DB_USER=postgres DB_PASS=$PW \
    expect 0 check_dbenv -c "$WORK/legacyenv.yaml" --check
contains "$WORK/check_dbenv.out" "database: ok" "DB_* variables"
ok "PGPASSWORD and DB_HOST/DB_NAME/DB_USER/DB_PASS"

# wrong or no password: the server answers and refuses -> 3
conf "$WORK/wrong.yaml" "$conn" "$WORK/wrong"
expect 3 check_wrong -c "$WORK/wrong.yaml" --check
contains "$WORK/check_wrong.out" "database: FAILED: database connection refused" "wrong password"
contains "$WORK/check_wrong.out" "password authentication failed" "wrong password reason"
expect 3 rescan_wrong -c "$WORK/wrong.yaml" --rescan
expect 3 migrate_nopw -c "$WORK/nopw.yaml" --migrate
ok "wrong or missing password: exit 3"

# unreachable: no server on that socket, nothing on that TCP port -> 3
mkdir -p "$WORK/nosock"
conf "$WORK/down.yaml" "host=$WORK/nosock port=5432 dbname=x user=postgres" "$WORK/pw"
expect 3 rescan_down -c "$WORK/down.yaml" --rescan
contains "$WORK/rescan_down.out" "database unreachable" "unreachable message"
expect 3 migrate_down -c "$WORK/down.yaml" --migrate
expect 3 check_down -c "$WORK/down.yaml" --check
contains "$WORK/check_down.out" "configuration: ok" "check goes on"
contains "$WORK/check_down.out" "root: ok" "check goes on"
contains "$WORK/check_down.out" "database: FAILED: database unreachable" "check reports it"
conf "$WORK/down_tcp.yaml" "host=127.0.0.1 port=1 dbname=x user=postgres connect_timeout=5" "$WORK/pw"
expect 3 rescan_down_tcp -c "$WORK/down_tcp.yaml" --rescan
ok "unreachable database: exit 3"

# bad configuration -> 2, naming file, line and column
printf 'watch:\n  root: /tmp\n  rooot: /x\n' >"$WORK/unknown.yaml"
expect 2 rescan_unknown -c "$WORK/unknown.yaml" --rescan
contains "$WORK/rescan_unknown.out" "unknown.yaml:3:" "file and line"
expect 2 check_unknown -c "$WORK/unknown.yaml" --check
contains "$WORK/check_unknown.out" "configuration: FAILED" "check reports it"
printf 'watch: [\n  root: /tmp\n' >"$WORK/invalid.yaml"
expect 2 migrate_invalid -c "$WORK/invalid.yaml" --migrate
contains "$WORK/migrate_invalid.out" "invalid.yaml:" "invalid YAML names the file"
expect 2 rescan_missing -c "$WORK/does-not-exist.yaml" --rescan
conf "$WORK/nopwfile.yaml" "$conn" "$WORK/no-such-password-file"
expect 2 rescan_nopwfile -c "$WORK/nopwfile.yaml" --rescan
contains "$WORK/rescan_nopwfile.out" "no-such-password-file" "missing password file named"
ok "bad configuration: exit 2 with file:line:column"

# a conninfo that libpq cannot parse: libpq's own message would quote it, password included
conf "$WORK/badconninfo.yaml" "postgresql://postgres:$PW@[::1/db"
expect 2 check_badconninfo -c "$WORK/badconninfo.yaml" --check
contains "$WORK/check_badconninfo.out" "database.conninfo is not a libpq" "invalid conninfo reason"
expect 2 rescan_badconninfo -c "$WORK/badconninfo.yaml" --rescan
conf "$WORK/badconninfo2.yaml" "host=$PGHOST password=$PW trailing"
expect 2 migrate_badconninfo -c "$WORK/badconninfo2.yaml" --migrate
ok "invalid conninfo: exit 2, without quoting it"

# a missing root: --check fails with 1, --rescan too
conf "$WORK/noroot.yaml" "$conn" "$WORK/pw" "$WORK/no-root"
expect 1 check_noroot -c "$WORK/noroot.yaml" --check
contains "$WORK/check_noroot.out" "root: FAILED" "missing root"
expect 1 rescan_noroot -c "$WORK/noroot.yaml" --rescan
ok "missing root: exit 1"

# the password never appears, nor the wrong one
for f in "${outs[@]}"; do
    lacks "$f" "$PW" "$(basename "$f")"
    lacks "$f" "$WRONG" "$(basename "$f")"
done
ok "no password in ${#outs[@]} outputs"
echo "1 passed, 0 failed"

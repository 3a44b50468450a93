#!/usr/bin/env bash
# deploy_stack.sh — deploy/compose.yaml's topology, natively on loopback: vsftpd (configured
# from deploy/vsftpd.conf), PostgreSQL, and cuwatch started with the unit's ExecStart and the
# shipped example configuration (only root, conninfo and password_file adapted). One upload
# of the worked example goes through it end to end; reload and stop behave as the unit expects.
# Usage: deploy_stack.sh SOURCE_DIR CUWATCH_BINARY EXAMPLES_DIR
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR CUWATCH_BINARY EXAMPLES_DIR}
bin=${2:?}
examples=${3:?}
source "$src/tests/vsftpd_harness.sh"
source "$src/tests/deploy_pg.sh"

work=$(mktemp -d /tmp/cuwatch-stack.XXXXXX)
daemon=""
cleanup() {
    local rc=$?
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
        echo "--- cuwatch log" >&2; tail -n 40 "$work/cuwatch.log" >&2 2>/dev/null || true
        echo "--- vsftpd log" >&2; vsftpd_log | tail -n 20 >&2
        echo "--- postgres log" >&2; pg_log | tail -n 20 >&2
    fi
    vsftpd_stop
    pg_stop
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The upload volume: owned by root in CI, like the volume vsftpd writes into.
mkdir -m 755 "$work/root"
rc=0
pg_start || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
VSFTPD_BASE_CONF=$src/deploy/vsftpd.conf vsftpd_start "$work/root" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

# The shipped configuration, pointed at this stack.
sed -E -e "s#^(  root:).*#\1 $work/root#" \
    -e "s#^(  conninfo:).*#\1 \"$PG_CONNINFO\"#" \
    -e "s#^(  password_file:).*#\1 $PG_PASSFILE#" \
    "$src/deploy/cuwatch.yaml" >"$work/cuwatch.yaml"
[ "$(diff "$src/deploy/cuwatch.yaml" "$work/cuwatch.yaml" | grep -c '^>')" -eq 3 ] ||
    fail "could not adapt deploy/cuwatch.yaml"

# The unit's command line, with the binary and configuration of this test.
execstart=$(sed -n 's/^ExecStart=//p' "$src/deploy/cuwatch.service")
execstart=${execstart//\/usr\/bin\/cuwatch/$bin}
execstart=${execstart//\/etc\/cuwatch\/cuwatch.yaml/$work/cuwatch.yaml}
read -r -a argv <<<"$execstart"
[ "${argv[0]}" = "$bin" ] || fail "unexpected ExecStart: $execstart"

# wait_log PATTERN WHAT: until the daemon's log has a line matching PATTERN (10 s at most).
wait_log() {
    local deadline=$((SECONDS + 10))
    until grep -q -- "$1" "$work/cuwatch.log"; do
        kill -0 "$daemon" 2>/dev/null || { cat "$work/cuwatch.log" >&2; fail "cuwatch exited: $2"; }
        [ $SECONDS -lt $deadline ] || { cat "$work/cuwatch.log" >&2; fail "no \"$1\" in the log: $2"; }
        sleep 0.05
    done
}

"${argv[@]}" 2>"$work/cuwatch.log" &
daemon=$!
wait_log ' reconciled ' "start-up"

# A machine uploads its day, the way vsftpd sees it: folder creation, STOR in place.
sql="SELECT s.total_pieces, s.taux_occupation, s.taux_attente, s.taux_arret_volontaire,
            s.fichier_log_source, c.type_cu
       FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
      WHERE c.nom = 'DEM12' AND s.date_production = '2025-05-28'"
curl -sS --fail --netrc-file "$FTP_NETRC" --ftp-create-dirs \
    -T "$examples/DEM12 (PVC)/20250528.LOG" "$FTP_URL/DEM12%20(PVC)/20250528.LOG"
row=""
for _ in $(seq 1 100); do
    row=$(pg_psql -At -F '|' -c "$sql" 2>/dev/null || true)
    [ -n "$row" ] && break
    kill -0 "$daemon" 2>/dev/null || fail "cuwatch died"
    sleep 0.1
done
[ -n "$row" ] || fail "no session after 10 s"
expected_pieces=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_pieces"])' \
    "$examples/DEM12 (PVC)/20250528.expected.json")
[ "$row" = "$expected_pieces|71.55|3.45|25.00|DEM12 (PVC)/20250528.LOG|PVC" ] ||
    fail "session row: $row"
grep -q '20250528.LOG' "$work/cuwatch.log" || fail "no log line names the file"
! grep -qF -f "$PG_PASSFILE" "$work/cuwatch.log" || fail "the password is in the log"
! ps -o args= -p "$daemon" | grep -qF -f "$PG_PASSFILE" || fail "the password is in the arguments"

# ExecReload: SIGHUP reloads and keeps running.
kill -HUP "$daemon"
wait_log 'configuration reloaded' "SIGHUP"

# systemctl stop: SIGTERM, gone within 2 s, exit status 0 (Restart=on-failure stays quiet).
kill -TERM "$daemon"
for _ in $(seq 1 20); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
kill -0 "$daemon" 2>/dev/null && fail "cuwatch still running 2 s after SIGTERM"
rc=0
wait "$daemon" || rc=$?
daemon=""
[ "$rc" -eq 0 ] || fail "cuwatch exited $rc on SIGTERM"
echo "ok: upload -> vsftpd -> cuwatch -> PostgreSQL: $row"

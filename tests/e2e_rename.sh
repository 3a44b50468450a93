#!/usr/bin/env bash
# e2e_rename.sh — renamed machine folders (issue 8): a moved file keeps one session, under its
# new machine; the old machine does not linger as a ghost, and no day is counted twice.
#   1. `mv "DEM12 (PVC)" "DEM13 (PVC)"` under the running daemon;
#   2. the folder renamed while the daemon is stopped, then a restart;
#   3. churn through a real vsftpd: an FTP client renames the folder back and forth (RNFR/RNTO)
#      30 times while uploading new days into whatever it is called at that moment. Races
#      (a rename between the daemon's read and its transaction) may leave an old path's row
#      behind until the next reconciliation, as README says: SIGHUP, then none may remain.
# After each: the registry holds exactly the paths on disk, every machine has a folder, and
# there is one session per file, under the machine of the folder it is in.
# Root only for part 3 (vsftpd); exit 77 = skipped otherwise.
# Usage: e2e_rename.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"

disk_paths() { (cd "$ROOT" && find . -mindepth 2 -maxdepth 2 -name '*.LOG' -printf '%P\n' | LC_ALL=C sort | paste -sd'|'); }
reg_sql="SELECT coalesce(string_agg(chemin, '|' ORDER BY chemin COLLATE \"C\"), '') FROM fichier_log"
settled() { # LABEL: wait until the registry is exactly the files on disk
    e2e_wait_sql "$reg_sql" "$(disk_paths)" $((30000 * CU_E2E_SLACK)) >/dev/null ||
        e2e_fail "$1: the registry is not the files on disk"
}
check() { # LABEL MACHINES SESSIONS
    local label=$1 machines=$2 sessions=$3 got
    got=$(e2e_sql "SELECT string_agg(nom, ',' ORDER BY nom) FROM centre_usinage")
    [ "$got" = "$machines" ] || e2e_fail "$label: machines [$got], expected [$machines]"
    got=$(e2e_sql "SELECT count(*) FROM session_production")
    [ "$got" = "$sessions" ] || e2e_fail "$label: $got sessions, expected $sessions"
    # Each session is its file's, under the machine its folder gives.
    got=$(e2e_sql "SELECT count(*) FROM session_production s JOIN centre_usinage c
                     ON c.id = s.centre_usinage_id
                   JOIN fichier_log f ON f.chemin = s.fichier_log_source
                   WHERE f.centre_usinage_id = c.id
                     AND split_part(f.chemin, ' (', 1) = c.nom")
    [ "$got" = "$sessions" ] || e2e_fail "$label: only $got sessions match their file and folder"
    echo "$label: machines $machines, $sessions sessions, registry = disk"
}

# 1. A rename under the running daemon.
for d in 01 02 03 04 05; do e2e_log_file "DEM12 (PVC)/202509$d.LOG" 4 "202509$d"; done
e2e_daemon_start
settled "start"
check "start" DEM12 5
mv "$ROOT/DEM12 (PVC)" "$ROOT/DEM13 (PVC)"
settled "rename under the daemon"
check "rename under the daemon" DEM13 5
[ "$(grep -c 'moved: the file' "$DLOG")" = 5 ] || e2e_fail "expected 5 'moved' lines"

# 2. A rename while the daemon is stopped.
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
mv "$ROOT/DEM13 (PVC)" "$ROOT/DEM14 (PVC)"
e2e_daemon_start
settled "rename while stopped"
check "rename while stopped" DEM14 5

# 3. Churn through vsftpd.
[ "$(id -u)" = 0 ] || { echo "SKIP: part 3 needs root (vsftpd)"; exit 77; }
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
ftp() { curl -sS --fail --netrc-file "$FTP_NETRC" "$@"; }
cur="DEM14 (PVC)"
uploads=0
for i in $(seq 1 30); do
    next=$([ "$cur" = "DEM14 (PVC)" ] && echo "DEM15 (PVC)" || echo "DEM14 (PVC)")
    ftp "$FTP_URL/" -Q "RNFR $cur" -Q "RNTO $next" -o /dev/null
    cur=$next
    if [ $((i % 3)) = 0 ]; then
        uploads=$((uploads + 1))
        day=$(printf '202510%02d' "$uploads")
        e2e_log_text 3 "$day" >"$E2E/up.LOG"
        ftp -T "$E2E/up.LOG" "$FTP_URL/${cur// /%20}/$day.LOG"
    fi
done
echo "churn: 30 renames, $uploads uploads, ending as \"$cur\""
# Every file on disk ingested at its final path, then a reconciliation (SIGHUP) for what races
# left behind.
n=$((5 + uploads))
in_reg="SELECT count(*) FROM fichier_log WHERE chemin LIKE '$cur/%' AND statut = 'ok'"
e2e_wait_sql "$in_reg" "$n" $((60000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "churn: the files were not all ingested at their final path"
kill -HUP "$DPID"
settled "churn + SIGHUP"
check "churn + SIGHUP" "${cur%% *}" "$n"
echo "moved lines: $(grep -c 'moved: ' "$DLOG")"
echo PASS

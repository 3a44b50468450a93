#!/usr/bin/env bash
# e2e_ftp.sh — the daemon behind a real vsftpd, fed by curl as a machining centre would:
#   1. a new upload (STOR, folder created with MKD by --ftp-create-dirs)
#   2. a re-upload of the same file with more lines (vsftpd rewrites it in place)
#   3. an upload under a temporary name, then RNFR/RNTO
#   4. an upload into a folder made by MKD a moment before
# Each must be in session_production within 1 s of curl returning (the server closes the file
# before it answers 226). The measured latencies are printed.
# Usage: e2e_ftp.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
E2E_LOG_LEVEL=debug # for the "ignored" line of the temporary name
e2e_init "$1"
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
e2e_daemon_start
e2e_wait_log 'reconciled|reconciling' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

ftp() { curl -sS --fail --netrc-file "$FTP_NETRC" "$@"; }
limit=1000
pieces() {
    echo "SELECT total_pieces FROM session_production WHERE fichier_log_source = '$1'"
}
check() { # NAME ELAPSED_MS
    echo "$1: $2 ms"
    [ "$2" -le "$limit" ] || e2e_fail "$1 took $2 ms (limit $limit ms)"
}

e2e_log_text 5 20250528 >"$E2E/v1.LOG"
e2e_log_text 9 20250528 >"$E2E/v2.LOG"
e2e_log_text 7 20250529 >"$E2E/v3.LOG"
e2e_log_text 3 20250530 >"$E2E/v4.LOG"

ftp -T "$E2E/v1.LOG" --ftp-create-dirs "$FTP_URL/DEM12%20(PVC)/20250528.LOG"
ms=$(e2e_wait_sql "$(pieces 'DEM12 (PVC)/20250528.LOG')" 5 $((5000 * CU_E2E_SLACK))) || e2e_fail "new upload not ingested"
check "new upload" "$ms"

ftp -T "$E2E/v2.LOG" "$FTP_URL/DEM12%20(PVC)/20250528.LOG"
ms=$(e2e_wait_sql "$(pieces 'DEM12 (PVC)/20250528.LOG')" 9 $((5000 * CU_E2E_SLACK))) || e2e_fail "re-upload not ingested"
check "re-upload with more lines" "$ms"

ftp -T "$E2E/v3.LOG" "$FTP_URL/DEM12%20(PVC)/20250529.LOG.part" \
    -Q "-RNFR 20250529.LOG.part" -Q "-RNTO 20250529.LOG"
ms=$(e2e_wait_sql "$(pieces 'DEM12 (PVC)/20250529.LOG')" 7 $((5000 * CU_E2E_SLACK))) || e2e_fail "renamed upload not ingested"
check "temporary name then RNFR/RNTO" "$ms"
# The temporary name is seen (its close arrives before the rename) and refused by the pattern;
# the final name is ingested once, not once per event.
e2e_wait_log 'ignored path="DEM12 \(PVC\)/20250529.LOG.part"' 2000 ||
    e2e_fail "the upload under its temporary name was not seen and refused"
! grep -E 'ingest(ed| failed) .*\.part"' "$DLOG" >/dev/null || e2e_fail "the temporary name was ingested"
[ "$(grep -c 'ingested path="DEM12 (PVC)/20250529.LOG"' "$DLOG")" = 1 ] ||
    e2e_fail "the renamed upload was not ingested exactly once"

ftp "$FTP_URL/" -Q "MKD SU12 (HYBRIDE)" -o /dev/null
ftp -T "$E2E/v4.LOG" "$FTP_URL/SU12%20(HYBRIDE)/20250530.LOG"
ms=$(e2e_wait_sql "$(pieces 'SU12 (HYBRIDE)/20250530.LOG')" 3 $((5000 * CU_E2E_SLACK))) || e2e_fail "upload into a new folder not ingested"
check "upload into a folder made by MKD" "$ms"

[ "$(e2e_sql "SELECT nom || ':' || coalesce(type_cu, '') FROM centre_usinage ORDER BY nom")" = \
  "$(printf 'DEM12:PVC\nSU12:HYBRIDE')" ] || e2e_fail "machines are not as expected"
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = 3 ] || e2e_fail "expected 3 sessions"
e2e_daemon_alive || e2e_fail "daemon died"
echo "PASS"

#!/usr/bin/env bash
# e2e_latin1_names — a machine folder whose name is not valid UTF-8 (issue 8): a Windows FTP
# client creates "CENTRE DÉBIT (ALU)" in Latin-1 (É = byte 0xC9) through vsftpd and uploads
# into it. The file is ingested (it used to fail for ever with `invalid byte sequence for
# encoding "UTF8"`, retried every few seconds, with no registry row): chemin, the machine and
# fichier_log_source hold the UTF-8 form, the folder on disk keeps its bytes. A restarted
# daemon's reconciliation matches the on-disk bytes to the registry row (nothing queued), and
# --rescan and --rescan --force exit 0 without duplicating anything.
set -euo pipefail
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
S=$CU_E2E_SLACK
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
ftp() { curl -sS --fail --netrc-file "$FTP_NETRC" "$@"; }

e2e_daemon_start
e2e_wait_log 'reconciled|reconciling' $((5000 * S)) || e2e_fail "daemon did not start"

# MKD with the raw Latin-1 byte, then STOR into it (%C9 is the same byte in the URL).
ftp -o /dev/null "$FTP_URL/" -Q $'MKD CENTRE D\xC9BIT (ALU)'
e2e_log_text 6 20250101 >"$E2E/day.LOG"
ftp -T "$E2E/day.LOG" "$FTP_URL/CENTRE%20D%C9BIT%20(ALU)/20250101.LOG"
[ -d "$ROOT"/$'CENTRE D\xC9BIT (ALU)' ] || e2e_fail "vsftpd did not create the Latin-1 folder as bytes"

utf8='CENTRE DÉBIT (ALU)/20250101.LOG'
e2e_wait_sql "SELECT statut FROM fichier_log WHERE chemin = '$utf8'" ok $((10000 * S)) >/dev/null ||
    e2e_fail "the file in a Latin-1 folder was not ingested"
[ "$(e2e_sql "SELECT nom || '|' || type_cu || '|' || description FROM centre_usinage")" = \
    "CENTRE DÉBIT|ALU|CENTRE DÉBIT (ALU)" ] || e2e_fail "machine: $(e2e_sql "SELECT nom, type_cu, description FROM centre_usinage")"
[ "$(e2e_sql "SELECT total_pieces || '|' || fichier_log_source FROM session_production")" = "6|$utf8" ] ||
    e2e_fail "session: $(e2e_sql "SELECT total_pieces, fichier_log_source FROM session_production")"
! grep -q "invalid byte sequence" "$DLOG" || e2e_fail "an encoding error"
! grep -q " error " "$DLOG" || e2e_fail "an error line"
echo "ok: a Latin-1 folder through vsftpd: ingested, stored as UTF-8"

# A restart: reconciliation finds the registry row through the same conversion.
kill -TERM "$DPID"; wait "$DPID" || e2e_fail "daemon exit status $?"; DPID=
: >"$DLOG"
e2e_daemon_start
e2e_wait_log 'reconciling' $((10000 * S)) || e2e_fail "no reconciliation after the restart"
grep -E 'reconciling .*queued=0' "$DLOG" >/dev/null ||
    e2e_fail "reconciliation did not match the Latin-1 path to its row: $(grep reconciling "$DLOG")"
kill -TERM "$DPID"; wait "$DPID" || e2e_fail "daemon exit status $?"; DPID=

before=$(e2e_sql "SELECT traite_le FROM fichier_log")
rc=0
"$CUWATCH" -c "$CONF" --rescan >"$E2E/rescan.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$E2E/rescan.out"; e2e_fail "--rescan exit $rc"; }
[ "$(e2e_sql "SELECT traite_le FROM fichier_log")" = "$before" ] || e2e_fail "--rescan rewrote an unchanged file"
rc=0
"$CUWATCH" -c "$CONF" --rescan --force >"$E2E/force.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$E2E/force.out"; e2e_fail "--rescan --force exit $rc"; }
[ "$(e2e_sql "SELECT count(*) FROM fichier_log")/$(e2e_sql "SELECT count(*) FROM session_production")/$(e2e_sql "SELECT count(*) FROM centre_usinage")" = 1/1/1 ] ||
    e2e_fail "duplicates after --rescan --force"
echo "ok: restart, --rescan and --rescan --force match the Latin-1 path to its row"

# An error the same file meets again (here a CHECK constraint its machine name breaks, as the
# encoding error did) is recorded once, not retried every few seconds for ever.
e2e_sql "ALTER TABLE centre_usinage ADD CONSTRAINT no_bad CHECK (nom <> 'BAD')" >/dev/null
: >"$DLOG"
e2e_daemon_start
e2e_wait_log 'reconciling' $((10000 * S)) || e2e_fail "daemon did not start"
# The folder first, as an FTP client's MKD comes before its STOR: a file written into a
# folder the daemon is still adding a watch to is seen twice (the folder's scan and the
# file's close), which is one more attempt, not a retry.
mkdir "$ROOT/BAD"
e2e_wait_log 'new folder path=BAD' $((10000 * S)) || e2e_fail "the new folder was not noticed"
e2e_log_file "BAD/20250102.LOG" 4 20250102
e2e_wait_sql "SELECT statut FROM fichier_log WHERE chemin = 'BAD/20250102.LOG'" erreur $((10000 * S)) >/dev/null ||
    e2e_fail "the permanent error was not recorded"
# The daemon decides in the same turn whether a failed file is retried and says so
# ("will be retried in N ms"). Another upload ingested after it proves that turn is over;
# until then no retry could have been announced, after it none was.
e2e_log_file "GOOD/20250102.LOG" 4 20250102
e2e_wait_sql "SELECT statut FROM fichier_log WHERE chemin = 'GOOD/20250102.LOG'" ok $((10000 * S)) >/dev/null ||
    e2e_fail "a later upload was not ingested"
n=$(grep -c 'ingest failed.*BAD/20250102.LOG' "$DLOG" || true)
[ "$n" = 1 ] || e2e_fail "a permanent error was tried $n times"
! grep -q 'BAD/20250102.LOG" will be retried' "$DLOG" || e2e_fail "a permanent error announced a retry"
e2e_daemon_alive || e2e_fail "the daemon exited"
echo "ok: a permanent error is recorded once, not hot-retried"
echo "3 passed, 0 failed"

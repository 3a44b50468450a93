#!/usr/bin/env bash
# e2e_unreadable.sh — an upload cuwatch cannot read, then fixed with chmod (issue 8).
# vsftpd with local_umask=077 stores uploads as 0600, owned by the upload root's owner (root),
# while cuwatch runs as another user (nobody, through setpriv): the read fails for real with
# "Permission denied", as in a deployment where the two disagree on permissions. Then:
#   - one warning names the file and the reason; the retries (1 s, 2 s, 4 s, ... capped at
#     60 s) are debug lines, not a warning or an error each time;
#   - `chmod 644` (IN_ATTRIB) makes the daemon retry at once, long before its next retry is
#     due, and the file is ingested; "the file can be read again" is said once.
# Root only (vsftpd, setpriv): exit 77 = skipped otherwise.
# Usage: e2e_unreadable.sh CUWATCH
E2E_LOG_LEVEL=debug
. "$(dirname "$0")/e2e_lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (vsftpd, a second user)"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 77; }
e2e_init "$1"
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
VSFTPD_EXTRA="local_umask=077" vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
mkdir "$ROOT/U (PVC)"
chmod 755 "$ROOT" "$ROOT/U (PVC)"

setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$CUWATCH" -c "$CONF" >>"$DLOG" 2>&1 &
DPID=$!
e2e_wait_log 'reconciled' $((10000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

f="U (PVC)/20250801.LOG"
e2e_log_text 6 20250801 >"$E2E/up.LOG"
curl -sS --fail --netrc-file "$FTP_NETRC" -T "$E2E/up.LOG" "$FTP_URL/U%20(PVC)/20250801.LOG"
mode=$(stat -c '%a %U' "$ROOT/$f")
echo "uploaded: mode and owner $mode"
[ "$mode" = "600 root" ] || e2e_fail "the upload is not 0600 root ($mode): the test proves nothing"

e2e_wait_log "warn .*cannot read the file.*path=\"U \\(PVC\\)/20250801.LOG\".*Permission denied" \
    $((5000 * CU_E2E_SLACK)) || e2e_fail "no warning naming the unreadable file and the reason"
# Three retries on the backoff (1 s, 2 s, 4 s after each failure), each a debug line.
e2e_wait_log_count 'still cannot read the file.*20250801' 3 $((20000 * CU_E2E_SLACK)) ||
    e2e_fail "the unreadable file was not retried"
[ "$(grep -c 'cannot read the file' "$DLOG")" -le 5 ] || e2e_fail "retried in a hot loop"
[ "$(grep -cE ' warn .*20250801' "$DLOG")" = 1 ] || e2e_fail "warned more than once"
! grep -E ' error .*20250801' "$DLOG" || e2e_fail "the unreadable file was logged as an error"

# The fix: the next retry is due 8 s after the third failure; IN_ATTRIB beats it.
chmod 644 "$ROOT/$f"
ms=$(e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = '$f'" 6 \
    $((20000 * CU_E2E_SLACK))) || e2e_fail "the file was not ingested after chmod"
echo "ingested ${ms} ms after chmod"
grep -q 'attributes changed: retrying the file now.*20250801' "$DLOG" ||
    e2e_fail "the chmod (IN_ATTRIB) did not trigger the retry"
e2e_wait_log 'info .*the file can be read again.*20250801' 2000 || e2e_fail "no 'read again' line"
[ "$(e2e_sql "SELECT statut FROM fichier_log WHERE chemin = '$f'")" = ok ] || e2e_fail "registry not ok"
echo PASS

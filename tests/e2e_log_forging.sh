#!/usr/bin/env bash
# e2e_log_forging.sh — issue 8 "log forging", as an FTP user does it: through a real vsftpd,
# MKD a machine folder whose name carries ESC sequences (erase the line, move the cursor, set
# the window title) and a forged "error" text, and upload a LOG file into it. The daemon must
# ingest it, and its log must carry no raw control character: the name is escaped (\e...), so
# nothing on the operator's terminal can be erased or forged. (FTP commands end at CR LF, so
# an FTP user cannot send CR or LF in a name; db_log_text covers those from the disk side.)
# Usage: e2e_log_forging.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
E2E_LOG_LEVEL=debug # every line the daemon can write about the folder, ignored ones too
e2e_init "$1"
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
e2e_daemon_start
e2e_wait_log 'reconciled|reconciling' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

evil=$(printf 'X\033[2K\033[1G2031-01-01T00:00:00.000+00:00 error FORGED\033]0;pwned\007 (PVC)')
e2e_log_text 5 20250528 >"$E2E/v1.LOG"
curl -sS --fail --netrc-file "$FTP_NETRC" -Q "MKD $evil" "$FTP_URL/" >/dev/null ||
    e2e_fail "vsftpd refused the MKD"
[ -d "$ROOT/$evil" ] || e2e_fail "the folder was not created with its raw bytes"
# curl refuses control characters in a URL: upload under a plain name, then RNFR/RNTO into
# the folder (raw FTP commands run after the transfer), as a client's rename-on-completion does.
curl -sS --fail --netrc-file "$FTP_NETRC" -T "$E2E/v1.LOG" "$FTP_URL/upload.tmp" \
    -Q "-RNFR upload.tmp" -Q "-RNTO $evil/20250528.LOG" || e2e_fail "upload into the evil folder failed"
e2e_wait_sql "SELECT count(*) FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id WHERE c.nom LIKE 'X%FORGED%'" 1 $((5000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "the file in the evil folder was not ingested"
e2e_wait_log 'ingested .*FORGED' $((5000 * CU_E2E_SLACK)) || e2e_fail "no ingested line"
python3 - "$DLOG" <<'PY' || e2e_fail "the daemon's log carries raw control characters"
import re, sys
data = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
if bad:
    sys.exit(f"raw {bad.group()!r} at {bad.start()}: {data[max(0, bad.start()-60):bad.start()+20]!r}")
lines = data.decode("utf-8").splitlines()
assert not [l for l in lines if re.match(r"^(2031-|error\s+FORGED)", l)], "a forged line"
assert any("\\e[2K" in l or "\\u001b[2K" in l for l in lines), "the escape is not shown escaped"
PY
echo "1 passed, 0 failed"

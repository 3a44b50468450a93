#!/usr/bin/env bash
# deploy_vsftpd_upload.sh — checks tests/vsftpd_harness.sh: a real vsftpd accepts the uploads
# machining centres make (STOR with folder creation, a re-upload over an existing file, an
# upload under a temporary name then RNFR/RNTO, MKD), and the files land on disk intact.
# Usage: deploy_vsftpd_upload.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR}
source "$src/tests/vsftpd_harness.sh"

work=$(mktemp -d /tmp/cuwatch-ftptest.XXXXXX)
cleanup() {
    local rc=$?
    [ "$rc" -eq 0 ] || { echo "--- vsftpd log" >&2; vsftpd_log | tail -n 40 >&2; }
    vsftpd_stop
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
mkdir "$work/root"
rc=0
vsftpd_start "$work/root" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

fail() { echo "FAIL: $*" >&2; exit 1; }
same() { cmp -s "$1" "$2" || fail "$2 differs from $1"; }
# curl reads the credentials from the netrc file, never from its arguments.
ftp() { curl -sS --fail --netrc-file "$FTP_NETRC" "$@"; }

machine="DEM12 (PVC)"
url_machine="DEM12%20(PVC)"
printf '20250528 06:10:00|@StukUitgevoerd: piece 1\r\n' >"$work/v1.LOG"
{ cat "$work/v1.LOG"; printf '20250528 09:10:00|@StukUitgevoerd: piece 2\r\n'; } >"$work/v2.LOG"
head -c 300000 /dev/urandom >"$work/big.bin"

# 1. upload creating the machine folder
ftp -T "$work/v1.LOG" --ftp-create-dirs "$FTP_URL/$url_machine/20250528.LOG"
same "$work/v1.LOG" "$work/root/$machine/20250528.LOG"

# 2. re-upload over the existing file (vsftpd truncates and rewrites in place)
ftp -T "$work/v2.LOG" "$FTP_URL/$url_machine/20250528.LOG"
same "$work/v2.LOG" "$work/root/$machine/20250528.LOG"

# 3. upload under a temporary name, then rename (IN_MOVED_TO for the watcher)
ftp -T "$work/big.bin" "$FTP_URL/$url_machine/20250529.LOG.part" \
    -Q "-RNFR 20250529.LOG.part" -Q "-RNTO 20250529.LOG"
same "$work/big.bin" "$work/root/$machine/20250529.LOG"
[ ! -e "$work/root/$machine/20250529.LOG.part" ] || fail "temporary name left behind"

# 4. MKD of a new machine folder, then an upload into it
ftp "$FTP_URL/" -Q "MKD SU12 (HYBRIDE)" -o /dev/null
[ -d "$work/root/SU12 (HYBRIDE)" ] || fail "MKD did not create the folder"
ftp -T "$work/v1.LOG" "$FTP_URL/SU12%20(HYBRIDE)/20250601.LOG"
same "$work/v1.LOG" "$work/root/SU12 (HYBRIDE)/20250601.LOG"

# 5. lftp (what some machines' scripts use): put under a temp name and mv, credentials from
#    a script file, not the command line
command -v lftp >/dev/null || fail "lftp is not installed (scripts/deps.sh installs it)"
(umask 077 && cat >"$work/lftp.cmds" <<EOF
set ftp:passive-mode on
set net:max-retries 1
open -u "$FTP_USER","$FTP_PASS" -p $FTP_PORT 127.0.0.1
cd "$machine"
put -O . "$work/v2.LOG" -o 20250530.tmp
mv 20250530.tmp 20250530.LOG
bye
EOF
)
lftp -f "$work/lftp.cmds" >/dev/null
same "$work/v2.LOG" "$work/root/$machine/20250530.LOG"

# 6. uploaded files belong to the upload root's owner and are world-readable (local_umask=022)
[ "$(stat -c %U "$work/root/$machine/20250528.LOG")" = "$(stat -c %U "$work/root")" ] ||
    fail "uploaded file not owned by the upload root's owner"
[ "$(stat -c %a "$work/root/$machine/20250528.LOG")" = 644 ] || fail "unexpected file mode"

# 7. a wrong password is refused
printf 'machine 127.0.0.1 login %s password wrong\n' "$FTP_USER" >"$work/bad.netrc"
if curl -sS --netrc-file "$work/bad.netrc" "$FTP_URL/" -o /dev/null 2>/dev/null; then
    fail "a wrong password was accepted"
fi

# 8. the password never appeared in a process's arguments (ours at least: ps while idle)
#    (the pattern comes from a file: as an argument, grep itself would show it)
(umask 077 && printf '%s\n' "$FTP_PASS" >"$work/pattern")
! ps -eo args | grep -F -f "$work/pattern" >/dev/null || fail "password visible in ps"
echo "ok: vsftpd harness uploads, re-uploads, renames, MKD, lftp"

#!/usr/bin/env bash
# vsftpd_harness.sh — a real vsftpd on 127.0.0.1 for cuwatch's end-to-end tests.
#
# Two ways to use it (both need root, as vsftpd does for local logins; as another user the
# harness says so and returns/exits 77, CTest's conventional "skipped"):
#
#   1. Sourced, from a bash test:
#        source tests/vsftpd_harness.sh
#        vsftpd_start /tmp/some/upload_root      # sets FTP_PORT FTP_USER FTP_PASS FTP_NETRC FTP_URL
#        curl -sS --netrc-file "$FTP_NETRC" -T f.LOG --ftp-create-dirs "$FTP_URL/DEM12%20(PVC)/20250528.LOG"
#        vsftpd_stop                             # also run from an EXIT trap, see below
#
#   2. As a command, around any other program (Python drivers, ctest COMMAND lines):
#        tests/vsftpd_harness.sh run /tmp/some/upload_root -- python3 my_e2e.py
#      The program sees FTP_PORT, FTP_USER, FTP_PASS, FTP_NETRC, FTP_URL in its environment;
#      the server is stopped and everything removed when it exits; its status is returned.
#
# What it builds, per instance (so parallel tests never share anything but the PAM file):
#   - a temp dir holding vsftpd.conf, the log (vsftpd.log, FTP commands included), a curl
#     netrc file (mode 600) and vsftpd's empty secure_chroot_dir;
#   - a system user "cuwftp-XXXXXX" with a random password, authenticated by pam_unix through
#     /etc/pam.d/cuwatch-ftp-test. Logins are vsftpd "guest" logins mapped onto the owner of
#     the upload root, so uploaded files belong to whoever owns that directory (root in CI),
#     exactly as if that account had uploaded them, and the caller's permissions are untouched.
#   - vsftpd on a free port of 127.0.0.1, in the foreground (background=NO), chrooted into the
#     upload root, passive data ports chosen by the kernel, no seccomp sandbox and no
#     namespace isolation (both fail inside unprivileged containers).
#
# Why not pam_exec or pam_userdb: vsftpd's privileged process hangs when a PAM module forks
# (its SIGCHLD handling reaps the helper), and pam_userdb needs Berkeley DB tools that Debian
# does not install by default. A throw-away system user is what works with stock packages.
#
# Credentials stay out of process arguments: the password goes to chpasswd on stdin and to
# curl through FTP_NETRC (curl --netrc-file "$FTP_NETRC"; lftp reads FTP_USER/FTP_PASS from a
# script file written by the caller, see tests/deploy_vsftpd_upload.sh).
#
# Settings: VSFTPD_BASE_CONF=deploy/vsftpd.conf tests the shipped server configuration (its
# address, port, root, account and log settings are replaced by the instance's); extra lines
# in VSFTPD_EXTRA are appended last (e.g. "max_clients=2").
# Traps: vsftpd_start installs "trap vsftpd_stop EXIT" only when the caller has no EXIT trap;
# a caller with its own EXIT trap must call vsftpd_stop in it. vsftpd_stop is idempotent.

# Only the command form sets shell options; a sourcing script keeps its own.
VSFTPD_HARNESS_PAM=cuwatch-ftp-test
VSFTPD_HARNESS_LOCK=/run/lock/cuwatch-ftp-test.lock
_vh_dir=""
_vh_pid=""
_vh_user=""

_vh_bin() {
    local b
    for b in "${VSFTPD_BIN:-}" /usr/sbin/vsftpd "$(command -v vsftpd 2>/dev/null || true)"; do
        [ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return 0; }
    done
    echo "vsftpd_harness: vsftpd is not installed (scripts/deps.sh installs it)" >&2
    return 1
}

_vh_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command holding the harness lock: useradd/userdel/chpasswd of parallel instances
# would otherwise fail on each other's /etc/passwd lock.
_vh_locked() {
    mkdir -p "$(dirname "$VSFTPD_HARNESS_LOCK")"
    flock -w 60 "$VSFTPD_HARNESS_LOCK" "$@"
}

# Removes users left by instances that were killed before vsftpd_stop ran (their temp dir,
# recorded in the user's comment field, is gone).
_vh_reap_stale_users() {
    local name dir
    while IFS=: read -r name _ _ _ dir _; do
        case "$name" in cuwftp-*) ;; *) continue ;; esac
        dir=${dir#cuwatch test ftp }
        [ -d "$dir" ] || userdel "$name" 2>/dev/null || true
    done </etc/passwd
}

_vh_write_pam() {
    local f=/etc/pam.d/$VSFTPD_HARNESS_PAM
    [ -f "$f" ] && return 0
    printf '%s\n' \
        '# cuwatch test harness (tests/vsftpd_harness.sh): password check of throw-away' \
        '# cuwftp-* users for the test vsftpd instances; nothing else uses this service.' \
        'auth     required pam_unix.so' \
        'account  required pam_unix.so' \
        'session  required pam_permit.so' >"$f.$$"
    mv "$f.$$" "$f"
}

# Waits until the server answers its banner on FTP_PORT; fails if vsftpd exited.
_vh_wait_ready() {
    local i line
    for i in $(seq 1 100); do
        kill -0 "$_vh_pid" 2>/dev/null || return 1
        # A subshell: a failed exec redirection would end the calling shell.
        line=$( (exec 9<>"/dev/tcp/127.0.0.1/$FTP_PORT" && read -r -t 2 l <&9 && echo "$l") \
            2>/dev/null || true)
        case "$line" in 220*) return 0 ;; esac
        sleep 0.05
    done
    return 1
}

# Settings for a test: the server's behaviour comes from VSFTPD_BASE_CONF (e.g. the shipped
# deploy/vsftpd.conf) or from the defaults below; the per-instance settings (address, port,
# root, accounts, logs, sandboxing that containers forbid) always come from the harness.
_vh_defaults='anonymous_enable=NO
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
pasv_enable=YES
idle_session_timeout=120
data_connection_timeout=120
xferlog_enable=YES'

_vh_write_conf() {
    local root=$1 owner=$2 instance line key base
    instance="listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$FTP_PORT
background=NO
local_enable=YES
guest_enable=YES
guest_username=$owner
virtual_use_local_privs=YES
local_root=$root
secure_chroot_dir=$_vh_dir/empty
pam_service_name=$VSFTPD_HARNESS_PAM
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
connect_from_port_20=NO
pasv_min_port=0
pasv_max_port=0
pasv_address=127.0.0.1
log_ftp_protocol=YES
xferlog_std_format=NO
dual_log_enable=NO
syslog_enable=NO
vsftpd_log_file=$_vh_dir/vsftpd.log"
    if [ -n "${VSFTPD_BASE_CONF:-}" ]; then base=$(cat "$VSFTPD_BASE_CONF"); else base=$_vh_defaults; fi
    echo "# generated by tests/vsftpd_harness.sh from ${VSFTPD_BASE_CONF:-its defaults}"
    while IFS= read -r line; do
        case "$line" in '#'* | '') continue ;; esac
        key=${line%%=*}
        printf '%s\n' "$instance" | grep -q "^$key=" || printf '%s\n' "$line"
    done <<<"$base"
    printf '%s\n' "$instance"
    [ -z "${VSFTPD_EXTRA:-}" ] || printf '%s\n' "$VSFTPD_EXTRA"
}

vsftpd_start() {
    local root=${1:?usage: vsftpd_start UPLOAD_ROOT}
    if [ "$(id -u)" -ne 0 ]; then
        echo "vsftpd_harness: needs root (vsftpd local logins); skipping" >&2
        return 77
    fi
    [ -d "$root" ] || { echo "vsftpd_harness: $root: no such directory" >&2; return 1; }
    root=$(cd "$root" && pwd -P)
    local bin owner attempt
    bin=$(_vh_bin) || return 1
    owner=$(stat -c %U "$root")

    _vh_dir=$(mktemp -d /tmp/cuwatch-ftp.XXXXXX)
    chmod 700 "$_vh_dir"
    mkdir -m 755 "$_vh_dir/empty"
    _vh_user="cuwftp-${_vh_dir##*.}"
    _vh_user=$(echo "$_vh_user" | tr 'A-Z' 'a-z')
    FTP_USER=$_vh_user
    FTP_PASS=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    FTP_NETRC=$_vh_dir/netrc

    _vh_write_pam
    _vh_locked bash -c '
        set -euo pipefail
        '"$(declare -f _vh_reap_stale_users)"'
        _vh_reap_stale_users
        useradd --system --no-create-home --home-dir "$2" --shell /usr/sbin/nologin \
            --comment "cuwatch test ftp $3" "$1"' _ "$FTP_USER" "$root" "$_vh_dir" || return 1
    printf '%s:%s\n' "$FTP_USER" "$FTP_PASS" | _vh_locked chpasswd || return 1
    (umask 077 && printf 'machine 127.0.0.1 login %s password %s\n' "$FTP_USER" "$FTP_PASS" \
        >"$FTP_NETRC")

    # The port is free when chosen but may be taken before vsftpd binds it: retry.
    for attempt in 1 2 3 4 5; do
        FTP_PORT=$(_vh_free_port)
        _vh_write_conf "$root" "$owner" >"$_vh_dir/vsftpd.conf"
        "$bin" "$_vh_dir/vsftpd.conf" >>"$_vh_dir/vsftpd.out" 2>&1 &
        _vh_pid=$!
        if _vh_wait_ready; then
            FTP_URL="ftp://127.0.0.1:$FTP_PORT"
            export FTP_PORT FTP_USER FTP_PASS FTP_NETRC FTP_URL
            [ -n "$(trap -p EXIT)" ] || trap vsftpd_stop EXIT
            return 0
        fi
        kill "$_vh_pid" 2>/dev/null || true
        wait "$_vh_pid" 2>/dev/null || true
        _vh_pid=""
    done
    echo "vsftpd_harness: vsftpd did not start; its output:" >&2
    cat "$_vh_dir/vsftpd.out" >&2 || true
    vsftpd_stop
    return 1
}

# The server's log (every FTP command and response), for a failing test to show.
vsftpd_log() {
    [ -n "$_vh_dir" ] && cat "$_vh_dir/vsftpd.log" "$_vh_dir/vsftpd.out" 2>/dev/null || true
}

vsftpd_stop() {
    if [ -n "$_vh_pid" ]; then
        kill "$_vh_pid" 2>/dev/null || true
        wait "$_vh_pid" 2>/dev/null || true
        _vh_pid=""
    fi
    if [ -n "$_vh_user" ]; then
        _vh_locked userdel "$_vh_user" 2>/dev/null || true
        _vh_user=""
    fi
    if [ -n "$_vh_dir" ]; then
        rm -rf "$_vh_dir"
        _vh_dir=""
    fi
    unset FTP_PORT FTP_USER FTP_PASS FTP_NETRC FTP_URL
}

# Command form: vsftpd_harness.sh run ROOT -- COMMAND...
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    if [ "${1:-}" != run ] || [ $# -lt 4 ] || [ "$3" != -- ]; then
        echo "usage: $0 run UPLOAD_ROOT -- COMMAND [ARG...]" >&2
        exit 2
    fi
    trap vsftpd_stop EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    rc=0
    vsftpd_start "$2" || rc=$?
    [ "$rc" -eq 0 ] || exit "$rc"
    shift 3
    rc=0
    "$@" || rc=$?
    exit "$rc"
fi

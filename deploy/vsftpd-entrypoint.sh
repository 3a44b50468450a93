#!/bin/sh
# Entry point of the FTP container: creates the machines' account from FTP_USER and the
# ftp_password secret (never from an environment variable), then runs vsftpd in the foreground.
set -eu
user=${FTP_USER:-machines}
pwfile=${FTP_PASSWORD_FILE:-/run/secrets/ftp_password}
[ -r "$pwfile" ] || { echo "vsftpd-entrypoint: $pwfile: no password secret" >&2; exit 1; }
if ! id "$user" >/dev/null 2>&1; then
    useradd --home-dir /home/vsftpd --no-create-home --shell /usr/sbin/nologin "$user"
fi
# chpasswd reads "user:password" on stdin: the password is in no process's arguments.
printf '%s:%s\n' "$user" "$(head -n 1 "$pwfile")" | chpasswd
chown "$user:" /home/vsftpd
chmod 0755 /home/vsftpd
conf=/etc/vsftpd.conf
if [ -n "${PASV_ADDRESS:-}" ]; then
    # Passive mode needs the address the machines reach, not the container's own.
    grep -v '^pasv_address=' "$conf" >/tmp/vsftpd.conf
    echo "pasv_address=$PASV_ADDRESS" >>/tmp/vsftpd.conf
    conf=/tmp/vsftpd.conf
fi
exec /usr/sbin/vsftpd "$conf"

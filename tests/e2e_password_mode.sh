#!/usr/bin/env bash
# e2e_password_mode.sh — a password_file every local user can read (issue 8): the daemon and
# --check both warn, naming the file and its mode, never its content; they still work with it
# (a mode bit is not worth an outage); a 0640 file gives no warning.
# Usage: e2e_password_mode.sh CUWATCH
PW='Pwd-5e1f-world-readable-Secret'
export CU_PG_PASSWORD=$PW
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
pwfile=$E2E/db_password
printf '%s\n' "$PW" >"$pwfile"
chmod 0644 "$pwfile"
{
    printf 'watch:\n  root: %s\n' "$ROOT"
    printf 'database:\n  conninfo: "host=%s port=%s dbname=%s user=%s"\n' \
        "$PGHOST" "$PGPORT" "$PGDATABASE" "$PGUSER"
    printf '  password_file: %s\n' "$pwfile"
} >"$CONF"

rc=0
"$CUWATCH" -c "$CONF" --check >"$E2E/check.out" 2>&1 || rc=$?
cat "$E2E/check.out"
[ "$rc" = 0 ] || e2e_fail "--check with a world-readable password file exited $rc"
grep -qF "WARNING: password file $pwfile is readable by every user on this machine (mode 0644)" \
    "$E2E/check.out" || e2e_fail "--check did not warn about the world-readable password file"
grep -q '^database: ok' "$E2E/check.out" || e2e_fail "--check did not connect with the password"

e2e_daemon_start
e2e_wait_log 'database connected' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not connect"
grep -qE "warn .*password file $pwfile is readable by every user .*mode 0644" "$DLOG" ||
    e2e_fail "the daemon did not warn about the world-readable password file"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=

chmod 0640 "$pwfile"
"$CUWATCH" -c "$CONF" --check >"$E2E/check2.out" 2>&1 || e2e_fail "--check failed with a 0640 file"
! grep -q WARNING "$E2E/check2.out" || e2e_fail "--check warned about a 0640 password file"
! grep -qF "$PW" "$E2E/check.out" "$E2E/check2.out" "$DLOG" || e2e_fail "the password leaked"
echo PASS

#!/usr/bin/env bash
# deploy_unit_verify.sh — `systemd-analyze verify` on deploy/cuwatch.service (or an installed
# copy), with ExecStart pointed at a real cuwatch binary, plus the hardening we promise.
# Usage: deploy_unit_verify.sh UNIT_FILE CUWATCH_BINARY
#
# Works without systemd as PID 1 (containers, CI): --man=no skips the Documentation= man page
# lookup and --generators=no the generators, which need a running system manager. Any warning
# (an unknown or misspelt directive is only a warning) fails the test, not just the exit status.
set -euo pipefail
unit=${1:?usage: $0 UNIT_FILE CUWATCH_BINARY}
bin=${2:?usage: $0 UNIT_FILE CUWATCH_BINARY}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (package systemd)" >&2; exit 1; }

work=$(mktemp -d /tmp/cuwatch-unit.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The unit's name matters to verify; its binary must exist and be executable.
sed -E "s#^ExecStart=[^ ]*/cuwatch #ExecStart=$bin #" "$unit" >"$work/cuwatch.service"
grep -q "^ExecStart=$bin -c " "$work/cuwatch.service" || { echo "FAIL: no ExecStart=.../cuwatch -c" >&2; exit 1; }

rc=0
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --generators=no \
    "$work/cuwatch.service" >"$work/out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$work/out" ]; then
    echo "FAIL: systemd-analyze verify (status $rc):" >&2
    cat "$work/out" >&2
    exit 1
fi

missing=()
for d in 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'RestartSec=5s' \
    'DynamicUser=yes' 'ReadOnlyPaths=-/home/vsftpd' 'ProtectSystem=strict' \
    'ProtectHome=read-only' 'NoNewPrivileges=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'SystemCallFilter=@system-service' \
    'MemoryDenyWriteExecute=yes' 'LockPersonality=yes' 'RestrictRealtime=yes' \
    'Wants=network-online.target' 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=3min'; do
    grep -qxF -- "$d" "$unit" || missing+=("$d")
done
grep -qE '^LoadCredential=db_password:/.*/cuwatch/db_password$' "$unit" || missing+=(LoadCredential=db_password:...)
grep -qE '^After=.*network-online\.target.*postgresql\.service' "$unit" || missing+=("After=network-online.target postgresql.service")
if [ ${#missing[@]} -gt 0 ]; then
    printf 'FAIL: missing directive: %s\n' "${missing[@]}" >&2
    exit 1
fi
echo "ok: $unit verifies and is hardened"

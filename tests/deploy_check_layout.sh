#!/usr/bin/env bash
# deploy_check_layout.sh — `cuwatch --check` warns about a root that cuwatch would watch
# without seeing anything: no machine folder, one level too deep, LOG files directly in the
# root, LOG files it cannot read (vsftpd's local_umask=077); the daemon logs an upload into
# the root at warn. Warnings do not fail the check. Usage: deploy_check_layout.sh CUWATCH
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
log="$EXAMPLES/DEM12 (PVC)/20250528.LOG"
[ -f "$log" ] || fail "no worked example at $log"
check() { # check ROOT OUT: --check on ROOT, must exit 0
    write_config "$WORK/c.yaml" "$1"
    run_cuwatch "$2" -c "$WORK/c.yaml" --check || { cat "$2" >&2; fail "--check on $1 failed"; }
}

mkdir -p "$WORK/empty"
check "$WORK/empty" "$WORK/out1"
contains "$WORK/out1" "warning: no machine folder in $WORK/empty" "an empty root"

mkdir -p "$WORK/high/vsftpd/DEM12 (PVC)" "$WORK/high/vsftpd/SU12 (HYBRIDE)"
cp "$log" "$WORK/high/vsftpd/DEM12 (PVC)/"
check "$WORK/high" "$WORK/out2"
contains "$WORK/out2" "looks one level too deep" "a root one level too high"
contains "$WORK/out2" "watch.root should probably be $WORK/high/vsftpd" "the suggested root"

mkdir -p "$WORK/ok/DEM12 (PVC)"
cp "$log" "$WORK/ok/DEM12 (PVC)/"
check "$WORK/ok" "$WORK/out3"
lacks "$WORK/out3" "warning" "a well-formed root"
cp "$log" "$WORK/ok/20250529.LOG"
check "$WORK/ok" "$WORK/out4"
contains "$WORK/out4" "1 file matching \"*.LOG\" directly in $WORK/ok" "a file in the root"

# An upload vsftpd made with local_umask=077 (mode 0600, another owner).
chmod 0600 "$WORK/ok/DEM12 (PVC)/20250528.LOG"
if [ "$(id -u)" -eq 0 ]; then
    chown nobody: "$WORK/ok/DEM12 (PVC)/20250528.LOG" 2>/dev/null || true
    chmod 0644 "$WORK/c.yaml"
    # root reads everything: run the check as the service would, another user.
    rc=0
    runuser -u daemon -- "$CUWATCH" -c "$WORK/c.yaml" --check >"$WORK/out5" 2>&1 || rc=$?
else
    rc=0
    chmod 0000 "$WORK/ok/DEM12 (PVC)/20250528.LOG"
    "$CUWATCH" -c "$WORK/c.yaml" --check >"$WORK/out5" 2>&1 || rc=$?
fi
[ "$rc" -eq 0 ] || { cat "$WORK/out5" >&2; fail "--check failed on an unreadable file ($rc)"; }
contains "$WORK/out5" "1 of 1 LOG file cannot be read by this user" "an unreadable file"
contains "$WORK/out5" "local_umask=022" "the fix for unreadable uploads"
chmod 0644 "$WORK/ok/DEM12 (PVC)/20250528.LOG"

# The daemon: an upload into the root is a warn line naming it.
"$CUWATCH" -c "$WORK/c.yaml" >"$WORK/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q 'watching' "$WORK/daemon.log" && break; sleep 0.1; done
cp "$log" "$WORK/ok/20250530.LOG"
for _ in $(seq 300); do grep -q '20250530.LOG' "$WORK/daemon.log" && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid" || true
grep -E 'warn.*20250530\.LOG.*not in a machine folder|20250530\.LOG.*warn.*not in a machine folder' \
    "$WORK/daemon.log" >/dev/null || { cat "$WORK/daemon.log" >&2; fail "no warn line for a file uploaded into the root"; }
ok "--check warns about the root's layout and unreadable files; the daemon about uploads into the root"

#!/usr/bin/env bash
# deploy_healthcheck.sh — deploy/cuwatch-healthcheck.sh, the container's health check:
# without metrics.listen it is `cuwatch --check` (healthy with a reachable database, unhealthy
# without one); with metrics.listen it is GET /healthz of the real daemon (200 healthy,
# anything else unhealthy, with the answer on stderr; nothing listening is unhealthy).
# Usage: deploy_healthcheck.sh CUWATCH SOURCE_DIR
set -euo pipefail
src=${2:?usage: $0 CUWATCH SOURCE_DIR}
. "$(dirname "$0")/db_lib.sh"
hc=$src/deploy/cuwatch-healthcheck.sh
# The script runs `cuwatch` from PATH, as in the image.
mkdir -p "$WORK/bin" "$WORK/root/DEM12 (PVC)"
ln -s "$(cd "$(dirname "$CUWATCH")" && pwd)/$(basename "$CUWATCH")" "$WORK/bin/cuwatch"
export PATH=$WORK/bin:$PATH

# 1. No metrics.listen: cuwatch --check decides.
write_config "$WORK/c.yaml" "$WORK/root"
write_config "$WORK/bad.yaml" "$WORK/root" nosuchdb
rc=0; "$hc" "$WORK/bad.yaml" >"$WORK/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || { cat "$WORK/out" >&2; fail "healthy without a database"; }
"$hc" "$WORK/c.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "unhealthy with a migrated database"; }
CUWATCH_CONFIG=$WORK/c.yaml "$hc" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "\$CUWATCH_CONFIG not used"; }

# 2. metrics.listen set: /healthz of the real daemon decides.
#    - running, database reachable: healthy;
#    - its event loop blocked inside libpq (the server frozen with SIGSTOP while an upload
#      is being ingested): unhealthy, with the daemon's reason on stderr;
#    - the whole process stopped (connections queue, nothing answers): unhealthy within the
#      script's 5 s read timeout.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s#^database:#metrics:\n  listen: \"127.0.0.1:$port\"   \# telemetry\ndatabase:#" "$WORK/c.yaml" >"$WORK/d.yaml"
rc=0; "$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "healthy with nothing listening on $port"
contains "$WORK/out" "cannot connect to 127.0.0.1:$port" "nothing listening"
# Started as systemd starts it with WatchdogSec=8s: /healthz's bound is then the watchdog
# interval (without one it is 2 minutes, too long to wait for here).
(export WATCHDOG_USEC=8000000 WATCHDOG_PID=$BASHPID; exec "$CUWATCH" -c "$WORK/d.yaml") \
    >"$WORK/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do grep -q 'watching' "$WORK/daemon.log" && break; sleep 0.1; done
grep -q 'serving /metrics and /healthz' "$WORK/daemon.log" || { cat "$WORK/daemon.log" >&2; fail "the daemon serves no /healthz"; }
# Healthy within a few tries, as Docker retries: under a loaded machine (ASan, ctest -j) one
# turn of the loop may exceed /healthz's 2 s bound.
healthy() {
    local t0=$SECONDS
    until "$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1; do
        [ $((SECONDS - t0)) -le 30 ] || { cat "$WORK/out" "$WORK/daemon.log" >&2; fail "$1"; }
        sleep 0.2
    done
}
healthy "unhealthy while the daemon runs"
# A bare port is loopback, for the script as for the daemon.
sed "s#\"127.0.0.1:$port\"#\"$port\"#" "$WORK/d.yaml" >"$WORK/bare.yaml"
grep -q "listen: \"$port\"" "$WORK/bare.yaml" || fail "bare-port configuration not written"
"$hc" "$WORK/bare.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "listen: \"$port\" not read as 127.0.0.1:$port"; }

pm=$(head -n 1 "$CU_PG_DIR/data/postmaster.pid")
frozen="$pm $(pgrep -P "$pm" | tr '\n' ' ')"
thaw() { [ -z "$frozen" ] || kill -CONT $frozen 2>/dev/null || true; frozen=; }
trap 'thaw; cu_test_cleanup' EXIT
kill -STOP $frozen
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$WORK/root/DEM12 (PVC)/"
t0=$(date +%s)
until ! "$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1; do
    [ $(($(date +%s) - t0)) -le 30 ] || { thaw; fail "still healthy 30 s after the loop blocked (limit 8 s)"; }
    sleep 0.2
done
thaw
contains "$WORK/out" "/healthz: HTTP/1.1 503" "a stalled loop"
contains "$WORK/out" "event loop stalled" "the daemon's reason"
healthy "not healthy again after the database thawed"

kill -STOP "$daemon"
rc=0; "$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1 || rc=$?
kill -CONT "$daemon"
[ "$rc" -ne 0 ] || fail "healthy while the daemon is stopped"
contains "$WORK/out" "no answer from 127.0.0.1:$port" "a stopped daemon"
kill -TERM "$daemon"
wait "$daemon" || true
ok "health check: --check without metrics.listen, /healthz with it"

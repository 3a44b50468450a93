#!/usr/bin/env bash
# deploy_healthcheck.sh — deploy/cuwatch-healthcheck.sh, the container's health check:
# without metrics.listen it is `cuwatch --check` (healthy with a reachable, migrated
# database; unhealthy without one); with metrics.listen it is GET /healthz (200 healthy,
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

# 2. metrics.listen set: /healthz of the real daemon decides; the database is not consulted
#    (liveness: a daemon waiting for its database is healthy). A stopped process (SIGSTOP:
#    connections queue, nothing answers) is unhealthy within the script's 5 s read timeout.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s#^database:#metrics:\n  listen: \"127.0.0.1:$port\"   \# telemetry\ndatabase:#" "$WORK/c.yaml" >"$WORK/d.yaml"
"$CUWATCH" -c "$WORK/d.yaml" >"$WORK/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do grep -q 'serving /metrics and /healthz' "$WORK/daemon.log" && break; sleep 0.1; done
grep -q 'serving /metrics and /healthz' "$WORK/daemon.log" || { cat "$WORK/daemon.log" >&2; fail "the daemon serves no /healthz"; }
"$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out" "$WORK/daemon.log" >&2; fail "unhealthy while the daemon runs"; }
kill -STOP "$daemon"
rc=0; "$hc" "$WORK/d.yaml" >"$WORK/out" 2>&1 || rc=$?
kill -CONT "$daemon"
[ "$rc" -ne 0 ] || fail "healthy while the daemon is stopped"
contains "$WORK/out" "no answer from 127.0.0.1:$port" "a stopped daemon"
kill -TERM "$daemon"
wait "$daemon" || true

# 3. What the script makes of a 503 (the loop stalled: the daemon's body says why), with a
#    small HTTP server answering what the file "status" says.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s#^database:#metrics:\n  listen: \"127.0.0.1:$port\"   \# telemetry\ndatabase:#" "$WORK/c.yaml" |
    sed 's/dbname=[^ "]*/dbname=nosuchdb/' >"$WORK/m.yaml"
rc=0; "$hc" "$WORK/m.yaml" >"$WORK/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "healthy with nothing listening on /healthz"
echo 200 >"$WORK/status"
python3 - "$port" "$WORK/status" <<'PY' &
import http.server, sys
port, status_file = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = int(open(status_file).read()) if self.path == "/healthz" else 404
        body = b"ok\n" if code == 200 else b"event loop stuck for 93 s\n"
        self.send_response(code); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
for _ in $(seq 100); do "$hc" "$WORK/m.yaml" >/dev/null 2>&1 && break; sleep 0.1; done
"$hc" "$WORK/m.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "unhealthy while /healthz answers 200"; }
echo 503 >"$WORK/status"
rc=0; "$hc" "$WORK/m.yaml" >"$WORK/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "healthy while /healthz answers 503"
contains "$WORK/out" "event loop stuck" "the unhealthy answer is shown"
ok "health check: --check without metrics.listen, /healthz with it"

#!/bin/bash
# cuwatch-healthcheck — the container's health check (Dockerfile HEALTHCHECK, compose).
#
# When the configuration enables the telemetry endpoint (metrics.listen), health is
# GET /healthz: it fails when cuwatch's event loop is stuck, not only when the database is
# down, and costs no database connection. Otherwise it is `cuwatch --check` (configuration,
# root, database, schema). Uses bash's /dev/tcp: the runtime image has no curl.
# Usage: cuwatch-healthcheck [CONFIG]    (default $CUWATCH_CONFIG, then /etc/cuwatch/cuwatch.yaml)
set -u
conf=${1:-${CUWATCH_CONFIG:-/etc/cuwatch/cuwatch.yaml}}
# metrics.listen from the YAML file: the `listen:` key inside the top-level `metrics:` block.
listen=$(awk '
    /^[^[:space:]#]/ { inblock = ($0 ~ /^metrics:[[:space:]]*(#.*)?$/) }
    inblock && /^[[:space:]]+listen:/ {
        sub(/^[[:space:]]+listen:[[:space:]]*/, ""); sub(/[[:space:]]+#.*$/, "")
        gsub(/^["'\'']|["'\'']$/, ""); print; exit
    }' "$conf" 2>/dev/null)
if [ -z "$listen" ]; then
    exec cuwatch -c "$conf" --check
fi
# A bare port ("9464") is loopback, as cuwatch itself reads it.
case $listen in *:*) host=${listen%:*} ;; *) host=127.0.0.1 ;; esac
port=${listen##*:}
case $host in "" | 0.0.0.0 | "*") host=127.0.0.1 ;; "[::]") host=::1 ;; \[*\]) host=${host#[}; host=${host%]} ;; esac
exec 3<>"/dev/tcp/$host/$port" || { echo "cuwatch-healthcheck: cannot connect to $listen" >&2; exit 1; }
printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$listen" >&3
read -r -t 5 status_line <&3 || { echo "cuwatch-healthcheck: no answer from $listen" >&2; exit 1; }
body=$(timeout 5 cat <&3 | tr -d '\r' | sed '1,/^$/d' | head -c 300)
case $status_line in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) echo "cuwatch-healthcheck: /healthz: ${status_line%$'\r'} ${body}" >&2; exit 1 ;;
esac

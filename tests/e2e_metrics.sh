#!/usr/bin/env bash
# e2e_metrics.sh — /metrics and /healthz of the real daemon (metrics.listen), fed by uploads
# through a real vsftpd:
#   1. the exposition is accepted by `promtool check metrics` (Debian's prometheus package),
#      before any upload and after;
#   2. counters move with uploads: files by result (ok, unchanged, rejected), rows, the
#      duration histogram, the last success, and per machine the upload time (the file's
#      mtime) under a machine label — machines only, never file names; a label with a quote
#      and a backslash is escaped;
#   3. the database stopped and started: database_up goes 0 then 1, reconnects_total 1;
#   4. /healthz: 200 "ok" while the loop turns (the database down included: it is liveness),
#      503 naming the stall when the loop is blocked inside libpq (PostgreSQL frozen while
#      the daemon asks it about a file), while /metrics still answers from its own thread;
#      200 again once the server thaws;
#   5. SIGHUP with another metrics.listen moves the endpoint; a port already taken is logged
#      and the daemon goes on ingesting without it.
# The /healthz bound is the watchdog interval when WATCHDOG_USEC is set (systemd's
# WatchdogSec), 2 s here, so the test does not wait 30 s.
# Usage: e2e_metrics.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
command -v promtool >/dev/null || e2e_fail "promtool missing (Debian package prometheus)"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
e2e_config "metrics:
  listen: 127.0.0.1:$PORT"
URL=http://127.0.0.1:$PORT
WD_MS=2000
WATCHDOG_USEC=$((WD_MS * 1000)) e2e_daemon_start
e2e_wait_log 'serving /metrics and /healthz' $((5000 * CU_E2E_SLACK)) || e2e_fail "no endpoint"
e2e_wait_log 'reconciled' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

scrape() { # fetches /metrics into $E2E/m and checks it with promtool
    curl -sS --fail -o "$E2E/m" -D "$E2E/h" "$URL/metrics" || e2e_fail "GET /metrics failed"
    grep -qi '^content-type: text/plain; version=0.0.4' "$E2E/h" || e2e_fail "content type: $(cat "$E2E/h")"
    promtool check metrics <"$E2E/m" >"$E2E/promtool.out" 2>&1 ||
        { cat "$E2E/promtool.out" "$E2E/m" >&2; e2e_fail "promtool check metrics refused the exposition"; }
}
value() { # SERIES (exact, labels included): its value in the last scrape
    awk -v s="$1" '$1 == s { print $2 }' "$E2E/m"
}
expect() { # SERIES WANT
    [ "$(value "$1")" = "$2" ] || { cat "$E2E/m" >&2; e2e_fail "$1 is [$(value "$1")], expected $2"; }
}
wait_value() { # SERIES WANT MS: scrapes until the series has the value
    local t0
    t0=$(e2e_now_ms)
    until scrape && [ "$(value "$1")" = "$2" ]; do
        [ $(($(e2e_now_ms) - t0)) -le "$3" ] || { cat "$E2E/m" >&2; e2e_fail "$1 never became $2"; }
        sleep 0.05
    done
}
health() { curl -sS -o "$E2E/hz" -w '%{http_code}' "$URL/healthz"; }

# 1. Before any upload.
scrape
expect 'cuwatch_build_info{version="'"$("$CUWATCH" --version | awk '{ print $2 }')"'"}' 1
expect 'cuwatch_files_ingested_total{result="ok"}' 0
expect cuwatch_database_up 1
expect cuwatch_pending_files 0
[ "$(health)" = 200 ] && [ "$(cat "$E2E/hz")" = ok ] || e2e_fail "/healthz: $(cat "$E2E/hz")"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/nothing")
[ "$code" = 404 ] || e2e_fail "GET /nothing: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")
[ "$code" = 405 ] || e2e_fail "POST /metrics: $code"

# 2. Uploads through vsftpd, as the machines do.
ftp() { curl -sS --fail --netrc-file "$FTP_NETRC" "$@"; }
e2e_log_text 5 20250528 >"$E2E/a.LOG"
e2e_log_text 4 20250529 >"$E2E/b.LOG"
e2e_log_text 3 20250530 >"$E2E/c.LOG"
printf 'no event here\r\n' >"$E2E/bad.LOG"
# The machine folders first (MKD), each awaited: a file uploaded into a folder the daemon is
# still adding a watch to is also found by the folder's scan, perhaps still empty, and
# counted twice (once rejected, then ingested on its close).
for m in "DEM12 (PVC)" "SU12 (HYBRIDE)"; do
    ftp "$FTP_URL/" -Q "MKD $m" -o /dev/null
    e2e_wait_log "new folder path=\"$(printf '%s' "$m" | sed 's/[()]/\\&/g')\"" $((5000 * CU_E2E_SLACK)) ||
        e2e_fail "folder $m not watched"
done
ftp -T "$E2E/a.LOG" "$FTP_URL/DEM12%20(PVC)/20250528.LOG"
ftp -T "$E2E/b.LOG" "$FTP_URL/DEM12%20(PVC)/20250529.LOG"
ftp -T "$E2E/c.LOG" "$FTP_URL/SU12%20(HYBRIDE)/20250530.LOG"
e2e_wait_sql "SELECT count(*) FROM session_production" 3 $((5000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "uploads not ingested"
wait_value 'cuwatch_files_ingested_total{result="ok"}' 3 5000
# No session was replaced so far: every detail row written is in the tables.
rows=$(e2e_sql "SELECT (SELECT count(*) FROM piece_production) + (SELECT count(*) FROM job_profil)
    + (SELECT count(*) FROM periode_attente) + (SELECT count(*) FROM periode_arret)
    + (SELECT count(*) FROM periode_etat)")
echo "rows_written_total $(value cuwatch_rows_written_total), detail rows in the database: $rows"
expect cuwatch_rows_written_total "$rows"
[ "$rows" -gt 0 ] || e2e_fail "no detail rows"
expect cuwatch_ingest_duration_seconds_count 3
expect 'cuwatch_ingest_duration_seconds_bucket{le="+Inf"}' 3
mt=$(stat -c %Y "$ROOT/DEM12 (PVC)/20250529.LOG")
m1=$(value 'cuwatch_machine_last_upload_timestamp_seconds{machine="DEM12"}')
[ "${m1%.*}" -ge "$mt" ] || e2e_fail "DEM12's last upload is $m1, the newest file's mtime $mt"
[ -n "$(value 'cuwatch_machine_last_upload_timestamp_seconds{machine="SU12"}')" ] || e2e_fail "no SU12 series"
! grep -q '\.LOG' "$E2E/m" || e2e_fail "a file name in the metrics"
last=$(value cuwatch_last_ingest_success_timestamp_seconds)
now=$(date +%s)
[ -n "$last" ] && [ $((now - ${last%.*})) -le 60 ] || e2e_fail "last success [$last], now $now"

ftp -T "$E2E/a.LOG" "$FTP_URL/DEM12%20(PVC)/20250528.LOG" # same content again
wait_value 'cuwatch_files_ingested_total{result="unchanged"}' 1 $((5000 * CU_E2E_SLACK))
ftp -T "$E2E/bad.LOG" "$FTP_URL/SU12%20(HYBRIDE)/20250531.LOG"
wait_value 'cuwatch_files_ingested_total{result="rejected"}' 1 $((5000 * CU_E2E_SLACK))
expect 'cuwatch_files_ingested_total{result="ok"}' 3
# A machine folder whose name needs escaping (written in the root directly: FTP paths with
# quotes are the client's trouble, not ours).
mkdir "$ROOT/Q\"uo\\te (X)"
e2e_log_text 2 20250601 >"$ROOT/Q\"uo\\te (X)/20250601.LOG"
wait_value 'cuwatch_files_ingested_total{result="ok"}' 4 $((5000 * CU_E2E_SLACK))
grep -qF 'cuwatch_machine_last_upload_timestamp_seconds{machine="Q\"uo\\te"}' "$E2E/m" ||
    { grep machine= "$E2E/m" >&2; e2e_fail "the label is not escaped"; }

# 3. The database goes away and comes back.
e2e_pg_stop
e2e_log_file "SU12 (HYBRIDE)/20250602.LOG" 2 20250602
wait_value cuwatch_database_up 0 $((10000 * CU_E2E_SLACK))
[ "$(health)" = 200 ] || e2e_fail "/healthz fails while the database is down: $(cat "$E2E/hz")"
e2e_pg_start
wait_value cuwatch_database_up 1 $((20000 * CU_E2E_SLACK))
expect cuwatch_database_reconnects_total 1
wait_value cuwatch_pending_files 0 $((5000 * CU_E2E_SLACK))
expect 'cuwatch_files_ingested_total{result="ok"}' 5

# 4. The loop blocked inside libpq.
e2e_pg_freeze
e2e_log_file "SU12 (HYBRIDE)/20250603.LOG" 2 20250603
e2e_pg_wait_unread $((5000 * CU_E2E_SLACK)) || e2e_fail "the daemon never asked the frozen server"
t0=$(e2e_now_ms)
until [ "$(health)" = 503 ]; do
    [ $(($(e2e_now_ms) - t0)) -le $((WD_MS * 3)) ] || e2e_fail "/healthz still $(cat "$E2E/hz") with the loop blocked"
    sleep 0.1
done
echo "/healthz 503 after $(($(e2e_now_ms) - t0)) ms blocked: $(cat "$E2E/hz")"
grep -q '^event loop stalled: its last turn was [0-9.]* s ago (limit 2 s)$' "$E2E/hz" ||
    e2e_fail "/healthz reason: $(cat "$E2E/hz")"
scrape # /metrics is served by its own thread, stuck loop or not
e2e_pg_thaw
t0=$(e2e_now_ms)
until [ "$(health)" = 200 ]; do
    [ $(($(e2e_now_ms) - t0)) -le $((5000 * CU_E2E_SLACK)) ] || e2e_fail "/healthz did not recover"
    sleep 0.05
done
wait_value 'cuwatch_files_ingested_total{result="ok"}' 6 $((5000 * CU_E2E_SLACK))
echo "--- final scrape"
grep -v '^#' "$E2E/m"

# 5. Reload onto another port, then onto one that is taken.
PORT2=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
e2e_config "metrics:
  listen: 127.0.0.1:$PORT2"
kill -HUP "$DPID"
e2e_wait_log "serving /metrics and /healthz listen=127.0.0.1:$PORT2" $((5000 * CU_E2E_SLACK)) ||
    e2e_fail "the endpoint did not move on reload"
URL=http://127.0.0.1:$PORT2
scrape
expect 'cuwatch_files_ingested_total{result="ok"}' 6 # the numbers survive the move
! curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics" || e2e_fail "the old port still answers"
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$E2E/taken" &
E2E_KILL="${E2E_KILL:-} $!"
until [ -s "$E2E/taken" ]; do sleep 0.02; done
PORT3=$(cat "$E2E/taken")
e2e_config "metrics:
  listen: 127.0.0.1:$PORT3"
kill -HUP "$DPID"
e2e_wait_log "cannot serve metrics on 127.0.0.1:$PORT3: .*the daemon goes on" $((5000 * CU_E2E_SLACK)) ||
    e2e_fail "no error for a port in use"
e2e_log_file "SU12 (HYBRIDE)/20250604.LOG" 4 20250604
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'SU12 (HYBRIDE)/20250604.LOG'" \
    4 $((5000 * CU_E2E_SLACK)) >/dev/null || e2e_fail "no ingest without the endpoint"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
[ "$rc" = 0 ] || e2e_fail "exit status $rc after SIGTERM"
echo PASS

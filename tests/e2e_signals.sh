#!/usr/bin/env bash
# e2e_signals.sh — SIGTERM during a burst exits 0 within 2 s with no half-written file;
# SIGHUP reloads the configuration (a new machine map applies to new files, a new root is
# watched and reconciled); a broken
# configuration on SIGHUP is reported and the old one kept.
# Usage: e2e_signals.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
e2e_daemon_start
e2e_wait_log 'reconcil' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

# SIGHUP with a new machine map.
e2e_log_file "X (PVC)/20250531.LOG" 2 20250531
e2e_wait_sql "SELECT string_agg(nom, ',') FROM centre_usinage" X 5000 >/dev/null ||
    e2e_fail "first file not ingested"
e2e_config 'machines:
  map:
    "X (PVC)": { name: XRAY, type: PVC }'
kill -HUP "$DPID"
e2e_wait_log 'configuration reloaded' 5000 || e2e_fail "no reload"
e2e_log_file "X (PVC)/20250601.LOG" 2 20250601
ms=$(e2e_wait_sql "SELECT c.nom FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id WHERE s.date_production = '2025-06-01'" XRAY 5000) ||
    e2e_fail "the new machine map did not apply"
echo "SIGHUP: new map applied (file ingested as XRAY in ${ms} ms)"

# SIGHUP with a new root: the old one is dropped, the new one watched and reconciled.
mkdir "$E2E/root2"
ROOT=$E2E/root2
e2e_log_file "N (ALU)/20250701.LOG" 3 20250701
e2e_config ""
kill -HUP "$DPID"
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'N (ALU)/20250701.LOG'" 3 5000 >/dev/null ||
    e2e_fail "the new root was not reconciled after SIGHUP"
e2e_log_file "N (ALU)/20250702.LOG" 2 20250702
e2e_wait_sql "SELECT total_pieces FROM session_production WHERE fichier_log_source = 'N (ALU)/20250702.LOG'" 2 5000 >/dev/null ||
    e2e_fail "the new root is not watched after SIGHUP"
echo "SIGHUP with a new root: watched and reconciled"

# A broken configuration is reported; the old one stays.
printf 'watch:\n  root: [unclosed\n' >"$CONF"
kill -HUP "$DPID"
e2e_wait_log 'configuration not reloaded' 5000 || e2e_fail "bad config not reported"
e2e_log_file "X (PVC)/20250602.LOG" 2 20250602 # in the new root, with the default map
e2e_wait_sql "SELECT c.nom FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id WHERE s.date_production = '2025-06-02'" X 5000 >/dev/null ||
    e2e_fail "the daemon stopped working after a bad reload"
echo "SIGHUP with a broken file: reported, old configuration kept"

# SIGTERM in the middle of a burst.
python3 - "$ROOT" <<'PY'
import os, sys
for m in range(3):
    d = os.path.join(sys.argv[1], f"T{m}")
    os.mkdir(d)
    for f in range(1, 29):
        with open(os.path.join(d, f"202502{f:02d}.LOG"), "w") as fh:
            fh.write("".join(f"202502{f:02d} 08:{i:02d}:00|@StukUitgevoerd\n" for i in range(40)))
PY
e2e_wait_sql "SELECT count(*) > 5 FROM fichier_log WHERE chemin LIKE 'T%'" t 10000 >/dev/null || true
t0=$(e2e_now_ms)
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
took=$(($(e2e_now_ms) - t0))
DPID=
echo "SIGTERM: exit status $rc after $took ms"
[ "$rc" = 0 ] || e2e_fail "exit status $rc after SIGTERM"
[ "$took" -le 2000 ] || e2e_fail "took $took ms to stop"
grep -q 'stopped' "$DLOG" || e2e_fail "no 'stopped' line"
# No half-written file: every registry row marked ok has its complete session.
half=$(e2e_sql "SELECT count(*) FROM fichier_log f WHERE f.statut = 'ok' AND NOT EXISTS
                (SELECT 1 FROM session_production s WHERE s.fichier_log_source = f.chemin
                 AND s.total_pieces = (SELECT count(*) FROM piece_production p
                                       WHERE p.session_id = s.id))")
[ "$half" = 0 ] || e2e_fail "$half files half-written"
# What was still pending is picked up by the next start.
e2e_config ""
e2e_daemon_start
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE chemin LIKE 'T%'" 84 $((20000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "files pending at SIGTERM not ingested after restart"
t0=$(e2e_now_ms)
kill -INT "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
echo "SIGINT: exit status $rc after $(($(e2e_now_ms) - t0)) ms"
[ "$rc" = 0 ] || e2e_fail "exit status $rc after SIGINT"
echo PASS

#!/usr/bin/env bash
# e2e_burst.sh — 15 new machine folders x 100 files, written as fast as one process can,
# while the daemon watches: all 1,500 ingested, none missed, none twice (one fichier_log row
# and one session per file, and exactly one "ingested ... status=ok" log line per file).
# Usage: e2e_burst.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
e2e_daemon_start
e2e_wait_log 'reconciled|reconciling' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

t0=$(e2e_now_ms)
python3 - "$ROOT" <<'PY'
import datetime, os, sys
root = sys.argv[1]
base = datetime.date(2025, 1, 1)
for m in range(15):
    folder = os.path.join(root, f"M{m:02d} (PVC)")
    os.mkdir(folder)
    for f in range(100):
        day = (base + datetime.timedelta(days=f)).strftime("%Y%m%d")
        lines = "".join(f"{day} {6 + i // 60:02d}:{i % 60:02d}:00|@StukUitgevoerd: p{i}\n"
                        for i in range(m + f % 7 + 2))
        with open(os.path.join(folder, day + ".LOG"), "w") as fh:
            fh.write(lines)
PY
echo "wrote 1500 files in $(($(e2e_now_ms) - t0)) ms"
ms=$(e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 1500 $((60000 * CU_E2E_SLACK))) ||
    e2e_fail "not all 1500 files were ingested"
echo "all 1500 ingested $ms ms after the last write"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log")" = 1500 ] || e2e_fail "fichier_log count"
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = 1500 ] || e2e_fail "session count"
[ "$(e2e_sql "SELECT count(*) FROM centre_usinage")" = 15 ] || e2e_fail "machine count"
# Pieces match what was written: machine m, file f has m + f%7 + 2 pieces.
bad=$(e2e_sql "SELECT count(*) FROM session_production s JOIN centre_usinage c
               ON c.id = s.centre_usinage_id
               WHERE s.total_pieces <> substr(c.nom, 2)::int
                     + (s.date_production - date '2025-01-01') % 7 + 2")
[ "$bad" = 0 ] || e2e_fail "$bad sessions have the wrong piece count"
oks=$(grep -c 'ingested .*status=ok' "$DLOG" || true)
distinct=$(grep 'ingested .*status=ok' "$DLOG" | sed 's/.*path="\([^"]*\)".*/\1/' | sort -u | wc -l)
echo "ingest log lines: $oks (distinct paths $distinct)"
[ "$oks" = 1500 ] && [ "$distinct" = 1500 ] || e2e_fail "files ingested twice or missed"
grep -q 'overflow' "$DLOG" && echo "(the inotify queue overflowed; the rescan caught up)"
e2e_daemon_alive || e2e_fail "daemon died"
echo PASS

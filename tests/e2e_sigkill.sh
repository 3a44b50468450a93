#!/usr/bin/env bash
# e2e_sigkill.sh — the daemon killed with SIGKILL while files arrive, then restarted: start-up
# reconciliation ingests what it missed, and every file is ingested exactly once (one registry
# row and one session each, all ok, with the content on disk, and one "ingested ... status=ok"
# log line per file across both runs: the row counts alone are bounded by UNIQUE keys).
# Both runs log to the same $DLOG.
# Usage: e2e_sigkill.sh CUWATCH
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
e2e_daemon_start
e2e_wait_log 'reconcil' $((5000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

python3 - "$ROOT" >"$E2E/writer.log" 2>&1 <<'PY' &
import datetime, os, sys, time
root = sys.argv[1]
base = datetime.date(2024, 1, 1)
for m in range(4):
    os.makedirs(os.path.join(root, f"K{m} (ALU)"), exist_ok=True)
for f in range(100):
    for m in range(4):
        day = (base + datetime.timedelta(days=f)).strftime("%Y%m%d")
        text = "".join(f"{day} 07:{i:02d}:00|@StukUitgevoerd\n" for i in range(f % 9 + 2))
        with open(os.path.join(root, f"K{m} (ALU)", day + ".LOG"), "w") as fh:
            fh.write(text)
    time.sleep(0.01)
PY
writer=$!
E2E_KILL=$writer
e2e_wait_sql "SELECT count(*) > 20 FROM fichier_log" t $((10000 * CU_E2E_SLACK)) >/dev/null ||
    e2e_fail "nothing ingested before the kill"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
before=$(e2e_sql "SELECT count(*) FROM fichier_log")
echo "killed with SIGKILL after $before files"
wait "$writer" || e2e_fail "writer failed"
E2E_KILL=
e2e_daemon_start
ms=$(e2e_wait_sql "SELECT count(*) FROM fichier_log" 400 $((30000 * CU_E2E_SLACK))) ||
    e2e_fail "not every file was ingested after the restart"
echo "restarted: all 400 in the registry ${ms} ms later"
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = 400 ] || e2e_fail "session count"
[ "$(e2e_sql "SELECT count(*) FROM fichier_log WHERE statut <> 'ok'")" = 0 ] || e2e_fail "non-ok rows"
bad=$(e2e_sql "SELECT count(*) FROM session_production
               WHERE total_pieces <> (date_production - date '2024-01-01') % 9 + 2")
[ "$bad" = 0 ] || e2e_fail "$bad sessions do not hold the file's content"
# Sizes in the registry are the sizes on disk.
disk=$(cd "$ROOT" && find . -name '*.LOG' -printf '%P %s\n' | sort | md5sum)
reg=$(e2e_sql "SELECT chemin || ' ' || taille FROM fichier_log ORDER BY chemin" | LC_ALL=C sort | md5sum)
[ "$disk" = "$reg" ] || e2e_fail "registry sizes differ from the files"
# Ingested once: no path has two "ok" lines. The kill may land between a COMMIT and its log
# line, so one file may have none (its row says it was ingested).
oks=$(grep -c 'ingested .*status=ok' "$DLOG" || true)
distinct=$(grep 'ingested .*status=ok' "$DLOG" | sed 's/.*path="\([^"]*\)".*/\1/' | sort -u | wc -l)
echo "ingest log lines over both runs: $oks (distinct paths $distinct)"
[ "$oks" = "$distinct" ] || e2e_fail "$((oks - distinct)) files ingested twice"
[ "$distinct" -ge 399 ] || e2e_fail "only $distinct files have an ingest line"
echo PASS

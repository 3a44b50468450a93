#!/usr/bin/env bash
# e2e_huge_file — an upload far larger than any day's log (issue 8): a sparse 64 GB file is
# recorded rejete with the reason, without being read (no session), the daemon keeps running
# and ingests the next ordinary file, and a restart does not meet it again (reconciliation
# finds its size and mtime in the registry: no crash loop). --rescan treats it the same way,
# and a smaller watch.max_file_size applies to an ordinary file too.
set -euo pipefail
. "$(dirname "$0")/e2e_lib.sh"
e2e_init "$1"
S=$CU_E2E_SLACK
huge="DEM12 (PVC)/20250101.LOG"

e2e_daemon_start
e2e_wait_log_count "database connected" 1 $((10000 * S)) >/dev/null || e2e_fail "daemon did not start"
mkdir -p "$ROOT/DEM12 (PVC)"
truncate -s 64G "$ROOT/$huge"
e2e_wait_sql "SELECT statut || ':' || taille FROM fichier_log WHERE chemin = '$huge'" \
    "rejete:68719476736" $((15000 * S)) >/dev/null || e2e_fail "the 64 GB file is not recorded rejete"
msg=$(e2e_sql "SELECT message FROM fichier_log WHERE chemin = '$huge'")
case "$msg" in
*"file too large: 68719476736 bytes, above watch.max_file_size (268435456 bytes)"*) ;;
*) e2e_fail "reason: [$msg]" ;;
esac
[ "$(e2e_sql "SELECT count(*) FROM session_production")" = 0 ] || e2e_fail "a session for the huge file"
e2e_daemon_alive || e2e_fail "the daemon died on a 64 GB file"
e2e_log_file "DEM12 (PVC)/20250102.LOG" 5 20250102
e2e_wait_sql "SELECT count(*) FROM fichier_log WHERE statut = 'ok'" 1 $((15000 * S)) >/dev/null ||
    e2e_fail "the next file was not ingested"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$DPID/status")
echo "daemon peak RSS after a 64 GB upload: ${hwm} kB"
echo "ok: a 64 GB file: rejete with the reason, daemon alive, next file ingested"

# Restart: no crash loop, the file is not read again.
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
before=$(grep -c "20250101.LOG" "$DLOG" || true)
e2e_daemon_start
e2e_wait_log_count "reconciled" 2 $((15000 * S)) >/dev/null || e2e_fail "no reconciliation after the restart"
e2e_daemon_alive || e2e_fail "the daemon died at restart"
after=$(grep -c "20250101.LOG" "$DLOG" || true)
[ "$before" = "$after" ] || e2e_fail "the huge file was taken up again at restart"
kill -TERM "$DPID"
wait "$DPID" || e2e_fail "daemon exit status $?"
DPID=
echo "ok: restart: the huge file is not read again"

# --rescan --force: rejete again, exit 0 (a rejected file is data, not a failure).
rc=0
"$CUWATCH" -c "$CONF" --rescan --force >"$E2E/rescan.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$E2E/rescan.out"; e2e_fail "--rescan --force exit $rc"; }
grep -q "file too large" "$E2E/rescan.out" || { cat "$E2E/rescan.out"; e2e_fail "--rescan does not say why"; }

# A smaller limit applies to ordinary files.
printf 'watch:\n  max_file_size: 1KiB\n' >>"$CONF"
python3 - "$CONF" <<'PY'
import sys
p = sys.argv[1]; lines = open(p).read().splitlines()
# merge the appended watch: section into the first one
out, extra = [], []
seen = False
i = 0
while i < len(lines):
    if lines[i] == "watch:":
        if seen:
            i += 1
            while i < len(lines) and lines[i].startswith("  "):
                extra.append(lines[i]); i += 1
            continue
        seen = True
    out.append(lines[i]); i += 1
j = out.index("watch:") + 1
out[j:j] = extra
open(p, "w").write("\n".join(out) + "\n")
PY
e2e_log_file "DEM12 (PVC)/20250103.LOG" 100 20250103
rc=0
"$CUWATCH" -c "$CONF" --rescan >"$E2E/rescan2.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$E2E/rescan2.out"; e2e_fail "--rescan exit $rc"; }
[ "$(e2e_sql "SELECT statut FROM fichier_log WHERE chemin = 'DEM12 (PVC)/20250103.LOG'")" = rejete ] ||
    e2e_fail "a file above max_file_size: 1KiB was not rejete"
echo "ok: --rescan and a smaller watch.max_file_size"

# A big file (under the limit) gets time in proportion: statement_timeout 300 ms here (the
# user's choice), far too short for the COPY of 600,000 lines, is raised by 1 s per MiB for
# its transaction, so it is ingested instead of timing out for ever.
sed -i "s|user=$PGUSER\"|user=$PGUSER options='-c statement_timeout=300ms'\"|" "$CONF"
sed -i '/max_file_size: 1KiB/d' "$CONF"
rm -f "$ROOT/$huge"
e2e_log_file "DEM12 (PVC)/20250104.LOG" 600000 20250104
size=$(stat -c %s "$ROOT/DEM12 (PVC)/20250104.LOG")
echo "big file: $size bytes"
rc=0
"$CUWATCH" -c "$CONF" --rescan >"$E2E/rescan3.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { grep -v " info " "$E2E/rescan3.out" | tail -5; e2e_fail "--rescan of a big file exit $rc"; }
[ "$(e2e_sql "SELECT total_pieces FROM session_production s JOIN fichier_log f ON f.chemin = s.fichier_log_source
      WHERE f.chemin = 'DEM12 (PVC)/20250104.LOG'")" = 600000 ] || e2e_fail "the big file's session"
echo "ok: a big file's transaction gets time in proportion"
echo "4 passed, 0 failed"

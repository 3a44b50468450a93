#!/usr/bin/env bash
# e2e_chaos.sh — the chaos audit of issue 8 as a test, bounded to a minute or two. Uploads
# keep arriving through a real vsftpd (4 machines, days re-uploaded longer and longer: new
# files, appends) while, one after the other and each only once the daemon has made progress:
#   1. cuwatch is killed with SIGKILL and restarted;
#   2. PostgreSQL stops at once (pg_ctl -m immediate: a crash) and is started again;
#   3. cuwatch's connection is killed by the server (pg_terminate_backend);
#   4. a `cuwatch --rescan --force` runs beside the daemon, uploads still arriving.
# Then, the uploads done and the daemon caught up (every file on disk registered with its size
# and hash), every table is compared, count and checksum of its rows without ids and
# timestamps (date_creation, traite_le, duree_ms; sessions and files by their natural keys),
# with a clean `--rescan --force` of the same files into a fresh database: identical.
# Root only (vsftpd): exit 77 = skipped otherwise.
# Usage: e2e_chaos.sh CUWATCH
E2E_SETTLE=2s
. "$(dirname "$0")/e2e_lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (vsftpd)"; exit 77; }
e2e_init "$1"
. "$E2E_SRC/tests/vsftpd_harness.sh"
rc=0
vsftpd_start "$ROOT" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
e2e_daemon_start
e2e_wait_log 'reconciled' $((10000 * CU_E2E_SLACK)) || e2e_fail "daemon did not start"

# The uploader: round r uploads, for each machine, day r % 4 with 3 + r pieces (the same
# lines and more: an append as the daemon sees it; vsftpd rewrites the file in place), until
# told to stop.
# Every kind of row: pieces, jobs, waits, stops, and a rejected line now and then.
chaos_text() { # PIECES DAY
    awk -v n="$1" -v d="$2" 'BEGIN {
        printf "%s 05:59:00|@MachineStart\r\n", d;
        for (i = 0; i < n; i++) {
            s = 6 * 3600 + i * 120;
            t = sprintf("%s %02d:%02d:%02d", d, int(s / 3600) % 24, int(s / 60) % 60, s % 60);
            if (i % 5 == 0) printf "%s|@JobProfiel: R:REF%d L:%d.5 C:RAL90%02d\r\n", t, i, 6000 + i, i % 17;
            printf "%s|@StukUitgevoerd: piece %d\r\n", t, i + 1;
            if (i % 3 == 1) printf "%s|@MachineWait: %d sec\r\n", t, 10 + i % 40;
            if (i % 7 == 6) {
                printf "%s|@MachineStop\r\n", t;
                u = s + 60;
                printf "%s %02d:%02d:%02d|@MachineStart\r\n", d, int(u / 3600) % 24, int(u / 60) % 60, u % 60;
            }
            if (i % 11 == 10) printf "garbage line %d\r\n", i;
        }
    }'
}
stopfile=$E2E/stop-uploads
(
    set +e
    r=0
    while [ ! -e "$stopfile" ]; do
        for m in 1 2 3 4; do
            day=$(printf '202511%02d' $((r % 4 + 1)))
            chaos_text $((3 + 2 * r)) "$day" >"$E2E/up$m.LOG"
            curl -sS --fail --netrc-file "$FTP_NETRC" --ftp-create-dirs -T "$E2E/up$m.LOG" \
                "$FTP_URL/CH$m%20(ALU)/$day.LOG" || echo "upload failed: round $r machine $m" >&2
        done
        r=$((r + 1))
    done
    echo "$r rounds"
) >"$E2E/uploader.log" 2>&1 &
uploader=$!
E2E_KILL=$uploader

ingests() { grep -c 'ingested .*status=ok' "$DLOG" || true; }
progress() { # LABEL: waits for 8 more ingests than now
    local want=$(($(ingests) + 8)) t0
    t0=$(e2e_now_ms)
    until [ "$(ingests)" -ge "$want" ]; do
        [ $(($(e2e_now_ms) - t0)) -lt $((30000 * CU_E2E_SLACK)) ] || e2e_fail "no progress after $1"
        [ -z "${DPID:-}" ] || e2e_daemon_alive || e2e_fail "the daemon died after $1"
        sleep 0.05
    done
    echo "progress after $1: $(ingests) ingests"
}

progress "start"
# 1. SIGKILL, restart.
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
e2e_daemon_start
progress "kill -9 and restart"
# 2. An immediate PostgreSQL stop (a crash: no checkpoint, recovery at start), then a start.
cu_pg_as_owner "$CU_PG_BIN/pg_ctl" -D "$CU_PG_DIR/data" -m immediate -w stop >/dev/null
e2e_wait_log 'database unavailable' $((10000 * CU_E2E_SLACK)) || true # it may be idle
e2e_pg_start
progress "PostgreSQL crash and restart"
# 3. The server kills cuwatch's connection.
killed=$(e2e_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                  WHERE application_name = 'cuwatch'")
echo "terminated $killed cuwatch backend(s)"
[ "$killed" -ge 1 ] || e2e_fail "no cuwatch connection to terminate"
progress "pg_terminate_backend"
# 4. --rescan --force beside the daemon, uploads still arriving.
rescan_rc=0
"$CUWATCH" -c "$CONF" --rescan --force >"$E2E/rescan.log" 2>&1 || rescan_rc=$?
echo "--rescan --force beside the daemon: exit $rescan_rc, $(grep -o 'rescan finished.*' "$E2E/rescan.log")"
[ "$rescan_rc" = 0 ] || [ "$rescan_rc" = 1 ] || e2e_fail "--rescan --force exited $rescan_rc"
progress "--rescan --force"

touch "$stopfile"
wait "$uploader" || e2e_fail "uploader failed"
E2E_KILL=
echo "uploader: $(cat "$E2E/uploader.log")"
! grep -q 'upload failed' "$E2E/uploader.log" || e2e_fail "an FTP upload failed"

# Caught up: every file on disk registered with its size and content hash, status ok.
expected=$(cd "$ROOT" && find . -mindepth 2 -name '*.LOG' -printf '%P\n' | LC_ALL=C sort |
    while IFS= read -r f; do
        printf '%s %s %s ok\n' "$f" "$(stat -c %s "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
    done)
ms=$(e2e_wait_sql "SELECT string_agg(chemin || ' ' || taille || ' ' || empreinte || ' ' || statut,
                     E'\n' ORDER BY chemin COLLATE \"C\") FROM fichier_log" "$expected" \
    $((60000 * CU_E2E_SLACK))) || e2e_fail "the daemon did not catch up with the files on disk"
echo "caught up ${ms} ms after the last upload: $(printf '%s\n' "$expected" | wc -l) files"

# The same files, ingested clean into a fresh database.
e2e_sql "CREATE DATABASE fresh" >/dev/null
sed "s/dbname=$PGDATABASE /dbname=fresh /" "$CONF" >"$E2E/fresh.yaml"
grep -q 'dbname=fresh ' "$E2E/fresh.yaml" || e2e_fail "could not write the fresh configuration"
"$CUWATCH" -c "$E2E/fresh.yaml" --rescan --force >"$E2E/fresh.log" 2>&1 ||
    { cat "$E2E/fresh.log"; e2e_fail "the clean rescan failed"; }

dump() { # DB: one section per table, rows without ids and timestamps, sorted
    psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -f "$(dirname "$0")/dump_tables.sql"
}
# Every table of the schema is in the dump (a table added later must be added here).
tables=$(e2e_sql "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables
                  WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                    AND table_name <> 'cuwatch_migrations'")
[ "$tables" = "centre_usinage fichier_log job_profil ligne_rejetee periode_arret periode_attente periode_etat piece_production session_production" ] ||
    e2e_fail "tables [$tables]: the comparison does not cover them all"
dump "$PGDATABASE" >"$E2E/chaos.dump"
dump fresh >"$E2E/fresh.dump"
section() { awk -v t="$2" '/^== / { on = ($2 == t); next } on' "$1"; }
for f in chaos fresh; do
    for t in $tables; do echo "$t $(section "$E2E/$f.dump" "$t" | wc -l)"; done >"$E2E/$f.counts"
done
echo "rows per table (chaos database):"
sed 's/^/  /' "$E2E/chaos.counts"
for t in $tables; do
    a=$(section "$E2E/chaos.dump" "$t" | md5sum | cut -c1-12)
    b=$(section "$E2E/fresh.dump" "$t" | md5sum | cut -c1-12)
    echo "  $t: chaos $a, fresh $b"
    [ "$a" = "$b" ] || { diff "$E2E/fresh.dump" "$E2E/chaos.dump" | head -20 >&2; e2e_fail "$t differs from a clean ingest"; }
done
diff "$E2E/fresh.counts" "$E2E/chaos.counts" >&2 || e2e_fail "row counts differ"
[ "$(awk '$1 == "piece_production" { print $2 }' "$E2E/chaos.counts")" -gt 100 ] ||
    e2e_fail "too little data to prove anything"
echo PASS

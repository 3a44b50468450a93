#!/usr/bin/env bash
# db_idempotence — a second rescan writes nothing (same row ids, same date_creation, no
# sequence advanced, registry untouched); a grown file replaces its session (same session
# id, new detail rows); a file turned to garbage is rejete and its old session stays; a
# second file for the same machine and date replaces the session with a warning naming both.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
gen_logs "$root" 2 3 300 7
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
nfiles=$(find "$root" -name '*.LOG' | wc -l)

run_cuwatch "$WORK/r1.out" -c "$cfg" --rescan || { cat "$WORK/r1.out"; fail "first rescan"; }
contains "$WORK/r1.out" "Total: $nfiles files, 0 errors" "first rescan summary"

snapshot() {
    # xmin changes whenever a row is written again, even with the same values: equal
    # snapshots mean nothing was inserted, updated or deleted.
    psql -XAtq -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'c', id, xmin, date_creation FROM centre_usinage ORDER BY id;
SELECT 's', id, xmin, date_creation FROM session_production ORDER BY id;
SELECT 'j', id, xmin, date_creation FROM job_profil ORDER BY id;
SELECT 'a', id, xmin, date_creation FROM periode_attente ORDER BY id;
SELECT 'r', id, xmin, date_creation FROM periode_arret ORDER BY id;
SELECT 'p', id, xmin, date_creation FROM piece_production ORDER BY id;
SELECT 'f', id, xmin, traite_le, empreinte FROM fichier_log ORDER BY id;
SELECT 'l', id, xmin FROM ligne_rejetee ORDER BY id;
SELECT 'seq', sequencename, last_value FROM pg_sequences ORDER BY 2;
SQL
}
snapshot >"$WORK/snap1"
[ "$(grep -c '^p|' "$WORK/snap1")" -gt 100 ] || fail "too few pieces ingested"

run_cuwatch "$WORK/r2.out" -c "$cfg" --rescan || { cat "$WORK/r2.out"; fail "second rescan"; }
contains "$WORK/r2.out" "unchanged=$nfiles" "second rescan: all unchanged"
contains "$WORK/r2.out" "ingested=0" "second rescan: nothing ingested"
snapshot >"$WORK/snap2"
diff "$WORK/snap1" "$WORK/snap2" >&2 || fail "the second rescan wrote something"
ok "second rescan writes nothing"

# A touched file (same bytes, new mtime) stays unchanged, and its registry row takes the new
# mtime, so that reconciliation (size and mtime) stops re-reading it.
t=$(find "$root" -name '*.LOG' | sort | tail -1)
trel=${t#"$root"/}
touch -d '2030-01-02 03:04:05' "$t"
run_cuwatch "$WORK/rt.out" -c "$cfg" --rescan || { cat "$WORK/rt.out"; fail "rescan of a touched file"; }
contains "$WORK/rt.out" "unchanged=$nfiles" "touched file is unchanged"
eq "$(q "SELECT extract(epoch FROM mtime)::bigint FROM fichier_log WHERE chemin = '$trel'")" \
    "$(stat -c %Y "$t")" "registry takes the new mtime"
grep -v -e '^f|' "$WORK/snap1" >"$WORK/snap1.details"
snapshot | grep -v -e '^f|' >"$WORK/snapt.details"
diff "$WORK/snap1.details" "$WORK/snapt.details" >&2 || fail "a touched file changed a session"
ok "touched file: registry mtime refreshed, sessions untouched"

# A grown file: more lines appended (a later upload of the same day).
f=$(find "$root" -name '*.LOG' | sort | sed -n 1p)
rel=${f#"$root"/}
sid=$(q "SELECT s.id FROM session_production s WHERE s.fichier_log_source = '$rel'")
before=$(q "SELECT total_pieces FROM session_production WHERE id = $sid")
old_ids=$(q "SELECT max(id) FROM piece_production WHERE session_id = $sid")
day=$(basename "$f" .LOG)
for i in 1 2 3; do printf '%s 23:0%d:00|@StukUitgevoerd: late %d\r\n' "$day" "$i" "$i" >>"$f"; done
run_cuwatch "$WORK/r3.out" -c "$cfg" --rescan || { cat "$WORK/r3.out"; fail "rescan of a grown file"; }
contains "$WORK/r3.out" "ingested=1" "grown file ingested"
eq "$(q "SELECT total_pieces FROM session_production WHERE id = $sid")" $((before + 3)) "grown session"
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = $sid")" $((before + 3)) "its pieces"
# An append (SPEC §3): the stored rows stay, only the appended lines' rows are written.
contains "$WORK/r3.out" "write=append" "grown file written as an append"
eq "$(q "SELECT count(*) FROM piece_production WHERE session_id = $sid AND id <= $old_ids")" "$before" \
    "old detail rows kept"
eq "$(q "SELECT string_agg(details, ',' ORDER BY numero_piece) FROM piece_production
         WHERE session_id = $sid AND id > $old_ids")" "late 1,late 2,late 3" "only the new rows written"
eq "$(q "SELECT taille FROM fichier_log WHERE chemin = '$rel'")" "$(stat -c %s "$f")" "registry size"
ok "grown file written as an append"

# The same file turned to garbage: rejete, and the session it gave stays.
pieces_before=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM piece_production WHERE session_id = $sid")
printf '\x00\x01garbage\nmore garbage\n' >"$f"
run_cuwatch "$WORK/r4.out" -c "$cfg" --rescan || { cat "$WORK/r4.out"; fail "rescan of a garbage file"; }
contains "$WORK/r4.out" "files_rejected=1" "garbage file rejected"
eq "$(q "SELECT statut || ':' || message FROM fichier_log WHERE chemin = '$rel'")" "rejete:no valid event" "registry says rejete"
eq "$(q "SELECT total_pieces FROM session_production WHERE id = $sid")" $((before + 3)) "old session kept"
eq "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM piece_production WHERE session_id = $sid")" \
    "$pieces_before" "old details kept"
eq "$(q "SELECT count(*) FROM ligne_rejetee r JOIN fichier_log f ON f.id = r.fichier_id WHERE f.chemin = '$rel'")" 2 \
    "its rejected lines"
run_cuwatch "$WORK/r5.out" -c "$cfg" --rescan || fail "rescan after garbage"
contains "$WORK/r5.out" "unchanged=$nfiles" "unchanged garbage is not re-read"
ok "garbage file is rejete, old session stays"

# A second file with the same machine and date replaces the session, with a warning.
g=$(find "$root" -name '*.LOG' | sort | sed -n 2p)
grel=${g#"$root"/}
gday=$(basename "$g" .LOG)
gsid=$(q "SELECT id FROM session_production WHERE fichier_log_source = '$grel'")
printf '%s 07:00:00|@StukUitgevoerd: a\n%s 08:00:00|@StukUitgevoerd: b\n' "$gday" "$gday" \
    >"$(dirname "$g")/${gday}_bis.LOG"
run_cuwatch "$WORK/r6.out" -c "$cfg" --rescan || { cat "$WORK/r6.out"; fail "rescan with a second file"; }
contains "$WORK/r6.out" "session replaced by another file" "warning"
contains "$WORK/r6.out" "previous=\"$grel\"" "warning names the previous file"
contains "$WORK/r6.out" "${gday}_bis.LOG" "warning names the new file"
eq "$(q "SELECT total_pieces || ':' || duree_production_totale FROM session_production WHERE id = $gsid")" \
    "2:1.0000" "session replaced by the later file"
ok "same machine and date from two files: the later replaces, with a warning"

# --force re-ingests everything, in place.
run_cuwatch "$WORK/r7.out" -c "$cfg" --rescan --force || { cat "$WORK/r7.out"; fail "--force"; }
contains "$WORK/r7.out" "unchanged=0" "--force re-reads everything"
eq "$(q "SELECT count(*) FROM (SELECT 1 FROM session_production GROUP BY centre_usinage_id,
         date_production HAVING count(*) > 1) d")" 0 "no duplicate session"
ok "--force"
# A file whose clock went wild (pieces in year 1 and in 2025) cannot fit the schema's hours:
# it is rejete with the reason, not a database error retried for ever, and exit is 0.
mkdir -p "$root/WILD (PVC)"
printf '00010101 06:00:00|@StukUitgevoerd: 1\n20250528 06:00:00|@StukUitgevoerd: 2\n' \
    >"$root/WILD (PVC)/20250528.LOG"
run_cuwatch "$WORK/r8.out" -c "$cfg" --rescan || { cat "$WORK/r8.out"; fail "rescan of a wild file"; }
eq "$(q "SELECT statut FROM fichier_log WHERE chemin = 'WILD (PVC)/20250528.LOG'")" rejete \
    "wild file recorded rejete"
contains "$WORK/r8.out" "timestamps too far apart" "wild file reason"
ok "timestamps beyond the schema's range: rejete, not an error"
echo "1 passed, 0 failed"

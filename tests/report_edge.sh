#!/usr/bin/env bash
# report_edge — the report and export on the awkward cases: a day with one piece, a file
# rejected whole and one with rejected lines (their first reasons shown, escaped), a machine
# with no type, job changes with Latin-1 colours, and text from FTP users with HTML in it, an empty selection
# (a message, exit 0, no file), --machine filters, --lang en, a role that may read only the
# views (the same report), bad arguments (exit 2) and an unreachable database (exit 3).
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/SU12 (HYBRIDE)" "$root/PLAIN" "$root/ONE (PVC)" \
    "$root/M<b>&'x (ALU)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
# SU12: binary junk, rejected whole; its name dates it 2025-06-01, outside the selection below,
# so a copy is dated inside it.
cp "$EXAMPLES/SU12 (HYBRIDE)/20250601.LOG" "$root/SU12 (HYBRIDE)/20250528.LOG"
# ONE: a single piece, so no window.
printf '20250528 07:00:00|@StukUitgevoerd: seule\r\n' >"$root/ONE (PVC)/20250528.LOG"
# PLAIN: no "(TYPE)", so no type; Latin-1 colour (0xC9 É) and a rejected Latin-1 line with HTML.
printf '%b' '20250528 06:00:00|@JobProfiel: R:X1 L:100 C:BL\xc9\r\n' \
    '20250528 06:00:05|@StukUitgevoerd: 1\r\n' \
    '20250528 06:30:00|@MachineWait: 60 sec\r\n' \
    '20250528 07:00:05|@StukUitgevoerd: 2\r\n' \
    '<script>alert("\xe9")</script>\r\n' >"$root/PLAIN/20250528.LOG"
# A machine whose name carries HTML.
printf '20250528 06:00:00|@StukUitgevoerd: 1\n20250528 06:10:00|@StukUitgevoerd: 2\n' \
    >"$root/M<b>&'x (ALU)/20250528.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/rescan" -c "$cfg" --rescan || { cat "$WORK/rescan"; fail "rescan"; }

report() { # OUT ERR ARGS...: runs --report, returns its status
    local out=$1 err=$2 rc=0
    shift 2
    "$CUWATCH" -c "$cfg" --report "$@" >"$out" 2>"$err" || rc=$?
    return $rc
}

rc=0
report "$WORK/r.html" "$WORK/r.err" --from 2025-05-28 --to 2025-05-28 || rc=$?
eq "$rc" 0 "report exit status"
r=$WORK/r.html
# One piece: a row, no window, no NaN anywhere.
contains "$r" 'data-machine="ONE"' "ONE's section"
contains "$r" "une seule pièce" "a day with one piece says so"
lacks "$r" "nan" "no NaN/inf in the drawing"
lacks "$r" "inf\"" "no inf in the drawing"
# No type.
python3 - "$r" <<'PY' || fail "PLAIN: no type"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
sec = html[html.index('data-machine="PLAIN"'):]
assert "<i>sans type</i>" in sec[:400], sec[:400]
PY
# Escaping: the machine name and the rejected line.
contains "$r" "M&lt;b&gt;&amp;&#39;x" "machine name escaped"
lacks "$r" "<script" "no script element from a rejected line"
lacks "$r" "M<b>" "no raw HTML from a machine name"
contains "$r" '&lt;script&gt;alert(&quot;é&quot;)&lt;/script&gt;' "rejected Latin-1 line as UTF-8, escaped"
# Job changes marked, their Latin-1 colours (0xC9, 0xC8) shown as UTF-8.
contains "$r" "06:00 X1 100 BLÉ" "PLAIN's job and its Latin-1 colour"
contains "$r" "06:00 PR7012 6500.00 CRÈME" "DEM12's job and its Latin-1 colour"
contains "$r" "1 job<" "the day's job count"
# Data quality: SU12 rejected whole, PLAIN's rejected line, DEM12's two with their reasons.
contains "$r" "SU12 (HYBRIDE)/20250528.LOG" "rejected file listed"
contains "$r" "rejeté" "rejected file marked"
contains "$r" "PLAIN/20250528.LOG" "file with a rejected line listed"
python3 - "$r" <<'PY' || fail "DEM12's first reasons"
import sys
html = open(sys.argv[1], encoding="utf-8").read()
q = html[html.index('<section class="q">'):]
i = q.index("DEM12 (PVC)/20250528.LOG")
block = q[i:i + 1500]
assert "ligne 17" in block and "ligne 18" in block and "garbage line" in block, block
PY
iconv -f UTF-8 -t UTF-8 "$r" >/dev/null || fail "report is not valid UTF-8"
timeout 180 python3 "$HERE/report_render.py" "$r" "$WORK/shot" >"$WORK/r.json" ||
    fail "rendering"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["requests"]==[] and d["console"]==[], d' \
    "$WORK/r.json" || fail "edge report: requests or console messages"
ok "one piece, rejected file and lines with reasons, no type, escaping, Latin-1"

# Counts agree with their nouns (French: singular for 0 and 1; English: for 1 only).
contains "$r" "4 machines · 1 jour de production" "header counts"
contains "$r" "1 jour</small>" "a period of one day"
contains "$r" "\">1 pièce" "a day with one piece"
contains "$r" "⚠ 2 lignes rejetées" "DEM12's day: two rejected lines"
contains "$r" "⚠ 1 ligne rejetée" "PLAIN's day: one rejected line"
contains "$r" "— 2 lignes rejetées</p>" "data quality: two rejected lines"
contains "$r" "— 1 ligne rejetée</p>" "data quality: one rejected line"
lacks "$r" "2 ligne<" "no '2 ligne'"
ok "counts agree with their nouns"

# The export writes names as they are (it is not HTML); a NULL type is an empty field.
"$CUWATCH" -c "$cfg" --export --from 2025-05-28 --to 2025-05-28 >"$WORK/e.csv"
contains "$WORK/e.csv" "M<b>&'x,ALU,2025-05-28" "csv: machine name as is"
grep -q '^PLAIN,,2025-05-28' "$WORK/e.csv" || fail "csv: PLAIN with an empty type"
ok "csv: names as is, NULL type empty"

# --machine, twice; --lang en.
rc=0
report "$WORK/m.html" "$WORK/m.err" --from 2025-05-28 --to 2025-05-28 --machine DEM12 \
    --machine ONE --lang en || rc=$?
eq "$rc" 0 "--machine exit status"
eq "$(grep -o 'section class="m" data-machine="[^"]*"' "$WORK/m.html" | cut -d'"' -f4 | tr '\n' ' ')" \
    "DEM12 ONE " "--machine selects those machines only"
contains "$WORK/m.html" '<html lang="en">' "--lang en"
contains "$WORK/m.html" "Production report" "English title"
contains "$WORK/m.html" "71.55" "English decimals"
lacks "$WORK/m.html" "Rapport de production" "no French left"
contains "$WORK/m.html" "2 machines · 1 production day<" "English header counts"
contains "$WORK/m.html" "1 day</small>" "English: a period of one day"
contains "$WORK/m.html" "\">1 piece" "English: a day with one piece"
contains "$WORK/m.html" "— 2 rejected lines</p>" "English: data quality count"
"$CUWATCH" -c "$cfg" --export --machine ONE >"$WORK/one.csv"
eq "$(tail -n +2 "$WORK/one.csv" | cut -d, -f1 | sort -u | tr -d '\r')" "ONE" "--export --machine"
ok "--machine (repeated), --lang en"

# Empty selection: a message, exit 0, no file (neither -o nor a temporary beside it).
for mode in "--report" "--export --format xlsx" "--export"; do
    rc=0
    # shellcheck disable=SC2086
    "$CUWATCH" -c "$cfg" $mode --from 2030-01-01 -o "$WORK/empty.out" >"$WORK/empty.stdout" \
        2>"$WORK/empty.err" || rc=$?
    eq "$rc" 0 "$mode: empty selection exit status"
    contains "$WORK/empty.err" "no production day" "$mode: empty selection message"
    [ ! -e "$WORK/empty.out" ] || fail "$mode: a file was written for an empty selection"
    [ -z "$(ls "$WORK" | grep 'empty.out.')" ] || fail "$mode: a temporary file was left"
    [ ! -s "$WORK/empty.stdout" ] || fail "$mode: output on stdout"
done
rc=0
"$CUWATCH" -c "$cfg" --report --machine NOBODY >"$WORK/nobody.html" 2>"$WORK/nobody.err" || rc=$?
eq "$rc" 0 "unknown machine: exit status"
contains "$WORK/nobody.err" "machine NOBODY" "unknown machine named in the message"
[ ! -s "$WORK/nobody.html" ] || fail "unknown machine: output written"
ok "empty selection: message, exit 0, nothing written"

# Bad arguments: exit 2.
for args in "--report --from 2025-02-30" "--report --to 28/05/2025" \
    "--report --from 2025-05-29 --to 2025-05-28" "--export --format ods" "--report --lang de" \
    "--report --format csv" "--export --lang en" "--rescan --from 2025-05-28" \
    "--report --export"; do
    rc=0
    # shellcheck disable=SC2086
    "$CUWATCH" -c "$cfg" $args >"$WORK/bad.out" 2>&1 || rc=$?
    eq "$rc" 2 "$args: exit status"
done
ok "bad arguments exit 2"

# An output path that cannot be written: exit 1, the message names that path (not the
# temporary file beside it), nothing left behind.
for mode in "--report" "--export" "--export --format xlsx"; do
    rc=0
    # shellcheck disable=SC2086
    "$CUWATCH" -c "$cfg" $mode -o "$WORK/no/such/dir/out" >"$WORK/nodir.out" 2>"$WORK/nodir.err" ||
        rc=$?
    eq "$rc" 1 "$mode -o into a missing folder: exit status"
    contains "$WORK/nodir.err" "cannot write $WORK/no/such/dir/out: No such file or directory" \
        "$mode: the message names the output path"
    ! grep -qE 'out\.[A-Za-z0-9]{6}' "$WORK/nodir.err" || fail "$mode: a temporary name in the message"
done
ok "an unwritable -o: exit 1, the path named"

# Drawn from the views only: a role that may read the views and nothing else (no base table)
# gets the same report, and the same exports. The role also has a non-ISO DateStyle (a
# French BI user's), which must change nothing: cuwatch reads dates as ISO.
q "CREATE ROLE lecteur_vues LOGIN;
   ALTER ROLE lecteur_vues SET DateStyle = 'SQL, DMY';
   GRANT SELECT ON v_jour, v_semaine, v_mois, v_etat, v_pieces_heure, v_fraicheur, v_rejets,
                   v_jobs TO lecteur_vues"
sed "s/ user=$PGUSER\"/ user=lecteur_vues\"/" "$cfg" >"$WORK/vues.yaml"
contains "$WORK/vues.yaml" "user=lecteur_vues" "views-only configuration"
eq "$(psql -XAtq -U lecteur_vues -c "SELECT count(*) FROM ligne_rejetee" 2>&1 | grep -c denied)" 1 \
    "the views-only role cannot read a base table"
rc=0
"$CUWATCH" -c "$WORK/vues.yaml" --report --from 2025-05-28 --to 2025-05-28 -o "$WORK/vues.html" \
    >"$WORK/vues.err" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/vues.err"; fail "report as a views-only role: exit $rc"; }
cmp -s "$r" "$WORK/vues.html" || fail "report as a views-only role differs"
for fmt in csv xlsx; do
    rc=0
    "$CUWATCH" -c "$WORK/vues.yaml" --export --format "$fmt" -o "$WORK/vues.$fmt" \
        >"$WORK/vues.err" 2>&1 || rc=$?
    [ "$rc" = 0 ] || { cat "$WORK/vues.err"; fail "--export --format $fmt as a views-only role"; }
done
"$CUWATCH" -c "$cfg" --export --format csv -o "$WORK/owner.csv" >"$WORK/owner.err" 2>&1 ||
    { cat "$WORK/owner.err"; fail "--export --format csv"; }
cmp -s "$WORK/owner.csv" "$WORK/vues.csv" ||
    { diff "$WORK/owner.csv" "$WORK/vues.csv" | sed -n 1,5p >&2; fail "the csv export differs under DateStyle SQL, DMY"; }
ok "report and exports drawn from the views only (a role with SELECT on the views alone)"

# Database unreachable: exit 3, nothing written.
cat >"$WORK/nodb.yaml" <<YAML
watch:
  root: "$root"
database:
  conninfo: "host=$WORK/nosocket port=5432 dbname=x user=x connect_timeout=3"
YAML
rc=0
"$CUWATCH" -c "$WORK/nodb.yaml" --report -o "$WORK/nodb.html" >"$WORK/nodb.out" 2>&1 || rc=$?
eq "$rc" 3 "database unreachable"
[ ! -e "$WORK/nodb.html" ] || fail "a file was written without a database"
ok "database unreachable: exit 3"
echo "1 passed, 0 failed"

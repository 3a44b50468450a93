#!/usr/bin/env bash
# report_export — `cuwatch --export`: the selected rows of v_jour, read back as their users
# read them.
#   csv        parsed as RFC 4180 (CRLF, quotes doubled) equals v_jour, header = its columns;
#              a machine named  Q;"x",y  comes back intact
#   csv-excel  opened as a French Excel would: UTF-8 BOM, ';', decimal comma, ISO dates; the
#              numbers parsed that way equal v_jour's
#   xlsx       read with openpyxl: sheets jours, semaines, etats with typed numbers and dates
#              (12.5 s waits keep their half second) equal to v_jour, v_semaine and v_etat;
#              to stdout when redirected, refused (exit 2) on a terminal
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"
# openpyxl is Debian's python3-openpyxl: use Debian's interpreter when another comes first.
PY=python3
python3 -c 'import openpyxl' 2>/dev/null || PY=/usr/bin/python3

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/Q;\"x\",y (ALU)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/Q;\"x\",y (ALU)/20250527.LOG"
gen_logs "$WORK/gen" 2 9 800 5
cp -r "$WORK/gen/." "$root/"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/rescan" -c "$cfg" --rescan || { cat "$WORK/rescan"; fail "rescan"; }
from=$(q "SELECT min(jour) FROM v_jour")
to=$(q "SELECT max(jour) FROM v_jour")
cols="machine, type, jour, pieces, premiere_piece, derniere_piece, production_s, effectif_s,
      attente_s, arret_s, taux_occupation, taux_attente, taux_arret, pieces_par_heure,
      cycle_median_s, nb_attentes, nb_arrets, fichier, lignes_rejetees, ingere_le"
psql -XAtq -v ON_ERROR_STOP=1 -c "COPY (SELECT $cols FROM v_jour ORDER BY machine, jour)
    TO STDOUT WITH (FORMAT csv, HEADER)" >"$WORK/v_jour.csv"

# csv ---------------------------------------------------------------------------------------
rc=0
"$CUWATCH" -c "$cfg" --export --from "$from" --to "$to" >"$WORK/out.csv" 2>"$WORK/err" || rc=$?
eq "$rc" 0 "csv exit status"
grep -qF '"Q;""x"",y"' "$WORK/out.csv" || fail "csv: the machine name is not quoted per RFC 4180"
python3 - "$WORK/out.csv" "$WORK/v_jour.csv" <<'PY' || fail "csv content"
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert not raw.startswith(b"\xef\xbb\xbf"), "csv has a BOM"
lines = raw.split(b"\r\n")
assert lines[-1] == b"" and all(b"\n" not in l for l in lines), "lines must end with CRLF"
got = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
want = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
assert got[0] == want[0], f"header {got[0]} != {want[0]}"
assert len(got) == len(want), f"{len(got)} rows, want {len(want)}"
for g, w in zip(got[1:], want[1:]):
    assert g == w, f"row {g} != {w}"
names = {r[0] for r in got[1:]}
assert 'Q;"x",y' in names, names
dem = [r for r in got[1:] if r[0] == "DEM12" and r[2] == "2025-05-28"][0]
h = got[0]
assert dem[h.index("effectif_s")] == "7727.5" and dem[h.index("taux_occupation")] == "71.55", dem
print(f"csv: {len(got) - 1} rows equal to v_jour")
PY
ok "csv: RFC 4180, equal to v_jour, quoted machine name"

# csv-excel ---------------------------------------------------------------------------------
rc=0
"$CUWATCH" -c "$cfg" --export --format csv-excel --from "$from" --to "$to" -o "$WORK/out-fr.csv" \
    2>"$WORK/err" || rc=$?
eq "$rc" 0 "csv-excel exit status"
python3 - "$WORK/out-fr.csv" "$WORK/v_jour.csv" <<'PY' || fail "csv-excel content"
import csv, datetime, decimal, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
text = raw[3:].decode("utf-8")
got = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
want = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
h = want[0]
assert got[0] == h, got[0]
numeric = {"pieces", "production_s", "effectif_s", "attente_s", "arret_s", "taux_occupation",
           "taux_attente", "taux_arret", "pieces_par_heure", "cycle_median_s", "nb_attentes",
           "nb_arrets", "lignes_rejetees"}
def excel_fr(col, cell):
    """What a French Excel makes of the cell: numbers with a decimal comma, ISO dates."""
    if cell == "":
        return None
    if col in numeric:
        assert "." not in cell, f"{col}: '.' in {cell!r}"
        return decimal.Decimal(cell.replace(",", "."))
    if col == "jour":
        return datetime.date.fromisoformat(cell)
    if col in ("premiere_piece", "derniere_piece", "ingere_le"):
        assert len(cell) == 19, f"{col}: {cell!r} is not YYYY-MM-DD HH:MM:SS"
        return datetime.datetime.fromisoformat(cell)
    return cell
def pg(col, cell):
    if cell == "":
        return None
    if col in numeric:
        return decimal.Decimal(cell)
    if col == "jour":
        return datetime.date.fromisoformat(cell)
    if col in ("premiere_piece", "derniere_piece", "ingere_le"):
        return datetime.datetime.fromisoformat(cell[:19])
    return cell
assert len(got) == len(want)
for g, w in zip(got[1:], want[1:]):
    for col, a, b in zip(h, g, w):
        assert excel_fr(col, a) == pg(col, b), f"{col}: {a!r} vs {b!r}"
dem = [r for r in got[1:] if r[0] == "DEM12" and r[2] == "2025-05-28"][0]
assert dem[h.index("effectif_s")] == "7727,5" and dem[h.index("taux_occupation")] == "71,55"
print(f"csv-excel: {len(got) - 1} rows, BOM, ';', decimal comma")
PY
ok "csv-excel: BOM, ';', decimal comma, equal to v_jour as a French Excel reads it"

# xlsx --------------------------------------------------------------------------------------
rc=0
"$CUWATCH" -c "$cfg" --export --format xlsx --from "$from" --to "$to" -o "$WORK/out.xlsx" \
    2>"$WORK/err" || rc=$?
eq "$rc" 0 "xlsx exit status"
ls "$WORK" | grep -q 'out.xlsx.' && fail "a temporary file was left beside the workbook"
for v in v_semaine v_etat; do
    case $v in
    v_semaine) c="machine, type, semaine, jours, pieces, production_s, effectif_s, attente_s,
        arret_s, taux_occupation, taux_attente, taux_arret, pieces_par_heure"
        w="semaine BETWEEN date_trunc('week', '$from'::date)::date AND '$to'" o="machine, semaine" ;;
    v_etat) c="machine, type, jour, etat, debut, fin, duree_s"
        w="jour BETWEEN '$from' AND '$to'" o="machine, jour, debut" ;;
    esac
    psql -XAtq -v ON_ERROR_STOP=1 -c "COPY (SELECT $c FROM $v WHERE $w ORDER BY $o)
        TO STDOUT WITH (FORMAT csv, HEADER)" >"$WORK/$v.csv"
done
check_xlsx() {
    $PY - "$1" "$WORK" <<'PY'
import csv, datetime, decimal, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
assert wb.sheetnames == ["jours", "semaines", "etats"], wb.sheetnames
kinds = {}
for sheet, view in (("jours", "v_jour"), ("semaines", "v_semaine"), ("etats", "v_etat")):
    want = list(csv.reader(open(f"{sys.argv[2]}/{view}.csv", newline="", encoding="utf-8")))
    rows = list(wb[sheet].iter_rows(values_only=True))
    assert list(rows[0]) == want[0], f"{sheet} header {rows[0]} != {want[0]}"
    assert len(rows) == len(want), f"{sheet}: {len(rows)} rows, want {len(want)}"
    for g, w in zip(rows[1:], want[1:]):
        for col, a, b in zip(want[0], g, w):
            if b == "":
                assert a is None, f"{sheet}.{col}: {a!r} for NULL"
            elif isinstance(a, datetime.datetime):
                if len(b) == 10:
                    assert a == datetime.datetime.fromisoformat(b), f"{sheet}.{col} {a} {b}"
                else:
                    # fractions of a second survive (to Excel's millisecond)
                    ref = datetime.datetime.fromisoformat(b[:26] if "+" not in b else b.split("+")[0])
                    assert abs((a - ref).total_seconds()) < 0.001, f"{sheet}.{col} {a} {b}"
                kinds.setdefault((sheet, col), "date")
            elif isinstance(a, (int, float)):
                assert abs(decimal.Decimal(str(a)) - decimal.Decimal(b)) < decimal.Decimal("1e-6"), \
                    f"{sheet}.{col}: {a!r} != {b!r}"
                kinds.setdefault((sheet, col), "number")
            else:
                assert a == b, f"{sheet}.{col}: {a!r} != {b!r}"
                kinds.setdefault((sheet, col), "text")
for key in [("jours", "jour"), ("jours", "premiere_piece"), ("semaines", "semaine"),
            ("etats", "debut"), ("etats", "fin")]:
    assert kinds.get(key) == "date", f"{key} is {kinds.get(key)}, not a date"
for key in [("jours", "pieces"), ("jours", "production_s"), ("jours", "taux_occupation"),
            ("semaines", "taux_occupation"), ("etats", "duree_s")]:
    assert kinds.get(key) == "number", f"{key} is {kinds.get(key)}, not a number"
# The 12.5 s wait of the worked example keeps its half second.
half = [r for r in wb["etats"].iter_rows(values_only=True)
        if r[0] == "DEM12" and r[3] == "attente" and r[5] is not None
        and isinstance(r[5], datetime.datetime) and r[5].microsecond == 500000]
assert half, "no wait ending on a half second"
print("xlsx: three sheets equal to the views, typed")
PY
}
check_xlsx "$WORK/out.xlsx" || fail "xlsx content"
ok "xlsx: sheets jours, semaines, etats equal to the views, typed numbers and dates"

rc=0
"$CUWATCH" -c "$cfg" --export --format xlsx --from "$from" --to "$to" >"$WORK/stdout.xlsx" \
    2>"$WORK/err" || rc=$?
eq "$rc" 0 "xlsx to a redirected stdout"
check_xlsx "$WORK/stdout.xlsx" >/dev/null || fail "xlsx on stdout"
rc=0
script -qec "$CUWATCH -c $cfg --export --format xlsx" /dev/null >"$WORK/tty.out" 2>&1 || rc=$?
eq "$rc" 2 "xlsx to a terminal"
contains "$WORK/tty.out" "-o FILE.xlsx" "xlsx to a terminal: the hint"
ok "xlsx to stdout when redirected; refused on a terminal with a hint"
echo "1 passed, 0 failed"

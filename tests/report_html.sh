#!/usr/bin/env bash
# report_html — `cuwatch --report` as the factory sees it: the HTML rendered by Debian's
# headless Chromium (tests/report_render.py, DevTools over a pipe) loads with no network
# request, no console message and no element that points outside the file; on the worked
# example (DEM12 2025-05-28) the production, wait and stop bands measured from the screenshot's
# pixels are 71.55 / 3.45 / 25.00 % of the production window within half a point; the page
# prints to PDF (chromium --print-to-pdf) on A4 landscape, one page break per machine; a
# generated week of three machines renders the same way.
# CU_REPORT_PNG=path also keeps the first screen of the generated report (docs/report.png).
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
gen_logs "$WORK/gen" 3 4 3000 11
# Generated days start on 2025-01-06 (python fallback) or 2025-01-01 (cuwatch-genlogs): both
# far from the worked example's 2025-05-28, so the example keeps its own file.
cp -r "$WORK/gen/." "$root/"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
run_cuwatch "$WORK/rescan" -c "$cfg" --rescan || { cat "$WORK/rescan"; fail "rescan"; }

render() { # render HTML OUTDIR [ARGS...] -> JSON on stdout
    local html=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    timeout 180 python3 "$HERE/report_render.py" "$html" "$dir" "$@"
}
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2], {}, {"d": d})))' "$@"; }

# 1. The worked example alone.
rc=0
"$CUWATCH" -c "$cfg" --report --from 2025-05-28 --to 2025-05-28 -o "$WORK/ex.html" \
    2>"$WORK/ex.err" || rc=$?
eq "$rc" 0 "report exit status"
[ -s "$WORK/ex.html" ] || fail "no report written"
render "$WORK/ex.html" "$WORK/ex" --machine DEM12 --day 2025-05-28 >"$WORK/ex.json" ||
    fail "rendering the report"
cat "$WORK/ex.json"
eq "$(jget "$WORK/ex.json" 'd["requests"]')" "[]" "network requests while loading"
eq "$(jget "$WORK/ex.json" 'd["console"]')" "[]" "console messages"
eq "$(jget "$WORK/ex.json" 'd["external_elements"]')" "[]" "elements with src/href/script"
eq "$(jget "$WORK/ex.json" 'd["sections"]')" '["DEM12"]' "one section per machine"
eq "$(jget "$WORK/ex.json" 'd["lang"]')" '"fr"' "French by default"
head -c 8 "$WORK/ex/report.png" | od -An -tx1 | grep -q "89 50 4e 47" || fail "screenshot is not a PNG"
python3 - "$WORK/ex.json" <<'PY' || fail "band widths"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["bands"]
want = {"production": 71.55, "attente": 3.45, "arret": 25.00}
bad = {k: (b[k], v) for k, v in want.items() if abs(b[k] - v) > 0.5}
print("bands measured from the pixels:", b, "window", d["window_px"])
sys.exit(1 if bad else 0)
PY
ok "worked example: no request, no console message, bands 71.55/3.45/25.00 % within 0.5"

# The figures printed beside it are v_jour's, in French notation.
contains "$WORK/ex.html" '71,55' "occupation in French notation"
contains "$WORK/ex.html" '06:10–09:10' "production window"
ok "worked example figures"

# 2. Printing: chromium's own --print-to-pdf, A4 landscape.
timeout 180 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$WORK/chromium-pdf" --no-pdf-header-footer \
    --print-to-pdf="$WORK/ex.pdf" "file://$WORK/ex.html" >/dev/null 2>&1 || true
[ -s "$WORK/ex.pdf" ] || fail "--print-to-pdf wrote nothing"
pdfinfo "$WORK/ex.pdf" >"$WORK/pdfinfo"
cat "$WORK/pdfinfo"
grep -Eq '^Page size: +84[12]\.[0-9]+ x 59[45]\.[0-9]+ pts \(A4\)' "$WORK/pdfinfo" ||
    fail "not A4 landscape"
pages=$(awk '/^Pages:/ {print $2}' "$WORK/pdfinfo")
# First page (overview), the machine's page(s), the data-quality page.
[ "$pages" -ge 3 ] || fail "expected >= 3 pages (overview, machine, quality), got $pages"
pdftoppm -r 40 -png -f 2 -l 2 "$WORK/ex.pdf" "$WORK/page" && ls "$WORK"/page*.png >/dev/null ||
    fail "pdftoppm could not render the machine's page"
pdftotext -f 2 -l 2 "$WORK/ex.pdf" "$WORK/p2.txt"
grep -q "DEM12" "$WORK/p2.txt" || fail "page 2 is not DEM12's"
ok "printed: $pages pages, A4 landscape, the machine on its own page"

# 3. The generated week: every machine, default selection.
rc=0
"$CUWATCH" -c "$cfg" --report -o "$WORK/gen.html" 2>"$WORK/gen.err" || rc=$?
eq "$rc" 0 "report of generated data"
render "$WORK/gen.html" "$WORK/genshot" --screenshot-height 1250 >"$WORK/gen.json" ||
    fail "rendering the generated report"
eq "$(jget "$WORK/gen.json" 'd["requests"]')" "[]" "generated: network requests"
eq "$(jget "$WORK/gen.json" 'd["console"]')" "[]" "generated: console messages"
n=$(jget "$WORK/gen.json" 'len(d["sections"])')
[ "$n" -ge 3 ] || fail "generated: $n machine sections"
# Default period: the 7 most recent production dates (here the 4 generated days + 28/05).
days=$(q "SELECT count(*) FROM v_jour WHERE jour IN (SELECT DISTINCT jour FROM v_jour
          ORDER BY jour DESC LIMIT 7)")
eq "$(jget "$WORK/gen.json" 'd["days"]')" "$days" "generated: one row per machine and day"
if [ -n "${CU_REPORT_PNG:-}" ]; then cp "$WORK/genshot/report.png" "$CU_REPORT_PNG"; fi
ok "generated data: $n machines, $days days, no request, no console message"
echo "1 passed, 0 failed"

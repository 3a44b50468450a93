#!/bin/sh
# test_gen.sh — checks cuwatch-genlogs (bench/gen_logs.c): deterministic, seed-dependent, the
# promised tree shape, and data the real parser accepts as a normal production day.
#
# The benchmarks and the fuzz corpus are only as good as this data, so it is checked from the
# outside, as bench/parse uses it. Usage: test_gen.sh GENLOGS CUWATCH PYTHON3
set -eu
genlogs=$1 cuwatch=$2 python=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_gen: $*" >&2; exit 1; }

gen() { # gen DIR SEED [MORE ARGS]
    d=$1 s=$2
    shift 2
    "$genlogs" --out "$work/$d" --machines 4 --days 3 --lines 800 --seed "$s" "$@" > "$work/$d.out"
}

# Same seed, same bytes; another seed, other bytes.
gen a 42
gen b 42
gen c 43
diff -r "$work/a" "$work/b" > /dev/null || fail "seed 42 twice gave different trees"
diff -r "$work/a" "$work/c" > /dev/null && fail "seeds 42 and 43 gave the same tree"

# Shape: machines x days files named YYYYMMDD.LOG, the known folders first, consecutive days
# from --start across a month's end.
gen d 1 --start 20250227
n=$(find "$work/d" -type f -name '*.LOG' | wc -l)
[ "$n" -eq 12 ] || fail "expected 4 x 3 = 12 files, found $n"
for m in "DEM12 (PVC)" "DEMALU (ALU)" "SU12 (HYBRIDE)"; do
    for day in 20250227 20250228 20250301; do
        [ -s "$work/d/$m/$day.LOG" ] || fail "missing $m/$day.LOG"
    done
done
grep -q '^files=12 ' "$work/d.out" || fail "unexpected summary: $(cat "$work/d.out")"
# DEM12 writes CRLF like the worked example; DEMALU writes LF.
grep -q "$(printf '\r')\$" "$work/d/DEM12 (PVC)/20250227.LOG" || fail "DEM12 has no CRLF"
grep -q "$(printf '\r')\$" "$work/d/DEMALU (ALU)/20250227.LOG" && fail "DEMALU has CRLF"

# --clean removes an earlier, larger tree; a file of another name is left alone.
touch "$work/d/keep.txt"
"$genlogs" --out "$work/d" --machines 1 --days 1 --lines 10 --clean > /dev/null
n=$(find "$work/d" -type f -name '*.LOG' | wc -l)
[ "$n" -eq 1 ] || fail "--clean left $n files, expected 1"
[ -f "$work/d/keep.txt" ] || fail "--clean removed a file it did not write"

# Usage errors exit 2.
set +e
"$genlogs" --machines 2 > /dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "no --out: exit $rc, expected 2"

# The parser accepts every generated file as a normal day: every event kind, rejects only
# from the ~0.1 % noise, rates that add up.
"$cuwatch" --parse "$work/a"/*/*.LOG > "$work/parse.json" || fail "cuwatch --parse failed"
"$python" - "$work/parse.json" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
dec, pos, objs = json.JSONDecoder(), 0, []
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos == len(text):
        break
    obj, pos = dec.raw_decode(text, pos)
    objs.append(obj)
assert len(objs) == 12, f"{len(objs)} JSON objects for 12 files"
for o in objs:
    where = o["path"]
    assert o["status"] == "ok", (where, o["status"], o["error"])
    assert o["events"] > 0.9 * o["lines"], (where, o["events"], o["lines"])
    assert o["rejected_lines"] <= 0.01 * o["lines"] + 2, (where, o["rejected_lines"])
    for k in ("total_pieces", "waits"):
        assert o[k] > 0, (where, k)
    assert o["production_s"] > 10 * 3600, (where, o["production_s"])
    total = o["occupation_pct"] + o["wait_pct"] + o["stop_pct"]
    assert abs(total - 100) <= 0.02, (where, total)
    assert 30 <= o["occupation_pct"] <= 99, (where, o["occupation_pct"])
# Rarer kinds: a few per day on average, so counted over the whole tree.
for k in ("jobs", "stops", "unknown_events"):
    assert sum(o[k] for o in objs) > 0, k
PY
echo "test_gen: ok"

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
# The classic mix is a contract: other benchmarks compare numbers across commits on it, so
# its bytes for a given seed never change (this digest is the generator's output before the
# varied mix was added).
"$genlogs" --out "$work/gold" --machines 6 --days 2 --lines 300 --seed 5 --start 20240228 > /dev/null
digest=$(cd "$work/gold" && find . -name '*.LOG' | LC_ALL=C sort |
    while read -r f; do printf '%s\n' "$f"; cat "$f"; done | md5sum | cut -d' ' -f1)
[ "$digest" = e6ca72a527c1a12487bc00a70434a913 ] || fail "the classic mix's bytes changed ($digest)"

# The varied mix (issue 11's held-out data): deterministic, and what it promises.
gen v1 42 --mix varied
gen v2 42 --mix varied
diff -r "$work/v1" "$work/v2" > /dev/null || fail "varied: seed 42 twice gave different trees"
diff -r "$work/a" "$work/v1" > /dev/null && fail "varied gave the classic tree"
# Without noise, every line the varied mix writes must be valid: every wait spelling, every
# job token order, every piece text.
gen v3 7 --mix varied --noise 0
"$cuwatch" --parse "$work/v1"/*/*.LOG > "$work/v1.json" || fail "cuwatch --parse failed on varied"
"$cuwatch" --parse "$work/v3"/*/*.LOG > "$work/v3.json" || fail "cuwatch --parse failed on varied"
"$python" - "$work/v1" "$work/v1.json" "$work/v3" "$work/v3.json" <<'PY'
import glob, json, os, re, sys

def objs(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]

def lines_of(path):
    data = open(path, "rb").read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data, data.split(b"\n")

ev = re.compile(rb"^\s*\d{8} \d\d:\d\d:\d\d\|@([A-Za-z0-9_]+)(.*)$")
for tree, js, noisy in ((sys.argv[1], sys.argv[2], True), (sys.argv[3], sys.argv[4], False)):
    by_path = {o["path"]: o for o in objs(js)}
    files = sorted(glob.glob(os.path.join(tree, "*", "*.LOG")))
    assert len(files) == 12 and len(by_path) == 12, (tree, len(files))
    tot = dict(pieces=0, latin1=0, utf8=0, sep=0, waits=0, jobs=0, other=0, stops=0)
    units = set()
    for f in files:
        o = by_path[f]
        assert o["status"] == "ok", (f, o["error"])
        data, lines = lines_of(f)
        # CRLF on every line (the last may lack its newline).
        for l in lines[:-1]:
            assert l.endswith(b"\r"), (f, l[:60])
        waits = jobs = other = 0
        for l in lines:
            m = ev.match(l.rstrip(b"\r"))
            if not m:
                continue
            name, rest = m.group(1), m.group(2)
            if name == b"StukUitgevoerd":
                tot["pieces"] += 1
                det = rest.lstrip(b" :")
                # Free text on every piece line: more than its number.
                assert noisy or re.search(rb"[A-Za-z\x80-\xff]", det), (f, l)
                if b"|" in det or det.count(b":") >= 2:
                    tot["sep"] += 1
                try:
                    det.decode("utf-8")
                    if re.search(rb"[\x80-\xff]", det):
                        tot["utf8"] += 1
                except UnicodeDecodeError:
                    tot["latin1"] += 1
            elif name == b"MachineWait":
                waits += 1
                units.add(re.sub(rb"[\d.,\s:]", b"", rest).lower())
            elif name == b"JobProfiel":
                jobs += 1
            elif name == b"MachineStop":
                tot["stops"] += 1
            elif name != b"MachineStart":
                other += 1
        if not noisy:
            # Every line the parser sees is one the generator meant: nothing rejected, and
            # each valid line counted where it belongs.
            assert o["rejected_lines"] == 0, (f, o["rejects"][:3])
            assert (o["waits"], o["jobs"], o["unknown_events"]) == (waits, jobs, other), (
                f, o["waits"], waits, o["jobs"], jobs, o["unknown_events"], other)
        total = o["occupation_pct"] + o["wait_pct"] + o["stop_pct"]
        assert abs(total - 100) <= 0.02, (f, total)
    p = tot["pieces"]
    # Latin-1 throughout: most piece lines, not one; some UTF-8 too; ':' or '|' inside.
    assert tot["latin1"] > 0.5 * p, (tree, tot)
    assert tot["utf8"] > 0, (tree, tot)
    assert tot["sep"] > 0.5 * p, (tree, tot)
    # Stops between pieces: about 3 % of lines, ten times the classic mix.
    assert tot["stops"] > 0.015 * sum(o["lines"] for o in by_path.values()), (tree, tot)
    # Wait units: seconds, minutes and milliseconds, in several spellings.
    for u in (b"sec", b"min", b"ms", b"s", b""):
        assert u in units, (tree, u, units)
PY
# Knobs change one proportion each: LF only, plain ASCII, no piece text.
"$genlogs" --out "$work/k" --machines 2 --days 1 --lines 500 --mix varied --crlf 0 \
    --latin1 0 --utf8 0 --details 0 --noise 0 > /dev/null
grep -rq "$(printf '\r')" "$work/k" && fail "--crlf 0 wrote CR"
LC_ALL=C grep -rq "$(printf '[\200-\377]')" "$work/k" && fail "--latin1 0 --utf8 0 wrote non-ASCII"
LC_ALL=C grep -rhE '\|@StukUitgevoerd' "$work/k" | grep -vqE '\|@StukUitgevoerd( ?: ?| )?[0-9]+$' &&
    fail "--details 0 wrote piece text"
# Bad knobs and mixes are usage errors.
for bad in "--mix nosuch" "--crlf 101" "--waits 6000 --stops 6000" "--latin1 80 --utf8 30" \
    "--stop-secs 9-3"; do
    set +e
    # shellcheck disable=SC2086 # the knobs are words on purpose
    "$genlogs" --out "$work/bad" $bad > /dev/null 2>&1; rc=$?
    set -e
    [ "$rc" -eq 2 ] || fail "$bad: exit $rc, expected 2"
done

echo "test_gen: ok"

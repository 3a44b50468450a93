#!/usr/bin/env bash
# db_log_text — what an operator reads (SPEC §4, issue 8 "log forging", issue 10 "journald"):
#   1. text lines start with an RFC 3339 timestamp that carries its UTC offset, then the level;
#   2. when stderr is the journal (JOURNAL_STREAM names it), every line starts with its syslog
#      priority <N> (error 3, warn 4, info 6) and no timestamp; a JOURNAL_STREAM inherited for
#      another stream changes nothing;
#   3. folder and file names chosen by an FTP user with CR, LF, ESC and C1 bytes cannot forge
#      or hide a line: neither the log (text or JSON) nor --check's report carries a raw control
#      character, and the forged text never starts a line.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
mkdir -p "$root"
cp -r "$EXAMPLES/DEM12 (PVC)" "$root/"
find "$root" -name '*.json' -delete
# A folder whose name ends one line and starts a forged one, erasing the real start with ESC[2K.
evil=$(printf 'EVIL\r\n2031-01-01T00:00:00.000+00:00 error FORGED\033[2K\302\233 (PVC)')
mkdir -p "$root/$evil"
cp "$root/DEM12 (PVC)/20250528.LOG" "$root/$evil/20250529.LOG"
printf 'garbage\033]0;title\007\n' >>"$root/$evil/20250529.LOG" # a rejected line with controls
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"

no_controls() { # FILE WHAT: no byte < 0x20 but \n, no DEL, no C1 as UTF-8, FORGED never leads
    python3 - "$1" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
if bad:
    sys.exit(f"{sys.argv[2]}: raw control byte {bad.group()!r} at {bad.start()}: {data[max(0, bad.start()-40):bad.start()+40]!r}")
for line in data.decode("utf-8").splitlines():
    if re.match(r"^(<\d>)?(2031-01-01|error\s+FORGED)", line):
        sys.exit(f"{sys.argv[2]}: a forged line: {line!r}")
PY
}

# 1 + 3: text format on a plain file.
"$CUWATCH" -c "$cfg" --rescan >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "rescan"; }
no_controls "$WORK/err" "text log"
grep -q 'FORGED' "$WORK/err" || fail "the evil folder's file is not named in the log at all"
python3 - "$WORK/err" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines
for l in lines:
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d (error|warn |info |debug) ", l), l
PY
ok "text lines: RFC 3339 timestamps with offset; hostile names escaped"
[ "$(q "SELECT count(*) FROM session_production")" = 2 ] || fail "the evil folder's file was not ingested"

"$CUWATCH" -c "$cfg" --check >"$WORK/check" 2>&1 || { cat "$WORK/check"; fail "check"; }
no_controls "$WORK/check" "--check report"
grep -q 'FORGED' "$WORK/check" || fail "--check does not list the evil folder"
ok "--check escapes folder names"

printf '  format: json\n' >>"$cfg"
"$CUWATCH" -c "$cfg" --rescan --force >"$WORK/out" 2>"$WORK/json" || { cat "$WORK/json"; fail "rescan json"; }
no_controls "$WORK/json" "JSON log"
python3 - "$WORK/json" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()]
paths = {o.get("path") for o in objs}
assert any(p and "\r\n2031" in p and "\x1b[2K\u009b" in p for p in paths), paths
warn = [o for o in objs if o["level"] == "warn" and o.get("line") and "\x1b" in o.get("path", "")]
assert warn and warn[0]["reason"], objs
PY
ok "JSON keeps the exact name (escaped by JSON) and the warning's path, line, reason as fields"

# 2: journald.
sed -i '/format: json/d' "$cfg"
exec 3>"$WORK/journal"
js=$(stat -c '%d:%i' "$WORK/journal")
JOURNAL_STREAM=$js "$CUWATCH" -c "$cfg" --rescan --force 2>&3 >/dev/null || fail "rescan to journal"
exec 3>&-
python3 - "$WORK/journal" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
prio = {"error": "3", "warn": "4", "info": "6", "debug": "7"}
seen = set()
for l in lines:
    m = re.match(r"^<(\d)>(error|warn |info |debug) ", l)
    assert m, f"no priority prefix, or a timestamp left in: {l!r}"
    assert m.group(1) == prio[m.group(2).strip()], l
    seen.add(m.group(2).strip())
assert {"warn", "info"} <= seen, seen
PY
ok "on the journal: <N> priorities, no duplicate timestamp"
JOURNAL_STREAM=1:1 "$CUWATCH" -c "$cfg" --rescan --force 2>"$WORK/notj" >/dev/null || fail "rescan"
if grep -q '^<' "$WORK/notj"; then fail "a JOURNAL_STREAM for another stream added prefixes"; fi
ok "an inherited JOURNAL_STREAM for another stream is ignored"
echo "5 passed, 0 failed"

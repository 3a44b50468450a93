#!/usr/bin/env bash
# db_log_json — `log.format: json` (SPEC §4, for log collectors): every line cuwatch writes
# on stderr during a rescan is one JSON object; the per-file lines carry path, machine, date,
# pieces, occupation, rejected lines and milliseconds as fields, a warning names the first
# rejected line as PATH:LINE: reason, and the summary gives its counts.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
cp -r "$EXAMPLES/." "$root"
find "$root" -name '*.json' -delete
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
printf '  format: json\n' >>"$cfg"

"$CUWATCH" -c "$cfg" --rescan >"$WORK/stdout" 2>"$WORK/stderr" || {
    cat "$WORK/stderr"
    fail "rescan"
}
python3 - "$WORK/stderr" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines, "no log lines"
objs = []
for n, line in enumerate(lines, 1):
    try:
        objs.append(json.loads(line))
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
for o in objs:
    assert {"ts", "level", "msg"} <= o.keys(), o
files = {o["path"]: o for o in objs if "path" in o and o.get("status") in ("ok", "rejete")}
dem = files.get("DEM12 (PVC)/20250528.LOG")
assert dem, f"no line for the DEM12 file in {sorted(files)}"
want = {"machine": "DEM12", "date": "2025-05-28", "pieces": 4, "lines_rejected": 2, "status": "ok"}
for k, v in want.items():
    assert dem.get(k) == v, f"DEM12 {k}: {dem.get(k)!r} != {v!r}"
assert abs(float(dem["occupation"]) - 71.55) < 1e-9, dem
assert isinstance(dem["ms"], (int, float)) and dem["ms"] >= 0, dem
warn = [o for o in objs if o["level"] == "warn" and o["msg"].startswith("DEM12 (PVC)/20250528.LOG:17: ")]
assert warn, "no warning naming the first rejected line as PATH:LINE: reason"
w = warn[0]
assert w.get("path") == "DEM12 (PVC)/20250528.LOG" and w.get("line") == 17 and w.get("reason") \
    and w.get("lines_rejected") == 2, f"the warning's facts are not fields: {w}"
import re
assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", o["ts"]) for o in objs), "ts not RFC 3339"
su = files.get("SU12 (HYBRIDE)/20250601.LOG")
assert su and su["status"] == "rejete", su
summary = [o for o in objs if "ingested" in o and "unchanged" in o]
assert summary and summary[-1]["ingested"] == 1 and summary[-1]["files_rejected"] == 1 \
    and summary[-1]["lines_rejected"] == 4, summary
print(f"{len(objs)} JSON log lines checked")
PY
ok "every log line is JSON with the per-file fields"
echo "1 passed, 0 failed"

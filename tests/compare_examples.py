#!/usr/bin/env python3
"""Runs `cuwatch --parse` on every LOG file of the worked examples and compares its JSON with
the .expected.json beside it, key by key: the same keys, the same values (numbers compared as
numbers), and for `rejects` the same line numbers (reason texts are free, SPEC examples say).

usage: compare_examples.py CUWATCH EXAMPLES_DIR"""
import json
import pathlib
import subprocess
import sys


def compare(path, got, want):
    errors = []
    if set(got) != set(want):
        errors.append(f"keys differ: missing {sorted(set(want) - set(got))}, "
                      f"extra {sorted(set(got) - set(want))}")
    for key, value in want.items():
        if key not in got:
            continue
        if key == "rejects":
            lines_got = [r.get("line") for r in got[key]]
            lines_want = [r["line"] for r in value]
            if lines_got != lines_want:
                errors.append(f"rejects: lines {lines_got} != {lines_want}")
            if not all(isinstance(r.get("reason"), str) and r["reason"] for r in got[key]):
                errors.append("rejects: every reject needs a reason")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not isinstance(got[key], (int, float)) or abs(got[key] - value) > 1e-9:
                errors.append(f"{key}: {got[key]!r} != {value!r}")
        elif got[key] != value:
            errors.append(f"{key}: {got[key]!r} != {value!r}")
    return [f"{path}: {e}" for e in errors]


def main():
    cuwatch, examples = sys.argv[1], pathlib.Path(sys.argv[2])
    logs = sorted(p.relative_to(examples) for p in examples.rglob("*.LOG"))
    if not logs:
        print(f"no LOG files under {examples}", file=sys.stderr)
        return 1
    failures = []
    for log in logs:
        expected = examples / log.with_name(log.stem + ".expected.json")
        run = subprocess.run([cuwatch, "--parse", str(log)], cwd=examples,
                             capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{log}: exit {run.returncode}: {run.stderr.strip()}")
            continue
        objects = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        if len(objects) != 1:
            failures.append(f"{log}: {len(objects)} JSON objects, want 1")
            continue
        failures += compare(str(log), objects[0], json.loads(expected.read_text()))
        print(f"checked {log}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(logs) - len({f.split(':')[0] for f in failures})} passed, "
          f"{len({f.split(':')[0] for f in failures})} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

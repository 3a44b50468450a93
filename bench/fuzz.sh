#!/usr/bin/env bash
# bench/fuzz.sh — a long libFuzzer session on the LOG parser (tests/fuzz_logfile.c).
#
# CTest runs the target for seconds (fuzz_logfile_smoke) or 30 s (fuzz_logfile_libfuzzer);
# this is the run to leave going for minutes after a parser change. It builds the clang
# libFuzzer target into build-fuzz (CC=clang, -DCUWATCH_FUZZ=ON), seeds a working corpus with
# the worked examples and a few generated days, fuzzes for SECONDS, and prints libFuzzer's
# final statistics. A crash leaves its input in build-fuzz/fuzz-artifacts/ and makes the
# script exit non-zero; replay it with: build-fuzz/tests/fuzz_logfile CRASH-FILE
#
# Usage: bench/fuzz.sh [SECONDS]      (default 300)
# Environment: CUWATCH_FUZZ_BUILD  build directory (default build-fuzz)
set -euo pipefail

seconds=${1:-300}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CUWATCH_FUZZ_BUILD:-build-fuzz}
[[ $build == /* ]] || build=$root/$build
examples=${CU_EXAMPLES_DIR:-$root/../shared/examples}

if [[ ! -f $build/CMakeCache.txt ]]; then
    CC=clang cmake -S "$root" -B "$build" -DCUWATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        > /dev/null
fi
# Only what fuzzing needs, so a clang warning elsewhere in the tree cannot stop the session.
cmake --build "$build" -j2 --target fuzz_logfile cuwatch-genlogs > /dev/null
target=$build/tests/fuzz_logfile
[[ -x $target ]] || { echo "bench/fuzz.sh: $target missing: is $build configured with clang?" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
i=0
for f in "$examples"/*/*.LOG; do
    i=$((i + 1))
    cp "$f" "$work/corpus/example$i.LOG"
done
# Generated days small enough for -max_len, from a few seeds for variety.
for seed in 1 2 3; do
    "$build/bench/cuwatch-genlogs" --out "$work/gen$seed" --machines 5 --days 2 --lines 400 \
        --seed "$seed" > /dev/null
    for f in "$work/gen$seed"/*/*.LOG; do
        i=$((i + 1))
        cp "$f" "$work/corpus/gen$i.LOG"
    done
done
echo "bench/fuzz.sh: fuzzing for ${seconds}s from $(ls "$work/corpus" | wc -l) seed files" >&2

rc=0
"$target" -max_len=65536 -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/" "$work/corpus" 2> "$work/fuzz.log" || rc=$?

# The last status line and the final statistics; the whole log only when something broke.
grep -E '^#[0-9]+' "$work/fuzz.log" | tail -1 || true
grep -E '^stat::' "$work/fuzz.log" || true
echo "corpus: $(ls "$work/corpus" | wc -l) files after the run"
if [[ $rc -ne 0 ]]; then
    cat "$work/fuzz.log" >&2
    echo "bench/fuzz.sh: libFuzzer failed (exit $rc); inputs in $build/fuzz-artifacts/" >&2
    exit 1
fi

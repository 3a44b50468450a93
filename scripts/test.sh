#!/usr/bin/env bash
# Builds cuwatch with AddressSanitizer and UndefinedBehaviorSanitizer (leaks are failures)
# and runs every test. Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build=${CUWATCH_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -DCUWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"

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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$(nproc)" "$@" 2>&1 |
    tee "$log" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
# A test skips (exit 77) when what it needs is missing: root, valgrind, a server. On a
# developer's machine that is a choice; in CI, where scripts/deps.sh installed everything
# and we are root, a skip would hide a test that never ran.
if [ "${CI:-}" = true ] && grep -E '\*\*\*Skipped|Not Run' "$log"; then
    echo "CI: the tests above did not run" >&2
    exit 1
fi

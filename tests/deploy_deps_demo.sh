#!/usr/bin/env bash
# deploy_deps_demo.sh — what `scripts/deps.sh --demo` (run by scripts/demo.sh) would do on a
# machine with nothing installed (a dpkg-query that knows no package, CUWATCH_DEPS_DRY_RUN=1):
# no vsftpd and nothing the tests alone need; create_main_cluster = false written before
# apt-get install; every service start refused by a policy-rc.d while apt runs (when the
# machine has none). A real fresh-machine install is not possible in the test suite.
# Usage: deploy_deps_demo.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/cuwatch-deps.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nexit 1\n' >"$work/dpkg-query"
chmod +x "$work/dpkg-query"
grep -qE '^scripts/deps\.sh --demo$' "$src/scripts/demo.sh" || fail "demo.sh does not use deps.sh --demo"
PATH=$work:$PATH CUWATCH_DEPS_DRY_RUN=1 "$src/scripts/deps.sh" --demo >"$work/out" 2>&1 ||
    { cat "$work/out" >&2; fail "deps.sh --demo"; }
cat "$work/out"
install=$(grep -n 'apt-get install' "$work/out" | cut -d: -f1)
cluster=$(grep -n 'createcluster.d/50-cuwatch-demo.conf' "$work/out" | cut -d: -f1 | sed -n 1p)
[ -n "$install" ] && [ -n "$cluster" ] && [ "$cluster" -lt "$install" ] ||
    fail "create_main_cluster = false is not written before apt-get install"
grep -q 'createcluster.d/' "$work/out" || fail "not in createcluster.d"
grep -q 'create_main_cluster = false' "$work/out" || fail "create_main_cluster = false is not what is written"
pkgs=$(grep 'apt-get install' "$work/out")
for p in vsftpd libcmocka-dev chromium valgrind clang prometheus lftp; do
    ! grep -qw -- "$p" <<<"$pkgs" || fail "the demo installs $p, which it does not use"
done
for p in postgresql libpq-dev cmake; do
    grep -qw -- "$p" <<<"$pkgs" || fail "the demo does not install $p"
done
if [ ! -e /usr/sbin/policy-rc.d ]; then
    grep -q 'exit 101' "$work/out" || fail "no policy-rc.d refusing service starts"
fi
# The full mode still has everything the tests need.
PATH=$work:$PATH CUWATCH_DEPS_DRY_RUN=1 "$src/scripts/deps.sh" >"$work/all" 2>&1
grep 'apt-get install' "$work/all" | grep -qw vsftpd || fail "the full mode lost vsftpd"
echo "ok: deps.sh --demo installs only what the demo uses and starts no service"

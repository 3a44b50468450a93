#!/usr/bin/env bash
# deploy_install.sh — `cmake --install` into a temporary prefix, then:
#   files  the binary, the unit and the example configuration are where they belong, the
#          installed unit points at the installed binary and configuration and verifies;
#   check  the installed binary runs --migrate then --check against the installed example
#          configuration, pointed (root, conninfo, password_file) at a throw-away PostgreSQL.
# Usage: deploy_install.sh files|check SOURCE_DIR BUILD_DIR
set -euo pipefail
mode=${1:?usage: $0 files|check SOURCE_DIR BUILD_DIR}
src=${2:?}
build=${3:?}
source "$src/tests/deploy_pg.sh"

work=$(mktemp -d /tmp/cuwatch-install.XXXXXX)
cleanup() {
    local rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || { echo "--- postgres log" >&2; pg_log | tail -n 20 >&2; }
    pg_stop
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
    { cat "$work/install.log" >&2; fail "cmake --install"; }
bin=$prefix/bin/cuwatch
unit=$prefix/lib/systemd/system/cuwatch.service
conf=$prefix/etc/cuwatch/cuwatch.yaml

if [ "$mode" = files ]; then
    [ -x "$bin" ] || fail "$bin not installed"
    [ -f "$unit" ] || fail "$unit not installed"
    [ -f "$conf" ] || fail "$conf not installed"
    cmp -s "$src/deploy/cuwatch.yaml" "$conf" || fail "installed configuration differs from deploy/"
    grep -qxF "ExecStart=$bin -c $conf" "$unit" || fail "installed unit: $(grep ^ExecStart= "$unit")"
    grep -qxF "LoadCredential=db_password:$prefix/etc/cuwatch/db_password" "$unit" ||
        fail "installed unit: $(grep ^LoadCredential= "$unit")"
    cmp -s "$src/deploy/cuwatch.yaml" "$conf.example" || fail "no cuwatch.yaml.example"
    "$bin" --version >/dev/null || fail "installed binary does not run"
    "$src/tests/deploy_unit_verify.sh" "$unit" "$bin"
    # An upgrade keeps the site's configuration and refreshes only the example.
    echo "# edited by the site" >>"$conf"
    cmake --install "$build" --prefix "$prefix" >"$work/install2.log" ||
        { cat "$work/install2.log" >&2; fail "second cmake --install"; }
    grep -qx '# edited by the site' "$conf" || fail "re-installing overwrote the configuration"
    # The package layout of the README: prefix /usr gives /etc and /lib/systemd/system (into DESTDIR).
    pkg=$work/pkg
    cmake -S "$src" -B "$work/build-pkg" -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF >"$work/pkg.log" ||
        { cat "$work/pkg.log" >&2; fail "configure /usr"; }
    # deploy/'s own install script: the unit and the configuration, without building.
    DESTDIR=$pkg cmake -P "$work/build-pkg/deploy/cmake_install.cmake" >>"$work/pkg.log" 2>&1 ||
        { cat "$work/pkg.log" >&2; fail "package layout install"; }
    [ -f "$pkg/etc/cuwatch/cuwatch.yaml" ] || fail "package layout: no /etc/cuwatch/cuwatch.yaml"
    grep -qxF "ExecStart=/usr/bin/cuwatch -c /etc/cuwatch/cuwatch.yaml" \
        "$pkg/lib/systemd/system/cuwatch.service" || fail "package layout: wrong ExecStart"
    echo "ok: cmake --install puts bin/cuwatch, lib/systemd/system/cuwatch.service, etc/cuwatch/cuwatch.yaml"
    exit 0
fi
[ "$mode" = check ] || fail "unknown mode $mode"

rc=0
pg_start || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
mkdir -p "$work/root/DEM12 (PVC)"
# The installed example, with only what a site changes: the database and its password file.
sed -E -e "s#^(  conninfo:).*#\1 \"$PG_CONNINFO\"#" \
    -e "s#^(  password_file:).*#\1 $PG_PASSFILE#" "$conf" >"$work/cuwatch.yaml"
[ "$(diff "$conf" "$work/cuwatch.yaml" | grep -c '^>')" -eq 2 ] || fail "could not adapt $conf"

# The password must not leak: not in the output, not in the process's arguments.
for cmd in --migrate --check; do
    rc=0
    "$bin" -c "$work/cuwatch.yaml" --root "$work/root" "$cmd" >"$work/out" 2>&1 || rc=$?
    cat "$work/out"
    ! grep -qF -f "$PG_PASSFILE" "$work/out" || fail "cuwatch $cmd printed the password"
    [ "$rc" -eq 0 ] || fail "cuwatch $cmd exited $rc"
done
# Configuration and root are named in --check's report (SPEC §5: configuration, root,
# database and schema); none failed, as the exit status already says.
grep -qi 'configuration' "$work/out" || fail "--check does not report the configuration"
grep -qi 'root' "$work/out" || fail "--check does not report the root"
! grep -qi 'fail' "$work/out" || fail "--check reports a failure"
echo "ok: installed cuwatch --migrate and --check against PostgreSQL"

#!/usr/bin/env bash
# deploy_package.sh — the install recipes as a user runs them, into a DESTDIR:
#   1. the commands in deploy/cuwatch.service's header, verbatim (build dir and -j aside):
#      configure for /usr, build Release, install -> /usr/bin, /etc/cuwatch, /lib/systemd/system,
#      and the installed unit verifies;
#   2. the same build reconfigured with an absolute -DCMAKE_INSTALL_SYSCONFDIR=/etc, installed
#      with --prefix elsewhere: nothing lands in /etc (the old README recipe's trap);
#   3. cpack makes the .deb: its control (shlibs-computed Depends, conffiles, postinst), its
#      files, its unit (systemd-analyze verify on the extracted tree), its binary runs.
# Usage: deploy_package.sh SOURCE_DIR
set -euo pipefail
src=$(cd "${1:?usage: $0 SOURCE_DIR}" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in dpkg-deb dpkg-shlibdeps cpack systemd-analyze; do
    command -v $t >/dev/null || { echo "$t missing (scripts/deps.sh: dpkg-dev, cmake, systemd)" >&2; exit 77; }
done
work=$(mktemp -d /tmp/cuwatch-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. The unit header's recipe.
mapfile -t cmds < <(sed -n '/^# Install from the source tree/,/^# puts this unit/p' "$src/deploy/cuwatch.service" |
    grep -E '^#   (sudo )?cmake ' | sed -E 's/^#   //')
[ ${#cmds[@]} -eq 3 ] || fail "expected 3 cmake commands in the unit's header, got ${#cmds[@]}"
dest=$work/dest
for c in "${cmds[@]}"; do
    c=${c#sudo }
    c=${c//-B build/-B $work/build}
    c=${c//--build build/--build $work/build}
    c=${c//--install build/--install $work/build}
    c=${c/%-j/-j2}
    echo "+ $c"
    (cd "$src" && DESTDIR=$dest eval "$c") >"$work/step.log" 2>&1 || { cat "$work/step.log" >&2; fail "$c"; }
done
[ -x "$dest/usr/bin/cuwatch" ] || fail "no /usr/bin/cuwatch"
[ -f "$dest/etc/cuwatch/cuwatch.yaml" ] || fail "no /etc/cuwatch/cuwatch.yaml"
[ -f "$dest/usr/share/man/man1/cuwatch.1.gz" ] && [ -f "$dest/usr/share/man/man5/cuwatch.yaml.5.gz" ] || fail "man pages not installed"
unit=$dest/lib/systemd/system/cuwatch.service
grep -qxF "ExecStart=/usr/bin/cuwatch -c /etc/cuwatch/cuwatch.yaml" "$unit" || fail "unit: $(grep ^ExecStart= "$unit")"
"$src/tests/deploy_unit_verify.sh" "$unit" "$dest/usr/bin/cuwatch"

# 2. An absolute sysconfdir does not follow the build to another prefix.
cmake -S "$src" -B "$work/build" -DCMAKE_INSTALL_SYSCONFDIR=/etc >/dev/null
DESTDIR=$work/other cmake --install "$work/build" --prefix /srv/x >"$work/other.log" 2>&1 ||
    { cat "$work/other.log" >&2; fail "install --prefix /srv/x"; }
[ ! -e "$work/other/etc" ] || { find "$work/other/etc" >&2; fail "--prefix /srv/x wrote into /etc"; }
[ -f "$work/other/srv/x/etc/cuwatch/cuwatch.yaml" ] || fail "--prefix /srv/x: no /srv/x/etc/cuwatch/cuwatch.yaml"
grep -qxF "ExecStart=/srv/x/bin/cuwatch -c /srv/x/etc/cuwatch/cuwatch.yaml" \
    "$work/other/srv/x/lib/systemd/system/cuwatch.service" || fail "--prefix /srv/x: wrong unit paths"
cmake -S "$src" -B "$work/build" -UCMAKE_INSTALL_SYSCONFDIR >/dev/null

# 3. The package.
(cd "$work/build" && cpack -G DEB) >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$work"/build/cuwatch_*.deb)
dpkg-deb -f "$deb" Depends >"$work/depends"
for lib in libpq5 libyaml-0-2 libssl3 adduser; do
    grep -qw "$lib" "$work/depends" || fail "Depends lacks $lib: $(cat "$work/depends")"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -tf - >"$work/control"
for f in conffiles postinst prerm postrm; do grep -qx "./$f" "$work/control" || fail "no $f in the package"; done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/cuwatch/cuwatch.yaml || fail "cuwatch.yaml is not a conffile"
for f in postinst prerm postrm; do
    dpkg-deb -I "$deb" $f >"$work/$f"
    sh -n "$work/$f" || fail "$f is not valid sh"
done
dpkg-deb -I "$deb" postinst | grep -q 'adduser --system' || fail "postinst creates no system user"
! dpkg-deb -I "$deb" postinst | grep -qE '^\s*systemctl .*\s(enable|start)(\s|$)' || fail "postinst enables or starts the service"
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for f in ./usr/bin/cuwatch ./lib/systemd/system/cuwatch.service ./etc/cuwatch/cuwatch.yaml \
    ./usr/share/man/man1/cuwatch.1.gz ./usr/share/man/man5/cuwatch.yaml.5.gz; do
    grep -qxF "$f" "$work/files" || fail "the package lacks $f"
done
! grep -qE '^\./usr/(local|etc)/' "$work/files" || fail "files under /usr/local or /usr/etc: $(grep -E '^\./usr/(local|etc)/' "$work/files")"
dpkg-deb -c "$deb" | awk '$2 != "root/root" {print}' | grep . && fail "files not owned by root"
dpkg-deb -x "$deb" "$work/x"
"$work/x/usr/bin/cuwatch" --version || fail "the packaged binary does not run"
LC_ALL=C.UTF-8 man --warnings -l "$work/x/usr/share/man/man5/cuwatch.yaml.5.gz" 2>&1 >/dev/null | grep . &&
    fail "the packaged cuwatch.yaml(5) does not render cleanly"
"$src/tests/deploy_unit_verify.sh" "$work/x/lib/systemd/system/cuwatch.service" "$work/x/usr/bin/cuwatch"
echo "ok: the unit header's recipe, --prefix elsewhere, and $(basename "$deb")"

#!/usr/bin/env bash
# deploy_man.sh — the man pages cuwatch(1) and cuwatch.yaml(5) render without a warning
# (`man --warnings -l`, `groff -ww -z`), cuwatch.1 names every option of `cuwatch --help`,
# and cuwatch.yaml.5 every key of the example configuration.
# Usage: deploy_man.sh SOURCE_DIR CUWATCH
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR CUWATCH}
bin=${2:?usage: $0 SOURCE_DIR CUWATCH}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null && command -v man >/dev/null || { echo "man or groff missing" >&2; exit 77; }
work=$(mktemp -d /tmp/cuwatch-man.XXXXXX)
trap 'rm -rf "$work"' EXIT
for page in "$src/deploy/man/cuwatch.1" "$src/deploy/man/cuwatch.yaml.5"; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$work/out" 2>"$work/err" || fail "man -l $page"
    groff -ww -z -man "$page" 2>>"$work/err" || fail "groff $page"
    [ ! -s "$work/err" ] || { cat "$work/err" >&2; fail "$page: warnings"; }
    grep -q '^NAME' "$work/out" || fail "$page: no NAME section rendered"
done
# Every option of --help is documented (roff writes \- for -).
for opt in $("$bin" --help 2>&1 | grep -oE -- '--[a-z]+|-c\b' | sort -u); do
    grep -qF -- "${opt//-/\\-}" "$src/deploy/man/cuwatch.1" || fail "cuwatch.1 does not document $opt"
done
# Every key of the example configuration is documented.
for key in $(grep -oE '^ {0,2}[a-z_]+:' "$src/deploy/cuwatch.yaml" | tr -d ' :' | sort -u); do
    grep -qE "^\.(TP|SS|B|BR)? ?$key\b|^\.BR? $key\b|^\.SS $key$" "$src/deploy/man/cuwatch.yaml.5" ||
        fail "cuwatch.yaml.5 does not document $key"
done
echo "ok: man pages render cleanly and cover --help and the configuration's keys"

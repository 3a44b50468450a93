#!/usr/bin/env bash
# cli_usage — the command line as a new operator meets it (SPEC §5, cuwatch(1)): --help and
# --version exit 0; every wrong usage exits 2 with one line naming what is wrong, before any
# database is contacted (the configuration points at a closed port); an option that the
# chosen command would ignore is refused, not silently dropped. No PostgreSQL needed.
set -euo pipefail
CUWATCH=${1:?usage: $0 path/to/cuwatch}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
mkdir "$WORK/root"
# Port 1 on loopback refuses at once: a usage error must be found before connecting.
printf 'watch:\n  root: %s\ndatabase:\n  conninfo: "host=127.0.0.1 port=1 connect_timeout=2"\n' \
    "$WORK/root" >"$WORK/c.yaml"
export CUWATCH_CONFIG=$WORK/c.yaml

# expect STATUS TEXT ARGS...: runs cuwatch ARGS, checks its exit status and that its stderr
# (or stdout for status 0) holds TEXT.
expect() {
    local want=$1 text=$2 rc=0
    shift 2
    "$CUWATCH" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$WORK/err" >&2; fail "cuwatch $*: exit $rc, expected $want"; }
    grep -qF -- "$text" "$WORK/out" "$WORK/err" ||
        { cat "$WORK/out" "$WORK/err" >&2; fail "cuwatch $*: no \"$text\""; }
    echo "ok: cuwatch $* -> $rc ($text)"
}

expect 0 "Usage:" --help
expect 0 "cuwatch " --version
expect 2 "'--bogus'" --bogus
expect 2 "'--from' requires an argument" --report --from
expect 2 "requires an argument -- 'o'" --report -o
expect 2 "'--lang' requires an argument" --report --lang
expect 2 '--lang: "de" is not fr or en' --report --lang de
expect 2 '--format: "pdf" is not csv, csv-excel or xlsx' --export --format pdf
expect 2 '--from: "2025-02-30" is not a date (YYYY-MM-DD)' --report --from 2025-02-30
expect 2 '--to: "yesterday" is not a date (YYYY-MM-DD)' --export --to yesterday
expect 2 "--from 2025-05-10 is after --to 2025-05-01" --report --from 2025-05-10 --to 2025-05-01
expect 2 "--lang goes with --report" --export --lang en
expect 2 "--format goes with --export" --report --format csv
expect 2 "go with --report or --export" --check --from 2025-05-01
expect 2 "exclude each other" --report --export
expect 2 "--parse needs at least one FILE" --parse
expect 2 'unexpected argument "extra"' --check extra
expect 2 "--force goes with --rescan" --check --force
# --parse used to drop --force without a word.
expect 2 "--force goes with --rescan" --parse --force "$WORK/c.yaml"
expect 2 "cannot read configuration file $WORK/none.yaml" -c "$WORK/none.yaml" --migrate
# And with the arguments right, the unreachable database is status 3, not 2.
expect 3 "database unreachable" --report --from 2025-05-01

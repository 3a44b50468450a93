# db_lib.sh — shared by the tests/db_*.sh drivers (label `db`): a throwaway PostgreSQL from
# pg_harness.sh, a private work folder, a config writer, SQL and assertion helpers, and a LOG
# generator. Sourced after `set -euo pipefail`; $1 of the driver is the cuwatch binary.
CUWATCH=${CUWATCH:-${1:?usage: $0 path/to/cuwatch}}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXAMPLES=${CU_EXAMPLES_DIR:-$HERE/../../shared/examples}
. "$HERE/pg_harness.sh"
# The latest schema version this tree ships, and "1,2,...,latest": tests compare with these
# rather than with numbers that every new migration would have to edit.
CU_LATEST=$(ls "$HERE/../db/migrations" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)
CU_VERSIONS=$(seq -s, 1 "$CU_LATEST")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cuwatch-dbtest.XXXXXX")
chmod 755 "$WORK"
cu_test_cleanup() {
    local pid
    for pid in $(jobs -p); do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    cu_pg_stop
    rm -rf "$WORK"
}
cu_pg_start
trap cu_test_cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() { echo "ok: $*"; }

# q SQL [DB]: one query, unaligned tuples only.
q() { psql -XAtq -v ON_ERROR_STOP=1 ${2:+-d "$2"} -c "$1"; }
# eq ACTUAL EXPECTED WHAT
eq() { [ "$1" = "$2" ] || fail "$3: expected [$2], got [$1]"; }
# contains FILE TEXT WHAT / lacks FILE TEXT WHAT
contains() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$3: no \"$2\" in the output"; }; }
lacks() { ! grep -qiF -- "$2" "$1" || { cat "$1" >&2; fail "$3: \"$2\" in the output"; }; }

# write_config FILE ROOT [DBNAME]: a configuration for the test's server.
write_config() {
    cat >"$1" <<EOF
watch:
  root: "$2"
database:
  conninfo: "host=$PGHOST port=$PGPORT dbname=${3:-$PGDATABASE} user=$PGUSER"
log:
  level: info
EOF
}

# run_cuwatch OUT ARGS...: runs cuwatch with stdout+stderr into OUT, returns its status.
run_cuwatch() {
    local out=$1
    shift
    local rc=0
    "$CUWATCH" "$@" >"$out" 2>&1 || rc=$?
    return $rc
}

# gen_logs DIR MACHINES DAYS LINES SEED: a LOG tree, by cuwatch-genlogs when built, else by
# a small Python generator with the same layout (pieces, jobs, waits, stops, a bad line).
gen_logs() {
    if [ -n "${CUWATCH_GENLOGS:-}" ] && [ -x "$CUWATCH_GENLOGS" ]; then
        "$CUWATCH_GENLOGS" --out "$1" --machines "$2" --days "$3" --lines "$4" --seed "$5" \
            >/dev/null
        return
    fi
    python3 - "$@" <<'PY'
import os, random, sys, datetime
out, machines, days, lines, seed = sys.argv[1], *map(int, sys.argv[2:6])
names = [("DEM12", "PVC"), ("DEMALU", "ALU"), ("SU12", "HYBRIDE"), ("DEM14", "PVC")]
for m in range(machines):
    name, typ = names[m % len(names)]
    if m >= len(names): name += str(m)
    folder = os.path.join(out, f"{name} ({typ})")
    os.makedirs(folder, exist_ok=True)
    for d in range(days):
        rnd = random.Random(seed * 1000003 + m * 1009 + d)
        day = datetime.date(2025, 1, 6) + datetime.timedelta(days=d)
        t = datetime.datetime.combine(day, datetime.time(6, 0))
        rows, piece, stopped = [], 0, False
        for i in range(lines):
            t += datetime.timedelta(seconds=rnd.randint(1, 12))
            ts = t.strftime("%Y%m%d %H:%M:%S")
            r = rnd.random()
            if r < 0.70:
                piece += 1
                rows.append(f"{ts}|@StukUitgevoerd: pi\xe8ce {piece}")
                stopped = False
            elif r < 0.78:
                rows.append(f"{ts}|@MachineWait: {rnd.randint(1, 90)}{rnd.choice(['', '.5', ',5'])} sec")
            elif r < 0.84:
                rows.append(f"{ts}|@JobProfiel: R:PR{rnd.randint(1000, 9999)} L:{rnd.randint(1000, 7000)},{rnd.randint(0, 99):02d} C:BLANC")
            elif r < 0.90:
                rows.append(f"{ts}|@MachineStop")
            elif r < 0.96:
                rows.append(f"{ts}|@MachineStart")
            elif r < 0.99:
                rows.append(f"{ts}|@Alarm: E{rnd.randint(1, 99)}")
            else:
                rows.append("garbage \x01 line")
        with open(os.path.join(folder, day.strftime("%Y%m%d") + ".LOG"), "wb") as f:
            f.write(("\r\n".join(rows) + "\r\n").encode("latin-1"))
PY
}

# snapshot_tables DB: every table as a row count and a checksum (tests/snapshot_tables.sql).
snapshot_tables() {
    psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -f "$HERE/snapshot_tables.sql"
}

# start_daemon CONFIG LOG: the daemon in the background, its pid in $dpid, once it has
# reconciled (60 s at most). cu_test_cleanup kills it if the test does not.
start_daemon() {
    "$CUWATCH" -c "$1" >"$2" 2>&1 &
    dpid=$!
    local end=$((SECONDS + 60))
    until grep -q reconciled "$2"; do
        kill -0 "$dpid" 2>/dev/null || { cat "$2"; fail "daemon exited"; }
        [ $SECONDS -lt $end ] || { cat "$2"; fail "daemon never reconciled"; }
        sleep 0.05
    done
}

# await_committed REL FILE LOG [SECONDS]: until the registry holds REL at FILE's current size
# (the daemon, $dpid, has committed the file as it is now) and the daemon has logged that
# ingest: its line comes after the COMMIT, so LOG's last "ingested" line is then this one's.
daemon_ingests=0
await_committed() {
    local size n end=$((SECONDS + ${4:-30}))
    size=$(stat -c %s "$2")
    until [ "$(q "SELECT taille FROM fichier_log WHERE chemin = '$1'")" = "$size" ]; do
        kill -0 "$dpid" 2>/dev/null || { cat "$3"; fail "daemon exited"; }
        [ $SECONDS -lt $end ] || { cat "$3"; fail "the daemon never committed $1 at $size bytes"; }
        sleep 0.05
    done
    until n=$(grep -c ' ingested path=' "$3" || true); [ "$n" -gt "$daemon_ingests" ]; do
        [ $SECONDS -lt $end ] || { cat "$3"; fail "no log line for the ingest of $1"; }
        sleep 0.05
    done
    daemon_ingests=$n
}

# dump_tables [DB]: every table's content without ids, creation times or timings, with
# sessions and files named by their natural keys, sorted: two equal dumps mean equal data.
dump_tables() {
    local db=${1:-$PGDATABASE}
    psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -f "$(dirname "${BASH_SOURCE[0]}")/dump_tables.sql"
}

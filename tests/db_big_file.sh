#!/usr/bin/env bash
# db_big_file — a file above 8 MiB is streamed (issue 8: peak memory): read a chunk at a time
# through the hash and the parser, never held whole. Every way such a file is ingested must
# leave exactly the tables a full replacement leaves, and the numbers `cuwatch --parse` (its
# own read of the file) gives:
#  - a first --rescan (no registry row: parsed in the pass that hashes it);
#  - an append under --rescan (a registry row: hashed only, then read again to be parsed; the
#    prefix read again for the append), written as an append;
#  - the same content again: unchanged, nothing written;
#  - the daemon: an append to the big file (its prefix from what it last committed).
# The append database is compared, row for row (ids and write times aside), with a second
# database that gets --rescan --force of the same file each time.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
dir="$root/BIG (PVC)"
mkdir -p "$dir"
file="$dir/20250310.LOG"
rel="BIG (PVC)/20250310.LOG"
createdb full
write_config "$WORK/app.yaml" "$root"
write_config "$WORK/full.yaml" "$root" full

# day.txt: ~12 MB, CRLF, Latin-1 details, waits (some late), stops, jobs, rejected lines;
# cut.txt: where the first upload ends (~9.5 MB, above the 8 MiB threshold). Over 65,536
# waits, so that their rows are written in batches (db/ingest.c, CU_DETAIL_BATCH).
python3 - "$WORK/day.txt" "$WORK/cut.txt" <<'PY'
import random, sys
rnd = random.Random(5)
out, t, n = [], 1 * 3600 * 10, 0
def ts(s): s //= 10; return "20250310 %02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
size = 0
while size < 12_000_000:
    t += rnd.randint(0, 7)
    r = rnd.random()
    late = 600 if size < 9_000_000 and rnd.random() < 0.02 else 0  # out of order, not appended
    if r < 0.50:
        n += 1
        l = ts(t - late) + "|@StukUitgevoerd: %d Profil\xe9 PR%d coupe 45\xb0" % (n, rnd.randint(1000, 9999))
    elif r < 0.96:  # over 65,536 waits: their rows go in more than one statement
        l = ts(t - late) + "|@MachineWait: 0.%d sec" % rnd.randint(1, 9)
    elif r < 0.965:
        l = ts(t) + "|@MachineStop"
    elif r < 0.97:
        l = ts(t) + "|@MachineStart"
    elif r < 0.99:
        l = ts(t) + "|@JobProfiel: R:PR%d L:%d,5 C:wit" % (rnd.randint(1, 9), rnd.randint(1000, 6500))
    else:
        l = "garbage %d" % n
    b = (l + "\r\n").encode("latin-1")
    out.append(b)
    size += len(b)
data = b"".join(out)
open(sys.argv[1], "wb").write(data)
cut = data.index(b"\r\n", 9_500_000) + 2
open(sys.argv[2], "w").write("%d\n" % cut)
PY
cut=$(cat "$WORK/cut.txt")
[ "$cut" -gt $((8 << 20)) ] || fail "the first upload is not above 8 MiB"

# The numbers --parse gives for the file as it is, beside the session's.
same_as_parse() {
    "$CUWATCH" --parse "$file" >"$WORK/parse.json" || fail "--parse"
    python3 - "$WORK/parse.json" "$(q "SELECT total_pieces || ' ' || taux_occupation || ' ' || taux_attente
        || ' ' || f.lignes || ' ' || f.lignes_rejetees || ' ' || (SELECT count(*) FROM periode_attente)
        || ' ' || (SELECT count(*) FROM periode_arret) || ' ' || (SELECT count(*) FROM job_profil)
        FROM session_production s JOIN fichier_log f ON f.chemin = s.fichier_log_source")" "$1" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
want = "%d %.2f %.2f %d %d %d %d %d" % (p["total_pieces"], p["occupation_pct"], p["wait_pct"], p["lines"],
    p["rejected_lines"], p["waits"], p["stops"], p["jobs"])
if want != sys.argv[2]:
    sys.exit("FAIL: %s: the session says [%s], --parse [%s]" % (sys.argv[3], sys.argv[2], want))
PY
}

# step WHAT EXPECT: --rescan into the append database (its log line must say EXPECT: append,
# replace or unchanged), --rescan --force into the other, then the two compared.
step() {
    run_cuwatch "$WORK/a.out" -c "$WORK/app.yaml" --rescan || { cat "$WORK/a.out"; fail "$1: rescan"; }
    run_cuwatch "$WORK/f.out" -c "$WORK/full.yaml" --rescan --force || { cat "$WORK/f.out"; fail "$1: --force"; }
    if [ "$2" = unchanged ]; then
        contains "$WORK/a.out" "unchanged=1" "$1"
    else
        contains "$WORK/a.out" "write=$2" "$1"
    fi
    snapshot_tables "$PGDATABASE" >"$WORK/snap_a.txt"
    snapshot_tables full >"$WORK/snap_f.txt"
    cmp -s "$WORK/snap_a.txt" "$WORK/snap_f.txt" ||
        { diff "$WORK/snap_a.txt" "$WORK/snap_f.txt" >&2; fail "$1: differs from a full replacement"; }
    same_as_parse "$1"
}

head -c "$cut" "$WORK/day.txt" >"$file"
step "first upload, $cut bytes" replace
pieces=$(q "SELECT count(*) FROM piece_production")
[ "$pieces" -gt 50000 ] || fail "only $pieces pieces"
waits=$(q "SELECT count(*) FROM periode_attente")
[ "$waits" -gt 65536 ] || fail "only $waits waits: not written in batches"
# The rows' ids follow the file's order across batches (an append deletes a tail by id).
eq "$(q "SELECT count(*) FROM (SELECT timestamp_debut < lag(timestamp_debut) OVER (ORDER BY id) AS back
         FROM periode_attente) x WHERE back")" 0 "waits in time order by id"
eq "$(q "SELECT count(*) FROM (SELECT debut < lag(fin) OVER (ORDER BY id) AS back
         FROM periode_etat) x WHERE back")" 0 "the timeline in order by id"
ok "a $cut-byte file streamed: the tables of a full ingest, the numbers of --parse"

cp "$WORK/day.txt" "$file"
step "the rest appended" append
eq "$(q "SELECT taille FROM fichier_log")" "$(stat -c %s "$file")" "the registry's size"
ok "an append to a streamed file, identical to a full replacement"

step "the same content again" unchanged
ok "the same big file again: unchanged"

# The daemon: an append to the big file, after one it committed itself.
start_daemon "$WORK/app.yaml" "$WORK/daemon.log"
for i in 1 2; do
    printf '20250310 23:59:%02d|@StukUitgevoerd: via the daemon %d\r\n' "$i" "$i" >>"$file"
    await_committed "$rel" "$file" "$WORK/daemon.log" 120
    grep " ingested path=" "$WORK/daemon.log" | tail -n 1 | grep -q "write=append" || { cat "$WORK/daemon.log"; fail "daemon append $i not an append"; }
done
kill "$dpid"
wait "$dpid" || true
run_cuwatch "$WORK/f.out" -c "$WORK/full.yaml" --rescan --force || { cat "$WORK/f.out"; fail "daemon: --force"; }
snapshot_tables "$PGDATABASE" >"$WORK/snap_a.txt"
snapshot_tables full >"$WORK/snap_f.txt"
cmp -s "$WORK/snap_a.txt" "$WORK/snap_f.txt" ||
    { diff "$WORK/snap_a.txt" "$WORK/snap_f.txt" >&2; fail "daemon appends differ from a full replacement"; }
same_as_parse "daemon appends"
ok "the daemon's appends to a streamed file, identical to a full replacement"

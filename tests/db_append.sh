#!/usr/bin/env bash
# db_append — append-proportional ingest (SPEC §3) gives exactly a full replacement's tables.
# One machine's day grows in 50 uploads; after each, `cuwatch --rescan` into one database (the
# append path) and `cuwatch --rescan --force` of the same file into a second (always a full
# replacement) must leave every table identical, row for row (ids, date_creation, traite_le
# and duree_ms aside; session and file ids compared through machine, date and path). The
# per-file log line says write=append or write=replace, and the test requires the path it
# expects, so an ingest that silently always replaced would fail it. Steps on the way:
#  - plain appends (new pieces, waits, jobs, stops, unknown events, rejected lines);
#  - a file ending just after a MachineStop (an open stop, no period yet), closed by the append;
#  - a file cut in the middle of its last line (no newline), which the append completes;
#  - an appended MachineWait older than the waits already ingested: replace;
#  - a changed byte in the prefix: replace; a shrink: replace;
#  - a new production date (a name without date, an older event appended first): replace;
# and the daemon path: the running daemon ingests an append as one too.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
dir="$root/APP (PVC)"
mkdir -p "$dir"
file="$dir/20250310.LOG"
createdb full
write_config "$WORK/app.yaml" "$root"
write_config "$WORK/full.yaml" "$root" full
run_cuwatch "$WORK/m1.out" -c "$WORK/app.yaml" --migrate || { cat "$WORK/m1.out"; fail migrate; }
run_cuwatch "$WORK/m2.out" -c "$WORK/full.yaml" --migrate || { cat "$WORK/m2.out"; fail migrate; }

# The day: ~1,600 lines, with cut points after a MachineStop (+) and mid-line (/).
python3 - "$WORK/day.txt" "$WORK/cuts.txt" <<'PY'
import random, sys
rnd = random.Random(11)
t = 6 * 3600
lines, cuts = [], []
def ts(s): return "20250310 %02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
piece = 0
for i in range(1600):
    t += rnd.randint(1, 20)
    r = rnd.random()
    if i % 200 == 150:
        lines.append(ts(t) + "|@MachineStop")
        cuts.append(("stop", len(lines)))      # the file ends with an open stop
        t += rnd.randint(30, 600)
        lines.append(ts(t) + "|@MachineStart" if i % 400 == 150 else ts(t) + "|@StukUitgevoerd: after-stop %d" % i)
    elif r < 0.80:
        piece += 1
        lines.append(ts(t) + "|@StukUitgevoerd: piece %d é" % piece)
    elif r < 0.88:
        lines.append(ts(t) + "|@MachineWait: %d.5 sec" % rnd.randint(1, 90))
    elif r < 0.93:
        lines.append(ts(t) + "|@JobProfiel: R:PVC-%d L:%d,5 C:wit" % (rnd.randint(1, 9), rnd.randint(1000, 6500)))
    elif r < 0.96:
        lines.append(ts(t) + "|@SomethingElse: x")
    elif r < 0.98:
        lines.append("garbage line %d" % i)
    else:
        lines.append(ts(t) + "|@MachineWait: lots")
data = "".join(l + "\r\n" for l in lines).encode("utf-8")
# Cut points: 48 line ends spread over the day, the two stop ends, and two mid-line cuts.
ends, pos = [], 0
for l in lines:
    pos += len(l.encode("utf-8")) + 2
    ends.append(pos)
pts = set(ends[int(len(ends) * (k + 1) / 48) - 1] for k in range(48))
pts |= {ends[n - 1] for kind, n in cuts[:2]}
mid = [ends[500] + 7, ends[1100] + 15]            # inside a timestamp / inside the event name
pts |= set(mid)
open(sys.argv[1], "wb").write(data)
with open(sys.argv[2], "w") as f:
    for p in sorted(pts):
        kind = "stop" if any(ends[n - 1] == p for _, n in cuts[:2]) else "mid" if p in mid else "line"
        f.write("%d %s\n" % (p, kind))
PY
[ "$(wc -l <"$WORK/cuts.txt")" -ge 50 ] || fail "fewer than 50 cut points"


# step WHAT EXPECT: ingest the file as it is into both databases and compare; EXPECT is the
# write= the append database's log line must show (append or replace).
n_step=0
step() {
    local what=$1 expect=$2
    n_step=$((n_step + 1))
    run_cuwatch "$WORK/a.out" -c "$WORK/app.yaml" --rescan || { cat "$WORK/a.out"; fail "step $n_step ($what): rescan"; }
    run_cuwatch "$WORK/f.out" -c "$WORK/full.yaml" --rescan --force || { cat "$WORK/f.out"; fail "step $n_step ($what): rescan --force"; }
    grep -q "write=$expect" "$WORK/a.out" || { cat "$WORK/a.out"; fail "step $n_step ($what): not written as $expect"; }
    grep -q "write=replace" "$WORK/f.out" || { cat "$WORK/f.out"; fail "step $n_step ($what): --force did not replace"; }
    snapshot_tables "$PGDATABASE" >"$WORK/snap_a.txt"
    snapshot_tables full >"$WORK/snap_f.txt"
    if ! cmp -s "$WORK/snap_a.txt" "$WORK/snap_f.txt"; then
        diff "$WORK/snap_a.txt" "$WORK/snap_f.txt" >&2 || true
        fail "step $n_step ($what): the append database differs from a full replacement"
    fi
}

appends=0 first=1
while read -r pos kind; do
    head -c "$pos" "$WORK/day.txt" >"$file"
    if [ -n "$first" ]; then step "first upload" replace; first=; continue; fi
    step "append to byte $pos ($kind)" append
    appends=$((appends + 1))
done <"$WORK/cuts.txt"
[ "$appends" -ge 50 ] || fail "only $appends appends"
eq "$(q "SELECT lignes FROM fichier_log")" "$(wc -l <"$WORK/day.txt")" "the whole day ingested"
ok "$appends appends, each identical to a full replacement"

# Edge cases. An open stop at the end, closed by the append (the generated day has had
# some; this one is explicit, with the period's row checked).
cp "$WORK/day.txt" "$file"
printf '20250310 23:00:00|@StukUitgevoerd: late 1\r\n20250310 23:00:10|@MachineStop\r\n' >>"$file"
step "ends with an open stop" append
stops=$(q "SELECT count(*) FROM periode_arret")
printf '20250310 23:10:00|@MachineStart\r\n20250310 23:10:30|@StukUitgevoerd: late 2\r\n' >>"$file"
step "append closes the stop" append
eq "$(q "SELECT count(*) FROM periode_arret")" $((stops + 1)) "the closed stop is a new period"
eq "$(q "SELECT count(*) FROM periode_arret WHERE timestamp_debut = '2025-03-10 23:00:10'
         AND timestamp_fin = '2025-03-10 23:10:00'")" 1 "its row"

# A last line without newline, then the append that finishes it (and one that extends a
# valid last line's details: that piece's row changes, so the session is replaced).
printf '20250310 23:20:00|@StukUitgevoerd: tail' >>"$file"
step "last line without newline" append
printf 'ed\r\n20250310 23:20:30|@StukUitgevoerd: next\r\n' >>"$file"
step "its details extended" replace
eq "$(q "SELECT count(*) FROM piece_production WHERE details = 'tailed'")" 1 "the extended line's piece"
printf '20250310 23:30:0' >>"$file"
step "a cut timestamp (rejected line)" append
printf '5|@StukUitgevoerd: completed\r\n' >>"$file"
step "the cut line completed" append
eq "$(q "SELECT count(*) FROM piece_production WHERE details = 'completed'")" 1 "the completed line's piece"

# An appended event older than those ingested: a wait that sorts in among the stored ones.
printf '20250310 07:00:00|@MachineWait: 60 sec\r\n' >>"$file"
step "an older wait appended" replace
printf '20250310 23:40:00|@StukUitgevoerd: after the old wait\r\n' >>"$file"
step "append after it" append

# Stored rows that are not what the registry says was ingested (a timeline row deleted by
# hand): the append notices, is abandoned, and the session is replaced whole.
q "DELETE FROM periode_etat WHERE id = (SELECT min(id) FROM periode_etat)" >/dev/null
printf '20250310 23:45:00|@StukUitgevoerd: after tampering\r\n' >>"$file"
step "stored timeline rows tampered with" replace
contains "$WORK/a.out" "append abandoned" "the abandoned append's warning"

# A changed byte in the prefix; a shrink; the same content again.
python3 - "$file" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b"piece 7 ")
b[i + 6] = ord("9")
b += b"20250310 23:50:00|@StukUitgevoerd: more\r\n"
open(p, "wb").write(bytes(b))
PY
step "a changed byte in the prefix" replace
head -c 30000 "$file" >"$WORK/short" && cp "$WORK/short" "$file"
step "a shrink" replace
printf '20250310 23:55:00|@StukUitgevoerd: after the shrink\r\n' >>"$file"
step "append after the shrink" append

# A file named without a date takes its date from its earliest event: an appended older event
# on another day moves the session to a new production date.
nodate="$dir/NODATE.LOG"
printf '20250311 06:00:00|@StukUitgevoerd: a\r\n20250311 06:10:00|@StukUitgevoerd: b\r\n' >"$nodate"
rm -f "$file"
step "a file without date in its name" replace
printf '20250309 23:00:00|@StukUitgevoerd: older day\r\n' >>"$nodate"
step "a new production date" replace
ok "edge cases identical to a full replacement, each by the expected path"

# The daemon path: an append while the daemon runs is ingested as one.
rm -f "$nodate"
cp "$WORK/day.txt" "$file"
run_cuwatch "$WORK/pre.out" -c "$WORK/app.yaml" --rescan || fail "rescan before the daemon"
sed 's/level: info/level: debug/' "$WORK/app.yaml" >"$WORK/app_debug.yaml"
start_daemon "$WORK/app_debug.yaml" "$WORK/daemon.log"
# dstep WHAT EXPECT: the daemon's latest ingest was written as EXPECT, and the tables equal a
# full replacement of the same file.
dstep() {
    await_committed 'APP (PVC)/20250310.LOG' "$file" "$WORK/daemon.log"
    grep " ingested path=" "$WORK/daemon.log" | tail -n 1 | grep -q "write=$1" || { cat "$WORK/daemon.log"; fail "daemon: $2 not written as $1"; }
    run_cuwatch "$WORK/f.out" -c "$WORK/full.yaml" --rescan --force || { cat "$WORK/f.out"; fail "daemon step: rescan --force"; }
    snapshot_tables "$PGDATABASE" >"$WORK/snap_a.txt"
    snapshot_tables full >"$WORK/snap_f.txt"
    cmp -s "$WORK/snap_a.txt" "$WORK/snap_f.txt" || { diff "$WORK/snap_a.txt" "$WORK/snap_f.txt" >&2; fail "daemon: $2 differs from a full replacement"; }
}
# The first append after start-up asks the database; the next ones go from what the daemon
# itself last committed (one round trip), which the statement checks under the lock.
for i in 1 2 3 4; do
    printf '20250310 23:59:%02d|@StukUitgevoerd: via the daemon %d\r\n' "$i" "$i" >>"$file"
    dstep append "daemon append $i"
done
# The first asked the database and parsed its prefix; the next three used the parse the daemon
# kept from its own previous commit.
eq "$(grep -c 'append planned.*prefix=kept' "$WORK/daemon.log")" 3 "appends planned from the kept parse"
# Another writer changed the registry meanwhile: the daemon's shortcut must notice it (its
# statement fails and is rolled back) and go the ordinary way, which replaces the session.
q "UPDATE fichier_log SET empreinte = repeat('0', 64) WHERE chemin = 'APP (PVC)/20250310.LOG'" >/dev/null
printf '20250310 23:59:30|@StukUitgevoerd: after another writer\r\n' >>"$file"
dstep replace "an append after another writer"
printf '20250310 23:59:40|@StukUitgevoerd: and again\r\n' >>"$file"
dstep append "the next append"
# The daemon's appends compare with the parse it kept from its previous ingest (not a parse
# of the prefix again): the edge cases through it, each identical to a full replacement.
printf '20250310 23:59:41|@StukUitgevoerd: d1\r\n20250310 23:59:42|@MachineStop\r\n' >>"$file"
dstep append "daemon: ends with an open stop"
printf '20250310 23:59:43|@MachineStart\r\n20250310 23:59:44|@StukUitgevoerd: d2\r\n' >>"$file"
dstep append "daemon: the append closes the stop"
printf '20250310 23:59:45|@StukUitgevoerd: dtail' >>"$file"
dstep append "daemon: last line without newline"
printf 'ed\r\n20250310 23:59:46|@StukUitgevoerd: d3\r\n' >>"$file"
dstep replace "daemon: its details extended"
printf '20250310 23:59:4' >>"$file"
dstep append "daemon: a cut timestamp"
printf '7|@StukUitgevoerd: dcompleted\r\n' >>"$file"
dstep append "daemon: the cut line completed"
printf '20250310 07:00:01|@MachineWait: 61 sec\r\n' >>"$file"
dstep replace "daemon: an older wait appended"
printf '20250310 23:59:48|@StukUitgevoerd: d4\r\n' >>"$file"
dstep append "daemon: append after it"
kill "$dpid"; wait "$dpid" || true
eq "$(q "SELECT count(*) FROM piece_production WHERE details LIKE 'via the daemon %'")" 4 "daemon append rows"
eq "$(q "SELECT count(*) FROM piece_production WHERE details IN ('dtailed', 'dcompleted')")" 2 "the daemon's completed lines"
ok "the daemon ingests appends as appends, edge cases included, and notices another writer"

#!/usr/bin/env bash
# db_earlier_session — a file's changed content that gives another production date or
# machine replaces the session the file gave before (SPEC §3: "ingesting changed content
# replaces that session entirely"). A file without a date in its name takes the date of its
# earliest event; a re-upload that starts the evening before moved the session to that date
# and left the old one behind, still naming the file, so its pieces were counted on two days.
# Same with a machines.map entry added for the folder (SIGHUP or restart, then --rescan
# --force). A session another file took over is not touched.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

R=$WORK/root
mkdir -p "$R/Z (PVC)"
f="$R/Z (PVC)/current.LOG"
write_config "$WORK/c.yaml" "$R"
sessions() {
    q "SELECT coalesce(string_agg(c.nom || '/' || s.date_production || '/' || s.total_pieces || '/' ||
       s.fichier_log_source, ',' ORDER BY c.nom, s.date_production), '')
       FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id"
}

printf '20250528 06:00:00|@StukUitgevoerd: a\n20250528 07:00:00|@StukUitgevoerd: b\n' >"$f"
run_cuwatch "$WORK/r1.out" -c "$WORK/c.yaml" --rescan || { cat "$WORK/r1.out"; fail "first --rescan"; }
eq "$(sessions)" "Z/2025-05-28/2/Z (PVC)/current.LOG" "first ingest"

# The re-upload starts at 23:00 the day before: the file's date is now 2025-05-27.
printf '20250527 23:00:00|@StukUitgevoerd: z\n20250528 06:00:00|@StukUitgevoerd: a\n20250528 07:00:00|@StukUitgevoerd: b\n' >"$f"
run_cuwatch "$WORK/r2.out" -c "$WORK/c.yaml" --rescan || { cat "$WORK/r2.out"; fail "second --rescan"; }
eq "$(sessions)" "Z/2025-05-27/3/Z (PVC)/current.LOG" "the file's session after its date moved"
eq "$(q "SELECT count(*) FROM piece_production")" 3 "pieces after the date moved"
ok "a file whose date moved: one session, at the new date"

# Another file's session on another day of the same machine: the DELETE of this file's
# earlier sessions (those naming this file) leaves it alone.
printf '20250526 06:00:00|@StukUitgevoerd: o\n' >"$R/Z (PVC)/other.LOG"
run_cuwatch "$WORK/r3.out" -c "$WORK/c.yaml" --rescan || { cat "$WORK/r3.out"; fail "third --rescan"; }
eq "$(sessions)" "Z/2025-05-26/1/Z (PVC)/other.LOG,Z/2025-05-27/3/Z (PVC)/current.LOG" "another file's day"
ok "another file's session is left alone"

# A machines.map entry for the folder: --rescan --force moves the session to the new machine.
cat >>"$WORK/c.yaml" <<'Y'
machines:
  map:
    "Z (PVC)": { name: Z2, type: PVC }
Y
run_cuwatch "$WORK/r4.out" -c "$WORK/c.yaml" --rescan --force || { cat "$WORK/r4.out"; fail "--rescan --force"; }
eq "$(sessions)" "Z2/2025-05-26/1/Z (PVC)/other.LOG,Z2/2025-05-27/3/Z (PVC)/current.LOG" \
    "sessions after the folder was mapped to another machine"
ok "a folder mapped to another machine: its files' sessions follow"
echo PASS

#!/usr/bin/env bash
# db_name_collision — two files whose on-disk names differ but whose stored forms are one
# (issue 8 stores a name's UTF-8 form: Latin-1 is decoded, control characters removed). A
# Windows FTP client creates "CENTRE D\xC9BIT (ALU)" in Latin-1 beside the "CENTRE DÉBIT
# (ALU)" another client made in UTF-8, or a name holds a newline: both files map to one
# fichier_log.chemin. They used to be ingested in turn on every --rescan (never "unchanged"),
# the last one silently winning the session and the registry row. Now the file whose name is
# already its stored form is the one ingested; the other is not, with an error naming both
# paths (rescan exit 1: a file could not be processed), and a second --rescan finds the
# winner unchanged.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

R=$WORK/root
latin1=$'CENTRE D\xC9BIT (ALU)'
utf8='CENTRE DÉBIT (ALU)'
mkdir -p "$R/$latin1" "$R/$utf8" "$R/N1 (PVC)"
day() { # day DATE PIECES: a day's LOG with PIECES pieces an hour apart
    local i
    for ((i = 0; i < $2; i++)); do printf '%s %02d:00:00|@StukUitgevoerd: p%d\n' "$1" $((6 + i)) "$i"; done
}
day 20250601 2 >"$R/$latin1/20250601.LOG"
day 20250601 3 >"$R/$utf8/20250601.LOG"
day 20250528 4 >"$R/N1 (PVC)/"$'2025052\n8.LOG'
day 20250528 5 >"$R/N1 (PVC)/20250528.LOG"
write_config "$WORK/c.yaml" "$R"

rc=0
run_cuwatch "$WORK/r1.out" -c "$WORK/c.yaml" --rescan || rc=$?
cat "$WORK/r1.out"
eq "$rc" 1 "--rescan exit status (two files could not be processed)"
eq "$(q "SELECT string_agg(c.nom || '=' || s.total_pieces, ',' ORDER BY c.nom) FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id")" \
    "CENTRE DÉBIT=3,N1=5" "sessions: the files whose names are their stored forms"
eq "$(q "SELECT string_agg(chemin || '=' || lignes, ',' ORDER BY chemin) FROM fichier_log")" \
    "CENTRE DÉBIT (ALU)/20250601.LOG=3,N1 (PVC)/20250528.LOG=5" "registry rows"
# The refused file by its on-disk bytes (the log escapes the backslash), and the other path.
contains "$WORK/r1.out" 'CENTRE D\\xC9BIT (ALU)/20250601.LOG: not ingested: its name read as UTF-8 is \"CENTRE DÉBIT (ALU)/20250601.LOG\", the path of another file on disk' \
    "the Latin-1 file refused, both paths named"
contains "$WORK/r1.out" 'N1 (PVC)/2025052\\x0A8.LOG: not ingested: its name read as UTF-8 is \"N1 (PVC)/20250528.LOG\"' \
    "the newline file refused, both paths named"
ok "first --rescan: the UTF-8-named files ingested, the others refused with their reason"

rc=0
run_cuwatch "$WORK/r2.out" -c "$WORK/c.yaml" --rescan || rc=$?
cat "$WORK/r2.out"
eq "$rc" 1 "second --rescan exit status"
lacks "$WORK/r2.out" 'info  ingested' "second --rescan re-ingested a file"
eq "$(q "SELECT string_agg(c.nom || '=' || s.total_pieces, ',' ORDER BY c.nom) FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id")" \
    "CENTRE DÉBIT=3,N1=5" "sessions after the second --rescan"
ok "second --rescan: nothing flips"
echo PASS

#!/usr/bin/env bash
# db_examples — the values stored for shared/examples and for a Latin-1 file of our own:
# hours to the 4th decimal, rates to the 2nd, detail rows as logged (not clipped to the
# production window), duree_secondes rounded half away from zero, Latin-1 stored as UTF-8,
# COPY escaping of tabs and backslashes, the rejected file and its registry rows.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/SU12 (HYBRIDE)" "$root/DEMALU (ALU)"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
cp "$EXAMPLES/SU12 (HYBRIDE)/20250601.LOG" "$root/SU12 (HYBRIDE)/"
# Our own file: Latin-1 bytes (0xE9 é, 0xE0 à), a valid UTF-8 line, a tab and a backslash in
# details, waits whose durations round half away from zero.
printf '%b' \
    '20250602 06:00:00|@StukUitgevoerd: Profil\xe9 \xe0 gauche\r\n' \
    '20250602 06:00:10|@MachineWait: 0.5 sec\r\n' \
    '20250602 06:00:20|@MachineWait: 1,49 sec\r\n' \
    '20250602 06:00:30|@MachineWait: 2.5 sec\r\n' \
    '20250602 06:01:00|@MachineWait: 1,5 min\r\n' \
    '20250602 06:10:00|@StukUitgevoerd: tab\there back\\\\slash\r\n' \
    '20250602 06:20:00|@StukUitgevoerd: d\xc3\xa9j\xc3\xa0 utf8\r\n' \
    '20250602 06:30:00|@JobProfiel: C:GRIS R:X-1 L:12\n' \
    >"$root/DEMALU (ALU)/20250602.LOG"
# Details are stored as is (SPEC §2), however long: 5,000 bytes and a Latin-1 letter at the end.
mkdir -p "$root/LONG (PVC)"
long=$(printf 'P%.0s' $(seq 5000))
printf '20250603 07:00:00|@StukUitgevoerd: %s\xe9\r\n20250603 07:05:00|@StukUitgevoerd: 2\r\n' "$long" \
    >"$root/LONG (PVC)/20250603.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"

rc=0
run_cuwatch "$WORK/out1" -c "$cfg" --rescan || rc=$?
eq "$rc" 0 "rescan exit status"
contains "$WORK/out1" "Total: 4 files, 0 errors" "summary"
contains "$WORK/out1" 'status=rejete' "rejected file logged"

# DEM12: the worked example of SPEC §2.
s="SELECT %s FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
   WHERE c.nom = 'DEM12' AND s.date_production = '2025-05-28'"
row=$(q "$(printf "$s" "s.duree_production_totale, s.temps_attente, s.temps_arret_volontaire,
  s.temps_production_effectif, s.taux_occupation, s.taux_attente, s.taux_arret_volontaire,
  s.total_pieces, s.heure_premiere_piece, s.heure_derniere_piece,
  s.heure_premier_machine_start, s.heure_dernier_machine_stop, s.fichier_log_source,
  c.type_cu, c.description")")
eq "$row" "3.0000|0.1035|0.7500|2.1465|71.55|3.45|25.00|4|2025-05-28 06:10:00|2025-05-28 09:10:00|2025-05-28 05:58:00|2025-05-28 09:30:00|DEM12 (PVC)/20250528.LOG|PVC|DEM12 (PVC)" \
    "DEM12 session"
ok "DEM12 session: hours to 4 decimals, rates to 2"

sid=$(q "$(printf "$s" "s.id")")
eq "$(q "SELECT string_agg(timestamp_debut || '>' || timestamp_fin || '=' || duree_secondes, ' '
          ORDER BY timestamp_debut, timestamp_fin) FROM periode_attente WHERE session_id = $sid")" \
    "2025-05-28 06:05:00>2025-05-28 06:07:00=120 2025-05-28 06:20:00>2025-05-28 06:25:00=300 2025-05-28 06:22:00>2025-05-28 06:26:00=240 2025-05-28 07:10:00>2025-05-28 07:20:00=600 2025-05-28 08:40:00>2025-05-28 08:40:12.5=13" \
    "DEM12 waits as logged (12.5 s rounds to 13)"
eq "$(q "SELECT string_agg(timestamp_debut || '>' || timestamp_fin || '=' || duree_secondes, ' '
          ORDER BY timestamp_debut) FROM periode_arret WHERE session_id = $sid")" \
    "2025-05-28 07:00:00>2025-05-28 07:30:00=1800 2025-05-28 08:00:00>2025-05-28 08:15:00=900" \
    "DEM12 stops"
eq "$(q "SELECT string_agg(numero_piece || '@' || timestamp_production || '=' || details, ' '
          ORDER BY numero_piece) FROM piece_production WHERE session_id = $sid")" \
    "1@2025-05-28 06:10:00=1 2@2025-05-28 06:30:00=2 3@2025-05-28 08:15:00=3 4@2025-05-28 09:10:00=4" \
    "DEM12 pieces"
eq "$(q "SELECT reference || '|' || longueur || '|' || couleur || '|' || timestamp_debut || '|' ||
          encode(convert_to(couleur, 'UTF8'), 'hex') FROM job_profil WHERE session_id = $sid")" \
    "PR7012|6500.00|CRÈME|2025-05-28 06:00:00|4352c3884d45" "DEM12 job, Latin-1 0xC8 stored as UTF-8 È"
ok "DEM12 detail rows as logged"

sha=$(sha256sum "$root/DEM12 (PVC)/20250528.LOG" | cut -d' ' -f1)
eq "$(q "SELECT statut, lignes, evenements, lignes_rejetees, taille, empreinte, message IS NULL
         FROM fichier_log WHERE chemin = 'DEM12 (PVC)/20250528.LOG'")" \
    "ok|18|16|2|673|$sha|t" "DEM12 registry row"
eq "$(q "SELECT string_agg(numero_ligne::text || ':' || contenu, ' / ' ORDER BY numero_ligne)
         FROM ligne_rejetee r JOIN fichier_log f ON f.id = r.fichier_id
         WHERE f.chemin = 'DEM12 (PVC)/20250528.LOG'")" \
    "17:garbage line / 18:20250528 25:00:00|@StukUitgevoerd: 5" "DEM12 rejected lines"
ok "DEM12 registry"

# SU12: binary junk, rejected, no session.
eq "$(q "SELECT statut, message, lignes, evenements, lignes_rejetees FROM fichier_log
         WHERE chemin = 'SU12 (HYBRIDE)/20250601.LOG'")" "rejete|no valid event|3|0|2" "SU12 registry"
eq "$(q "SELECT count(*) FROM session_production s JOIN centre_usinage c
         ON c.id = s.centre_usinage_id WHERE c.nom = 'SU12'")" 0 "no SU12 session"
eq "$(q "SELECT string_agg(numero_ligne::text, ',' ORDER BY numero_ligne) FROM ligne_rejetee r
         JOIN fichier_log f ON f.id = r.fichier_id WHERE f.chemin = 'SU12 (HYBRIDE)/20250601.LOG'")" \
    "1,3" "SU12 rejected line numbers"
ok "SU12 rejected, no session"

# DEMALU: our Latin-1 file.
s2="SELECT %s FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
    WHERE c.nom = 'DEMALU'"
eq "$(q "$(printf "$s2" "s.duree_production_totale, s.temps_attente, s.temps_production_effectif,
   s.taux_occupation, s.taux_attente, s.taux_arret_volontaire, s.total_pieces")")" \
    "0.3333|0.0262|0.3071|92.13|7.87|0.00|3" "DEMALU session"
sid=$(q "$(printf "$s2" "s.id")")
eq "$(q "SELECT string_agg(duree_secondes::text, ',' ORDER BY timestamp_debut)
         FROM periode_attente WHERE session_id = $sid")" "1,1,3,90" "duree_secondes half away from zero"
eq "$(q "SELECT string_agg(encode(convert_to(details, 'UTF8'), 'hex'), ',' ORDER BY numero_piece)
         FROM piece_production WHERE session_id = $sid")" \
    "50726f66696cc3a920c3a020676175636865,7461620968657265206261636b5c5c736c617368,64c3a96ac3a02075746638" \
    "details bytes: Latin-1 to UTF-8, tab and backslashes kept, UTF-8 line untouched"
eq "$(q "SELECT details FROM piece_production WHERE session_id = $sid AND numero_piece = 1")" \
    "Profilé à gauche" "Latin-1 details"
eq "$(q "SELECT details = E'tab\\there back\\\\\\\\slash' FROM piece_production
         WHERE session_id = $sid AND numero_piece = 2")" "t" "tab and backslash through COPY"
eq "$(q "SELECT details FROM piece_production WHERE session_id = $sid AND numero_piece = 3")" \
    "déjà utf8" "UTF-8 details"
eq "$(q "SELECT reference || '|' || longueur || '|' || couleur FROM job_profil
         WHERE session_id = $sid")" "X-1|12|GRIS" "job tokens in any order"
ok "DEMALU: Latin-1 as UTF-8, COPY escaping, rounding"

eq "$(q "SELECT length(p.details) || ' ' || md5(p.details) FROM piece_production p
         JOIN session_production s ON s.id = p.session_id
         JOIN centre_usinage c ON c.id = s.centre_usinage_id
         WHERE c.nom = 'LONG' AND p.numero_piece = 1")" \
    "5001 $(printf '%sé' "$long" | md5sum | cut -d' ' -f1)" "5,000-byte details stored whole"
ok "long details stored as is"
echo "1 passed, 0 failed"

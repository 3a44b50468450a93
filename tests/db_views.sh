#!/usr/bin/env bash
# db_views — periode_etat and the SPEC §8 views against a real PostgreSQL.
#
#  1. Hand-made files: the worked example (period by period, every v_jour column), a machine
#     with no type whose day has one piece and a Latin-1 colour, pieces logged out of order
#     (the median cycle is taken in timestamp order), a rejected file; v_pieces_heure and
#     v_fraicheur on them.
#  2. Generated data (cuwatch-genlogs: several machines × days, CRLF and Latin-1): for every
#     session the periods are contiguous, merged, cover [first piece, last piece] and sum per
#     state to --parse's exact seconds; v_jour equals --parse and the session columns;
#     v_semaine / v_mois equal Σ/Σ recomputed here, which differs from the mean of daily
#     rates on this data; a re-ingested (grown) file leaves only its new periods.
#  3. Backfill: a database at schema 4 (made from migrations 001-004) holding that data, then
#     the daemon's start-up (migrations + reconciliation) fills periode_etat by itself; a
#     session whose file is gone keeps its numbers through the views' fallback.
set -euo pipefail
. "$(dirname "$0")/db_lib.sh"

# v_rejets and v_jobs against the base tables, of database $1: rows that differ either way.
# Written independently of the views: a job's rank counted, a file's lines or its lone row
# for a file rejected without any listed, the day from the session or else the name's date
# looked up in a calendar.
check_report_views() {
    q "WITH rj AS (
         SELECT c.nom AS machine, f.chemin, f.statut, f.lignes_rejetees, f.message,
                f.traite_le, l.numero_ligne, l.raison, l.contenu, f.id AS fid
           FROM ligne_rejetee l JOIN fichier_log f ON f.id = l.fichier_id
           LEFT JOIN centre_usinage c ON c.id = f.centre_usinage_id
         UNION ALL
         SELECT c.nom, f.chemin, f.statut, f.lignes_rejetees, f.message, f.traite_le,
                NULL, NULL, NULL, f.id
           FROM fichier_log f LEFT JOIN centre_usinage c ON c.id = f.centre_usinage_id
          WHERE f.statut <> 'ok'
            AND NOT EXISTS (SELECT FROM ligne_rejetee l WHERE l.fichier_id = f.id)
       ), cal AS (
         SELECT to_char(g, 'YYYYMMDD') AS k, g::date AS d
           FROM generate_series(date '1990-01-01', date '2100-12-31', interval '1 day') g
       ), attendu_rejets AS (
         SELECT rj.machine, coalesce((SELECT s.date_production FROM session_production s
                                       WHERE s.fichier_log_source = rj.chemin),
                                     cal.d) AS jour,
                rj.chemin, rj.statut, rj.lignes_rejetees, rj.message, rj.traite_le,
                rj.numero_ligne, rj.raison, rj.contenu
           FROM rj JOIN fichier_log f ON f.id = rj.fid
           LEFT JOIN cal ON cal.k = substring(rj.chemin FROM '(?:^|/)([0-9]{8})[^/]*$')
          WHERE f.lignes_rejetees > 0 OR f.statut <> 'ok'
       ), attendu_jobs AS (
         SELECT c.nom, c.type_cu, s.date_production,
                (SELECT count(*) FROM job_profil k
                  WHERE k.session_id = j.session_id
                    AND (k.timestamp_debut, k.id) <= (j.timestamp_debut, j.id)) AS rang,
                j.timestamp_debut, j.reference, j.longueur, j.couleur
           FROM job_profil j JOIN session_production s ON s.id = j.session_id
           JOIN centre_usinage c ON c.id = s.centre_usinage_id
       ), v AS (
         SELECT machine, jour, fichier, statut, lignes_rejetees, message, ingere_le, ligne,
                raison, contenu FROM v_rejets
       ), vj AS (
         SELECT machine, type, jour, rang, debut, reference, longueur, couleur FROM v_jobs)
       SELECT 'rejets=' || (SELECT count(*) FROM ((TABLE v EXCEPT ALL
                                                   SELECT * FROM attendu_rejets)
                                                  UNION ALL (SELECT * FROM attendu_rejets
                                                             EXCEPT ALL TABLE v)) x)
              || ' jobs=' || (SELECT count(*) FROM ((TABLE vj EXCEPT ALL TABLE attendu_jobs)
                                                    UNION ALL (TABLE attendu_jobs
                                                               EXCEPT ALL TABLE vj)) x)" "${1:-}"
}

# ---- 1. Hand-made files --------------------------------------------------------------------
root=$WORK/root
mkdir -p "$root/DEM12 (PVC)" "$root/SU12 (HYBRIDE)" "$root/DEMALU (ALU)" "$root/Atelier"
cp "$EXAMPLES/DEM12 (PVC)/20250528.LOG" "$root/DEM12 (PVC)/"
sed 's/^20250528/20250602/' "$EXAMPLES/DEM12 (PVC)/20250528.LOG" >"$root/DEM12 (PVC)/20250602.LOG"
cp "$EXAMPLES/SU12 (HYBRIDE)/20250601.LOG" "$root/SU12 (HYBRIDE)/"
# One piece, a job whose colour is Latin-1 (0xC8 È), in a folder without "(TYPE)".
printf '%b' '20250529 07:00:00|@JobProfiel: R:PR1 L:6500 C:CR\xc8ME\r\n' \
    '20250529 07:05:00|@StukUitgevoerd: 1\r\n' >"$root/Atelier/20250529.LOG"
# Pieces out of order in the file: gaps 10 s and 25 s by timestamp (median 17.5), 35 s and
# -25 s in file order.
printf '%s\n' '20250530 06:00:00|@StukUitgevoerd: a' '20250530 06:00:35|@StukUitgevoerd: c' \
    '20250530 06:00:10|@StukUitgevoerd: b' >"$root/DEMALU (ALU)/20250530.LOG"
cfg=$WORK/cuwatch.yaml
write_config "$cfg" "$root"
rc=0
run_cuwatch "$WORK/out1" -c "$cfg" --rescan || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/out1"; fail "rescan exit $rc"; }

eq "$(q "SELECT string_agg(etat || ' ' || debut || ' ' || fin || ' ' || duree_s, E'\n' ORDER BY debut)
          FROM v_etat WHERE machine = 'DEM12' AND jour = '2025-05-28'")" \
"production 2025-05-28 06:10:00 2025-05-28 06:20:00 600
attente 2025-05-28 06:20:00 2025-05-28 06:26:00 360
production 2025-05-28 06:26:00 2025-05-28 07:00:00 2040
arret 2025-05-28 07:00:00 2025-05-28 07:30:00 1800
production 2025-05-28 07:30:00 2025-05-28 08:00:00 1800
arret 2025-05-28 08:00:00 2025-05-28 08:15:00 900
production 2025-05-28 08:15:00 2025-05-28 08:40:00 1500
attente 2025-05-28 08:40:00 2025-05-28 08:40:12.5 12.5
production 2025-05-28 08:40:12.5 2025-05-28 09:10:00 1787.5" "worked example timeline"
eq "$(q "SELECT string_agg(etat || '=' || s, ' ' ORDER BY etat) FROM (SELECT etat, sum(duree_s) s
          FROM v_etat WHERE machine = 'DEM12' AND jour = '2025-05-28' GROUP BY etat) x")" \
    "arret=2700 attente=372.5 production=7727.5" "worked example sums"
ok "worked example: 9 periods, 7727.5 / 372.5 / 2700 s"

eq "$(q "SELECT concat_ws('|', machine, type, jour, pieces, premiere_piece, derniere_piece,
          production_s, effectif_s, attente_s, arret_s, taux_occupation, taux_attente, taux_arret,
          pieces_par_heure, cycle_median_s, nb_attentes, nb_arrets, fichier, lignes_rejetees,
          ingere_le IS NOT NULL) FROM v_jour WHERE machine = 'DEM12' AND jour = '2025-05-28'")" \
    "DEM12|PVC|2025-05-28|4|2025-05-28 06:10:00|2025-05-28 09:10:00|10800|7727.5|372.5|2700|71.55|3.45|25.00|1.33|3300|5|2|DEM12 (PVC)/20250528.LOG|2|t" \
    "v_jour, worked example"
ok "v_jour: every column of the worked example"

# One piece: W is a point, so no period, no production, rates 0, no rate per hour or cycle.
eq "$(q "SELECT concat_ws('|', machine, coalesce(type, 'NULL'), pieces, production_s, effectif_s,
          taux_occupation, coalesce(pieces_par_heure::text, 'NULL'),
          coalesce(cycle_median_s::text, 'NULL'), nb_attentes, nb_arrets)
          FROM v_jour WHERE jour = '2025-05-29'")" "Atelier|NULL|1|0|0|0.00|NULL|NULL|0|0" \
    "one-piece day, machine with no type"
eq "$(q "SELECT count(*) FROM v_etat WHERE jour = '2025-05-29'")" 0 "one-piece day: no period"
eq "$(q "SELECT concat_ws('|', semaine, jours, pieces, production_s, taux_occupation, taux_attente,
          taux_arret, coalesce(pieces_par_heure::text, 'NULL')) FROM v_semaine
          WHERE machine = 'Atelier'")" "2025-05-26|1|1|0|0.00|0.00|0.00|NULL" \
    "a week without production: rates 0.00"
eq "$(q "SELECT j.couleur FROM job_profil j JOIN session_production s ON s.id = j.session_id
          WHERE s.date_production = '2025-05-29'")" "CRÈME" "Latin-1 colour stored as UTF-8"
eq "$(q "SELECT cycle_median_s || '|' || pieces || '|' || effectif_s FROM v_jour
          WHERE machine = 'DEMALU'")" "17.5|3|35" "median cycle in timestamp order"
ok "one piece, no type, Latin-1 colour, out-of-order pieces"

eq "$(q "SELECT count(*) FROM v_jour WHERE machine = 'SU12'")" 0 "rejected file: no day"
eq "$(q "SELECT string_agg(to_char(heure, 'YYYY-MM-DD HH24:MI') || '=' || pieces, ' ' ORDER BY heure)
          FROM v_pieces_heure WHERE machine = 'DEM12' AND jour = '2025-05-28'")" \
    "2025-05-28 06:00=2 2025-05-28 07:00=0 2025-05-28 08:00=1 2025-05-28 09:00=1" \
    "v_pieces_heure, worked example (an hour without a piece is 0)"
eq "$(q "SELECT string_agg(machine || '=' || pieces, ' ' ORDER BY machine) FROM v_pieces_heure
          WHERE jour IN ('2025-05-29', '2025-05-30')")" "Atelier=1 DEMALU=3" "v_pieces_heure"
# Span: 2025-05-04..2025-06-02 (the latest production date of any machine), counted from each
# machine's first known day: DEM12 has 05-28 and 06-02 of 05-28..06-02; SU12 only a rejected
# file of 06-01; Atelier 05-29 of 05-29..06-02; DEMALU 05-30 of 05-30..06-02.
eq "$(q "SELECT string_agg(concat_ws('|', machine, coalesce(type, 'NULL'),
          coalesce(dernier_jour::text, 'NULL'), derniere_ingestion IS NOT NULL,
          jours_sans_fichier_30j, fichiers_rejets_30j), ' ' ORDER BY machine) FROM v_fraicheur")" \
    "Atelier|NULL|2025-05-29|t|4|0 DEM12|PVC|2025-06-02|t|4|2 DEMALU|ALU|2025-05-30|t|3|0 SU12|HYBRIDE|NULL|t|1|1" \
    "v_fraicheur"
ok "rejected file, v_pieces_heure, v_fraicheur"

# v_rejets and v_jobs (migration 011: what the report reads instead of the base tables).
eq "$(q "SELECT string_agg(concat_ws('|', machine, jour, fichier, statut, lignes_rejetees, ligne,
          raison), E'\n' ORDER BY fichier, ligne) FROM v_rejets")" \
"DEM12|2025-05-28|DEM12 (PVC)/20250528.LOG|ok|2|17|line does not start with a timestamp \"YYYYMMDD HH:MM:SS\"
DEM12|2025-05-28|DEM12 (PVC)/20250528.LOG|ok|2|18|invalid timestamp \"20250528 25:00:00\"
DEM12|2025-06-02|DEM12 (PVC)/20250602.LOG|ok|2|17|line does not start with a timestamp \"YYYYMMDD HH:MM:SS\"
DEM12|2025-06-02|DEM12 (PVC)/20250602.LOG|ok|2|18|invalid timestamp \"20250602 25:00:00\"
SU12|2025-06-01|SU12 (HYBRIDE)/20250601.LOG|rejete|2|1|line does not start with a timestamp \"YYYYMMDD HH:MM:SS\"
SU12|2025-06-01|SU12 (HYBRIDE)/20250601.LOG|rejete|2|3|line does not start with a timestamp \"YYYYMMDD HH:MM:SS\"" \
    "v_rejets: every rejected line, dated by the session or the file's name"
eq "$(q "SELECT string_agg(concat_ws('|', machine, coalesce(type, 'NULL'), jour, rang, debut,
          reference, longueur, couleur), E'\n' ORDER BY machine, jour, rang) FROM v_jobs")" \
"Atelier|NULL|2025-05-29|1|2025-05-29 07:00:00|PR1|6500|CRÈME
DEM12|PVC|2025-05-28|1|2025-05-28 06:00:00|PR7012|6500.00|CRÈME
DEM12|PVC|2025-06-02|1|2025-06-02 06:00:00|PR7012|6500.00|CRÈME" "v_jobs"
eq "$(check_report_views)" "rejets=0 jobs=0" "v_rejets and v_jobs against the base tables"
# A file whose name is no date (month 13) is rejected whole: its day is unknown (NULL), and
# v_fraicheur still reads (to_date raised an error on it before migration 011).
fraicheur=$(q "SELECT string_agg(concat_ws('|', machine, jours_sans_fichier_30j,
          fichiers_rejets_30j), ' ' ORDER BY machine) FROM v_fraicheur")
cp "$EXAMPLES/SU12 (HYBRIDE)/20250601.LOG" "$root/SU12 (HYBRIDE)/20251399.LOG"
rc=0
run_cuwatch "$WORK/out1b" -c "$cfg" --rescan || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/out1b"; fail "rescan exit $rc"; }
eq "$(q "SELECT string_agg(concat_ws('|', coalesce(jour::text, 'NULL'), statut, ligne), ' '
          ORDER BY ligne) FROM v_rejets WHERE fichier = 'SU12 (HYBRIDE)/20251399.LOG'")" \
    "NULL|rejete|1 NULL|rejete|3" "v_rejets: a file named 20251399"
eq "$(q "SELECT string_agg(concat_ws('|', machine, jours_sans_fichier_30j, fichiers_rejets_30j),
          ' ' ORDER BY machine) FROM v_fraicheur")" "$fraicheur" \
    "v_fraicheur with a file named 20251399"
eq "$(check_report_views)" "rejets=0 jobs=0" "v_rejets and v_jobs against the base tables"
ok "v_rejets and v_jobs equal the base tables; a file named 20251399 breaks no view"

# The pieces' rhythm and the exact seconds are stored at ingest (migrations 8 and 9); for a
# session stored without its hourly counts (an older version's), v_pieces_heure counts its
# pieces (hours that have some).
eq "$(q "SELECT string_agg(c.nom || '=' || coalesce(s.cycle_median_secondes::text, 'NULL') || '/' ||
          coalesce(s.pieces_heure::text, 'NULL') || '/' || s.production_secondes || '/' ||
          s.effectif_secondes || '/' || s.attente_secondes || '/' || s.arret_secondes, ' '
          ORDER BY c.nom)
          FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
         WHERE s.date_production < '2025-06-01'")" \
    "Atelier=NULL/{1}/0.000000/0.000000/0.000000/0.000000 DEM12=3300.000000/{2,0,1,1}/10800.000000/7727.500000/372.500000/2700.000000 DEMALU=17.500000/{3}/35.000000/35.000000/0.000000/0.000000" \
    "stored rhythm and seconds"
rhythm="SELECT machine, jour, heure, pieces FROM v_pieces_heure WHERE pieces > 0 ORDER BY 1, 2, 3"
stored=$(q "$rhythm")
q "UPDATE session_production SET pieces_heure = NULL"
eq "$(q "$rhythm")" "$stored" "pieces per hour counted from the pieces"
ok "rhythm and exact seconds stored at ingest; pieces per hour counted for a session without them"

sid=$(q "SELECT s.id FROM session_production s JOIN centre_usinage c ON c.id = s.centre_usinage_id
          WHERE c.nom = 'DEM12' AND s.date_production = '2025-05-28'")
q "DELETE FROM session_production WHERE id = $sid"
eq "$(q "SELECT count(*) FROM periode_etat WHERE session_id = $sid")" 0 "periods cascade"
ok "deleting a session deletes its periods"

# ---- 2. Generated data ---------------------------------------------------------------------
# The invariants of SPEC §3 periode_etat, for every session of database $1: one line of zeros.
check_periods() {
    q "WITH e AS (
         SELECT e.*, lag(e.fin) OVER w AS prev_fin, lag(e.etat) OVER w AS prev_etat,
                row_number() OVER w AS rn, count(*) OVER (PARTITION BY e.session_id) AS n
           FROM periode_etat e WINDOW w AS (PARTITION BY e.session_id ORDER BY e.debut))
       SELECT concat_ws(' ',
         'gaps=' || (SELECT count(*) FROM e WHERE rn > 1 AND debut <> prev_fin),
         'unmerged=' || (SELECT count(*) FROM e WHERE rn > 1 AND etat = prev_etat),
         'bad_first=' || (SELECT count(*) FROM e JOIN session_production s ON s.id = e.session_id
                           WHERE rn = 1 AND e.debut <> s.heure_premiere_piece),
         'bad_last=' || (SELECT count(*) FROM e JOIN session_production s ON s.id = e.session_id
                          WHERE rn = n AND e.fin <> s.heure_derniere_piece),
         'missing=' || (SELECT count(*) FROM session_production s
                         WHERE s.heure_derniere_piece > s.heure_premiere_piece
                           AND NOT EXISTS (SELECT FROM periode_etat e WHERE e.session_id = s.id)),
         'extra=' || (SELECT count(*) FROM session_production s
                       WHERE s.heure_derniere_piece IS NOT DISTINCT FROM s.heure_premiere_piece
                         AND EXISTS (SELECT FROM periode_etat e WHERE e.session_id = s.id)))" "$1"
}
# Per-state sums of the periods against --parse's exact seconds, v_jour against --parse and
# against the session's own columns (hours to 4 decimals, rates), and the stored rhythm
# (pieces per hour, median cycle) against the pieces: counts of disagreeing days.
check_sums() {
    q "SELECT concat_ws(' ',
         'sums=' || (SELECT count(*) FROM attendu_jour a
                      JOIN centre_usinage c ON c.nom = a.machine
                      JOIN session_production s ON s.centre_usinage_id = c.id
                                               AND s.date_production = a.jour
                      LEFT JOIN LATERAL (
                           SELECT coalesce(sum(extract(epoch FROM fin - debut))
                                           FILTER (WHERE etat = 'production'), 0) p,
                                  coalesce(sum(extract(epoch FROM fin - debut))
                                           FILTER (WHERE etat = 'attente'), 0) a,
                                  coalesce(sum(extract(epoch FROM fin - debut))
                                           FILTER (WHERE etat = 'arret'), 0) r
                             FROM periode_etat e WHERE e.session_id = s.id) e ON true
                     WHERE e.p <> a.effectif_s OR e.a <> a.attente_s OR e.r <> a.arret_s
                        OR e.p + e.a + e.r <> a.production_s),
         'v_jour=' || (SELECT count(*) FROM (
             (SELECT machine, type, jour, pieces, production_s, effectif_s, attente_s, arret_s,
                     taux_occupation, taux_attente, taux_arret, pieces_par_heure FROM v_jour
              EXCEPT SELECT * FROM attendu_jour)
             UNION ALL
             (SELECT * FROM attendu_jour
              EXCEPT SELECT machine, type, jour, pieces, production_s, effectif_s, attente_s,
                     arret_s, taux_occupation, taux_attente, taux_arret, pieces_par_heure
                FROM v_jour)) x),
         'columns=' || (SELECT count(*) FROM v_jour v
                        JOIN centre_usinage c ON c.nom = v.machine
                        JOIN session_production s ON s.centre_usinage_id = c.id
                                                 AND s.date_production = v.jour
                        WHERE round(v.production_s / 3600, 4) <> s.duree_production_totale
                           OR round(v.effectif_s / 3600, 4) <> s.temps_production_effectif
                           OR round(v.attente_s / 3600, 4) <> s.temps_attente
                           OR round(v.arret_s / 3600, 4) <> s.temps_arret_volontaire
                           OR v.taux_occupation <> s.taux_occupation
                           OR v.taux_attente <> s.taux_attente
                           OR v.taux_arret <> s.taux_arret_volontaire
                           OR v.pieces <> s.total_pieces),
         'rhythm=' || (SELECT count(*) FROM (
             (SELECT machine, jour, heure, pieces FROM v_pieces_heure WHERE pieces > 0
              EXCEPT SELECT c.nom, s.date_production, date_trunc('hour', p.timestamp_production),
                            count(*)
                       FROM piece_production p JOIN session_production s ON s.id = p.session_id
                       JOIN centre_usinage c ON c.id = s.centre_usinage_id GROUP BY 1, 2, 3)
             UNION ALL
             (SELECT c.nom, s.date_production, date_trunc('hour', p.timestamp_production),
                     count(*)
                FROM piece_production p JOIN session_production s ON s.id = p.session_id
                JOIN centre_usinage c ON c.id = s.centre_usinage_id GROUP BY 1, 2, 3
              EXCEPT SELECT machine, jour, heure, pieces FROM v_pieces_heure)) x)
           + (SELECT count(*) FROM session_production s
               WHERE s.cycle_median_secondes IS DISTINCT FROM (
                     SELECT extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap))
                       FROM (SELECT p.timestamp_production - lag(p.timestamp_production)
                                    OVER (ORDER BY p.timestamp_production) AS gap
                               FROM piece_production p WHERE p.session_id = s.id) g
                      WHERE g.gap IS NOT NULL)))" "$1"
}
# v_semaine / v_mois against Σ/Σ from --parse: rows that differ either way.
check_periods_of_time() {
    local v t
    for v in semaine mois; do
        t=attendu_$v
        echo -n "$v=$(q "SELECT count(*) FROM ((SELECT * FROM v_$v EXCEPT SELECT * FROM $t)
                 UNION ALL (SELECT * FROM $t EXCEPT SELECT * FROM v_$v)) x" "$1") "
    done
}
# Loads the expected rows of the files under root $1 into database $2.
load_expected() {
    local f
    find "$1" -name '*.LOG' -print0 | xargs -0 "$CUWATCH" --parse >"$WORK/parse.jsonl"
    python3 "$HERE/db_views_expected.py" "$WORK" <"$WORK/parse.jsonl" >"$WORK/expected.out"
    for f in jour semaine mois; do
        q "SET client_min_messages = warning; DROP TABLE IF EXISTS attendu_$f" "$2"
    done
    q "CREATE TABLE attendu_jour (machine text, type text, jour date, pieces int,
         production_s numeric, effectif_s numeric, attente_s numeric, arret_s numeric,
         taux_occupation numeric, taux_attente numeric, taux_arret numeric,
         pieces_par_heure numeric)" "$2"
    q "CREATE TABLE attendu_semaine (machine text, type text, semaine date, jours bigint,
         pieces bigint, production_s numeric, effectif_s numeric, attente_s numeric,
         arret_s numeric, taux_occupation numeric, taux_attente numeric, taux_arret numeric,
         pieces_par_heure numeric)" "$2"
    q "CREATE TABLE attendu_mois (LIKE attendu_semaine)" "$2"
    q "ALTER TABLE attendu_mois RENAME semaine TO mois" "$2"
    for f in jour semaine mois; do
        psql -XAtq -v ON_ERROR_STOP=1 -d "$2" -c "\\copy attendu_$f FROM '$WORK/$f.csv' CSV"
    done
}

q "CREATE DATABASE gen"
groot=$WORK/gen
gen_logs "$groot" 4 20 1500 7
gcfg=$WORK/gen.yaml
write_config "$gcfg" "$groot" gen
rc=0
run_cuwatch "$WORK/gen1.out" -c "$gcfg" --rescan || rc=$?
[ "$rc" = 0 ] || { tail -5 "$WORK/gen1.out"; fail "rescan of generated data exit $rc"; }
load_expected "$groot" gen
days=$(q "SELECT count(*) FROM attendu_jour" gen)
[ "$days" -ge 60 ] || fail "generated data: only $days days"
eq "$(q "SELECT count(*) FROM session_production" gen)" "$days" "one session per parsed day"
eq "$(q "SELECT count(*) FROM periode_etat" gen | awk '$1 > 1000 {print "many"}')" many \
    "generated data has many periods"
zeros="gaps=0 unmerged=0 bad_first=0 bad_last=0 missing=0 extra=0"
eq "$(check_periods gen)" "$zeros" "periods of generated data"
eq "$(check_sums gen)" "sums=0 v_jour=0 columns=0 rhythm=0" "sums and v_jour of generated data"
eq "$(check_periods_of_time gen)" "semaine=0 mois=0 " "v_semaine / v_mois = Σ/Σ"
read -r weeks differ < <(sed -n 's/weeks=\([0-9]*\) differ=\([0-9]*\)/\1 \2/p' "$WORK/expected.out")
[ "$differ" -gt 0 ] || fail "no week where Σ/Σ differs from the mean of daily rates ($weeks weeks)"
eq "$(q "SELECT count(*) > 100 FROM v_jobs" gen)$(q "SELECT count(*) > 10 FROM v_rejets" gen)" tt \
    "generated data has job changes and rejected lines"
eq "$(check_report_views gen)" "rejets=0 jobs=0" "v_rejets and v_jobs of generated data"
ok "generated data: $days days, every period invariant, sums exact, v_jour = --parse = session columns"
ok "v_semaine and v_mois are Σ/Σ; $differ of $weeks weeks differ from the mean of daily rates"

# A grown file (the day's upload appended to): its session's periods are replaced, not added.
f=$(find "$groot" -name '*.LOG' | sort | sed -n 1p)
day=$(basename "$f" .LOG)
printf '%s\r\n' "$day 23:00:00|@MachineStop" "$day 23:10:00|@MachineWait: 30.25 sec" \
    "$day 23:30:00|@StukUitgevoerd: late" >>"$f"
rc=0
run_cuwatch "$WORK/gen2.out" -c "$gcfg" --rescan || rc=$?
[ "$rc" = 0 ] || { tail -5 "$WORK/gen2.out"; fail "second rescan exit $rc"; }
load_expected "$groot" gen
eq "$(check_periods gen)" "$zeros" "periods after a re-ingest"
eq "$(check_sums gen)" "sums=0 v_jour=0 columns=0 rhythm=0" "sums after a re-ingest"
rel=${f#"$groot"/}
eq "$(q "SELECT e.etat || ' ' || to_char(e.fin, 'HH24:MI:SS') FROM periode_etat e
          JOIN session_production s ON s.id = e.session_id
         WHERE s.fichier_log_source = '$rel' ORDER BY e.debut DESC LIMIT 1" gen)" \
    "arret 23:30:00" "the grown day ends on its new stop, closed by the late piece"
ok "a re-ingested file's periods are replaced"

# ---- 3. Backfill ---------------------------------------------------------------------------
# A database at schema 4 (the version before periode_etat) built from the migration files
# themselves, holding the generated data's sessions, detail rows and registry; one file gone
# from the disk. The daemon then migrates it and its start-up reconciliation backfills.
q "CREATE DATABASE old"
for m in "$HERE"/../db/migrations/[0-9][0-9][0-9]_*.sql; do
    v=$(basename "$m" | sed 's/^0*\([0-9]*\)_.*/\1/')
    [ "$v" -lt 5 ] || continue
    psql -XAtq -v ON_ERROR_STOP=1 -d old -1 -c "SET LOCAL client_min_messages = warning" \
        -f "$m" >/dev/null
    q "SET client_min_messages = warning;
       CREATE TABLE IF NOT EXISTS cuwatch_migrations (version integer PRIMARY KEY,
         name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO cuwatch_migrations (version, name) VALUES ($v, '$(basename "$m" .sql)')" old
done
eq "$(q "SELECT to_regclass('periode_etat') IS NULL AND to_regclass('v_jour') IS NULL" old)" t \
    "schema 4 has no periode_etat"
# The data, column by column as schema 4 has them (later migrations add columns).
for t in centre_usinage session_production job_profil periode_attente periode_arret \
    piece_production fichier_log ligne_rejetee; do
    cols=$(q "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
               FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = '$t'" old)
    psql -XAtq -v ON_ERROR_STOP=1 -d gen -c "\\copy (SELECT $cols FROM $t) TO STDOUT" |
        psql -XAtq -v ON_ERROR_STOP=1 -d old -c "\\copy $t ($cols) FROM pstdin"
    q "SELECT setval(pg_get_serial_sequence('$t', 'id'), max(id)) FROM $t" old >/dev/null
done
gcfg=$WORK/old.yaml
write_config "$gcfg" "$groot" old
gone=$(find "$groot" -name '*.LOG' | sort | tail -1)
gone_rel=${gone#"$groot"/}
mv "$gone" "$WORK/gone.LOG"
sessions=$(q "SELECT count(*) FROM session_production" old)
"$CUWATCH" -c "$gcfg" >"$WORK/daemon.log" 2>&1 &
dpid=$!
deadline=$((SECONDS + 120))
want=$((sessions - 1))
while :; do
    have=$(q "SELECT count(DISTINCT session_id) FROM periode_etat" old 2>/dev/null || echo 0)
    [ "$have" = "$want" ] && break
    kill -0 "$dpid" 2>/dev/null || { cat "$WORK/daemon.log"; fail "daemon exited"; }
    [ $SECONDS -lt $deadline ] || { tail "$WORK/daemon.log"; fail "backfill: $have of $want sessions"; }
    sleep 0.2
done
kill -TERM "$dpid"
wait "$dpid" || fail "daemon exit status $?"
contains "$WORK/daemon.log" "applied schema migration 005_periode_etat_views" "migration applied"
# The expected rows of the files still there. The gone file's session has no periods
# (missing=1), is the one v_jour row without an expected row (v_jour=1) and has no stored
# median cycle (rhythm=1: v_jour shows NULL rather than sort its pieces at every query): its
# durations are its columns in hours × 3600 (production from its first and last piece).
load_expected "$groot" old
eq "$(check_periods old)" "gaps=0 unmerged=0 bad_first=0 bad_last=0 missing=1 extra=0" \
    "periods after backfill"
eq "$(check_sums old)" "sums=0 v_jour=1 columns=0 rhythm=1" "sums after backfill"
eq "$(q "SELECT v.production_s = extract(epoch FROM s.heure_derniere_piece - s.heure_premiere_piece)
             AND v.effectif_s = s.temps_production_effectif * 3600
             AND v.attente_s = s.temps_attente * 3600 AND v.arret_s = s.temps_arret_volontaire * 3600
          FROM v_jour v JOIN session_production s ON s.fichier_log_source = v.fichier
         WHERE v.fichier = '$gone_rel'" old)" "t" "a session whose file is gone: its columns"
rc=0
run_cuwatch "$WORK/gen3.out" -c "$gcfg" --rescan || rc=$?
[ "$rc" = 0 ] || { tail -5 "$WORK/gen3.out"; fail "rescan after backfill exit $rc"; }
contains "$WORK/gen3.out" "ingested=0" "nothing left to ingest after the backfill"
ok "backfill: start-up reconciliation re-ingested $want sessions; the gone file's day kept"

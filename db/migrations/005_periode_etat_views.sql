-- 005_periode_etat_views — SPEC §3 periode_etat and the §8 views, the one interface that the
-- report, the exports and the dashboards read.
--
-- periode_etat is W = [first piece, last piece] of a session cut into contiguous periods of
-- one state, written by the ingest with the session's other detail rows, by the same code that
-- computes the session's metrics (parser/metrics.c): per state, the sum of its periods is the
-- session's effective, wait and stop time to the microsecond.
--
-- Sessions stored before this migration have no periods. The migration forgets the content
-- hash of every file that gave a session, so the next reconciliation (daemon start-up, SIGHUP,
-- --rescan) reads those files again and re-ingests them, periods included; a file gone from
-- the disk keeps its session, and the views fall back to its session columns (hours to 4
-- decimals) for its durations.
--
-- Durations are numeric seconds with no trailing zeros (trim_scale): 372.5, 10800.

CREATE TABLE IF NOT EXISTS periode_etat (
    id BIGSERIAL PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES session_production(id) ON DELETE CASCADE,
    etat TEXT NOT NULL CHECK (etat IN ('production', 'attente', 'arret')),
    debut TIMESTAMP NOT NULL,   -- microseconds kept (a 12.5 s wait ends on a half second)
    fin TIMESTAMP NOT NULL,
    CHECK (fin > debut)
);
-- Leading on session_id: the replacement of a session's rows, the cascade and the views' per
-- session look-ups; debut second, so a day's timeline comes out in order from the index.
CREATE INDEX IF NOT EXISTS periode_etat_session_id_idx ON periode_etat (session_id, debut);

-- Backfill: make reconciliation re-read every file that produced a session. Reconciliation
-- compares size and mtime with the registry; a size of -1 never matches a real file, and a
-- forgotten hash makes the ingest write the file again instead of finding it unchanged.
UPDATE fichier_log SET empreinte = NULL, taille = -1
 WHERE statut = 'ok'
   AND chemin IN (SELECT fichier_log_source FROM session_production);

-- v_jour: one row per machine and production date. Durations are exact seconds: the sums of
-- the session's periode_etat rows (production_s from its first and last piece); a session
-- without periods (stored by an older version, its file not re-read yet) falls back to its
-- columns in hours × 3600. Rates are the session's own columns (computed from exact µs).
-- nb_attentes / nb_arrets count the session's periode_attente / periode_arret rows: the
-- waits and stops as logged, including those outside the production window or overlapping.
-- cycle_median_s: the median of the gaps between consecutive pieces taken in timestamp order
-- (NULL with fewer than two pieces). fichier: the session's source file; lignes_rejetees and
-- ingere_le come from that file's fichier_log row (NULL when it has none).
CREATE OR REPLACE VIEW v_jour AS
SELECT c.nom AS machine,
       c.type_cu AS type,
       s.date_production AS jour,
       s.total_pieces AS pieces,
       s.heure_premiere_piece AS premiere_piece,
       s.heure_derniere_piece AS derniere_piece,
       trim_scale(d.production_s) AS production_s,
       trim_scale(d.effectif_s) AS effectif_s,
       trim_scale(d.attente_s) AS attente_s,
       trim_scale(d.arret_s) AS arret_s,
       s.taux_occupation::numeric AS taux_occupation,
       s.taux_attente::numeric AS taux_attente,
       s.taux_arret_volontaire::numeric AS taux_arret,
       CASE WHEN d.production_s > 0
            THEN round(s.total_pieces * 3600 / d.production_s, 2) END AS pieces_par_heure,
       trim_scale(cy.cycle_median_s) AS cycle_median_s,
       (SELECT count(*) FROM periode_attente a WHERE a.session_id = s.id) AS nb_attentes,
       (SELECT count(*) FROM periode_arret r WHERE r.session_id = s.id) AS nb_arrets,
       s.fichier_log_source AS fichier,
       f.lignes_rejetees,
       f.traite_le AS ingere_le
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  CROSS JOIN LATERAL (
        SELECT coalesce(extract(epoch FROM s.heure_derniere_piece - s.heure_premiere_piece),
                        s.duree_production_totale * 3600, 0) AS production_s,
               CASE WHEN p.n > 0 THEN p.production ELSE s.temps_production_effectif * 3600 END
                   AS effectif_s,
               CASE WHEN p.n > 0 THEN p.attente ELSE s.temps_attente * 3600 END AS attente_s,
               CASE WHEN p.n > 0 THEN p.arret ELSE s.temps_arret_volontaire * 3600 END
                   AS arret_s
          FROM (SELECT count(*) AS n,
                       coalesce(sum(extract(epoch FROM e.fin - e.debut))
                                FILTER (WHERE e.etat = 'production'), 0) AS production,
                       coalesce(sum(extract(epoch FROM e.fin - e.debut))
                                FILTER (WHERE e.etat = 'attente'), 0) AS attente,
                       coalesce(sum(extract(epoch FROM e.fin - e.debut))
                                FILTER (WHERE e.etat = 'arret'), 0) AS arret
                  FROM periode_etat e WHERE e.session_id = s.id) p) d
  LEFT JOIN LATERAL (
        SELECT extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap))
                   AS cycle_median_s
          FROM (SELECT pp.timestamp_production
                       - lag(pp.timestamp_production) OVER (ORDER BY pp.timestamp_production)
                       AS gap
                  FROM piece_production pp WHERE pp.session_id = s.id) g
         WHERE g.gap IS NOT NULL) cy ON true
  LEFT JOIN fichier_log f ON f.chemin = s.fichier_log_source;

-- v_semaine / v_mois: sums per machine and ISO week (its Monday) or calendar month (its first
-- day). Rates are weighted by time, Σ effective / Σ production (0 when Σ production is 0, as
-- for a day), never means of daily percentages.
CREATE OR REPLACE VIEW v_semaine AS
SELECT machine, type,
       date_trunc('week', jour)::date AS semaine,
       count(*) AS jours,
       sum(pieces) AS pieces,
       trim_scale(sum(production_s)) AS production_s,
       trim_scale(sum(effectif_s)) AS effectif_s,
       trim_scale(sum(attente_s)) AS attente_s,
       trim_scale(sum(arret_s)) AS arret_s,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(effectif_s) / sum(production_s), 2) ELSE 0 END
           AS taux_occupation,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(attente_s) / sum(production_s), 2) ELSE 0 END AS taux_attente,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(arret_s) / sum(production_s), 2) ELSE 0 END AS taux_arret,
       CASE WHEN sum(production_s) > 0
            THEN round(sum(pieces) * 3600 / sum(production_s), 2) END AS pieces_par_heure
  FROM v_jour
 GROUP BY machine, type, date_trunc('week', jour)::date;

CREATE OR REPLACE VIEW v_mois AS
SELECT machine, type,
       date_trunc('month', jour)::date AS mois,
       count(*) AS jours,
       sum(pieces) AS pieces,
       trim_scale(sum(production_s)) AS production_s,
       trim_scale(sum(effectif_s)) AS effectif_s,
       trim_scale(sum(attente_s)) AS attente_s,
       trim_scale(sum(arret_s)) AS arret_s,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(effectif_s) / sum(production_s), 2) ELSE 0 END
           AS taux_occupation,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(attente_s) / sum(production_s), 2) ELSE 0 END AS taux_attente,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(arret_s) / sum(production_s), 2) ELSE 0 END AS taux_arret,
       CASE WHEN sum(production_s) > 0
            THEN round(sum(pieces) * 3600 / sum(production_s), 2) END AS pieces_par_heure
  FROM v_jour
 GROUP BY machine, type, date_trunc('month', jour)::date;

-- v_etat: what a day's state timeline draws.
CREATE OR REPLACE VIEW v_etat AS
SELECT c.nom AS machine,
       c.type_cu AS type,
       s.date_production AS jour,
       e.etat,
       e.debut,
       e.fin,
       trim_scale(extract(epoch FROM e.fin - e.debut)) AS duree_s
  FROM periode_etat e
  JOIN session_production s ON s.id = e.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id;

-- v_pieces_heure: pieces per clock hour. heure is the hour's start (a timestamp, so pieces
-- logged after midnight in a day's file keep their real hour); every hour from the first
-- piece's to the last piece's is present, with 0 where nothing was produced.
CREATE OR REPLACE VIEW v_pieces_heure AS
SELECT c.nom AS machine,
       s.date_production AS jour,
       h.heure,
       (SELECT count(*) FROM piece_production pp
         WHERE pp.session_id = s.id
           AND pp.timestamp_production >= h.heure
           AND pp.timestamp_production < h.heure + interval '1 hour') AS pieces
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  CROSS JOIN LATERAL generate_series(date_trunc('hour', s.heure_premiere_piece),
                                     s.heure_derniere_piece, interval '1 hour') AS h(heure);

-- v_fraicheur: is every machine still sending its files? The span is the 30 days up to the
-- last production date of any machine. A file's day is its session's production date, or
-- failing that (a rejected file) the YYYYMMDD its name starts with. jours_sans_fichier_30j
-- counts the days of the span, from the machine's first known day on, with no file of that
-- machine; fichiers_rejets_30j the machine's files of the span that are rejete or have
-- rejected lines. derniere_ingestion: the latest file processed without error.
CREATE OR REPLACE VIEW v_fraicheur AS
WITH ref AS (
    SELECT max(date_production) AS fin FROM session_production
), fichier_jour AS (
    SELECT f.centre_usinage_id AS machine_id, f.statut, f.lignes_rejetees,
           coalesce(s.date_production,
                    CASE WHEN substring(f.chemin FROM '(?:^|/)(\d{8})[^/]*$') IS NOT NULL
                         THEN to_date(substring(f.chemin FROM '(?:^|/)(\d{8})[^/]*$'),
                                      'YYYYMMDD') END) AS jour
      FROM fichier_log f
      LEFT JOIN session_production s
             ON s.fichier_log_source = f.chemin AND s.centre_usinage_id = f.centre_usinage_id
), jours AS (
    SELECT machine_id, jour FROM fichier_jour WHERE jour IS NOT NULL
    UNION
    SELECT centre_usinage_id, date_production FROM session_production
)
SELECT c.nom AS machine,
       c.type_cu AS type,
       (SELECT max(s.date_production) FROM session_production s
         WHERE s.centre_usinage_id = c.id) AS dernier_jour,
       (SELECT max(f.traite_le) FROM fichier_log f
         WHERE f.centre_usinage_id = c.id AND f.statut <> 'erreur') AS derniere_ingestion,
       CASE WHEN ref.fin IS NOT NULL THEN (SELECT count(*) FROM generate_series(
                   greatest(ref.fin - 29,
                            (SELECT min(j.jour) FROM jours j WHERE j.machine_id = c.id)),
                   ref.fin, interval '1 day') AS g(jour)
         WHERE NOT EXISTS (SELECT 1 FROM jours j
                            WHERE j.machine_id = c.id AND j.jour = g.jour::date)) END
           AS jours_sans_fichier_30j,
       (SELECT count(*) FROM fichier_jour fj
         WHERE fj.machine_id = c.id AND fj.jour BETWEEN ref.fin - 29 AND ref.fin
           AND (fj.statut = 'rejete' OR fj.lignes_rejetees > 0)) AS fichiers_rejets_30j
  FROM centre_usinage c CROSS JOIN ref;

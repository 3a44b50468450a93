-- 009_secondes_exactes — the session's exact durations on its row, so that the views read
-- columns instead of aggregating detail rows.
--
-- Measured (cuwatch-genlogs --machines 50 --days 31 --lines 5000, release build, PostgreSQL 15
-- defaults): v_jour over that month took 2.8 s and v_pieces_heure 3.0 s, almost all of it JIT
-- compilation that the planner chose because the per-session aggregates (periode_etat sums,
-- the fallbacks computing from the pieces) made the estimated cost of a month large.
--   production_secondes, effectif_secondes, attente_secondes, arret_secondes
--     the session's durations in exact seconds (µs kept), written by the ingest from the same
--     computation as the hour columns and periode_etat: the metrics are the sums of the
--     periods (parser/metrics.c), so these equal periode_etat's sums per state.
-- v_jour reads them (a session without them, the old service's, falls back to its first and
-- last piece and its hour columns × 3600) and cycle_median_secondes (NULL for a session stored without it); v_pieces_heure
-- reads pieces_heure, and only for a session stored without it counts its pieces (hours
-- with pieces only). Sessions lacking the new columns have their file re-read by the next
-- reconciliation, as migration 005 did. The views' columns do not change.

ALTER TABLE session_production
    ADD COLUMN IF NOT EXISTS production_secondes NUMERIC,
    ADD COLUMN IF NOT EXISTS effectif_secondes NUMERIC,
    ADD COLUMN IF NOT EXISTS attente_secondes NUMERIC,
    ADD COLUMN IF NOT EXISTS arret_secondes NUMERIC;

UPDATE fichier_log SET empreinte = NULL, taille = -1
 WHERE statut = 'ok'
   AND chemin IN (SELECT fichier_log_source FROM session_production
                   WHERE production_secondes IS NULL);

-- nb_attentes / nb_arrets count the session's periode_attente / periode_arret rows: the waits
-- and stops as logged, including those outside the production window or overlapping.
CREATE OR REPLACE VIEW v_jour AS
SELECT c.nom AS machine,
       c.type_cu AS type,
       s.date_production AS jour,
       s.total_pieces AS pieces,
       s.heure_premiere_piece AS premiere_piece,
       s.heure_derniere_piece AS derniere_piece,
       d.production_s,
       d.effectif_s,
       d.attente_s,
       d.arret_s,
       s.taux_occupation::numeric AS taux_occupation,
       s.taux_attente::numeric AS taux_attente,
       s.taux_arret_volontaire::numeric AS taux_arret,
       CASE WHEN d.production_s > 0
            THEN round(s.total_pieces * 3600 / d.production_s, 2) END AS pieces_par_heure,
       trim_scale(s.cycle_median_secondes) AS cycle_median_s,
       (SELECT count(*) FROM periode_attente a WHERE a.session_id = s.id) AS nb_attentes,
       (SELECT count(*) FROM periode_arret r WHERE r.session_id = s.id) AS nb_arrets,
       s.fichier_log_source AS fichier,
       f.lignes_rejetees,
       f.traite_le AS ingere_le
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  CROSS JOIN LATERAL (
        SELECT trim_scale(coalesce(s.production_secondes,
                                   extract(epoch FROM s.heure_derniere_piece
                                                      - s.heure_premiere_piece),
                                   s.duree_production_totale * 3600, 0)) AS production_s,
               trim_scale(coalesce(s.effectif_secondes, s.temps_production_effectif * 3600, 0))
                   AS effectif_s,
               trim_scale(coalesce(s.attente_secondes, s.temps_attente * 3600, 0)) AS attente_s,
               trim_scale(coalesce(s.arret_secondes, s.temps_arret_volontaire * 3600, 0))
                   AS arret_s) d
  LEFT JOIN fichier_log f ON f.chemin = s.fichier_log_source;

CREATE OR REPLACE VIEW v_pieces_heure AS
SELECT c.nom AS machine,
       s.date_production AS jour,
       date_trunc('hour', s.heure_premiere_piece) + (u.i - 1) * interval '1 hour' AS heure,
       u.pieces::bigint AS pieces
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  CROSS JOIN LATERAL unnest(s.pieces_heure) WITH ORDINALITY AS u(pieces, i)
 WHERE s.pieces_heure IS NOT NULL
UNION ALL
SELECT c.nom, s.date_production, date_trunc('hour', pp.timestamp_production), count(*)
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  JOIN piece_production pp ON pp.session_id = s.id
 WHERE s.pieces_heure IS NULL
 GROUP BY c.nom, s.date_production, date_trunc('hour', pp.timestamp_production);

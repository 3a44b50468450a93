-- 008_rythme_pieces — the pieces' rhythm computed once, at ingest, instead of by every query.
--
-- v_jour.cycle_median_s and v_pieces_heure computed from piece_production sorted and counted
-- every piece of every selected day: 10 s for a month of 50 machines at ~4,700 pieces a day
-- (bench: cuwatch-genlogs --machines 50 --days 31 --lines 5000). The parser has the pieces in
-- timestamp order already, so the ingest now stores on the session row:
--   cycle_median_secondes  the median gap between consecutive pieces (NULL below two pieces)
--   pieces_heure           pieces per clock hour, from the hour of the first piece to the hour
--                          of the last one (NULL without pieces, or over 1,000 hours apart)
-- The views read them, and compute the old way only for a session stored without them (an
-- older version's, whose file has not been re-read). Their columns do not change.

ALTER TABLE session_production
    ADD COLUMN IF NOT EXISTS cycle_median_secondes NUMERIC,
    ADD COLUMN IF NOT EXISTS pieces_heure INTEGER[];

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
       CASE WHEN s.cycle_median_secondes IS NOT NULL THEN trim_scale(s.cycle_median_secondes)
            ELSE (SELECT trim_scale(extract(epoch FROM
                             percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap)))
                    FROM (SELECT pp.timestamp_production
                                 - lag(pp.timestamp_production)
                                   OVER (ORDER BY pp.timestamp_production) AS gap
                            FROM piece_production pp WHERE pp.session_id = s.id) g
                   WHERE g.gap IS NOT NULL) END AS cycle_median_s,
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
  LEFT JOIN fichier_log f ON f.chemin = s.fichier_log_source;
;

-- v_pieces_heure: the stored counts, one row per clock hour from the first piece's to the last
-- piece's (0 where nothing was produced); for a session without them, the same from its
-- pieces (every hour of the window up to 1,000 hours, past that only hours with pieces).
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
SELECT c.nom, s.date_production, h.heure,
       (SELECT count(*) FROM piece_production pp
         WHERE pp.session_id = s.id AND pp.timestamp_production >= h.heure
           AND pp.timestamp_production < h.heure + interval '1 hour')
  FROM session_production s
  JOIN centre_usinage c ON c.id = s.centre_usinage_id
  CROSS JOIN LATERAL (
        SELECT g.heure FROM generate_series(date_trunc('hour', s.heure_premiere_piece),
                                            s.heure_derniere_piece, interval '1 hour') AS g(heure)
         WHERE s.heure_derniere_piece - s.heure_premiere_piece < interval '1000 hours'
        UNION
        SELECT DISTINCT date_trunc('hour', pp.timestamp_production) FROM piece_production pp
         WHERE pp.session_id = s.id
           AND s.heure_derniere_piece - s.heure_premiere_piece >= interval '1000 hours') h
 WHERE s.pieces_heure IS NULL;

-- 010_taux_zero — a week or month without production shows its rates as 0.00, like a day.
--
-- v_semaine and v_mois wrote a literal 0 there, so a CSV or a report printed "0" beside
-- "71.55". Same columns and types (numeric); only the zero's scale changes.

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
            THEN round(100 * sum(effectif_s) / sum(production_s), 2) ELSE 0.00 END
           AS taux_occupation,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(attente_s) / sum(production_s), 2) ELSE 0.00 END AS taux_attente,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(arret_s) / sum(production_s), 2) ELSE 0.00 END AS taux_arret,
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
            THEN round(100 * sum(effectif_s) / sum(production_s), 2) ELSE 0.00 END
           AS taux_occupation,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(attente_s) / sum(production_s), 2) ELSE 0.00 END AS taux_attente,
       CASE WHEN sum(production_s) > 0
            THEN round(100 * sum(arret_s) / sum(production_s), 2) ELSE 0.00 END AS taux_arret,
       CASE WHEN sum(production_s) > 0
            THEN round(sum(pieces) * 3600 / sum(production_s), 2) END AS pieces_par_heure
  FROM v_jour
 GROUP BY machine, type, date_trunc('month', jour)::date;

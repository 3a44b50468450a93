-- 011_vues_rapport — two more views, so that the report reads views only (SPEC §8 "drawn from
-- the views"), and v_fraicheur no longer failing on a file named like 20251399.LOG. The
-- names and columns of the six views of SPEC §8 do not change.
--
-- v_jobs(machine, type, jour, rang, debut, reference, longueur, couleur)
--   one row per job change (job_profil) with its machine and production date; rang is its
--   place in the day, 1 first, by start time then as logged (two jobs may start in the same
--   second). What the report's timelines mark.
-- v_rejets(machine, type, jour, fichier, statut, lignes_rejetees, message, ingere_le, ligne,
--          raison, contenu)
--   one row per rejected line (ligne_rejetee) of a file that has some, and one row with ligne,
--   raison and contenu NULL for a file rejected or in error without any: what went wrong in
--   the files, for the report's data-quality page. jour is the file's session's production
--   date or, failing that (a file rejected whole), the YYYYMMDD its name starts with (as in
--   v_fraicheur; NULL when the name holds no valid date); machine is NULL for a file whose
--   folder matched no machine.
--
-- Both are written so that a selection on machine and jour reaches the base tables: rang is
-- numbered per (machine, jour), so PostgreSQL pushes such a WHERE below the numbering, and
-- v_rejets has no aggregate to compute for every file first.

-- The date a file's name gives, or NULL: to_date() raises an error on 20251399, which would
-- make every read of the view fail because of one oddly named upload.
CREATE OR REPLACE FUNCTION cu_jour_du_nom(chemin text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN m[1]::int > 0
                 AND m[3]::int <= extract(day FROM make_date(m[1]::int, m[2]::int, 1)
                                                   + interval '1 month - 1 day')
                THEN make_date(m[1]::int, m[2]::int, m[3]::int) END
      FROM regexp_match(chemin, '(?:^|/)(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[^/]*$') m
$$;

CREATE OR REPLACE VIEW v_jobs AS
SELECT c.nom AS machine,
       c.type_cu AS type,
       s.date_production AS jour,
       row_number() OVER (PARTITION BY c.nom, s.date_production
                          ORDER BY j.timestamp_debut, j.id) AS rang,
       j.timestamp_debut AS debut,
       j.reference,
       j.longueur,
       j.couleur
  FROM job_profil j
  JOIN session_production s ON s.id = j.session_id
  JOIN centre_usinage c ON c.id = s.centre_usinage_id;

CREATE OR REPLACE VIEW v_rejets AS
SELECT c.nom AS machine,
       c.type_cu AS type,
       coalesce(s.date_production, cu_jour_du_nom(f.chemin)) AS jour,
       f.chemin AS fichier,
       f.statut,
       f.lignes_rejetees,
       f.message,
       f.traite_le AS ingere_le,
       l.numero_ligne AS ligne,
       l.raison,
       l.contenu
  FROM fichier_log f
  LEFT JOIN centre_usinage c ON c.id = f.centre_usinage_id
  LEFT JOIN session_production s
         ON s.fichier_log_source = f.chemin AND s.centre_usinage_id = f.centre_usinage_id
  LEFT JOIN ligne_rejetee l ON l.fichier_id = f.id
 WHERE f.lignes_rejetees > 0 OR f.statut <> 'ok';

-- v_fraicheur, unchanged but for a file's day from its name: cu_jour_du_nom instead of
-- to_date, which raised "date/time field value out of range" for an upload named
-- 20251399.LOG and so failed every read of the view (and every report) until it was removed.
CREATE OR REPLACE VIEW v_fraicheur AS
WITH ref AS (
    SELECT max(date_production) AS fin FROM session_production
), fichier_jour AS (
    SELECT f.centre_usinage_id AS machine_id, f.statut, f.lignes_rejetees,
           coalesce(s.date_production, cu_jour_du_nom(f.chemin)) AS jour
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

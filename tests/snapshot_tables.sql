-- One line per table: its row count and the md5 of its sorted rows as text, without ids and
-- write timestamps, session and file ids replaced by machine, date and path; detail rows
-- whose session is gone are marked 'orphan'. Two equal outputs mean equal tables.
-- Used by db_lib.sh's snapshot_tables (psql -XAtq).
WITH s AS (SELECT s.id, m.nom || '/' || s.date_production AS k
             FROM session_production s JOIN centre_usinage m ON m.id = s.centre_usinage_id),
rows AS (
  SELECT 'centre_usinage' AS t, (to_jsonb(m) - 'id' - 'date_creation')::text AS r FROM centre_usinage m
  UNION ALL SELECT 'session_production', (to_jsonb(x) - 'id' - 'date_creation' - 'centre_usinage_id')::text || s.k
    FROM session_production x JOIN s ON s.id = x.id
  UNION ALL SELECT 'piece_production', (to_jsonb(d) - 'id' - 'date_creation' - 'session_id')::text || coalesce(s.k, 'orphan')
    FROM piece_production d LEFT JOIN s ON s.id = d.session_id
  UNION ALL SELECT 'job_profil', (to_jsonb(d) - 'id' - 'date_creation' - 'session_id')::text || coalesce(s.k, 'orphan')
    FROM job_profil d LEFT JOIN s ON s.id = d.session_id
  UNION ALL SELECT 'periode_attente', (to_jsonb(d) - 'id' - 'date_creation' - 'session_id')::text || coalesce(s.k, 'orphan')
    FROM periode_attente d LEFT JOIN s ON s.id = d.session_id
  UNION ALL SELECT 'periode_arret', (to_jsonb(d) - 'id' - 'date_creation' - 'session_id')::text || coalesce(s.k, 'orphan')
    FROM periode_arret d LEFT JOIN s ON s.id = d.session_id
  UNION ALL SELECT 'periode_etat', (to_jsonb(d) - 'id' - 'date_creation' - 'session_id')::text || coalesce(s.k, 'orphan')
    FROM periode_etat d LEFT JOIN s ON s.id = d.session_id
  UNION ALL SELECT 'fichier_log', (to_jsonb(f) - 'id' - 'traite_le' - 'duree_ms' - 'centre_usinage_id')::text || coalesce(m.nom, '')
    FROM fichier_log f LEFT JOIN centre_usinage m ON m.id = f.centre_usinage_id
  UNION ALL SELECT 'ligne_rejetee', (to_jsonb(l) - 'id' - 'fichier_id')::text || f.chemin
    FROM ligne_rejetee l JOIN fichier_log f ON f.id = l.fichier_id)
SELECT t.t, count(r.r), md5(coalesce(string_agg(r.r, E'\n' ORDER BY r.r), ''))
  FROM unnest(ARRAY['centre_usinage', 'session_production', 'piece_production', 'job_profil',
                    'periode_attente', 'periode_arret', 'periode_etat', 'fichier_log',
                    'ligne_rejetee']) AS t(t)
  LEFT JOIN rows r ON r.t = t.t
 GROUP BY t.t ORDER BY t.t;

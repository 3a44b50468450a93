-- latency_hook.sql — what the off-the-shelf `inotifywait | while read; do psql; done` hook of
-- bench/latency runs for each closed file: the same session and piece rows cuwatch writes for
-- it (machine upsert, session upsert, pieces replaced), in one transaction, but parsed in SQL
-- and without waits, stops, jobs, metrics or the registry — less work than cuwatch does.
-- Variables: machine, day (YYYYMMDD), rel (root-relative path); the file on standard input.
\set ON_ERROR_STOP 1
BEGIN;
CREATE TEMP TABLE t (l text) ON COMMIT DROP;
\copy t FROM pstdin (DELIMITER E'\x01')
CREATE TEMP TABLE p ON COMMIT DROP AS
    SELECT to_timestamp(left(l, 17), 'YYYYMMDD HH24:MI:SS')::timestamp AS ts,
           row_number() OVER () AS n,
           coalesce(nullif(split_part(l, ': ', 2), ''), '') AS d
    FROM t WHERE l LIKE '%|@StukUitgevoerd%';
WITH m AS (
    INSERT INTO centre_usinage (nom) VALUES (:'machine')
    ON CONFLICT (nom) DO UPDATE SET nom = EXCLUDED.nom RETURNING id
), s AS (
    INSERT INTO session_production (centre_usinage_id, date_production, total_pieces,
                                    heure_premiere_piece, heure_derniere_piece,
                                    fichier_log_source)
    SELECT m.id, to_date(:'day', 'YYYYMMDD'), count(*), min(p.ts), max(p.ts), :'rel'
    FROM m, p GROUP BY m.id
    ON CONFLICT (centre_usinage_id, date_production) DO UPDATE
        SET total_pieces = EXCLUDED.total_pieces, fichier_log_source = EXCLUDED.fichier_log_source
    RETURNING id
), del AS (
    DELETE FROM piece_production WHERE session_id IN (SELECT id FROM s)
)
INSERT INTO piece_production (session_id, numero_piece, timestamp_production, details)
SELECT s.id, p.n, p.ts, p.d FROM s, p;
COMMIT;

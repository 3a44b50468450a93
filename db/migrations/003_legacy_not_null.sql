-- 003_legacy_not_null — the old service declared NOT NULL on columns that SPEC §3 leaves
-- nullable: centre_usinage.type_cu above all (a folder without "(TYPE)" is a machine without
-- type), but also session_production.date_production, job_profil.reference and the detail
-- tables' timestamps and durations. After migration 001 such a database still refused
-- cuwatch's rows (a not-null violation retried for ever). cuwatch's own schema has NOT NULL
-- only on the primary keys and centre_usinage.nom, so every other NOT NULL on the six tables
-- of the old service goes. Dropping NOT NULL loses no data and rewrites nothing; on a
-- database created by cuwatch it finds nothing to do.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT cl.relname AS tbl, a.attname AS col
          FROM pg_attribute a
          JOIN pg_class cl ON cl.oid = a.attrelid
         WHERE cl.relnamespace = current_schema()::regnamespace
           AND cl.relname IN ('centre_usinage', 'session_production', 'job_profil',
                              'periode_attente', 'periode_arret', 'piece_production')
           AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
           AND NOT (cl.relname = 'centre_usinage' AND a.attname = 'nom')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint p
                            WHERE p.conrelid = cl.oid AND p.contype = 'p'
                              AND a.attnum = ANY (p.conkey))
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP NOT NULL', c.tbl, c.col);
    END LOOP;
END $$;

-- 004_counters_bigint — line counts and line numbers are 64-bit in cuwatch (a file of more
-- than 2^31 lines must not overflow its registry row): fichier_log's counters and
-- ligne_rejetee.numero_ligne become BIGINT. fichier_log holds one row per file and
-- ligne_rejetee at most 1,000 per file, so the rewrite is short.
ALTER TABLE fichier_log
    ALTER COLUMN lignes TYPE BIGINT,
    ALTER COLUMN evenements TYPE BIGINT,
    ALTER COLUMN lignes_rejetees TYPE BIGINT;
ALTER TABLE ligne_rejetee ALTER COLUMN numero_ligne TYPE BIGINT;

-- 007_fichier_log_empreinte — an index on the content hash, for moved files (issue 8).
--
-- An ingest of new content at a path asks whether that content is recorded at another path
-- whose file is gone (a renamed machine folder): one indexed look-up per such ingest instead
-- of a scan of the whole registry.
CREATE INDEX IF NOT EXISTS fichier_log_empreinte_idx ON fichier_log (empreinte);

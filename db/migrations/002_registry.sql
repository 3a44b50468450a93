-- 002_registry — cuwatch's own tables (SPEC §3): the registry of every file ever seen, and
-- the rejected lines of each file's latest ingest.
CREATE TABLE IF NOT EXISTS fichier_log (
    id SERIAL PRIMARY KEY,
    chemin TEXT NOT NULL UNIQUE,          -- path relative to the root
    centre_usinage_id INTEGER REFERENCES centre_usinage(id) ON DELETE SET NULL,
    taille BIGINT NOT NULL DEFAULT 0,     -- bytes
    mtime TIMESTAMPTZ,                    -- modification time of the version ingested
    empreinte TEXT,                       -- SHA-256 of the content, lowercase hex
    statut TEXT NOT NULL CHECK (statut IN ('ok', 'rejete', 'erreur')),
    lignes INTEGER NOT NULL DEFAULT 0,
    evenements INTEGER NOT NULL DEFAULT 0,
    lignes_rejetees INTEGER NOT NULL DEFAULT 0,
    traite_le TIMESTAMPTZ NOT NULL DEFAULT now(),
    duree_ms NUMERIC(12,3),
    message TEXT                          -- last error or rejection reason
);
CREATE INDEX IF NOT EXISTS fichier_log_centre_usinage_id_idx ON fichier_log (centre_usinage_id);

CREATE TABLE IF NOT EXISTS ligne_rejetee (
    id BIGSERIAL PRIMARY KEY,
    fichier_id INTEGER NOT NULL REFERENCES fichier_log(id) ON DELETE CASCADE,
    numero_ligne INTEGER NOT NULL,
    contenu TEXT NOT NULL,
    raison TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ligne_rejetee_fichier_id_idx ON ligne_rejetee (fichier_id);

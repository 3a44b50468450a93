-- The tables exactly as the old Python service's create_tables() declared them in its later
-- versions: UNIQUE (nom) and UNIQUE (centre_usinage_id, date_production) this time, and the
-- NOT NULLs that old_schema.sql leaves out — centre_usinage.type_cu above all, which SPEC §3
-- makes optional (a folder without "(TYPE)"). db_legacy_not_null uses it to check that the
-- migrations bring these constraints in line with SPEC.
CREATE TABLE IF NOT EXISTS centre_usinage (
    id SERIAL PRIMARY KEY,
    nom VARCHAR(100) UNIQUE NOT NULL,
    type_cu VARCHAR(50) NOT NULL,
    description TEXT,
    actif BOOLEAN DEFAULT TRUE,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS session_production (
    id SERIAL PRIMARY KEY,
    centre_usinage_id INTEGER REFERENCES centre_usinage(id),
    date_production DATE NOT NULL,
    heure_premiere_piece TIMESTAMP,
    heure_derniere_piece TIMESTAMP,
    heure_premier_machine_start TIMESTAMP,
    heure_dernier_machine_stop TIMESTAMP,
    total_pieces INTEGER DEFAULT 0,
    duree_production_totale DECIMAL(10,4),
    temps_attente DECIMAL(10,4),
    temps_arret_volontaire DECIMAL(10,4),
    temps_production_effectif DECIMAL(10,4),
    taux_occupation DECIMAL(5,2),
    taux_attente DECIMAL(5,2),
    taux_arret_volontaire DECIMAL(5,2),
    fichier_log_source VARCHAR(255),
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(centre_usinage_id, date_production)
);

CREATE TABLE IF NOT EXISTS job_profil (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    reference VARCHAR(50) NOT NULL,
    longueur DECIMAL(10,2),
    couleur VARCHAR(50),
    timestamp_debut TIMESTAMP,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS periode_attente (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    timestamp_debut TIMESTAMP NOT NULL,
    timestamp_fin TIMESTAMP NOT NULL,
    duree_secondes INTEGER NOT NULL,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS periode_arret (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    timestamp_debut TIMESTAMP NOT NULL,
    timestamp_fin TIMESTAMP NOT NULL,
    duree_secondes INTEGER NOT NULL,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS piece_production (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    numero_piece INTEGER NOT NULL,
    timestamp_production TIMESTAMP NOT NULL,
    details TEXT,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- The schema the old Python service created (reconstructed from its CREATE TABLE statements):
-- the same six tables and columns as cuwatch's, but SERIAL ids everywhere, foreign keys
-- without ON DELETE CASCADE and, fatally, no UNIQUE constraint on centre_usinage.nom nor on
-- session_production (centre_usinage_id, date_production) — which its own
-- `INSERT ... ON CONFLICT (nom)` needed ("there is no unique or exclusion constraint matching
-- the ON CONFLICT specification"). tests use it to check cuwatch's migration 1 repairs it.
CREATE TABLE centre_usinage (
    id SERIAL PRIMARY KEY,
    nom VARCHAR(100),
    type_cu VARCHAR(50),
    description VARCHAR(255),
    actif BOOLEAN DEFAULT TRUE,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE session_production (
    id SERIAL PRIMARY KEY,
    centre_usinage_id INTEGER REFERENCES centre_usinage(id),
    date_production DATE,
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
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE job_profil (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    reference VARCHAR(100),
    longueur DECIMAL(10,2),
    couleur VARCHAR(50),
    timestamp_debut TIMESTAMP,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE periode_attente (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    timestamp_debut TIMESTAMP,
    timestamp_fin TIMESTAMP,
    duree_secondes INTEGER,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE periode_arret (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    timestamp_debut TIMESTAMP,
    timestamp_fin TIMESTAMP,
    duree_secondes INTEGER,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE piece_production (
    id SERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id),
    numero_piece INTEGER,
    timestamp_production TIMESTAMP,
    details TEXT,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

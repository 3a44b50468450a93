-- 001_schema — the six tables of the old service (SPEC §3), created when absent and repaired
-- when the old service created them: missing columns added, text columns widened, duplicate
-- machines merged (sessions repointed to the oldest row of that name), duplicate sessions per
-- machine and date merged (the most recent one kept with its details), then the UNIQUE
-- constraints that ON CONFLICT needs and ON DELETE CASCADE on the detail tables.
-- Runs in one transaction (the migration runner's); on an empty database every repair step
-- finds nothing to do. A state it cannot repair raises an error whose HINT says what to fix.

CREATE TABLE IF NOT EXISTS centre_usinage (
    id SERIAL PRIMARY KEY,
    nom TEXT NOT NULL,
    type_cu TEXT,
    description TEXT,
    actif BOOLEAN DEFAULT TRUE,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS session_production (
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
    fichier_log_source TEXT,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS job_profil (
    id BIGSERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id) ON DELETE CASCADE,
    reference TEXT,
    longueur NUMERIC,
    couleur TEXT,
    timestamp_debut TIMESTAMP,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS periode_attente (
    id BIGSERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id) ON DELETE CASCADE,
    timestamp_debut TIMESTAMP,
    timestamp_fin TIMESTAMP,
    duree_secondes INTEGER,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS periode_arret (
    id BIGSERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id) ON DELETE CASCADE,
    timestamp_debut TIMESTAMP,
    timestamp_fin TIMESTAMP,
    duree_secondes INTEGER,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS piece_production (
    id BIGSERIAL PRIMARY KEY,
    session_id INTEGER REFERENCES session_production(id) ON DELETE CASCADE,
    numero_piece INTEGER,
    timestamp_production TIMESTAMP,
    details TEXT,
    date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Columns an older schema may lack (no-ops on the tables created just above).
ALTER TABLE centre_usinage
    ADD COLUMN IF NOT EXISTS nom TEXT,
    ADD COLUMN IF NOT EXISTS type_cu TEXT,
    ADD COLUMN IF NOT EXISTS description TEXT,
    ADD COLUMN IF NOT EXISTS actif BOOLEAN DEFAULT TRUE,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE session_production
    ADD COLUMN IF NOT EXISTS centre_usinage_id INTEGER REFERENCES centre_usinage(id),
    ADD COLUMN IF NOT EXISTS date_production DATE,
    ADD COLUMN IF NOT EXISTS heure_premiere_piece TIMESTAMP,
    ADD COLUMN IF NOT EXISTS heure_derniere_piece TIMESTAMP,
    ADD COLUMN IF NOT EXISTS heure_premier_machine_start TIMESTAMP,
    ADD COLUMN IF NOT EXISTS heure_dernier_machine_stop TIMESTAMP,
    ADD COLUMN IF NOT EXISTS total_pieces INTEGER DEFAULT 0,
    ADD COLUMN IF NOT EXISTS duree_production_totale DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS temps_attente DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS temps_arret_volontaire DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS temps_production_effectif DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS taux_occupation DECIMAL(5,2),
    ADD COLUMN IF NOT EXISTS taux_attente DECIMAL(5,2),
    ADD COLUMN IF NOT EXISTS taux_arret_volontaire DECIMAL(5,2),
    ADD COLUMN IF NOT EXISTS fichier_log_source TEXT,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE job_profil
    ADD COLUMN IF NOT EXISTS session_id INTEGER,
    ADD COLUMN IF NOT EXISTS reference TEXT,
    ADD COLUMN IF NOT EXISTS longueur NUMERIC,
    ADD COLUMN IF NOT EXISTS couleur TEXT,
    ADD COLUMN IF NOT EXISTS timestamp_debut TIMESTAMP,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE periode_attente
    ADD COLUMN IF NOT EXISTS session_id INTEGER,
    ADD COLUMN IF NOT EXISTS timestamp_debut TIMESTAMP,
    ADD COLUMN IF NOT EXISTS timestamp_fin TIMESTAMP,
    ADD COLUMN IF NOT EXISTS duree_secondes INTEGER,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE periode_arret
    ADD COLUMN IF NOT EXISTS session_id INTEGER,
    ADD COLUMN IF NOT EXISTS timestamp_debut TIMESTAMP,
    ADD COLUMN IF NOT EXISTS timestamp_fin TIMESTAMP,
    ADD COLUMN IF NOT EXISTS duree_secondes INTEGER,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE piece_production
    ADD COLUMN IF NOT EXISTS session_id INTEGER,
    ADD COLUMN IF NOT EXISTS numero_piece INTEGER,
    ADD COLUMN IF NOT EXISTS timestamp_production TIMESTAMP,
    ADD COLUMN IF NOT EXISTS details TEXT,
    ADD COLUMN IF NOT EXISTS date_creation TIMESTAMP DEFAULT CURRENT_TIMESTAMP;

-- Widen bounded text (VARCHAR(n)) and bounded lengths (DECIMAL(p,s)) that a machine folder,
-- a profile reference or a logged detail could overflow: lossless, and VARCHAR -> TEXT does
-- not rewrite the table. A view depending on such a column makes PostgreSQL refuse, naming it.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT table_name, column_name, data_type
          FROM information_schema.columns
         WHERE table_schema = current_schema()
           AND ((data_type = 'character varying' AND (table_name, column_name) IN (
                    ('centre_usinage', 'nom'), ('centre_usinage', 'type_cu'),
                    ('centre_usinage', 'description'),
                    ('session_production', 'fichier_log_source'),
                    ('job_profil', 'reference'), ('job_profil', 'couleur'),
                    ('piece_production', 'details')))
             OR (data_type = 'numeric' AND numeric_precision IS NOT NULL
                 AND (table_name, column_name) = ('job_profil', 'longueur')))
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s', c.table_name, c.column_name,
                       CASE WHEN c.data_type = 'numeric' THEN 'NUMERIC' ELSE 'TEXT' END);
    END LOOP;
END $$;

-- States that cannot be repaired without a human decision.
DO $$
DECLARE
    n bigint;
    ids text;
BEGIN
    SELECT count(*), array_to_string((array_agg(id ORDER BY id))[1:10], ', ')
      INTO n, ids FROM centre_usinage WHERE nom IS NULL OR btrim(nom) = '';
    IF n > 0 THEN
        RAISE EXCEPTION 'cannot migrate: % row(s) of centre_usinage have no nom (id %)', n, ids
            USING HINT = 'Give each of them its machine name (UPDATE centre_usinage SET nom = '
                         '''...'' WHERE id = ...) or delete them, then run cuwatch --migrate again.';
    END IF;
END $$;
ALTER TABLE centre_usinage ALTER COLUMN nom SET NOT NULL;

-- Merge duplicate machines: the oldest row of each name stays, its empty fields filled from
-- the others, and every session of the others is repointed to it.
CREATE TEMP TABLE cu_machine_merge ON COMMIT DROP AS
SELECT id, min(id) OVER (PARTITION BY nom) AS keep FROM centre_usinage;
DELETE FROM cu_machine_merge WHERE id = keep;
UPDATE centre_usinage k
   SET type_cu = COALESCE(k.type_cu, d.type_cu),
       description = COALESCE(k.description, d.description)
  FROM (SELECT m.keep, max(c.type_cu) AS type_cu, max(c.description) AS description
          FROM cu_machine_merge m JOIN centre_usinage c ON c.id = m.id
         GROUP BY m.keep) d
 WHERE k.id = d.keep;
UPDATE session_production s SET centre_usinage_id = m.keep
  FROM cu_machine_merge m WHERE s.centre_usinage_id = m.id;
DELETE FROM centre_usinage c USING cu_machine_merge m WHERE c.id = m.id;

-- Merge duplicate sessions: per machine and date the most recent one (latest date_creation,
-- then highest id) stays with its details; the others and their details go.
CREATE TEMP TABLE cu_session_merge ON COMMIT DROP AS
SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY centre_usinage_id, date_production
                                  ORDER BY date_creation DESC NULLS LAST, id DESC) AS rn
      FROM session_production
     WHERE centre_usinage_id IS NOT NULL AND date_production IS NOT NULL) s
 WHERE rn > 1;
DELETE FROM job_profil WHERE session_id IN (SELECT id FROM cu_session_merge);
DELETE FROM periode_attente WHERE session_id IN (SELECT id FROM cu_session_merge);
DELETE FROM periode_arret WHERE session_id IN (SELECT id FROM cu_session_merge);
DELETE FROM piece_production WHERE session_id IN (SELECT id FROM cu_session_merge);
DELETE FROM session_production WHERE id IN (SELECT id FROM cu_session_merge);

-- The UNIQUE constraints ON CONFLICT needs (unless an equivalent unique index exists).
CREATE FUNCTION pg_temp.cu_has_unique(tbl regclass, cols name[]) RETURNS boolean
LANGUAGE sql AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_index i
         WHERE i.indrelid = tbl AND i.indisunique AND i.indpred IS NULL
           AND i.indexprs IS NULL AND i.indnkeyatts = cardinality(cols)
           AND (SELECT array_agg(a.attname ORDER BY k.ord)
                  FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = tbl AND a.attnum = k.attnum) = cols)
$$;
DO $$
BEGIN
    IF NOT pg_temp.cu_has_unique('centre_usinage', ARRAY['nom']::name[]) THEN
        ALTER TABLE centre_usinage ADD CONSTRAINT centre_usinage_nom_key UNIQUE (nom);
    END IF;
    IF NOT pg_temp.cu_has_unique('session_production',
                                 ARRAY['centre_usinage_id', 'date_production']::name[]) THEN
        ALTER TABLE session_production ADD CONSTRAINT
            session_production_centre_usinage_id_date_production_key
            UNIQUE (centre_usinage_id, date_production);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f'
                      AND conrelid = 'session_production'::regclass
                      AND confrelid = 'centre_usinage'::regclass) THEN
        ALTER TABLE session_production ADD CONSTRAINT session_production_centre_usinage_id_fkey
            FOREIGN KEY (centre_usinage_id) REFERENCES centre_usinage(id);
    END IF;
END $$;

-- Detail rows belong to their session: replace foreign keys without ON DELETE CASCADE.
DO $$
DECLARE
    t text;
    c record;
    n bigint;
BEGIN
    FOREACH t IN ARRAY ARRAY['job_profil', 'periode_attente', 'periode_arret',
                             'piece_production'] LOOP
        FOR c IN SELECT conname FROM pg_constraint
                  WHERE contype = 'f' AND conrelid = t::regclass
                    AND confrelid = 'session_production'::regclass AND confdeltype <> 'c'
        LOOP
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, c.conname);
        END LOOP;
        IF NOT EXISTS (SELECT 1 FROM pg_constraint
                        WHERE contype = 'f' AND conrelid = t::regclass
                          AND confrelid = 'session_production'::regclass) THEN
            EXECUTE format('SELECT count(*) FROM %I d WHERE d.session_id IS NOT NULL AND NOT '
                           'EXISTS (SELECT 1 FROM session_production s WHERE s.id = d.session_id)',
                           t) INTO n;
            IF n > 0 THEN
                RAISE EXCEPTION 'cannot migrate: % row(s) of % refer to a session that does not exist', n, t
                    USING HINT = format('Delete them (DELETE FROM %I WHERE session_id NOT IN '
                                        '(SELECT id FROM session_production)) or set their '
                                        'session_id to NULL, then run cuwatch --migrate again.', t);
            END IF;
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (session_id) '
                           'REFERENCES session_production(id) ON DELETE CASCADE',
                           t, t || '_session_id_fkey');
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (session_id)',
                       t || '_session_id_idx', t);
    END LOOP;
END $$;

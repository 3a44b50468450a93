-- 006_detail_integrity — detail rows belong to an existing session and go with it (SPEC §3),
-- checked once per statement instead of once per row.
--
-- A foreign key checks each inserted row on its own: for COPY piece_production of a 5,000-line
-- file that is ~4,700 index probes and row locks of the one same session, two thirds of the
-- file's ingest (issue 11, bench/ingest --integrity). Here the foreign keys of the detail
-- tables are replaced by statement-level triggers over transition tables:
--   * AFTER INSERT / AFTER UPDATE on a detail table: one query per statement takes the
--     KEY SHARE lock a foreign key takes (once per distinct session, not per row) and fails with
--     SQLSTATE 23503 (foreign_key_violation), naming the key, when a session does not exist;
--   * AFTER DELETE on session_production: deletes the detail rows of the deleted sessions, one
--     statement per detail table (ON DELETE CASCADE);
--   * AFTER UPDATE on session_production: a session id that still has detail rows cannot
--     change (ON UPDATE NO ACTION);
--   * AFTER TRUNCATE on session_production: the detail tables are truncated with it (what
--     TRUNCATE ... CASCADE did; a plain TRUNCATE used to be refused).
-- Concurrency is that of a foreign key: an insert holds KEY SHARE on its sessions until it
-- commits, so a concurrent DELETE of the session waits for it, and then (READ COMMITTED: the
-- trigger's statements take a fresh snapshot) deletes the rows just committed; an insert that
-- comes after a committed delete finds no session and fails. Under REPEATABLE READ or
-- SERIALIZABLE the cascade could not see rows committed after the deleting transaction's
-- snapshot (the foreign key's cascade raises a serialization failure there, which a trigger
-- cannot), so deleting sessions there is refused with a hint to use READ COMMITTED.
--
-- Detail tables are those with the cu_detail_check_ins trigger: the four of the old service and
-- periode_etat (005). A later detail table is attached with SELECT cu_detail_attach('name')
-- (drops its foreign key to session_production, checks no existing row is an orphan, creates
-- the triggers).
-- Dashboards' queries are unaffected: no table, column or index changes.

CREATE OR REPLACE FUNCTION cu_detail_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing integer;
BEGIN
    -- cu_new: the statement's new rows (transition table). Lock every referenced session
    -- FOR KEY SHARE in one go and find any that is absent.
    WITH ids AS (SELECT DISTINCT session_id AS id FROM cu_new WHERE session_id IS NOT NULL),
         locked AS (SELECT s.id FROM session_production s JOIN ids ON s.id = ids.id
                    FOR KEY SHARE OF s)
    SELECT ids.id INTO missing FROM ids WHERE NOT EXISTS (SELECT 1 FROM locked l
                                                          WHERE l.id = ids.id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the session integrity of cuwatch',
                        TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (session_id)=(%s) is not present in table '
                                  '"session_production".', missing),
                  TABLE = TG_TABLE_NAME, COLUMN = 'session_id';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION cu_session_cascade_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'deleting sessions needs READ COMMITTED isolation'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Delete from session_production in a READ COMMITTED transaction: '
                         'its detail rows are deleted by a trigger, which must see rows '
                         'committed concurrently.';
    END IF;
    FOR t IN SELECT tgrelid::regclass FROM pg_trigger
              WHERE tgname = 'cu_detail_check_ins' ORDER BY tgrelid LOOP
        EXECUTE format('DELETE FROM %s d WHERE d.session_id IN (SELECT id FROM cu_old)', t);
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION cu_session_key_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
    gone integer;
BEGIN
    -- The usual update keeps the id: nothing gone, no detail table read.
    IF NOT EXISTS (SELECT 1 FROM cu_old o WHERE NOT EXISTS (SELECT 1 FROM cu_newsess n
                                                            WHERE n.id = o.id)) THEN
        RETURN NULL;
    END IF;
    FOR t IN SELECT tgrelid::regclass FROM pg_trigger
              WHERE tgname = 'cu_detail_check_ins' ORDER BY tgrelid LOOP
        EXECUTE format('SELECT o.id FROM cu_old o WHERE NOT EXISTS (SELECT 1 FROM cu_newsess n'
                       ' WHERE n.id = o.id) AND EXISTS (SELECT 1 FROM %s d'
                       ' WHERE d.session_id = o.id) LIMIT 1', t) INTO gone;
        IF gone IS NOT NULL THEN
            RAISE EXCEPTION 'update on table "session_production" violates the session '
                            'integrity of cuwatch on table "%"', t
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (id)=(%s) is still referenced from table "%s".',
                                      gone, t);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION cu_session_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT tgrelid::regclass FROM pg_trigger
              WHERE tgname = 'cu_detail_check_ins' ORDER BY tgrelid LOOP
        EXECUTE format('TRUNCATE %s', t);
    END LOOP;
    RETURN NULL;
END $$;

-- Makes tbl a detail table of session_production: drops its foreign keys to
-- session_production, refuses existing orphans (saying how to fix them), creates the triggers.
-- Idempotent.
CREATE OR REPLACE FUNCTION cu_detail_attach(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    n bigint;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
              WHERE contype = 'f' AND conrelid = tbl
                AND confrelid = 'session_production'::regclass LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, c.conname);
    END LOOP;
    EXECUTE format('SELECT count(*) FROM %s d WHERE d.session_id IS NOT NULL AND NOT EXISTS '
                   '(SELECT 1 FROM session_production s WHERE s.id = d.session_id)', tbl) INTO n;
    IF n > 0 THEN
        RAISE EXCEPTION 'cannot migrate: % row(s) of % refer to a session that does not exist',
                        n, tbl
            USING HINT = format('Delete them (DELETE FROM %s WHERE session_id NOT IN '
                                '(SELECT id FROM session_production)), then run cuwatch '
                                '--migrate again.', tbl);
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS cu_detail_check_ins ON %s', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS cu_detail_check_upd ON %s', tbl);
    EXECUTE format('CREATE TRIGGER cu_detail_check_ins AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS cu_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION cu_detail_check()', tbl);
    EXECUTE format('CREATE TRIGGER cu_detail_check_upd AFTER UPDATE ON %s'
                   ' REFERENCING NEW TABLE AS cu_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION cu_detail_check()', tbl);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (session_id)',
                   (SELECT relname FROM pg_class WHERE oid = tbl) || '_session_id_idx', tbl);
END $$;

DROP TRIGGER IF EXISTS cu_session_cascade_delete ON session_production;
CREATE TRIGGER cu_session_cascade_delete AFTER DELETE ON session_production
    REFERENCING OLD TABLE AS cu_old FOR EACH STATEMENT
    EXECUTE FUNCTION cu_session_cascade_delete();
DROP TRIGGER IF EXISTS cu_session_key_update ON session_production;
CREATE TRIGGER cu_session_key_update AFTER UPDATE ON session_production
    REFERENCING OLD TABLE AS cu_old NEW TABLE AS cu_newsess FOR EACH STATEMENT
    EXECUTE FUNCTION cu_session_key_update();
DROP TRIGGER IF EXISTS cu_session_truncate ON session_production;
CREATE TRIGGER cu_session_truncate AFTER TRUNCATE ON session_production
    FOR EACH STATEMENT EXECUTE FUNCTION cu_session_truncate();

SELECT cu_detail_attach(t::regclass)
  FROM unnest(ARRAY['job_profil', 'periode_attente', 'periode_arret', 'piece_production',
                    'periode_etat']) AS t
 WHERE to_regclass(t) IS NOT NULL;

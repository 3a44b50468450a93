-- 10-cuwatch-roles.sql — the two database roles cuwatch's stack uses, with only what each needs.
--
--   cuwatch_writer  cuwatch itself: owns cuwatch's tables and views (it creates and migrates
--                   them: `cuwatch --migrate` runs CREATE TABLE / ALTER TABLE / CREATE VIEW,
--                   which only an owner may do), may create in schema public, nothing else:
--                   not a superuser, cannot create databases or roles, cannot touch other
--                   roles' objects.
--   cuwatch_reader  dashboards, Excel, BI tools: SELECT on every table and view of schema
--                   public, now and those later migrations create (default privileges);
--                   read-only transactions and a statement timeout by default.
--
-- Run by a superuser in cuwatch's database, with psql (it uses psql variables):
--   compose   the postgres image runs it once, on a fresh volume, from
--             /docker-entrypoint-initdb.d (deploy/compose.yaml mounts it there);
--   by hand   psql -d logsdb -v writer_password_file=/path -v reader_password_file=/path \
--                  -f 10-cuwatch-roles.sql
-- Passwords are read from files (the compose secrets by default), never typed in here or
-- passed as arguments. Re-running it is safe: roles are updated, not duplicated, and it
-- adopts tables and views that another role (the old service's `user`) created, so it also
-- upgrades a database from before the two roles existed.
\set ON_ERROR_STOP on
\if :{?writer_password_file}
\else
\set writer_password_file /run/secrets/db_password
\endif
\if :{?reader_password_file}
\else
\set reader_password_file /run/secrets/db_reader_password
\endif
\set writer_password `head -n 1 :'writer_password_file'`
\set reader_password `head -n 1 :'reader_password_file'`
SELECT :'writer_password' = '' AS cu_no_writer_pw, :'reader_password' = '' AS cu_no_reader_pw \gset
\if :cu_no_writer_pw
\warn 'cuwatch roles: no password for cuwatch_writer (missing or empty file, see above)'
DO $$ BEGIN RAISE EXCEPTION 'cuwatch roles: the writer password file is missing or empty'; END $$;
\endif
\if :cu_no_reader_pw
\warn 'cuwatch roles: no password for cuwatch_reader (missing or empty file, see above)'
DO $$ BEGIN RAISE EXCEPTION 'cuwatch roles: the reader password file is missing or empty'; END $$;
\endif

BEGIN;
SELECT 'CREATE ROLE ' || r FROM unnest(ARRAY['cuwatch_writer', 'cuwatch_reader']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE cuwatch_writer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'writer_password';
ALTER ROLE cuwatch_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'reader_password';
-- A dashboard cannot write even through a function, nor hold the database with a runaway query.
ALTER ROLE cuwatch_reader SET default_transaction_read_only = on;
ALTER ROLE cuwatch_reader SET statement_timeout = '60s';

GRANT CONNECT ON DATABASE :"DBNAME" TO cuwatch_writer, cuwatch_reader;
-- PostgreSQL 15 no longer lets every role create in public; only the writer may.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO cuwatch_writer;
GRANT USAGE ON SCHEMA public TO cuwatch_reader;

-- Adopt what exists (a database the old service created as `user`): tables (their sequences
-- follow), views, and functions of schema public become the writer's, so that its migrations
-- may alter them.
SELECT format('ALTER %s %s OWNER TO cuwatch_writer',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass)
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   AND c.relowner <> 'cuwatch_writer'::regrole
   AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d
                                         WHERE d.classid = 'pg_class'::regclass
                                           AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
 ORDER BY c.relkind = 'S', c.oid \gexec
SELECT format('ALTER ROUTINE %s OWNER TO cuwatch_writer', p.oid::regprocedure)
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'cuwatch_writer'::regrole \gexec

-- The reader sees every table and view, including those later migrations create.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cuwatch_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE cuwatch_writer IN SCHEMA public
    GRANT SELECT ON TABLES TO cuwatch_reader;
COMMIT;

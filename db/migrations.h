/* migrations.h — the schema migrations embedded in the binary (internal to db/).
 *
 * db/migrations/NNN_name.sql files become cu_migrations[] at build time
 * (db/embed_migrations.cmake), in ascending version order. Each is applied once, in its own
 * transaction, by cu_db_migrate. */
#ifndef CU_MIGRATIONS_H
#define CU_MIGRATIONS_H

typedef struct cu_migration {
    int version;
    const char *name; /* file name without .sql, e.g. "001_schema" */
    const char *sql;
} cu_migration;

extern const cu_migration cu_migrations[];
extern const int cu_n_migrations;

#endif

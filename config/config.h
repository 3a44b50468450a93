/* config.h — cuwatch's configuration (SPEC §6): YAML in, a plain struct out.
 *
 * cu_config_load fills a cu_config from defaults, then the YAML file (if any), then the
 * environment (DB_HOST/DB_NAME/DB_USER/DB_PASS when conninfo is not set). main applies
 * command-line overrides (--root) afterwards.
 *
 * Ownership: the caller owns the cu_config and releases it with cu_config_free; every string
 * in it is heap-allocated and owned by it.
 * Errors: -1 with a message naming the file, line and column ("cuwatch.yaml:4:3: unknown key
 * \"rooot\" in watch"); main exits 2 on them. No message contains the password. */
#ifndef CU_CONFIG_H
#define CU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

typedef struct cu_machine_entry {
    char *folder; /* machine folder name, as on disk */
    char *name;   /* machine name (centre_usinage.nom) */
    char *type;   /* may be NULL */
} cu_machine_entry;

typedef struct cu_config {
    char *source; /* the file read, or NULL when only defaults were used */

    /* watch: */
    char *root;               /* default /home/vsftpd */
    char *pattern;            /* fnmatch(3) pattern, default "*.LOG", case-sensitive */
    int depth;                /* default 1 */
    int64_t reconcile_every_ms; /* 0 = off */
    int64_t settle_ms;        /* default 60000 */
    int64_t max_file_size;    /* bytes; larger files are rejete unread; default 256 MiB */

    /* database: */
    char *conninfo;      /* libpq keyword/value or URI; NULL = libpq defaults / DB_* */
    char *password_file; /* optional; made absolute at load time (see cu_config_load) */

    /* machines: */
    bool machines_auto; /* default true */
    cu_machine_entry *map;
    int n_map;

    /* log: */
    int log_level;  /* cu_log_level, default info */
    int log_format; /* cu_log_format, default text */

    /* metrics: */
    char *metrics_listen; /* "HOST:PORT" as written; NULL = off (the default, or "") */
} cu_config;

/* Default search order when path is NULL: $CUWATCH_CONFIG, then /etc/cuwatch/cuwatch.yaml;
 * when neither exists, defaults only (not an error). An explicitly given path must exist.
 *
 * database.password_file, so that one configuration serves under systemd and from a shell
 * (`sudo cuwatch --check`): a relative password_file (e.g. "db_password") is resolved against
 * $CREDENTIALS_DIRECTORY when it is set (systemd's LoadCredential=), else against the folder
 * of the configuration file; an absolute one is used as written. With no password_file at all,
 * $CREDENTIALS_DIRECTORY/db_password is used when it exists. */
int cu_config_load(cu_config *cfg, const char *path, cu_err *err);
void cu_config_free(cu_config *cfg);

/* Resolves a machine folder to its machine: the map wins; else the "NAME (TYPE)" rule when
 * machines.auto; else the folder name with no type. *name and *type are newly allocated
 * (type may be NULL); the caller frees them. */
void cu_config_machine(const cu_config *cfg, const char *folder, char **name, char **type);

/* libpq connection parameters: keywords/values arrays (NULL-terminated) for
 * PQconnectdbParams with expand_dbname=1, built from conninfo, or from DB_HOST/DB_NAME/
 * DB_USER/DB_PASS when conninfo is unset, plus the password read from password_file.
 * The password never goes into conninfo strings that could be logged. Free with
 * cu_config_conn_free. */
typedef struct cu_conn_params {
    const char **keywords;
    const char **values;
    int n;
} cu_conn_params;
int cu_config_conn_params(const cu_config *cfg, cu_conn_params *out, cu_err *err);
void cu_config_conn_free(cu_conn_params *p);

/* metrics.listen: "HOST:PORT" where HOST is an IPv4 literal, a bracketed IPv6 literal or
 * "localhost" (127.0.0.1); a bare port ("9464" or ":9464") means 127.0.0.1. Host names are
 * refused: no DNS at start-up, and no doubt about which interface is exposed. Port 1-65535.
 * Returns 0 and fills out, or -1 with *why set to a static explanation. */
typedef struct cu_listen_addr {
    struct sockaddr_storage addr;
    socklen_t len;
    bool loopback; /* 127.0.0.0/8 or ::1 */
} cu_listen_addr;
int cu_listen_parse(const char *s, cu_listen_addr *out, const char **why);

/* Whether password_file can be read (or written) by every user on the machine: mode & 006,
 * after following symlinks (Kubernetes mounts secrets through them). Returns true and writes
 * a message naming the file and its mode, never its content, into msg; false when there is no
 * password_file, it cannot be stat'ed (connecting will say why) or its mode is fine. A
 * group-readable file (0640, root:cuwatch) is the recommended set-up, not a warning. */
bool cu_config_password_exposed(const cu_config *cfg, char *msg, size_t len);

/* Parses sizes such as "1048576", "512KiB", "256MiB", "1GiB", "10MB" (KiB/MiB/GiB/TiB are
 * powers of 1024, kB/MB/GB/TB powers of 1000, B or no unit bytes); -1 when invalid, zero or
 * above 1 PiB. */
int cu_size_parse(const char *s, int64_t *bytes);

/* Parses durations such as "0", "500ms", "60s", "15m", "1h", "2d"; -1 when invalid. */
int cu_duration_parse(const char *s, int64_t *ms);

#endif

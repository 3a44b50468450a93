/* db.c — the connection (and why it failed), libpq result helpers, and the file registry.
 *
 * A connection is made from the configuration's keyword/value arrays, with client_encoding
 * forced to UTF8 (all text cuwatch stores is UTF-8) and an application_name so a DBA can see
 * cuwatch in pg_stat_activity. When it fails, a ping with the same parameters tells a server
 * that is not there (retry later) from one that said no (credentials, database name). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "log.h"
#include "text.h"

static void cu_trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    /* libpq's multi-line messages ("...failed: \n\tIs the server running...") become one line. */
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\t') *p = ' ';
}

int cu_pq_fail(cu_err *err, PGconn *conn, const PGresult *r, const char *what)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
    char connmsg[512];
    if (!primary) {
        snprintf(connmsg, sizeof connmsg, "%s",
                 conn && *PQerrorMessage(conn) ? PQerrorMessage(conn) : "unknown error");
        cu_trim_nl(connmsg);
        primary = connmsg;
    }
    cu_fail(err, "%s: %s%s%s%s%s%s", what, primary, detail ? " (" : "", detail ? detail : "",
            detail ? ")" : "", hint ? " HINT: " : "", hint ? hint : "");
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (err && state) snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
    return -1;
}

/* Server notices (NOTICE from CREATE ... IF NOT EXISTS and the like) go to the debug log
 * instead of libpq's default stderr print. */
static void cu_db_notice(void *arg, const char *message)
{
    (void)arg;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", message);
    cu_trim_nl(buf);
    cu_log(CU_LOG_DEBUG, "postgresql: %s", buf);
}

/* Whether database.conninfo (when set) parses; checked before connecting because libpq's
 * parse errors quote the whole string, which may hold a password. */
static bool cu_conninfo_valid(const cu_config *cfg)
{
    if (!cfg->conninfo || !*cfg->conninfo) return true;
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->conninfo, &errmsg);
    PQfreemem(errmsg);
    if (!opts) return false;
    PQconninfoFree(opts);
    return true;
}

/* Masks every password cuwatch was given (password_file, DB_PASS, or inside conninfo) in a
 * libpq message, whatever libpq chose to quote: SPEC §6, no password in any message. */
static void cu_mask(char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0) return;
    for (char *at = strstr(msg, secret); at; at = strstr(at + n, secret))
        memset(at, '*', n);
}

static void cu_redact_password(char *msg, const cu_config *cfg, const char **keywords,
                               const char **values)
{
    for (int i = 0; keywords[i]; i++)
        if (strcmp(keywords[i], "password") == 0) cu_mask(msg, values[i]);
    if (cfg->conninfo && *cfg->conninfo) {
        PQconninfoOption *opts = PQconninfoParse(cfg->conninfo, NULL);
        for (PQconninfoOption *o = opts; o && o->keyword; o++)
            if (strcmp(o->keyword, "password") == 0) cu_mask(msg, o->val);
        PQconninfoFree(opts);
    }
}

/* ---- Deadlines (issue 8) ---------------------------------------------------------------
 * Defaults, each applied only when the user did not set it (conninfo, PG* environment,
 * PGOPTIONS, or a value configured on the server for the role or database):
 *   connect_timeout 10 s     a server that accepts TCP and never answers must not hang
 *                            --check (a container health check), --rescan or --migrate; a
 *                            healthy server answers in milliseconds, 10 s leaves room for a
 *                            loaded one or TLS across a WAN
 *   keepalives on, idle 30 s, interval 10 s, count 3; tcp_user_timeout 30 s
 *                            a peer gone without a FIN/RST (a pulled cable, a failed-over
 *                            VM, a NAT that forgot us) is noticed in about a minute instead
 *                            of the kernel's two hours
 *   statement_timeout 60 s   the longest statement cuwatch runs is one file's COPY, well
 *                            under that for a day's log of a few MB: a minute means
 *                            something is wrong (bigger files: see below)
 *   lock_timeout 30 s        cuwatch's own transactions hold their locks well under a
 *                            second; waiting longer means another client holds a table (a
 *                            dashboard's long transaction, a VACUUM FULL): warn and retry
 *                            with backoff rather than stall in silence
 *   client deadline          statement_timeout + 5 s per query (pq.c): for a server that
 *                            stops answering altogether and so enforces nothing itself
 * A file above 8 MiB gets 1 s more per MiB on both, up to 150 s (its COPY takes time in
 * proportion: a 1 GB file's rows took over a minute here; the cap stays under the systemd
 * watchdog's 3 minutes), and a COPY's deadline restarts with each MiB the
 * server takes. Migrations lift the statement and lock timeouts and the client deadline
 * (migrate.c): a legacy repair may take long, and a second migrator waits for the first. */
#define CU_N_NET_DEFAULTS 6
#define CU_STATEMENT_TIMEOUT "60s"
#define CU_LOCK_TIMEOUT "30s"
#define CU_DEADLINE_GRACE_MS 5000

/* Whether the user set a connection keyword: in conninfo, among the configuration's own
 * parameters, or through its environment variable (env may be NULL). */
static bool cu_user_set(const cu_config *cfg, const char **kw, int n, const char *key,
                        const char *env)
{
    if (env && getenv(env) && *getenv(env)) return true;
    for (int i = 0; i < n; i++)
        if (strcmp(kw[i], key) == 0) return true;
    bool set = false;
    if (cfg->conninfo && *cfg->conninfo) {
        PQconninfoOption *opts = PQconninfoParse(cfg->conninfo, NULL);
        for (PQconninfoOption *o = opts; o && o->keyword; o++)
            if (strcmp(o->keyword, key) == 0 && o->val && *o->val) set = true;
        PQconninfoFree(opts);
    }
    return set;
}

static int cu_net_defaults(const cu_config *cfg, const char **kw, const char **val, int n)
{
    static const struct {
        const char *key, *value, *env;
    } defs[CU_N_NET_DEFAULTS] = {
        {"connect_timeout", "10", "PGCONNECT_TIMEOUT"}, {"keepalives", "1", NULL},
        {"keepalives_idle", "30", NULL},               {"keepalives_interval", "10", NULL},
        {"keepalives_count", "3", NULL},               {"tcp_user_timeout", "30000", NULL},
    };
    int given = n;
    for (int i = 0; i < CU_N_NET_DEFAULTS; i++)
        if (!cu_user_set(cfg, kw, given, defs[i].key, defs[i].env)) {
            kw[n] = defs[i].key;
            val[n++] = defs[i].value;
        }
    return n;
}

/* Whether the user chose this setting in the options given to the server (conninfo's
 * options or PGOPTIONS): then even "0" is theirs to keep. */
static bool cu_option_given(const cu_config *cfg, const char *name)
{
    const char *env = getenv("PGOPTIONS");
    if (env && strstr(env, name)) return true;
    bool given = false;
    if (cfg->conninfo && *cfg->conninfo) {
        PQconninfoOption *opts = PQconninfoParse(cfg->conninfo, NULL);
        for (PQconninfoOption *o = opts; o && o->keyword; o++)
            if (strcmp(o->keyword, "options") == 0 && o->val && strstr(o->val, name)) given = true;
        PQconninfoFree(opts);
    }
    return given;
}

/* statement_timeout and lock_timeout for this session when nobody chose them (still 0, and
 * not in the options), then the client deadline from the statement_timeout in force. */
static int cu_session_defaults(cu_db *db, const cu_config *cfg, cu_err *err)
{
    db->timeout_ms = 60000 + CU_DEADLINE_GRACE_MS; /* for these queries themselves */
    const char *params[2] = {cu_option_given(cfg, "statement_timeout") ? "" : CU_STATEMENT_TIMEOUT,
                             cu_option_given(cfg, "lock_timeout") ? "" : CU_LOCK_TIMEOUT};
    PGresult *r = cu_pq_params(
        db->conn,
        "SELECT set_config('statement_timeout', CASE WHEN $1 <> '' AND"
        "         current_setting('statement_timeout') = '0' THEN $1"
        "         ELSE current_setting('statement_timeout') END, false),"
        "       set_config('lock_timeout', CASE WHEN $2 <> '' AND"
        "         current_setting('lock_timeout') = '0' THEN $2"
        "         ELSE current_setting('lock_timeout') END, false)",
        2, params, "setting the session's timeouts", err);
    if (!r) return -1;
    PQclear(r);
    r = cu_pq_exec(db->conn, "SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'",
                   "reading statement_timeout", err);
    if (!r) return -1;
    long long st = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    db->statement_ms = st > 0 ? st : 0;
    db->timeout_ms = st > 0 ? st + CU_DEADLINE_GRACE_MS : 0;
    return 0;
}

#define CU_SCALE_ABOVE (INT64_C(8) << 20)
#define CU_SCALE_CAP_MS INT64_C(150000)

int cu_db_scale_timeouts(cu_db *db, int64_t bytes, cu_err *err)
{
    if (db->statement_ms <= 0 || bytes <= CU_SCALE_ABOVE) return 0;
    int64_t st = db->statement_ms + (bytes >> 20) * 1000;
    /* At most 150 s (the client deadline then 155 s): under the systemd watchdog's 3 minutes
     * (deploy/cuwatch.service), which must not kill a daemon in a legitimate ingest. */
    if (st > CU_SCALE_CAP_MS)
        st = db->statement_ms > CU_SCALE_CAP_MS ? db->statement_ms : CU_SCALE_CAP_MS;
    char value[32];
    snprintf(value, sizeof value, "%lldms", (long long)st);
    const char *params[1] = {value};
    if (cu_pq_run_params(db->conn, "SELECT set_config('statement_timeout', $1, true)", 1, params,
                         "scaling statement_timeout for a big file", err) != 0)
        return -1;
    db->timeout_ms = st + CU_DEADLINE_GRACE_MS;
    return 0;
}

cu_db *cu_db_connect(const cu_config *cfg, cu_db_conn_error *why, cu_err *err)
{
    cu_db_conn_error dummy;
    if (!why) why = &dummy;
    *why = CU_DB_CONN_OK;
    cu_conn_params p = {0};
    if (cu_config_conn_params(cfg, &p, err) != 0) {
        *why = CU_DB_CONN_CONFIG;
        return NULL;
    }
    /* The configuration's parameters first, then ours: with expand_dbname the later entries
     * win, and cuwatch needs UTF-8 whatever the environment says. */
    const char **kw = cu_xcalloc((size_t)p.n + 3 + CU_N_NET_DEFAULTS, sizeof *kw);
    const char **val = cu_xcalloc((size_t)p.n + 3 + CU_N_NET_DEFAULTS, sizeof *val);
    int n = 0;
    for (int i = 0; i < p.n && p.keywords[i]; i++, n++) {
        kw[n] = p.keywords[i];
        val[n] = p.values[i];
    }
    kw[n] = "client_encoding", val[n++] = "UTF8";
    n = cu_net_defaults(cfg, kw, val, n);
    cu_db *db = NULL;
    PGconn *conn = NULL;
    if (!cu_conninfo_valid(cfg)) {
        /* libpq's own message quotes the string, password included: say it without it. */
        *why = CU_DB_CONN_CONFIG;
        cu_fail(err, "invalid database connection parameters: database.conninfo is not a libpq "
                     "keyword=value string or postgresql:// URI");
        goto out;
    }
    conn = PQconnectdbParams(kw, val, 1);
    if (!conn) {
        *why = CU_DB_CONN_UNREACHABLE;
        cu_fail(err, "database unreachable: out of memory");
    } else if (PQstatus(conn) != CONNECTION_OK) {
        char msg[768];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        cu_trim_nl(msg);
        cu_redact_password(msg, cfg, p.keywords, p.values);
        /* The ping tells a server that refuses us from none at all, but after a connect
         * that timed out it would only wait as long again: that one is unreachable. */
        PGPing ping =
            strstr(msg, "timeout expired") ? PQPING_NO_RESPONSE : PQpingParams(kw, val, 1);
        if (ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT) {
            *why = CU_DB_CONN_UNREACHABLE;
            cu_fail(err, "database unreachable: %s", msg);
        } else if (ping == PQPING_NO_ATTEMPT) {
            *why = CU_DB_CONN_CONFIG;
            cu_fail(err, "invalid database connection parameters: %s", msg);
        } else {
            *why = CU_DB_CONN_REFUSED;
            cu_fail(err, "database connection refused: %s", msg);
        }
        PQfinish(conn);
    } else {
        PQsetNoticeProcessor(conn, cu_db_notice, NULL);
        db = cu_xcalloc(1, sizeof *db);
        db->conn = conn;
        cu_pq_attach(conn, db);
        if (cu_session_defaults(db, cfg, err) != 0) {
            /* The server took the connection but not a first query: not there for us. */
            *why = CU_DB_CONN_UNREACHABLE;
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            cu_fail(err, "database unreachable: %s", msg);
            cu_db_close(db);
            db = NULL;
        }
    }
out:
    free(kw);
    free(val);
    cu_config_conn_free(&p);
    return db;
}

void cu_db_close(cu_db *db)
{
    if (!db) return;
    if (db->conn) PQfinish(db->conn);
    cu_ingest_file_free(db->file);
    cu_sb_free(&db->copy);
    if (db->arr) cu_sb_free(&db->arr->buf);
    free(db->arr);
    cu_ingest_forget(db);
    free(db);
}

bool cu_db_alive(const cu_db *db)
{
    return db && db->conn && PQstatus(db->conn) == CONNECTION_OK;
}

const char *cu_db_server_version(cu_db *db, char buf[32])
{
    const char *v = PQparameterStatus(db->conn, "server_version");
    snprintf(buf, 32, "%s", v ? v : "unknown");
    /* "15.18 (Debian 15.18-0+deb12u1)": the number is enough. */
    char *sp = strchr(buf, ' ');
    if (sp) *sp = '\0';
    return buf;
}

struct pg_conn *cu_db_pgconn(cu_db *db)
{
    return db->conn;
}

/* ---- Registry -------------------------------------------------------------------------- */

#define CU_REGISTRY_SELECT                                                                         \
    "SELECT chemin, taille, (extract(epoch FROM mtime) * 1000000)::int8, "                         \
    "coalesce(empreinte, ''), statut FROM fichier_log"

static void cu_registry_fill(cu_registry_entry *e, const PGresult *r, int row)
{
    e->chemin = cu_xstrdup(PQgetvalue(r, row, 0));
    e->taille = strtoll(PQgetvalue(r, row, 1), NULL, 10);
    e->mtime_us = PQgetisnull(r, row, 2) ? 0 : strtoll(PQgetvalue(r, row, 2), NULL, 10);
    snprintf(e->empreinte, sizeof e->empreinte, "%s", PQgetvalue(r, row, 3));
    snprintf(e->statut, sizeof e->statut, "%s", PQgetvalue(r, row, 4));
}

static int cu_registry_cmp(const void *a, const void *b)
{
    return strcmp(((const cu_registry_entry *)a)->chemin, ((const cu_registry_entry *)b)->chemin);
}

int cu_db_registry_load(cu_db *db, cu_registry *reg, cu_err *err)
{
    reg->entries = NULL;
    reg->n = 0;
    PGresult *r = cu_pq_exec(db->conn, CU_REGISTRY_SELECT, "loading fichier_log", err);
    if (!r) return -1;
    int n = PQntuples(r);
    reg->entries = cu_xcalloc(n > 0 ? (size_t)n : 1, sizeof *reg->entries);
    for (int i = 0; i < n; i++)
        cu_registry_fill(&reg->entries[i], r, i);
    reg->n = (size_t)n;
    PQclear(r);
    qsort(reg->entries, reg->n, sizeof *reg->entries, cu_registry_cmp);
    return 0;
}

static bool cu_name_plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return false;
    return cu_utf8_valid(s, strlen(s));
}

char *cu_db_name_utf8(const char *relpath)
{
    if (cu_name_plain(relpath)) return NULL;
    cu_sb out = {0};
    const char *p = relpath;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        size_t before = out.len;
        cu_text_clean(&out, p, n, SIZE_MAX);
        if (out.len == before && n > 0) cu_sb_puts(&out, "\xEF\xBF\xBD"); /* nothing printable */
        if (!slash) break;
        cu_sb_putc(&out, '/');
        p = slash + 1;
    }
    if (!out.data) return cu_xstrdup("");
    return out.data;
}

const cu_registry_entry *cu_registry_find(const cu_registry *reg, const char *chemin)
{
    if (!reg || reg->n == 0) return NULL;
    char *stored = cu_db_name_utf8(chemin);
    cu_registry_entry key = {.chemin = stored ? stored : (char *)chemin};
    const cu_registry_entry *e = bsearch(&key, reg->entries, reg->n, sizeof key, cu_registry_cmp);
    free(stored);
    return e;
}

void cu_registry_entry_free(cu_registry_entry *e)
{
    if (!e) return;
    free(e->chemin);
    e->chemin = NULL;
}

void cu_registry_free(cu_registry *reg)
{
    if (!reg) return;
    for (size_t i = 0; i < reg->n; i++)
        cu_registry_entry_free(&reg->entries[i]);
    free(reg->entries);
    reg->entries = NULL;
    reg->n = 0;
}

int cu_db_registry_get(cu_db *db, const char *chemin, cu_registry_entry *out, cu_err *err)
{
    char *stored = cu_db_name_utf8(chemin);
    const char *params[1] = {stored ? stored : chemin};
    PGresult *r = cu_pq_params(db->conn, CU_REGISTRY_SELECT " WHERE chemin = $1", 1, params,
                               "reading fichier_log", err);
    free(stored);
    if (!r) return -1;
    int found = PQntuples(r) > 0;
    if (found) cu_registry_fill(out, r, 0);
    PQclear(r);
    return found;
}

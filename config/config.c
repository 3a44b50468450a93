/* config.c — reads cuwatch.yaml (SPEC §6) into a cu_config, and turns it into libpq
 * connection parameters.
 *
 * The file is read whole into memory and loaded with libyaml's document API: a configuration
 * is a few dozen lines, and a document tree lets every check point at the node it is about,
 * so each error carries the file, line and column (1-based) of the offending key or value.
 * The walk is strict on purpose: an unknown key is far more often a typo ("rooot") than a
 * forward-compatible setting, and a daemon that silently ignores `settle: 5 parsecs` would
 * run for months with the wrong value.
 *
 * Secrets: the password only ever lives in the cu_conn_params values handed to libpq. It is
 * read from password_file (or DB_PASS) when the connection parameters are built, never stored
 * in the cu_config, never echoed in a message, and wiped before it is freed. conninfo may
 * also hold a password, so its value is never quoted in messages either. */
#include "config.h"
#include "logfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "log.h"
#include "strbuf.h"

#define CU_CONFIG_DEFAULT_PATH "/etc/cuwatch/cuwatch.yaml"
/* Far beyond any sane configuration; stops a mistaken path (a LOG file, /dev/zero) early. */
#define CU_CONFIG_MAX_BYTES (1024 * 1024)
#define CU_PASSWORD_MAX_BYTES 4096
/* Values quoted in messages are cut so one bad line cannot flood the log. */
#define CU_QUOTE_MAX 64

/* ---- defaults and freeing ------------------------------------------------------------- */

static void cu_config_defaults(cu_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->root = cu_xstrdup("/home/vsftpd");
    cfg->pattern = cu_xstrdup("*.LOG");
    cfg->depth = 1;
    cfg->reconcile_every_ms = 0;
    cfg->settle_ms = 60000;
    cfg->max_file_size = INT64_C(256) << 20;
    cfg->machines_auto = true;
    cfg->log_level = CU_LOG_INFO;
    cfg->log_format = CU_LOG_TEXT;
}

void cu_config_free(cu_config *cfg)
{
    if (!cfg) return;
    free(cfg->source);
    free(cfg->root);
    free(cfg->pattern);
    free(cfg->conninfo);
    free(cfg->password_file);
    free(cfg->metrics_listen);
    for (int i = 0; i < cfg->n_map; i++) {
        free(cfg->map[i].folder);
        free(cfg->map[i].name);
        free(cfg->map[i].type);
    }
    free(cfg->map);
    /* Zeroed so that a second free, or a free after a failed load, is harmless. */
    memset(cfg, 0, sizeof *cfg);
}

/* ---- durations ------------------------------------------------------------------------ */

int cu_duration_parse(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {
        {"ms", 1},          {"s", 1000},       {"sec", 1000},      {"secs", 1000},
        {"seconds", 1000},  {"m", 60000},      {"min", 60000},     {"mins", 60000},
        {"minutes", 60000}, {"h", 3600000},    {"hour", 3600000},  {"hours", 3600000},
        {"d", 86400000},    {"day", 86400000}, {"days", 86400000},
    };
    if (!s) return -1;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Digits with an optional fraction: strtod would also take signs, hex, "inf" and "nan". */
    const char *num = p;
    while (*p >= '0' && *p <= '9')
        p++;
    size_t int_digits = (size_t)(p - num);
    size_t frac_digits = 0;
    if (*p == '.') {
        const char *f = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        frac_digits = (size_t)(p - f);
    }
    if (int_digits == 0 && frac_digits == 0) return -1;
    if (int_digits > 12) return -1;
    double value = strtod(num, NULL);
    while (*p == ' ' || *p == '\t')
        p++;
    const char *unit = p;
    const char *end = unit + strlen(unit);
    while (end > unit && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t ulen = (size_t)(end - unit);
    /* A bare number is seconds, the unit users mean when they write `settle: 60`. */
    double factor = ulen == 0 ? 1000 : -1;
    for (size_t i = 0; factor < 0 && i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].unit) == ulen && strncmp(unit, units[i].unit, ulen) == 0)
            factor = units[i].ms;
    if (factor < 0) return -1;
    double total = round(value * factor);
    /* Ten years: anything longer is a typo, and it keeps the sum far from int64 overflow. */
    if (total > 10.0 * 366 * 86400000) return -1;
    *ms = (int64_t)total;
    return 0;
}

int cu_size_parse(const char *s, int64_t *bytes)
{
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"", 1},          {"B", 1},           {"kB", 1e3},        {"KB", 1e3},
                 {"MB", 1e6},      {"GB", 1e9},        {"TB", 1e12},       {"KiB", 1024.0},
                 {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
    if (!s) return -1;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *num = p;
    while (*p >= '0' && *p <= '9')
        p++;
    size_t int_digits = (size_t)(p - num);
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (int_digits == 0 || int_digits > 16) return -1;
    double value = strtod(num, NULL);
    while (*p == ' ' || *p == '\t')
        p++;
    const char *unit = p;
    const char *end = unit + strlen(unit);
    while (end > unit && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t ulen = (size_t)(end - unit);
    double factor = -1;
    for (size_t i = 0; factor < 0 && i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].unit) == ulen && strncmp(unit, units[i].unit, ulen) == 0)
            factor = units[i].factor;
    if (factor < 0) return -1;
    double total = floor(value * factor);
    if (total < 1 || total > 1125899906842624.0) return -1; /* 1 PiB: a typo beyond */
    *bytes = (int64_t)total;
    return 0;
}

/* ---- the YAML walk -------------------------------------------------------------------- */

typedef struct cu_walk {
    const char *path; /* the file, as named in messages */
    yaml_document_t *doc;
    cu_err *err;
} cu_walk;

/* "file:line:col: " then the message; marks are 0-based in libyaml, 1-based for people. */
static int cu_walk_fail(cu_walk *w, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cu_walk_fail(cu_walk *w, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cu_fail(w->err, "%s:%zu:%zu: %s", w->path, node->start_mark.line + 1,
                   node->start_mark.column + 1, msg);
}

static const char *cu_scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* A scalar for quoting in a message: cut, and with quotes and control characters replaced so
 * the message stays one readable line. */
static const char *cu_quote(const yaml_node_t *n, char out[CU_QUOTE_MAX + 4])
{
    const char *s = n->type == YAML_SCALAR_NODE ? cu_scalar(n) : "";
    size_t i = 0;
    for (; s[i] && i < CU_QUOTE_MAX; i++)
        out[i] = (s[i] == '"' || (unsigned char)s[i] < 0x20) ? '?' : s[i];
    if (s[i]) out[i++] = '.', out[i++] = '.', out[i++] = '.';
    out[i] = '\0';
    return out;
}

static const char *cu_node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    default:
        return "a scalar";
    }
}

/* YAML's null: an empty or ~/null plain scalar. Quoted "null" is a string. */
static bool cu_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = cu_scalar(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Each section is a mapping of known keys; `section:` with nothing after it is empty. */
typedef int (*cu_key_fn)(cu_walk *w, const char *key, const yaml_node_t *value);

static int cu_walk_mapping(cu_walk *w, const yaml_node_t *node, const char *where, cu_key_fn fn,
                           const char *const *keys)
{
    if (cu_is_null(node)) return 0;
    if (node->type != YAML_MAPPING_NODE)
        return cu_walk_fail(w, node, "\"%s\" must be a mapping, not %s", where, cu_node_kind(node));
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return cu_walk_fail(w, k, "keys in \"%s\" must be plain names", where);
        char q[CU_QUOTE_MAX + 4];
        int known = 0;
        for (int i = 0; keys[i]; i++)
            if (strcmp(cu_scalar(k), keys[i]) == 0) known = 1;
        if (!known)
            return cu_walk_fail(w, k, "unknown key \"%s\" in \"%s\"", cu_quote(k, q), where);
        /* A repeated key would make one of the two values silently lost. */
        for (yaml_node_pair_t *e = node->data.mapping.pairs.start; e < p; e++)
            if (strcmp(cu_scalar(yaml_document_get_node(w->doc, e->key)), cu_scalar(k)) == 0)
                return cu_walk_fail(w, k, "duplicate key \"%s\" in \"%s\"", cu_quote(k, q), where);
        if (fn(w, cu_scalar(k), v) != 0) return -1;
    }
    return 0;
}

/* Value readers: a null leaves the default in place; anything else must have the right type.
 * `what` is the dotted key, e.g. "watch.depth". */

static int cu_get_string(cu_walk *w, const yaml_node_t *v, const char *what, bool nullable,
                         char **dst)
{
    if (cu_is_null(v)) {
        if (nullable) {
            free(*dst);
            *dst = NULL;
        }
        return 0;
    }
    if (v->type != YAML_SCALAR_NODE)
        return cu_walk_fail(w, v, "%s must be a string, not %s", what, cu_node_kind(v));
    if (strlen(cu_scalar(v)) != v->data.scalar.length)
        return cu_walk_fail(w, v, "%s contains a NUL character", what);
    free(*dst);
    *dst = cu_xstrdup(cu_scalar(v));
    return 0;
}

static int cu_get_nonempty(cu_walk *w, const yaml_node_t *v, const char *what, char **dst)
{
    if (v->type == YAML_SCALAR_NODE && !cu_is_null(v) && cu_scalar(v)[0] == '\0')
        return cu_walk_fail(w, v, "%s must not be empty", what);
    return cu_get_string(w, v, what, false, dst);
}

static int cu_get_bool(cu_walk *w, const yaml_node_t *v, const char *what, bool *dst)
{
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    if (cu_is_null(v)) return 0;
    if (v->type == YAML_SCALAR_NODE) {
        for (int i = 0; yes[i]; i++)
            if (strcasecmp(cu_scalar(v), yes[i]) == 0) return *dst = true, 0;
        for (int i = 0; no[i]; i++)
            if (strcasecmp(cu_scalar(v), no[i]) == 0) return *dst = false, 0;
    }
    char q[CU_QUOTE_MAX + 4];
    return cu_walk_fail(w, v, "invalid value \"%s\" for %s: expected true or false", cu_quote(v, q),
                        what);
}

static int cu_get_int(cu_walk *w, const yaml_node_t *v, const char *what, int lo, int hi, int *dst)
{
    if (cu_is_null(v)) return 0;
    char q[CU_QUOTE_MAX + 4];
    if (v->type == YAML_SCALAR_NODE) {
        const char *s = cu_scalar(v);
        char *end;
        errno = 0;
        long n = strtol(s, &end, 10);
        if (s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 && n >= lo && n <= hi)
            return *dst = (int)n, 0;
    }
    return cu_walk_fail(w, v, "invalid value \"%s\" for %s: expected an integer from %d to %d",
                        cu_quote(v, q), what, lo, hi);
}

static int cu_get_duration(cu_walk *w, const yaml_node_t *v, const char *what, int64_t *dst)
{
    if (cu_is_null(v)) return 0;
    if (v->type == YAML_SCALAR_NODE && cu_duration_parse(cu_scalar(v), dst) == 0) return 0;
    char q[CU_QUOTE_MAX + 4];
    return cu_walk_fail(w, v,
                        "invalid value \"%s\" for %s: expected a duration such as 0, 500ms, "
                        "60s, 15m, 1h or 1d",
                        cu_quote(v, q), what);
}

/* The sections. The cu_config being filled travels in a struct whose first member is the
 * cu_walk, so every key callback keeps the same signature and casts back to reach it. */
typedef struct cu_walk_cfg {
    cu_walk w;
    cu_config *cfg;
} cu_walk_cfg;

static cu_config *cu_cfg(cu_walk *w)
{
    return ((cu_walk_cfg *)w)->cfg;
}

static int cu_watch_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    cu_config *cfg = cu_cfg(w);
    if (strcmp(key, "root") == 0) return cu_get_nonempty(w, v, "watch.root", &cfg->root);
    if (strcmp(key, "pattern") == 0) return cu_get_nonempty(w, v, "watch.pattern", &cfg->pattern);
    if (strcmp(key, "depth") == 0) return cu_get_int(w, v, "watch.depth", 1, 64, &cfg->depth);
    if (strcmp(key, "reconcile_every") == 0)
        return cu_get_duration(w, v, "watch.reconcile_every", &cfg->reconcile_every_ms);
    if (strcmp(key, "max_file_size") == 0) {
        if (cu_is_null(v)) return 0;
        if (v->type == YAML_SCALAR_NODE && cu_size_parse(cu_scalar(v), &cfg->max_file_size) == 0)
            return 0;
        char q[CU_QUOTE_MAX + 4];
        return cu_walk_fail(w, v,
                            "invalid value \"%s\" for watch.max_file_size: expected a size "
                            "such as 256MiB, 1GiB or 500MB",
                            cu_quote(v, q));
    }
    return cu_get_duration(w, v, "watch.settle", &cfg->settle_ms);
}

static int cu_database_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    cu_config *cfg = cu_cfg(w);
    if (strcmp(key, "conninfo") == 0)
        return cu_get_string(w, v, "database.conninfo", true, &cfg->conninfo);
    return cu_get_string(w, v, "database.password_file", true, &cfg->password_file);
}

static int cu_metrics_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    (void)key; /* "listen", the only key */
    cu_config *cfg = cu_cfg(w);
    if (cu_get_string(w, v, "metrics.listen", true, &cfg->metrics_listen) != 0) return -1;
    if (cfg->metrics_listen && cfg->metrics_listen[0] == '\0') {
        free(cfg->metrics_listen); /* "" is the documented "off" */
        cfg->metrics_listen = NULL;
    }
    if (!cfg->metrics_listen) return 0;
    cu_listen_addr a;
    const char *why;
    if (cu_listen_parse(cfg->metrics_listen, &a, &why) == 0) return 0;
    char q[CU_QUOTE_MAX + 4];
    return cu_walk_fail(w, v, "invalid value \"%s\" for metrics.listen: %s", cu_quote(v, q), why);
}

static int cu_log_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    cu_config *cfg = cu_cfg(w);
    if (cu_is_null(v)) return 0;
    char q[CU_QUOTE_MAX + 4];
    if (strcmp(key, "level") == 0) {
        int level = v->type == YAML_SCALAR_NODE ? cu_log_level_parse(cu_scalar(v)) : -1;
        if (level < 0)
            return cu_walk_fail(w, v,
                                "invalid value \"%s\" for log.level: expected error, warn, info "
                                "or debug",
                                cu_quote(v, q));
        cfg->log_level = level;
        return 0;
    }
    if (v->type == YAML_SCALAR_NODE && strcmp(cu_scalar(v), "text") == 0)
        cfg->log_format = CU_LOG_TEXT;
    else if (v->type == YAML_SCALAR_NODE && strcmp(cu_scalar(v), "json") == 0)
        cfg->log_format = CU_LOG_JSON;
    else
        return cu_walk_fail(w, v, "invalid value \"%s\" for log.format: expected text or json",
                            cu_quote(v, q));
    return 0;
}

/* One machines.map entry: "folder": {name: ..., type: ...}. */
typedef struct cu_entry_walk {
    cu_walk_cfg wc;
    cu_machine_entry *entry;
} cu_entry_walk;

static int cu_entry_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    cu_machine_entry *e = ((cu_entry_walk *)w)->entry;
    if (strcmp(key, "name") == 0) return cu_get_nonempty(w, v, "machines.map name", &e->name);
    if (v->type == YAML_SCALAR_NODE && !cu_is_null(v) && cu_scalar(v)[0] == '\0') {
        free(e->type); /* type: "" reads as no type, like a folder without "(TYPE)" */
        e->type = NULL;
        return 0;
    }
    return cu_get_string(w, v, "machines.map type", true, &e->type);
}

static int cu_machines_map(cu_walk *w, const yaml_node_t *node)
{
    static const char *const entry_keys[] = {"name", "type", NULL};
    cu_config *cfg = cu_cfg(w);
    if (cu_is_null(node)) return 0;
    if (node->type != YAML_MAPPING_NODE)
        return cu_walk_fail(w, node, "\"machines.map\" must be a mapping of folder names, not %s",
                            cu_node_kind(node));
    size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    cfg->map = cu_xcalloc(n, sizeof *cfg->map);
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
        char q[CU_QUOTE_MAX + 4];
        if (k->type != YAML_SCALAR_NODE || cu_scalar(k)[0] == '\0')
            return cu_walk_fail(w, k, "keys in \"machines.map\" must be folder names");
        for (int i = 0; i < cfg->n_map; i++)
            if (strcmp(cfg->map[i].folder, cu_scalar(k)) == 0)
                return cu_walk_fail(w, k, "duplicate folder \"%s\" in \"machines.map\"",
                                    cu_quote(k, q));
        /* Counted before it is filled, so that cu_config_free releases a half-read entry. */
        cu_machine_entry *e = &cfg->map[cfg->n_map++];
        e->folder = cu_xstrdup(cu_scalar(k));
        if (v->type != YAML_MAPPING_NODE)
            return cu_walk_fail(w, v, "machine \"%s\" must be a mapping with name and type",
                                cu_quote(k, q));
        cu_entry_walk ew = {.wc = *(cu_walk_cfg *)w, .entry = e};
        if (cu_walk_mapping(&ew.wc.w, v, "machines.map entry", cu_entry_key, entry_keys) != 0)
            return -1;
        if (!e->name) return cu_walk_fail(w, v, "machine \"%s\" has no name", cu_quote(k, q));
    }
    return 0;
}

static int cu_machines_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    if (strcmp(key, "auto") == 0)
        return cu_get_bool(w, v, "machines.auto", &cu_cfg(w)->machines_auto);
    return cu_machines_map(w, v);
}

static int cu_top_key(cu_walk *w, const char *key, const yaml_node_t *v)
{
    static const char *const watch[] = {"root",   "pattern",       "depth", "reconcile_every",
                                        "settle", "max_file_size", NULL};
    static const char *const database[] = {"conninfo", "password_file", NULL};
    static const char *const machines[] = {"auto", "map", NULL};
    static const char *const log[] = {"level", "format", NULL};
    static const char *const metrics[] = {"listen", NULL};
    if (strcmp(key, "metrics") == 0)
        return cu_walk_mapping(w, v, "metrics", cu_metrics_key, metrics);
    if (strcmp(key, "watch") == 0) return cu_walk_mapping(w, v, "watch", cu_watch_key, watch);
    if (strcmp(key, "database") == 0)
        return cu_walk_mapping(w, v, "database", cu_database_key, database);
    if (strcmp(key, "machines") == 0)
        return cu_walk_mapping(w, v, "machines", cu_machines_key, machines);
    return cu_walk_mapping(w, v, "log", cu_log_key, log);
}

/* ---- reading the file ----------------------------------------------------------------- */

/* Reads a whole small file. *too_big is set when it exceeds max bytes. */
static int cu_slurp(const char *path, size_t max, char **data, size_t *len, bool *too_big)
{
    *too_big = false;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    cu_sb sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (sb.len + n > max) {
            *too_big = true;
            break;
        }
        cu_sb_append(&sb, buf, n);
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed || *too_big) {
        /* May hold a password: wipe before releasing. */
        if (sb.data) memset(sb.data, 0, sb.cap);
        cu_sb_free(&sb);
        errno = failed ? saved : EFBIG;
        return -1;
    }
    cu_sb_putc(&sb, '\0');
    *data = sb.data;
    *len = sb.len - 1;
    return 0;
}

/* Reader errors (bad UTF-8, control characters) come with a byte offset, not a mark. */
static void cu_offset_mark(const char *data, size_t len, size_t offset, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)data[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static int cu_yaml_fail(const char *path, const yaml_parser_t *parser, const char *data, size_t len,
                        cu_err *err)
{
    size_t line = parser->problem_mark.line + 1, col = parser->problem_mark.column + 1;
    if (parser->error == YAML_READER_ERROR)
        cu_offset_mark(data, len, parser->problem_offset, &line, &col);
    if (parser->error == YAML_MEMORY_ERROR) return cu_fail(err, "%s: out of memory", path);
    const char *problem = parser->problem ? parser->problem : "invalid YAML";
    /* The context (e.g. where an unclosed quote opened) only helps when it is elsewhere. */
    if (parser->context && parser->error != YAML_READER_ERROR &&
        (parser->context_mark.line != parser->problem_mark.line ||
         parser->context_mark.column != parser->problem_mark.column))
        return cu_fail(err, "%s:%zu:%zu: invalid YAML: %s (%s at line %zu, column %zu)", path, line,
                       col, problem, parser->context, parser->context_mark.line + 1,
                       parser->context_mark.column + 1);
    return cu_fail(err, "%s:%zu:%zu: invalid YAML: %s", path, line, col, problem);
}

static int cu_config_parse(cu_config *cfg, const char *path, const char *data, size_t len,
                           cu_err *err)
{
    static const char *const top[] = {"watch", "database", "machines", "log", "metrics", NULL};
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    if (!yaml_parser_initialize(&parser)) return cu_fail(err, "%s: out of memory", path);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int rc = cu_yaml_fail(path, &parser, data, len, err);
        yaml_parser_delete(&parser);
        return rc;
    }
    int rc = 0;
    cu_walk_cfg wc = {.w = {.path = path, .doc = &doc, .err = err}, .cfg = cfg};
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    /* An empty file, or one with only comments, has no root node: defaults. */
    if (root) rc = cu_walk_mapping(&wc.w, root, "the configuration", cu_top_key, top);

    /* A second "---" document would be silently ignored: refuse it. */
    if (rc == 0) {
        if (!yaml_parser_load(&parser, &extra)) {
            rc = cu_yaml_fail(path, &parser, data, len, err);
        } else {
            const yaml_node_t *r2 = yaml_document_get_root_node(&extra);
            if (r2) {
                wc.w.doc = &extra;
                rc = cu_walk_fail(&wc.w, r2, "only one YAML document is allowed");
            }
            yaml_document_delete(&extra);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

static int cu_config_read(cu_config *cfg, const char *path, const char *origin, cu_err *err)
{
    char *data;
    size_t len;
    bool too_big;
    if (cu_slurp(path, CU_CONFIG_MAX_BYTES, &data, &len, &too_big) != 0) {
        if (too_big)
            return cu_fail(err, "%s: configuration file is larger than %d bytes", path,
                           CU_CONFIG_MAX_BYTES);
        return cu_fail(err, "cannot read configuration file %s%s: %s", path, origin,
                       strerror(errno));
    }
    int rc = cu_config_parse(cfg, path, data, len, err);
    free(data);
    if (rc == 0) cfg->source = cu_xstrdup(path);
    return rc;
}

/* The password_file rule of config.h. A daemon's working directory is "/", so a relative
 * path resolved against it would be meaningless; the configuration's own folder is where an
 * administrator keeps the file, and systemd's credentials folder is where the same file
 * appears, under the same name, inside the service (LoadCredential=db_password:...). */
static void cu_config_password_path(cu_config *cfg)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    if (creds && !*creds) creds = NULL;
    cu_sb sb = {0};
    if (cfg->password_file && cfg->password_file[0] != '/') {
        if (creds) {
            cu_sb_printf(&sb, "%s/%s", creds, cfg->password_file);
        } else if (cfg->source) {
            char *src = cu_xstrdup(cfg->source);
            cu_sb_printf(&sb, "%s/%s", dirname(src), cfg->password_file);
            free(src);
        }
    } else if (!cfg->password_file && creds) {
        cu_sb_printf(&sb, "%s/db_password", creds);
        if (access(sb.data, F_OK) != 0) cu_sb_free(&sb);
    }
    if (!sb.data) return;
    free(cfg->password_file);
    cfg->password_file = sb.data;
}

int cu_config_load(cu_config *cfg, const char *path, cu_err *err)
{
    cu_config_defaults(cfg);
    const char *origin = "";
    if (!path || !*path) {
        const char *env = getenv("CUWATCH_CONFIG");
        struct stat st;
        if (env && *env) {
            path = env;
            origin = " (from $CUWATCH_CONFIG)";
        } else if (stat(CU_CONFIG_DEFAULT_PATH, &st) == 0 || errno != ENOENT) {
            /* Present, or there but unreadable (EACCES...): read it and report what is
             * wrong, rather than silently running on defaults. */
            path = CU_CONFIG_DEFAULT_PATH;
        } else {
            cu_config_password_path(cfg);
            return 0; /* no file anywhere: defaults */
        }
    }
    if (cu_config_read(cfg, path, origin, err) != 0) {
        cu_config_free(cfg);
        return -1;
    }
    cu_config_password_path(cfg);
    return 0;
}

/* ---- metrics.listen ------------------------------------------------------------------- */

int cu_listen_parse(const char *s, cu_listen_addr *out, const char **why)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(s, ':');
    const char *port_s = colon ? colon + 1 : s;
    char host[64];
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (hlen >= sizeof host) return *why = "expected HOST:PORT with HOST an IP address", -1;
    memcpy(host, s, hlen);
    host[hlen] = '\0';

    char *end;
    errno = 0;
    long port = strtol(port_s, &end, 10);
    if (!(*port_s >= '0' && *port_s <= '9') || *end != '\0' || errno != 0 || port < 1 ||
        port > 65535)
        return *why = "expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9464", -1;

    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->addr;
    if (hlen == 0 || strcmp(host, "localhost") == 0) {
        v4->sin_family = AF_INET;
        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
            return *why = "invalid IPv6 address between the brackets", -1;
        v6->sin6_family = AF_INET6;
    } else if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else {
        return *why = strchr(host, ':') ? "an IPv6 address goes in brackets, e.g. [::1]:9464"
                                        : "HOST must be an IP address or localhost, not a name",
               -1;
    }
    if (out->addr.ss_family == AF_INET) {
        v4->sin_port = htons((uint16_t)port);
        out->len = sizeof *v4;
        out->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else {
        v6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *v6;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    }
    return 0;
}

/* ---- machines ------------------------------------------------------------------------- */

/* The automatic "NAME (TYPE)" rule is the parser's (SPEC §1), so that --parse and the
 * database always agree on a folder's machine. */
static bool cu_config_split_folder(const char *folder, char **name, char **type)
{
    size_t n = strlen(folder);
    char *nbuf = cu_xmalloc(n + 1), *tbuf = cu_xmalloc(n + 1);
    bool has_type;
    cu_folder_machine(folder, nbuf, tbuf, &has_type);
    if (!has_type) {
        free(nbuf);
        free(tbuf);
        return false;
    }
    *name = nbuf;
    *type = tbuf;
    return true;
}

void cu_config_machine(const cu_config *cfg, const char *folder, char **name, char **type)
{
    for (int i = 0; i < cfg->n_map; i++) {
        if (strcmp(cfg->map[i].folder, folder) == 0) {
            *name = cu_xstrdup(cfg->map[i].name);
            *type = cfg->map[i].type ? cu_xstrdup(cfg->map[i].type) : NULL;
            return;
        }
    }
    if (cfg->machines_auto && cu_config_split_folder(folder, name, type)) return;
    *name = cu_xstrdup(folder);
    *type = NULL;
}

/* ---- libpq parameters ----------------------------------------------------------------- */

static void cu_conn_add(cu_conn_params *p, const char *key, char *value)
{
    /* Arrays stay NULL-terminated after every addition; at most 6 entries are ever added. */
    p->keywords[p->n] = key;
    p->values[p->n] = value;
    p->n++;
    p->keywords[p->n] = NULL;
    p->values[p->n] = NULL;
}

static const char *cu_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Reads password_file: one line, trailing newline/CR removed. Messages name the file, never
 * its content. */
static int cu_read_password(const char *path, char **out, cu_err *err)
{
    char *data;
    size_t len;
    bool too_big;
    if (cu_slurp(path, CU_PASSWORD_MAX_BYTES, &data, &len, &too_big) != 0) {
        if (too_big)
            return cu_fail(err, "password file %s is larger than %d bytes", path,
                           CU_PASSWORD_MAX_BYTES);
        return cu_fail(err, "cannot read password file %s: %s", path, strerror(errno));
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        data[--len] = '\0';
    const char *problem = NULL;
    if (len == 0)
        problem = "is empty";
    else if (memchr(data, '\0', len))
        problem = "contains a NUL byte";
    else if (memchr(data, '\n', len) || memchr(data, '\r', len))
        problem = "must hold the password on a single line";
    if (problem) {
        memset(data, 0, len);
        free(data);
        return cu_fail(err, "password file %s %s", path, problem);
    }
    *out = data;
    return 0;
}

int cu_config_conn_params(const cu_config *cfg, cu_conn_params *out, cu_err *err)
{
    enum { CU_CONN_MAX = 6 };
    memset(out, 0, sizeof *out);
    out->keywords = cu_xcalloc(CU_CONN_MAX + 1, sizeof *out->keywords);
    out->values = cu_xcalloc(CU_CONN_MAX + 1, sizeof *out->values);

    /* dbname first: with expand_dbname libpq expands it in place, and later entries (the
     * password from password_file) override what the conninfo string said. */
    const char *db_pass = NULL;
    if (cfg->conninfo && *cfg->conninfo) { /* "" is unset: DB_* and PG* apply */
        cu_conn_add(out, "dbname", cu_xstrdup(cfg->conninfo));
    } else {
        static const struct {
            const char *env, *key;
        } legacy[] = {{"DB_HOST", "host"}, {"DB_NAME", "dbname"}, {"DB_USER", "user"}};
        for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
            const char *v = cu_env(legacy[i].env);
            if (v) cu_conn_add(out, legacy[i].key, cu_xstrdup(v));
        }
        db_pass = cu_env("DB_PASS");
    }
    if (cfg->password_file) {
        char *pw = NULL;
        if (cu_read_password(cfg->password_file, &pw, err) != 0) {
            cu_config_conn_free(out);
            return -1;
        }
        cu_conn_add(out, "password", pw);
    } else if (db_pass) {
        cu_conn_add(out, "password", cu_xstrdup(db_pass));
    }
    cu_conn_add(out, "fallback_application_name", cu_xstrdup("cuwatch"));
    return 0;
}

bool cu_config_password_exposed(const cu_config *cfg, char *msg, size_t len)
{
    struct stat st;
    if (!cfg->password_file || stat(cfg->password_file, &st) != 0) return false;
    if ((st.st_mode & (S_IROTH | S_IWOTH)) == 0) return false;
    snprintf(msg, len,
             "password file %s is %s by every user on this machine (mode %04o): "
             "make it 0600, or 0640 with a group of its own",
             cfg->password_file, st.st_mode & S_IWOTH ? "writable" : "readable",
             (unsigned)(st.st_mode & 07777));
    return true;
}

void cu_config_conn_free(cu_conn_params *p)
{
    if (!p) return;
    for (int i = 0; i < p->n; i++) {
        char *v = (char *)p->values[i];
        /* Values may include the password: leave nothing behind in freed memory. */
        if (v) memset(v, 0, strlen(v));
        free(v);
    }
    free(p->keywords);
    free(p->values);
    memset(p, 0, sizeof *p);
}

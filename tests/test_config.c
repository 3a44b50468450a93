/* test_config.c — unit tests of the config module (SPEC §6): defaults, a full file, every
 * kind of error with its line:column, durations, the lookup order, machine resolution and
 * the libpq parameters, including that no password ever reaches an error message.
 *
 * Configuration files are written with mkstemp into a private temporary directory, so that
 * several test runs can go in parallel; each test removes what it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"

static char g_dir[256];

static int setup_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/cuwatch-test-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    return rmdir(g_dir);
}

/* The environment the module reads is cleared before every test so that none depends on the
 * shell it was started from, nor on the test before it. */
static int clean_env(void **state)
{
    (void)state;
    unsetenv("CUWATCH_CONFIG");
    unsetenv("DB_HOST");
    unsetenv("DB_NAME");
    unsetenv("DB_USER");
    unsetenv("DB_PASS");
    unsetenv("CREDENTIALS_DIRECTORY");
    return 0;
}

/* Writes text into a new file of the temporary directory; the caller unlinks and frees. */
static char *write_temp(const char *text)
{
    char *path = malloc(strlen(g_dir) + 32);
    assert_non_null(path);
    sprintf(path, "%s/cfg-XXXXXX", g_dir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static void remove_temp(char *path)
{
    unlink(path);
    free(path);
}

/* Loads text as a configuration file; on failure err holds the message. */
static int load_text(const char *text, cu_config *cfg, cu_err *err, char **path_out)
{
    char *path = write_temp(text);
    int rc = cu_config_load(cfg, path, err);
    if (path_out)
        *path_out = path;
    else
        remove_temp(path);
    return rc;
}

/* Loading must fail with a message that starts with the file's name and contains `want`. */
static void expect_error(const char *text, const char *want)
{
    cu_config cfg;
    cu_err err = {0};
    char *path;
    int rc = load_text(text, &cfg, &err, &path);
    if (rc != -1 || strncmp(err.msg, path, strlen(path)) != 0 || !strstr(err.msg, want)) {
        print_error("config:\n%s\nwanted: %s\ngot rc=%d: %s\n", text, want, rc, err.msg);
        remove_temp(path);
        fail();
    }
    /* A failed load leaves nothing to free, and freeing it anyway is harmless. */
    assert_null(cfg.root);
    assert_null(cfg.map);
    cu_config_free(&cfg);
    remove_temp(path);
}

static void check_defaults(const cu_config *cfg)
{
    assert_string_equal(cfg->root, "/home/vsftpd");
    assert_string_equal(cfg->pattern, "*.LOG");
    assert_int_equal(cfg->depth, 1);
    assert_int_equal(cfg->reconcile_every_ms, 0);
    assert_int_equal(cfg->settle_ms, 60000);
    assert_int_equal(cfg->max_file_size, 256 * 1024 * 1024);
    assert_null(cfg->conninfo);
    assert_null(cfg->password_file);
    assert_true(cfg->machines_auto);
    assert_int_equal(cfg->n_map, 0);
    assert_int_equal(cfg->log_level, CU_LOG_INFO);
    assert_int_equal(cfg->log_format, CU_LOG_TEXT);
    assert_null(cfg->metrics_listen);
}

/* ---- defaults ------------------------------------------------------------------------- */

static void test_defaults_without_file(void **state)
{
    (void)state;
    if (access("/etc/cuwatch/cuwatch.yaml", F_OK) == 0) skip();
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(cu_config_load(&cfg, NULL, &err), 0);
    assert_null(cfg.source);
    check_defaults(&cfg);
    cu_config_free(&cfg);
}

static void test_empty_and_comment_files(void **state)
{
    (void)state;
    const char *texts[] = {"", "# nothing here\n\n   # indented comment\n", "---\n", "~\n",
                           "watch:\ndatabase:\nmachines:\nlog:\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cu_config cfg;
        cu_err err = {0};
        char *path;
        assert_int_equal(load_text(texts[i], &cfg, &err, &path), 0);
        assert_string_equal(cfg.source, path);
        check_defaults(&cfg);
        cu_config_free(&cfg);
        remove_temp(path);
    }
}

/* ---- a full file ---------------------------------------------------------------------- */

static void test_full_file(void **state)
{
    (void)state;
    cu_config cfg;
    cu_err err = {0};
    const char *path = CU_TEST_DATA "/config/full.yaml";
    if (cu_config_load(&cfg, path, &err) != 0) fail_msg("%s", err.msg);
    assert_string_equal(cfg.source, path);
    assert_string_equal(cfg.root, "/srv/ftp/uploads");
    assert_string_equal(cfg.pattern, "*.log");
    assert_int_equal(cfg.depth, 2);
    assert_int_equal(cfg.reconcile_every_ms, 15 * 60 * 1000);
    assert_int_equal(cfg.settle_ms, 90 * 1000);
    assert_string_equal(cfg.conninfo, "host=db dbname=logsdb user=cuwatch");
    assert_string_equal(cfg.password_file, "/run/secrets/db_password");
    assert_false(cfg.machines_auto);
    assert_int_equal(cfg.n_map, 3);
    const char *want[3][3] = {{"DEM12 (PVC)", "DEM12", "PVC"},
                              {"DEMALU (ALU)", "DEMALU", "ALU"},
                              {"SU12 (HYBRIDE)", "SU12", "HYBRIDE"}};
    for (int i = 0; i < 3; i++) {
        assert_string_equal(cfg.map[i].folder, want[i][0]);
        assert_string_equal(cfg.map[i].name, want[i][1]);
        assert_string_equal(cfg.map[i].type, want[i][2]);
    }
    assert_int_equal(cfg.log_level, CU_LOG_DEBUG);
    assert_int_equal(cfg.log_format, CU_LOG_JSON);
    assert_string_equal(cfg.metrics_listen, "127.0.0.1:9464");
    cu_config_free(&cfg);
    cu_config_free(&cfg); /* a second free is harmless */
}

static void test_null_values_mean_unset(void **state)
{
    (void)state;
    cu_config cfg;
    cu_err err = {0};
    const char *text = "watch:\n  root:\n  depth: ~\n  settle: null\n"
                       "database:\n  conninfo:\n  password_file: ~\n"
                       "machines:\n  auto:\n  map:\n"
                       "log:\n  level:\n  format:\n";
    if (load_text(text, &cfg, &err, NULL) != 0) fail_msg("%s", err.msg);
    check_defaults(&cfg);
    cu_config_free(&cfg);

    /* Quoted, "null" is a string; and a machine's type may be left out. */
    text = "database:\n  conninfo: \"null\"\nmachines:\n  map:\n    A: {name: B}\n"
           "    C: {name: D, type: ~}\n    E: {name: F, type: \"\"}\n";
    if (load_text(text, &cfg, &err, NULL) != 0) fail_msg("%s", err.msg);
    assert_string_equal(cfg.conninfo, "null");
    assert_int_equal(cfg.n_map, 3);
    assert_null(cfg.map[0].type);
    assert_null(cfg.map[1].type);
    assert_null(cfg.map[2].type);
    cu_config_free(&cfg);
}

static void test_booleans(void **state)
{
    (void)state;
    const char *words[] = {"true", "false", "yes", "no", "on", "off", "True", "NO"};
    const bool want[] = {true, false, true, false, true, false, true, false};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "machines:\n  auto: %s\n", words[i]);
        cu_config cfg;
        cu_err err = {0};
        if (load_text(text, &cfg, &err, NULL) != 0) fail_msg("%s: %s", words[i], err.msg);
        if (cfg.machines_auto != want[i]) fail_msg("auto: %s read wrongly", words[i]);
        cu_config_free(&cfg);
    }
}

/* ---- errors with line and column ------------------------------------------------------ */

static void test_unknown_keys(void **state)
{
    (void)state;
    expect_error("watch:\n  root: /x\n  # comment\n  rooot: /y\n",
                 ":4:3: unknown key \"rooot\" in \"watch\"");
    expect_error("# top\ndatabse:\n  conninfo: x\n",
                 ":2:1: unknown key \"databse\" in \"the configuration\"");
    expect_error("log:\n  level: info\n  colour: red\n", ":3:3: unknown key \"colour\" in \"log\"");
    expect_error("machines:\n  map:\n    \"DEM12 (PVC)\": { name: DEM12, kind: PVC }\n",
                 ":3:35: unknown key \"kind\" in \"machines.map entry\"");
    expect_error("watch:\n  depth: 1\n  depth: 2\n", ":3:3: duplicate key \"depth\" in \"watch\"");
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_error("watch:\n  depth: \"abc\"\n", ":2:10: invalid value \"abc\" for watch.depth");
    expect_error("watch:\n  depth: 0\n", ":2:10: invalid value \"0\" for watch.depth");
    expect_error("watch:\n  depth: 1.5\n", ":2:10: invalid value \"1.5\" for watch.depth");
    expect_error("machines:\n  auto: maybe\n",
                 ":2:9: invalid value \"maybe\" for machines.auto: expected true or false");
    expect_error("log:\n  level: loud\n", ":2:10: invalid value \"loud\" for log.level");
    expect_error("log:\n  format: xml\n", ":2:11: invalid value \"xml\" for log.format");
    expect_error("watch:\n  settle: 5 parsecs\n",
                 ":2:11: invalid value \"5 parsecs\" for watch.settle");
    expect_error("watch:\n  reconcile_every: -1m\n",
                 ":2:20: invalid value \"-1m\" for watch.reconcile_every");
    expect_error("watch:\n  max_file_size: 12 parsecs\n",
                 ":2:18: invalid value \"12 parsecs\" for watch.max_file_size: expected a size");
    expect_error("watch:\n  max_file_size: 0\n", ":2:18: invalid value \"0\" for watch.max_file_size");
    expect_error("watch: 5\n", ":1:8: \"watch\" must be a mapping, not a scalar");
    expect_error("- a\n- b\n", ":1:1: \"the configuration\" must be a mapping, not a list");
    expect_error("watch:\n  root: [a, b]\n", ":2:9: watch.root must be a string, not a list");
    expect_error("watch:\n  pattern: \"\"\n", ":2:12: watch.pattern must not be empty");
    expect_error("database:\n  conninfo: {host: db}\n",
                 ":2:13: database.conninfo must be a string, not a mapping");
    expect_error("machines:\n  map:\n    X: DEM12\n",
                 ":3:8: machine \"X\" must be a mapping with name and type");
    expect_error("machines:\n  map:\n    X: {type: PVC}\n", ":3:8: machine \"X\" has no name");
    expect_error("machines:\n  map:\n    X: {name: A}\n    X: {name: B}\n",
                 ":4:5: duplicate folder \"X\" in \"machines.map\"");
    expect_error("machines:\n  map: [a]\n", ":2:8: \"machines.map\" must be a mapping");
    expect_error("watch:\n  root: /a\n---\nwatch:\n  root: /b\n",
                 ":4:1: only one YAML document is allowed");
}

static void test_invalid_yaml(void **state)
{
    (void)state;
    /* A tab used for indentation. */
    expect_error("watch:\n\troot: /x\n", ":2:1: invalid YAML: found character that cannot start");
    /* An unclosed quote: the problem is at the end, the context says where the quote opened. */
    expect_error("watch:\n  root: \"/home/vsftpd\n  depth: 1\n",
                 ":4:1: invalid YAML: found unexpected end of stream (while scanning a quoted "
                 "scalar at line 2, column 9)");
    /* Bad indentation. */
    expect_error("watch:\n  root: /x\n depth: 1\n", ":3:2: invalid YAML");
    /* Invalid UTF-8 is reported at the byte that broke it. */
    expect_error("watch:\n  root: /h\xff\n", ":2:11: invalid YAML: invalid leading UTF-8 octet");
    expect_error("watch:\n  root: *nope\n", ":2:9: invalid YAML: found undefined alias");
}

/* ---- durations ------------------------------------------------------------------------ */

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ms;
    } good[] = {
        {"0", 0},          {"500ms", 500},     {"60s", 60000},        {"15m", 900000},
        {"1h", 3600000},   {"2d", 172800000},  {"60", 60000},         {"1.5s", 1500},
        {"1.5h", 5400000}, {"10 min", 600000}, {"30 seconds", 30000}, {" 5s ", 5000},
        {"0s", 0},         {"0.25s", 250},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t ms = -7;
        if (cu_duration_parse(good[i].text, &ms) != 0) fail_msg("\"%s\" refused", good[i].text);
        if (ms != good[i].ms) fail_msg("\"%s\" gave %lld ms", good[i].text, (long long)ms);
    }
    const char *bad[] = {
        "",    "s",       "5 parsecs", "-1s",  "+1s", "1e3s", "inf", "nan",
        "1ss", "1 h 2 m", "0x10s",     "1,5s", "h1",  ".",    "1M",  "99999999999999d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = -7;
        if (cu_duration_parse(bad[i], &ms) != -1) fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(ms, -7);
    }
    assert_int_equal(cu_duration_parse(NULL, &(int64_t){0}), -1);
}

/* ---- sizes (watch.max_file_size) ------------------------------------------------------- */

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t bytes;
    } good[] = {
        {"1", 1},           {"1048576", 1048576},  {"512KiB", 524288},      {"256MiB", 268435456},
        {"1GiB", 1 << 30},  {"1.5GiB", 1610612736}, {"10MB", 10000000},     {"2 kB", 2000},
        {" 64 B ", 64},     {"1TiB", INT64_C(1) << 40},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t b = -7;
        if (cu_size_parse(good[i].text, &b) != 0) fail_msg("\"%s\" refused", good[i].text);
        if (b != good[i].bytes) fail_msg("\"%s\" gave %lld bytes", good[i].text, (long long)b);
    }
    const char *bad[] = {"", "0", "0MiB", "-1MiB", "MiB", "1 mib", "1e9", "1 parsec", "2PiB",
                         "99999999999GiB", "0.1", "1,5MiB"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t b = -7;
        if (cu_size_parse(bad[i], &b) != -1) fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(b, -7);
    }
    assert_int_equal(cu_size_parse(NULL, &(int64_t){0}), -1);
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(load_text("watch:\n  max_file_size: 1GiB\n", &cfg, &err, NULL), 0);
    assert_true(cfg.max_file_size == INT64_C(1) << 30);
    cu_config_free(&cfg);
}

/* ---- lookup order --------------------------------------------------------------------- */

static void test_cuwatch_config_env(void **state)
{
    (void)state;
    char *path = write_temp("watch:\n  root: /from/env\n");
    setenv("CUWATCH_CONFIG", path, 1);
    cu_config cfg;
    cu_err err = {0};
    if (cu_config_load(&cfg, NULL, &err) != 0) fail_msg("%s", err.msg);
    assert_string_equal(cfg.source, path);
    assert_string_equal(cfg.root, "/from/env");
    cu_config_free(&cfg);

    /* An explicit path beats the environment. */
    char *other = write_temp("watch:\n  root: /explicit\n");
    if (cu_config_load(&cfg, other, &err) != 0) fail_msg("%s", err.msg);
    assert_string_equal(cfg.root, "/explicit");
    assert_string_equal(cfg.source, other);
    cu_config_free(&cfg);
    remove_temp(other);

    /* $CUWATCH_CONFIG naming a missing file is an error that names it. */
    remove_temp(path);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/not-there.yaml", g_dir);
    setenv("CUWATCH_CONFIG", missing, 1);
    assert_int_equal(cu_config_load(&cfg, NULL, &err), -1);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "$CUWATCH_CONFIG"));
    assert_non_null(strstr(err.msg, "No such file"));
    unsetenv("CUWATCH_CONFIG");
}

static void test_explicit_missing_file(void **state)
{
    (void)state;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/absent/cuwatch.yaml", g_dir);
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(cu_config_load(&cfg, missing, &err), -1);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_null(cfg.root);
    cu_config_free(&cfg);

    /* A directory is not a configuration file either. */
    assert_int_equal(cu_config_load(&cfg, g_dir, &err), -1);
    assert_non_null(strstr(err.msg, g_dir));
}

/* ---- libpq parameters ----------------------------------------------------------------- */

/* The value for keyword in p, or NULL; also checks the arrays are NULL-terminated. */
static const char *param(const cu_conn_params *p, const char *keyword)
{
    assert_null(p->keywords[p->n]);
    assert_null(p->values[p->n]);
    const char *found = NULL;
    for (int i = 0; i < p->n; i++) {
        assert_non_null(p->keywords[i]);
        assert_non_null(p->values[i]);
        if (strcmp(p->keywords[i], keyword) == 0) {
            if (found) fail_msg("keyword %s given twice", keyword);
            found = p->values[i];
        }
    }
    return found;
}

static void test_db_env_without_conninfo(void **state)
{
    (void)state;
    setenv("DB_HOST", "dbhost", 1);
    setenv("DB_NAME", "logsdb", 1);
    setenv("DB_USER", "loguser", 1);
    setenv("DB_PASS", "envpass", 1);
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(load_text("log:\n  level: warn\n", &cfg, &err, NULL), 0);
    cu_conn_params p;
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_int_equal(p.n, 5);
    assert_string_equal(param(&p, "host"), "dbhost");
    assert_string_equal(param(&p, "dbname"), "logsdb");
    assert_string_equal(param(&p, "user"), "loguser");
    assert_string_equal(param(&p, "password"), "envpass");
    assert_string_equal(param(&p, "fallback_application_name"), "cuwatch");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);

    /* Only what is set (and not empty) is passed; libpq's PG* environment does the rest. */
    unsetenv("DB_HOST");
    setenv("DB_USER", "", 1);
    unsetenv("DB_PASS");
    assert_int_equal(load_text("", &cfg, &err, NULL), 0);
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(param(&p, "dbname"), "logsdb");
    assert_null(param(&p, "host"));
    assert_null(param(&p, "user"));
    assert_null(param(&p, "password"));
    cu_config_conn_free(&p);
    cu_config_free(&cfg);
}

static void test_db_env_ignored_with_conninfo(void **state)
{
    (void)state;
    setenv("DB_HOST", "dbhost", 1);
    setenv("DB_NAME", "otherdb", 1);
    setenv("DB_USER", "loguser", 1);
    setenv("DB_PASS", "envpass", 1);
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(
        load_text("database:\n  conninfo: postgresql://u@db/logsdb\n", &cfg, &err, NULL), 0);
    cu_conn_params p;
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_int_equal(p.n, 2);
    /* dbname comes first so that libpq expands it before anything that overrides it. */
    assert_string_equal(p.keywords[0], "dbname");
    assert_string_equal(p.values[0], "postgresql://u@db/logsdb");
    assert_null(param(&p, "host"));
    assert_null(param(&p, "user"));
    assert_null(param(&p, "password"));
    assert_string_equal(param(&p, "fallback_application_name"), "cuwatch");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);
}

static void test_password_file(void **state)
{
    (void)state;
    char *pw = write_temp("Tr0ub4dor&3\r\n");
    char text[512];
    snprintf(text, sizeof text,
             "database:\n  conninfo: \"host=db dbname=logsdb\"\n"
             "  password_file: %s\n",
             pw);
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(load_text(text, &cfg, &err, NULL), 0);
    cu_conn_params p;
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.keywords[0], "dbname");
    assert_string_equal(p.values[0], "host=db dbname=logsdb");
    assert_string_equal(param(&p, "password"), "Tr0ub4dor&3");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);

    /* Without conninfo, the password file beats DB_PASS. */
    setenv("DB_PASS", "envpass", 1);
    snprintf(text, sizeof text, "database:\n  password_file: '%s'\n", pw);
    assert_int_equal(load_text(text, &cfg, &err, NULL), 0);
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_string_equal(param(&p, "password"), "Tr0ub4dor&3");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);
    remove_temp(pw);
}

/* Every way a password file can be bad gives an error naming the file, never its content. */
static void test_password_file_errors(void **state)
{
    (void)state;
    const char *secret = "S3cretPassw0rd";
    char big[8192];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, secret, strlen(secret));
    char multi[64];
    snprintf(multi, sizeof multi, "%s\nsecond line\n", secret);
    const char *contents[] = {multi, big, "\n\r\n", NULL};
    const char *why[] = {"single line", "larger than", "is empty", "No such file"};
    for (int i = 0; i < 4; i++) {
        char *pw = contents[i] ? write_temp(contents[i]) : NULL;
        char missing[300];
        snprintf(missing, sizeof missing, "%s/no-secret", g_dir);
        const char *file = pw ? pw : missing;
        char text[512];
        snprintf(text, sizeof text, "database:\n  password_file: %s\n", file);
        cu_config cfg;
        cu_err err = {0};
        assert_int_equal(load_text(text, &cfg, &err, NULL), 0);
        cu_conn_params p;
        assert_int_equal(cu_config_conn_params(&cfg, &p, &err), -1);
        if (!strstr(err.msg, file) || !strstr(err.msg, why[i]) || strstr(err.msg, "S3cret"))
            fail_msg("case %d: bad message: %s", i, err.msg);
        assert_null(p.keywords);
        cu_config_conn_free(&p); /* harmless after a failure */
        cu_config_free(&cfg);
        if (pw) remove_temp(pw);
    }
}

/* A relative password_file is systemd's credential when $CREDENTIALS_DIRECTORY is set, else
 * the file beside the configuration: one cuwatch.yaml works in the unit and for
 * `sudo cuwatch --check`. With no password_file, $CREDENTIALS_DIRECTORY/db_password. */
static void test_password_file_credentials(void **state)
{
    (void)state;
    char creds[300], beside[300], text[512];
    snprintf(creds, sizeof creds, "%s/creds", g_dir);
    snprintf(beside, sizeof beside, "%s/db_password", g_dir);
    assert_int_equal(mkdir(creds, 0700), 0);
    char increds[340];
    snprintf(increds, sizeof increds, "%s/db_password", creds);
    FILE *f = fopen(increds, "w");
    assert_non_null(f);
    fputs("from-credential\n", f);
    fclose(f);
    f = fopen(beside, "w");
    assert_non_null(f);
    fputs("from-beside\n", f);
    fclose(f);

    cu_config cfg;
    cu_err err = {0};
    cu_conn_params p;
    /* From a shell: beside the configuration file. */
    assert_int_equal(load_text("database:\n  password_file: db_password\n", &cfg, &err, NULL), 0);
    assert_string_equal(cfg.password_file, beside);
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_string_equal(param(&p, "password"), "from-beside");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);

    /* In the unit: the credential, same name. */
    setenv("CREDENTIALS_DIRECTORY", creds, 1);
    assert_int_equal(load_text("database:\n  password_file: db_password\n", &cfg, &err, NULL), 0);
    assert_string_equal(cfg.password_file, increds);
    assert_int_equal(cu_config_conn_params(&cfg, &p, &err), 0);
    assert_string_equal(param(&p, "password"), "from-credential");
    cu_config_conn_free(&p);
    cu_config_free(&cfg);

    /* Absolute paths are kept; no password_file at all takes the credential. */
    snprintf(text, sizeof text, "database:\n  password_file: %s\n", beside);
    assert_int_equal(load_text(text, &cfg, &err, NULL), 0);
    assert_string_equal(cfg.password_file, beside);
    cu_config_free(&cfg);
    assert_int_equal(load_text("log:\n  level: info\n", &cfg, &err, NULL), 0);
    assert_string_equal(cfg.password_file, increds);
    cu_config_free(&cfg);
    unlink(increds);
    assert_int_equal(load_text("log:\n  level: info\n", &cfg, &err, NULL), 0);
    assert_null(cfg.password_file); /* no credential: libpq's own ways (PGPASSWORD, .pgpass) */
    cu_config_free(&cfg);

    unlink(beside);
    rmdir(creds);
}

/* metrics.listen: off by default and for "", loopback for a bare port, IP literals only. */
static void test_metrics_listen(void **state)
{
    (void)state;
    cu_config cfg;
    cu_err err = {0};
    assert_int_equal(load_text("metrics:\n  listen: \"\"\n", &cfg, &err, NULL), 0);
    assert_null(cfg.metrics_listen);
    cu_config_free(&cfg);
    assert_int_equal(load_text("metrics:\n  listen: 127.0.0.1:9464\n", &cfg, &err, NULL), 0);
    assert_string_equal(cfg.metrics_listen, "127.0.0.1:9464");
    cu_config_free(&cfg);

    static const struct {
        const char *s;
        bool loopback;
        int family;
    } good[] = {{"127.0.0.1:9464", true, AF_INET}, {"9464", true, AF_INET},
                {":9464", true, AF_INET},          {"localhost:1", true, AF_INET},
                {"[::1]:9464", true, AF_INET6},    {"0.0.0.0:9464", false, AF_INET},
                {"[::]:65535", false, AF_INET6},   {"10.1.2.3:80", false, AF_INET}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cu_listen_addr a;
        const char *why = NULL;
        if (cu_listen_parse(good[i].s, &a, &why) != 0) fail_msg("%s: %s", good[i].s, why);
        assert_int_equal(a.loopback, good[i].loopback);
        assert_int_equal(a.addr.ss_family, good[i].family);
    }

    expect_error("metrics:\n  listen: 127.0.0.1\n",
                 ":2:11: invalid value \"127.0.0.1\" for metrics.listen: expected HOST:PORT");
    expect_error("metrics:\n  listen: \"127.0.0.1:0\"\n",
                 ":2:11: invalid value \"127.0.0.1:0\" for metrics.listen: expected HOST:PORT "
                 "with a port from 1 to 65535");
    expect_error("metrics:\n  listen: 127.0.0.1:70000\n", ":2:11: invalid value");
    expect_error("metrics:\n  listen: prometheus.example:9464\n",
                 ":2:11: invalid value \"prometheus.example:9464\" for metrics.listen: HOST must "
                 "be an IP address or localhost");
    expect_error("metrics:\n  listen: \"::1:9464\"\n", "goes in brackets");
    expect_error("metrics:\n  listen: \"[::g]:9464\"\n", "invalid IPv6 address");
    expect_error("metrics:\n  listen: [127.0.0.1, 9464]\n",
                 ":2:11: metrics.listen must be a string, not a list");
    expect_error("metrics:\n  port: 9464\n", ":2:3: unknown key \"port\" in \"metrics\"");
}

/* conninfo may carry a password: a configuration error around it must not quote it. */
static void test_conninfo_never_quoted(void **state)
{
    (void)state;
    expect_error("database:\n  conninfo: \"password=S3cret\"\n  conninfo: \"password=S3cret\"\n",
                 ":3:3: duplicate key \"conninfo\"");
    cu_config cfg;
    cu_err err = {0};
    char *path;
    assert_int_equal(
        load_text("database:\n  conninfo: \"password=S3cret\"\n  x: 1\n", &cfg, &err, &path), -1);
    assert_null(strstr(err.msg, "S3cret"));
    remove_temp(path);
}

/* ---- machines ------------------------------------------------------------------------- */

static void expect_machine(const cu_config *cfg, const char *folder, const char *name,
                           const char *type)
{
    char *n = NULL, *t = NULL;
    cu_config_machine(cfg, folder, &n, &t);
    bool ok = n && strcmp(n, name) == 0 && (type ? t && strcmp(t, type) == 0 : t == NULL);
    if (!ok)
        print_error("folder \"%s\": got \"%s\" (%s), wanted \"%s\" (%s)\n", folder, n,
                    t ? t : "NULL", name, type ? type : "NULL");
    free(n);
    free(t);
    if (!ok) fail();
}

static void test_machine_resolution(void **state)
{
    (void)state;
    cu_config cfg;
    cu_err err = {0};
    const char *text = "machines:\n  map:\n"
                       "    \"DEM12 (PVC)\": {name: DEMA12, type: PVC-X}\n"
                       "    \"Oddly named\": {name: ODD}\n";
    if (load_text(text, &cfg, &err, NULL) != 0) fail_msg("%s", err.msg);
    /* The map wins over the rule. */
    expect_machine(&cfg, "DEM12 (PVC)", "DEMA12", "PVC-X");
    expect_machine(&cfg, "Oddly named", "ODD", NULL);
    /* The auto rule, trimmed. */
    expect_machine(&cfg, "DEMALU (ALU)", "DEMALU", "ALU");
    expect_machine(&cfg, "SU12 (HYBRIDE)", "SU12", "HYBRIDE");
    expect_machine(&cfg, "  SU 14  (  HYB  ) ", "  SU 14  (  HYB  ) ", NULL);
    expect_machine(&cfg, "  SU 14  (  HYB  )", "SU 14", "HYB");
    expect_machine(&cfg, "A (B) (C)", "A (B)", "C");
    /* Anything else is the whole folder, no type. */
    expect_machine(&cfg, "Folder without type", "Folder without type", NULL);
    expect_machine(&cfg, "X ()", "X ()", NULL);
    expect_machine(&cfg, "X (  )", "X (  )", NULL);
    expect_machine(&cfg, " (PVC)", " (PVC)", NULL);
    expect_machine(&cfg, "DEM12(PVC)", "DEM12(PVC)", NULL);
    expect_machine(&cfg, "DEM12 (PVC) old", "DEM12 (PVC) old", NULL);
    expect_machine(&cfg, "", "", NULL);
    cu_config_free(&cfg);

    /* With auto off, the folder is the machine, but the map still applies. */
    text = "machines:\n  auto: off\n  map:\n    \"DEM12 (PVC)\": {name: DEM12, type: PVC}\n";
    if (load_text(text, &cfg, &err, NULL) != 0) fail_msg("%s", err.msg);
    expect_machine(&cfg, "DEMALU (ALU)", "DEMALU (ALU)", NULL);
    expect_machine(&cfg, "DEM12 (PVC)", "DEM12", "PVC");
    cu_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_without_file, clean_env),
        cmocka_unit_test_setup(test_empty_and_comment_files, clean_env),
        cmocka_unit_test_setup(test_full_file, clean_env),
        cmocka_unit_test_setup(test_null_values_mean_unset, clean_env),
        cmocka_unit_test_setup(test_booleans, clean_env),
        cmocka_unit_test_setup(test_unknown_keys, clean_env),
        cmocka_unit_test_setup(test_wrong_types, clean_env),
        cmocka_unit_test_setup(test_invalid_yaml, clean_env),
        cmocka_unit_test_setup(test_durations, clean_env),
        cmocka_unit_test_setup(test_sizes, clean_env),
        cmocka_unit_test_setup(test_cuwatch_config_env, clean_env),
        cmocka_unit_test_setup(test_explicit_missing_file, clean_env),
        cmocka_unit_test_setup(test_db_env_without_conninfo, clean_env),
        cmocka_unit_test_setup(test_db_env_ignored_with_conninfo, clean_env),
        cmocka_unit_test_setup(test_password_file, clean_env),
        cmocka_unit_test_setup(test_password_file_errors, clean_env),
        cmocka_unit_test_setup(test_password_file_credentials, clean_env),
        cmocka_unit_test_setup(test_metrics_listen, clean_env),
        cmocka_unit_test_setup(test_conninfo_never_quoted, clean_env),
        cmocka_unit_test_setup(test_machine_resolution, clean_env),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}

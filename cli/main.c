/* main.c — cuwatch's command line (SPEC §5): options, configuration, dispatch, exit status.
 *
 * main is the only place that decides to exit; commands return a status. The configuration
 * is loaded once here (-c, then $CUWATCH_CONFIG, then /etc/cuwatch/cuwatch.yaml) and handed
 * down; --parse needs none. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "strbuf.h"

#ifndef CUWATCH_VERSION
#define CUWATCH_VERSION "0.0.0"
#endif

static const char cu_usage[] =
    "Usage:\n"
    "  cuwatch [-c FILE] [--root DIR]                     migrate, reconcile, then watch\n"
    "  cuwatch [-c FILE] [--root DIR] --rescan [--force]  ingest every changed file, exit\n"
    "  cuwatch --parse FILE...                            print each file's metrics as JSON\n"
    "  cuwatch [-c FILE] --migrate                        apply schema migrations, exit\n"
    "  cuwatch [-c FILE] [--root DIR] --check             check configuration, root, database\n"
    "  cuwatch --version | --help\n"
    "\n"
    "-c defaults to $CUWATCH_CONFIG, then /etc/cuwatch/cuwatch.yaml.\n"
    "Exit status: 0 success, 1 a file or check failed, 2 usage or configuration error,\n"
    "3 database unreachable.\n";

enum { OPT_ROOT = 256, OPT_RESCAN, OPT_FORCE, OPT_PARSE, OPT_MIGRATE, OPT_CHECK, OPT_VERSION };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"root", required_argument, NULL, OPT_ROOT},
        {"rescan", no_argument, NULL, OPT_RESCAN}, {"force", no_argument, NULL, OPT_FORCE},
        {"parse", no_argument, NULL, OPT_PARSE},   {"migrate", no_argument, NULL, OPT_MIGRATE},
        {"check", no_argument, NULL, OPT_CHECK},   {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *root = NULL;
    int command = 0;
    bool force = false;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case OPT_ROOT: root = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_RESCAN:
        case OPT_PARSE:
        case OPT_MIGRATE:
        case OPT_CHECK:
            if (command && command != c) {
                fputs("cuwatch: --rescan, --parse, --migrate and --check exclude each other\n",
                      stderr);
                return CU_EXIT_USAGE;
            }
            command = c;
            break;
        case OPT_VERSION: printf("cuwatch %s\n", CUWATCH_VERSION); return CU_EXIT_OK;
        case 'h': fputs(cu_usage, stdout); return CU_EXIT_OK;
        default: fputs(cu_usage, stderr); return CU_EXIT_USAGE;
        }
    }
    if (command == OPT_PARSE) {
        if (optind >= argc) {
            fputs("cuwatch: --parse needs at least one FILE\n", stderr);
            return CU_EXIT_USAGE;
        }
        return cu_cmd_parse(argc - optind, argv + optind);
    }
    if (optind < argc) {
        fprintf(stderr, "cuwatch: unexpected argument \"%s\"\n%s", argv[optind], cu_usage);
        return CU_EXIT_USAGE;
    }
    if (force && command != OPT_RESCAN) {
        fputs("cuwatch: --force goes with --rescan\n", stderr);
        return CU_EXIT_USAGE;
    }

    cu_config cfg;
    cu_err err;
    int loaded = cu_config_load(&cfg, config_path, &err);
    if (loaded == 0 && root) {
        free(cfg.root);
        cfg.root = cu_xstrdup(root);
    }
    if (command == OPT_CHECK) {
        /* --check reports a bad configuration as one of its checks rather than dying on it. */
        int rc = cu_cmd_check(loaded == 0 ? &cfg : NULL, config_path, loaded,
                              loaded == 0 ? NULL : err.msg);
        if (loaded == 0) cu_config_free(&cfg);
        return rc;
    }
    if (loaded != 0) {
        fprintf(stderr, "cuwatch: %s\n", err.msg);
        return CU_EXIT_USAGE;
    }
    cu_log_setup((cu_log_level)cfg.log_level, (cu_log_format)cfg.log_format);

    int rc;
    switch (command) {
    case OPT_RESCAN: rc = cu_cmd_rescan(&cfg, force); break;
    case OPT_MIGRATE: rc = cu_cmd_migrate(&cfg); break;
    default: rc = cu_cmd_daemon(&cfg, config_path, root); break;
    }
    cu_config_free(&cfg);
    return rc;
}

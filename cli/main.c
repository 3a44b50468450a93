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
    "  cuwatch [-c FILE] --report [SELECTION] [--lang fr|en] [-o FILE]\n"
    "                                                     one self-contained HTML report\n"
    "  cuwatch [-c FILE] --export [SELECTION] [--format csv|csv-excel|xlsx] [-o FILE]\n"
    "                                                     the days of v_jour (xlsx: + weeks, states)\n"
    "  cuwatch --version | --help\n"
    "\n"
    "SELECTION: [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--machine NAME]...; default: the 7 most\n"
    "recent production dates, all machines. -o - (the default) writes to stdout.\n"
    "-c defaults to $CUWATCH_CONFIG, then /etc/cuwatch/cuwatch.yaml.\n"
    "Exit status: 0 success, 1 a file or check failed, 2 usage or configuration error,\n"
    "3 database unreachable.\n";

enum {
    OPT_ROOT = 256, OPT_RESCAN, OPT_FORCE, OPT_PARSE, OPT_MIGRATE, OPT_CHECK, OPT_VERSION,
    OPT_REPORT, OPT_EXPORT, OPT_FROM, OPT_TO, OPT_MACHINE, OPT_LANG, OPT_FORMAT,
};

/* The options of --report and --export: which go with which, and their values. Returns 0, or
 * the usage exit status after a message. */
static int cu_report_args(bool report, bool export, bool selection, const char *lang,
                          const char *format, cu_report_opts *ro)
{
    if (selection && !report && !export) {
        fputs("cuwatch: --from, --to, --machine and -o go with --report or --export\n", stderr);
        return CU_EXIT_USAGE;
    }
    if (lang && !report) {
        fputs("cuwatch: --lang goes with --report\n", stderr);
        return CU_EXIT_USAGE;
    }
    if (format && !export) {
        fputs("cuwatch: --format goes with --export\n", stderr);
        return CU_EXIT_USAGE;
    }
    if (lang) {
        if (strcmp(lang, "fr") == 0)
            ro->lang = CU_LANG_FR;
        else if (strcmp(lang, "en") == 0)
            ro->lang = CU_LANG_EN;
        else {
            fprintf(stderr, "cuwatch: --lang: \"%s\" is not fr or en\n", lang);
            return CU_EXIT_USAGE;
        }
    }
    if (format) {
        if (strcmp(format, "csv") == 0)
            ro->format = CU_EXPORT_CSV;
        else if (strcmp(format, "csv-excel") == 0)
            ro->format = CU_EXPORT_CSV_EXCEL;
        else if (strcmp(format, "xlsx") == 0)
            ro->format = CU_EXPORT_XLSX;
        else {
            fprintf(stderr, "cuwatch: --format: \"%s\" is not csv, csv-excel or xlsx\n", format);
            return CU_EXIT_USAGE;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"root", required_argument, NULL, OPT_ROOT},
        {"rescan", no_argument, NULL, OPT_RESCAN}, {"force", no_argument, NULL, OPT_FORCE},
        {"parse", no_argument, NULL, OPT_PARSE},   {"migrate", no_argument, NULL, OPT_MIGRATE},
        {"check", no_argument, NULL, OPT_CHECK},   {"version", no_argument, NULL, OPT_VERSION},
        {"report", no_argument, NULL, OPT_REPORT}, {"export", no_argument, NULL, OPT_EXPORT},
        {"from", required_argument, NULL, OPT_FROM}, {"to", required_argument, NULL, OPT_TO},
        {"machine", required_argument, NULL, OPT_MACHINE},
        {"lang", required_argument, NULL, OPT_LANG},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* --report/--export: the selection, given to report/ as is. */
    cu_report_opts ro = {.format = CU_EXPORT_CSV, .lang = CU_LANG_FR};
    const char **machines = cu_xcalloc((size_t)argc + 1, sizeof *machines);
    const char *lang = NULL, *format = NULL;
    bool selection = false;
    const char *config_path = NULL, *root = NULL;
    int command = 0;
    bool force = false;
    int c;
    while ((c = getopt_long(argc, argv, "c:ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case OPT_FROM: ro.from = optarg, selection = true; break;
        case OPT_TO: ro.to = optarg, selection = true; break;
        case OPT_MACHINE: machines[ro.nmachines++] = optarg, selection = true; break;
        case 'o': ro.output = optarg, selection = true; break;
        case OPT_LANG: lang = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_ROOT: root = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_RESCAN:
        case OPT_PARSE:
        case OPT_MIGRATE:
        case OPT_CHECK:
        case OPT_REPORT:
        case OPT_EXPORT:
            if (command && command != c) {
                fputs("cuwatch: --rescan, --parse, --migrate, --check, --report and --export "
                      "exclude each other\n",
                      stderr);
                free(machines);
                return CU_EXIT_USAGE;
            }
            command = c;
            break;
        case OPT_VERSION:
            printf("cuwatch %s\n", CUWATCH_VERSION);
            free(machines);
            return CU_EXIT_OK;
        case 'h': fputs(cu_usage, stdout); free(machines); return CU_EXIT_OK;
        default: fputs(cu_usage, stderr); free(machines); return CU_EXIT_USAGE;
        }
    }
    ro.machines = machines;
    int usage = cu_report_args(command == OPT_REPORT, command == OPT_EXPORT, selection, lang,
                               format, &ro);
    if (usage) {
        free(machines);
        return usage;
    }
    /* Checked before --parse returns, so that an option it would ignore is refused there too. */
    if (force && command != OPT_RESCAN) {
        fputs("cuwatch: --force goes with --rescan\n", stderr);
        free(machines);
        return CU_EXIT_USAGE;
    }
    if (command == OPT_PARSE) {
        free(machines);
        if (optind >= argc) {
            fputs("cuwatch: --parse needs at least one FILE\n", stderr);
            return CU_EXIT_USAGE;
        }
        return cu_cmd_parse(argc - optind, argv + optind);
    }
    if (optind < argc) {
        fprintf(stderr, "cuwatch: unexpected argument \"%s\"\n%s", argv[optind], cu_usage);
        free(machines);
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
        free(machines);
        return rc;
    }
    if (loaded != 0) {
        fprintf(stderr, "cuwatch: %s\n", err.msg);
        free(machines);
        return CU_EXIT_USAGE;
    }
    cu_log_setup((cu_log_level)cfg.log_level, (cu_log_format)cfg.log_format);

    int rc;
    switch (command) {
    case OPT_RESCAN: rc = cu_cmd_rescan(&cfg, force); break;
    case OPT_MIGRATE: rc = cu_cmd_migrate(&cfg); break;
    case OPT_REPORT: ro.format = CU_REPORT_HTML; /* fall through */
    case OPT_EXPORT: rc = cu_cmd_report(&cfg, &ro); break;
    default: rc = cu_cmd_daemon(&cfg, config_path, root); break;
    }
    cu_config_free(&cfg);
    free(machines);
    return rc;
}

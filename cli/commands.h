/* commands.h — the commands of SPEC §5, one function each, called by main.
 *
 * Each returns the process exit status of SPEC §5: 0 success; 1 some file could not be
 * processed or a check failed; 2 usage or configuration error; 3 database unreachable. */
#ifndef CU_COMMANDS_H
#define CU_COMMANDS_H

#include <stdbool.h>

#include "config.h"
#include "report.h"

enum { CU_EXIT_OK = 0, CU_EXIT_FAIL = 1, CU_EXIT_USAGE = 2, CU_EXIT_NODB = 3 };

/* --parse FILE...: one JSON object per file on stdout, no database. */
int cu_cmd_parse(int nfiles, char **files);

/* --rescan [--force], --migrate, --check (cmd_db.c). */
int cu_cmd_rescan(const cu_config *cfg, bool force);
int cu_cmd_migrate(const cu_config *cfg);
int cu_cmd_check(const cu_config *cfg, const char *config_path, int config_status,
                 const char *config_error);

/* --report and --export (cmd_report.c): SPEC §8, through report/. */
int cu_cmd_report(const cu_config *cfg, const cu_report_opts *opts);

/* The daemon (cmd_daemon.c). It reloads its configuration on SIGHUP, so it gets the path
 * it was loaded from and the --root override as well as the loaded configuration. */
int cu_cmd_daemon(cu_config *cfg, const char *config_path, const char *root_override);

#endif

/* cmd_db.c — --rescan, --migrate and --check: not built yet (issue 3). */
#include <stdio.h>

#include "commands.h"

int cu_cmd_rescan(const cu_config *cfg, bool force)
{
    (void)cfg, (void)force;
    fputs("cuwatch: --rescan is not built yet\n", stderr);
    return CU_EXIT_USAGE;
}

int cu_cmd_migrate(const cu_config *cfg)
{
    (void)cfg;
    fputs("cuwatch: --migrate is not built yet\n", stderr);
    return CU_EXIT_USAGE;
}

int cu_cmd_check(const cu_config *cfg, const char *config_path, int config_status,
                 const char *config_error)
{
    (void)cfg, (void)config_path, (void)config_status, (void)config_error;
    fputs("cuwatch: --check is not built yet\n", stderr);
    return CU_EXIT_USAGE;
}

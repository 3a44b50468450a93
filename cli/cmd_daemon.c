/* cmd_daemon.c — the watching daemon: not built yet (issue 4). */
#include <stdio.h>

#include "commands.h"

int cu_cmd_daemon(cu_config *cfg, const char *config_path, const char *root_override)
{
    (void)cfg, (void)config_path, (void)root_override;
    fputs("cuwatch: the daemon is not built yet; use --parse\n", stderr);
    return CU_EXIT_USAGE;
}

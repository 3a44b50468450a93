/* cmd_daemon.c — `cuwatch` with no command: the watching daemon (watcher/daemon.c). */
#include "commands.h"
#include "daemon.h"

int cu_cmd_daemon(cu_config *cfg, const char *config_path, const char *root_override)
{
    return cu_daemon_run(cfg, config_path, root_override) == 0 ? CU_EXIT_OK : CU_EXIT_FAIL;
}

/* cmd_daemon.c — `cuwatch` with no command: the watching daemon (watcher/daemon.c). */
#include <unistd.h>

#include "commands.h"
#include "daemon.h"
#include "log.h"

#ifndef CUWATCH_VERSION
#define CUWATCH_VERSION "0.0.0"
#endif

int cu_cmd_daemon(cu_config *cfg, const char *config_path, const char *root_override)
{
    /* The first line of every run says which binary read which configuration for which
     * root: what an operator needs first when reading a journal after an upgrade. */
    cu_log_field f[] = {CU_LF_STR("version", CUWATCH_VERSION),
                        CU_LF_STR("config", cfg->source ? cfg->source : "defaults (no file)"),
                        CU_LF_STR("root", cfg->root), CU_LF_NUM("pid", getpid())};
    cu_log_fields(CU_LOG_INFO, "cuwatch starting", f, 4);
    return cu_daemon_run(cfg, config_path, root_override) == 0 ? CU_EXIT_OK : CU_EXIT_FAIL;
}

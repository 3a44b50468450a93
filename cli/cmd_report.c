/* cmd_report.c — --report and --export (SPEC §8): hand the selection to report/ and map its
 * result to an exit status. An empty selection is a message on stderr and exit 0. */
#include <stdio.h>

#include "commands.h"
#include "log.h"
#include "report.h"

int cu_cmd_report(const cu_config *cfg, const cu_report_opts *opts)
{
    cu_err err;
    switch (cu_report_run(cfg, opts, &err)) {
    case CU_REPORT_OK:
        return CU_EXIT_OK;
    case CU_REPORT_EMPTY:
        fprintf(stderr, "cuwatch: %s\n", err.msg);
        return CU_EXIT_OK;
    case CU_REPORT_BAD_ARGS:
        fprintf(stderr, "cuwatch: %s\n", err.msg);
        return CU_EXIT_USAGE;
    case CU_REPORT_CONFIG:
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        return CU_EXIT_USAGE;
    case CU_REPORT_NODB:
        cu_log(CU_LOG_ERROR, "%s", err.msg);
        return CU_EXIT_NODB;
    case CU_REPORT_FAILED:
        break;
    }
    cu_log(CU_LOG_ERROR, "%s", err.msg);
    return CU_EXIT_FAIL;
}

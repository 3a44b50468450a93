/* report.h — SPEC §8's report and export: read the KPI views, write HTML, CSV or XLSX.
 *
 * This module knows nothing of inotify or ingestion: it opens its own read-only connection,
 * loads one data model from the views (v_jour, v_semaine, v_etat, v_pieces_heure,
 * v_fraicheur; see model.h for the one input that no view carries yet) for a selection of
 * dates and machines, and hands it to one output module per format (html.c, csv.c, xlsx.c),
 * as GoAccess does.
 *
 * Output goes to stdout or to a file. A file is written under a temporary name beside it and
 * renamed into place once complete, so a failure or an empty selection never leaves a file
 * (nor a half-written one) behind.
 *
 * Ownership: the caller owns the options and everything they point to; nothing is kept after
 * cu_report_run returns. Errors: see cu_report_status; the message is in err. */
#ifndef CU_REPORT_H
#define CU_REPORT_H

#include <stddef.h>

#include "config.h"
#include "err.h"

typedef enum {
    CU_REPORT_HTML,      /* --report */
    CU_EXPORT_CSV,       /* --export --format csv: RFC 4180, UTF-8, '.' decimals */
    CU_EXPORT_CSV_EXCEL, /* --format csv-excel: UTF-8 BOM, ';', decimal comma */
    CU_EXPORT_XLSX,      /* --format xlsx: sheets jours, semaines, etats */
} cu_report_format;

typedef enum { CU_LANG_FR, CU_LANG_EN } cu_report_lang;

typedef struct cu_report_opts {
    const char *from, *to;       /* "YYYY-MM-DD" or NULL (see cu_report_run) */
    const char *const *machines; /* machine names (v_jour.machine); none: all machines */
    size_t nmachines;
    cu_report_lang lang; /* HTML only */
    cu_report_format format;
    const char *output; /* file, or NULL / "-" for stdout */
} cu_report_opts;

typedef enum {
    CU_REPORT_OK = 0,
    CU_REPORT_EMPTY,    /* nothing selected: no output written; err says what was asked */
    CU_REPORT_BAD_ARGS, /* a date that is not YYYY-MM-DD, --from after --to, xlsx to a terminal */
    CU_REPORT_CONFIG,   /* invalid connection parameters */
    CU_REPORT_NODB,     /* database unreachable (or lost while reading) */
    CU_REPORT_FAILED,   /* a query failed (e.g. views missing: run --migrate) or output I/O */
} cu_report_status;

/* Selection: dates in [from, to]; without --from, the 7 most recent production dates of the
 * selected machines up to `to` (or up to the last one). Returns the status; writes the
 * message for anything but CU_REPORT_OK into err. */
cu_report_status cu_report_run(const cu_config *cfg, const cu_report_opts *opts, cu_err *err);

/* "YYYY-MM-DD" naming a real date (leap years included). */
int cu_report_date_valid(const char *s);

#endif

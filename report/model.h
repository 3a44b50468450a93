/* model.h — report/'s shared data model: the selected rows of the SPEC §8 views, as returned
 * by PostgreSQL, for the output modules (html.c, csv.c, xlsx.c) to read. Internal to report/.
 *
 * Each table keeps its PGresult (text values; PQgetisnull tells NULL) and is freed with the
 * model. Rows come ordered for drawing: by machine, then date, then time.
 *
 * Everything comes from views: the six of SPEC §8, and v_rejets (the rejected lines' reasons)
 * and v_jobs (the job changes marked on the timelines), added for the report by migration 011.
 * No query of report/ reads a base table. */
#ifndef CU_REPORT_MODEL_H
#define CU_REPORT_MODEL_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdbool.h>

#include "err.h"
#include "report.h"

typedef struct cu_rtab {
    PGresult *res; /* NULL when not loaded */
    int nrows, ncols;
} cu_rtab;

typedef struct cu_model {
    char from[11], to[11]; /* the resolved period, inclusive */
    int ndates;            /* production dates in it (any selected machine) */
    cu_rtab jours;         /* v_jour: machine, jour */
    cu_rtab semaines;      /* v_semaine: weeks that meet the period */
    cu_rtab etats;         /* v_etat: machine, jour, debut; the HTML's holds only the waits and
                              stops (CU_NEED_ETATS_DRAWN), the workbook's every period */
    cu_rtab pieces;        /* v_pieces_heure: machine, jour, heure */
    cu_rtab fraicheur;     /* v_fraicheur of the selected machines */
    cu_rtab rejets;        /* v_rejets: files with rejected lines or rejected, first reasons */
    cu_rtab jobs;          /* v_jobs: machine, jour, debut, reference, longueur, couleur */
} cu_model;

/* What a format needs: the HTML jours, the drawn etats and the detail; csv only jours; xlsx
 * jours/semaines/etats. */
enum {
    CU_NEED_JOURS = 1,
    CU_NEED_SEMAINES = 2,
    CU_NEED_ETATS = 4,        /* every v_etat column and period */
    CU_NEED_ETATS_DRAWN = 8,  /* machine, jour, etat, debut, fin of the waits and stops */
    CU_NEED_DETAIL = 16,      /* v_pieces_heure, v_fraicheur, v_rejets, v_jobs */
};

/* Loads the model. Returns CU_REPORT_OK, CU_REPORT_EMPTY (no v_jour row selected: nothing
 * else loaded), CU_REPORT_NODB (connection lost) or CU_REPORT_FAILED, with err filled. */
cu_report_status cu_model_load(PGconn *conn, const cu_report_opts *o, int need, cu_model *m,
                               cu_err *err);
void cu_model_free(cu_model *m);

/* Column index by name; aborts when absent (a view that lost a column of SPEC §8 is a bug
 * the tests catch, not a runtime condition). */
int cu_rtab_col(const cu_rtab *t, const char *name);
static inline const char *cu_rtab_get(const cu_rtab *t, int row, int col)
{
    return PQgetvalue(t->res, row, col);
}
static inline bool cu_rtab_null(const cu_rtab *t, int row, int col)
{
    return PQgetisnull(t->res, row, col) != 0;
}

/* The output modules: write the model to out; 0, or -1 with err (I/O). */
int cu_html_write(FILE *out, const cu_model *m, cu_report_lang lang, cu_err *err);
int cu_csv_write(FILE *out, const cu_model *m, bool excel, cu_err *err);
/* xlsx needs a file name (libxlsxwriter writes a zip); path is a regular file. */
int cu_xlsx_write(const char *path, const cu_model *m, cu_err *err);

#endif

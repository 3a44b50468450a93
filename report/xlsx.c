/* xlsx.c — --export --format xlsx: a workbook of three sheets, `jours` (v_jour), `semaines`
 * (v_semaine) and `etats` (v_etat), header = the view's column names, written with
 * libxlsxwriter (SPEC §8).
 *
 * Cells are typed from the column's PostgreSQL type: numbers as numbers (durations keep their
 * fractions), dates and timestamps as Excel dates with a visible format, text as text (never
 * as a formula, whatever it starts with). The workbook is written in libxlsxwriter's
 * constant-memory mode, row by row, so a month of 50 machines' periods needs little memory. */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "model.h"
#include "pgtypes.h"

#define CU_XLSX_MAX_ROWS 1048575 /* Excel's limit, header excluded */

typedef struct cu_xfmt {
    lxw_format *head, *date, *stamp;
} cu_xfmt;

static int cu_xlsx_sheet(lxw_workbook *wb, const char *name, const cu_rtab *t, const cu_xfmt *f,
                         cu_err *err)
{
    if (t->nrows > CU_XLSX_MAX_ROWS)
        return cu_fail(err,
                       "export: %d rows for sheet %s, more than Excel's %d: select fewer "
                       "dates or machines",
                       t->nrows, name, CU_XLSX_MAX_ROWS);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws) return cu_fail(err, "export: cannot add sheet %s", name);
    for (int c = 0; c < t->ncols; c++) {
        unsigned oid = PQftype(t->res, c);
        double width = oid == CU_OID_TIMESTAMP || oid == CU_OID_TIMESTAMPTZ ? 19
                       : oid == CU_OID_DATE                                 ? 11
                                                                            : 14;
        if (strcmp(PQfname(t->res, c), "fichier") == 0) width = 28;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, PQfname(t->res, c), f->head);
    }
    for (int r = 0; r < t->nrows; r++) {
        lxw_row_t row = (lxw_row_t)r + 1;
        for (int c = 0; c < t->ncols; c++) {
            if (cu_rtab_null(t, r, c)) continue;
            const char *v = cu_rtab_get(t, r, c);
            unsigned oid = PQftype(t->res, c);
            lxw_error e = LXW_NO_ERROR;
            cu_ts ts;
            if (cu_oid_number(oid)) {
                e = worksheet_write_number(ws, row, (lxw_col_t)c, strtod(v, NULL), NULL);
            } else if (cu_oid_time(oid) && cu_ts_parse(v, &ts)) {
                lxw_datetime dt = {ts.year, ts.month, ts.day, ts.hour, ts.min, ts.sec};
                e = worksheet_write_datetime(ws, row, (lxw_col_t)c, &dt,
                                             oid == CU_OID_DATE ? f->date : f->stamp);
            } else {
                e = worksheet_write_string(ws, row, (lxw_col_t)c, v, NULL);
            }
            if (e != LXW_NO_ERROR)
                return cu_fail(err, "export: sheet %s, row %d: %s", name, r + 2, lxw_strerror(e));
        }
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (t->ncols > 0)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)t->nrows, (lxw_col_t)(t->ncols - 1));
    return 0;
}

int cu_xlsx_write(const char *path, const cu_model *m, cu_err *err)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) return cu_fail(err, "export: cannot create workbook %s", path);
    cu_xfmt f = {workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb)};
    format_set_bold(f.head);
    format_set_num_format(f.date, "yyyy-mm-dd");
    format_set_num_format(f.stamp, "yyyy-mm-dd hh:mm:ss");
    int rc = 0;
    if (cu_xlsx_sheet(wb, "jours", &m->jours, &f, err) != 0 ||
        cu_xlsx_sheet(wb, "semaines", &m->semaines, &f, err) != 0 ||
        cu_xlsx_sheet(wb, "etats", &m->etats, &f, err) != 0)
        rc = -1;
    lxw_error e = workbook_close(wb); /* frees wb; writes the file */
    if (rc == 0 && e != LXW_NO_ERROR)
        rc = cu_fail(err, "export: writing %s: %s", path, lxw_strerror(e));
    return rc;
}

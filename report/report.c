/* report.c — cu_report_run: validate the selection, connect, load the model from the views
 * in one read-only snapshot, hand it to the format's output module, and put the output in
 * place (see report.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "model.h"
#include "strbuf.h"

int cu_report_date_valid(const char *s)
{
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return 0;
    if (s[4] != '-' || s[7] != '-' || y < 1 || m < 1 || m > 12 || d < 1) return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Copies a finished temporary file to stdout (xlsx, which libxlsxwriter writes by name). */
static int cu_copy_to_stdout(const char *path, cu_err *err)
{
    FILE *in = fopen(path, "rb");
    if (!in) return cu_fail(err, "export: %s: %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, stdout) != n) {
            rc = cu_fail(err, "export: writing to stdout: %s", strerror(errno));
            break;
        }
    fclose(in);
    if (rc == 0 && fflush(stdout) != 0)
        rc = cu_fail(err, "export: writing to stdout: %s", strerror(errno));
    return rc;
}

/* Writes the model in the chosen format to `target` (a path), or to stdout when NULL. A file
 * is first written as target.XXXXXX beside it (same file system) and renamed when complete. */
static int cu_emit(const cu_report_opts *o, const cu_model *m, const char *target, cu_err *err)
{
    cu_sb tmp = {0};
    if (target)
        cu_sb_printf(&tmp, "%s.XXXXXX", target);
    else if (o->format == CU_EXPORT_XLSX)
        cu_sb_printf(&tmp, "%s/cuwatch-export.XXXXXX",
                     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    FILE *out = stdout;
    int rc = 0;
    if (tmp.len) {
        int fd = mkstemp(tmp.data);
        if (fd < 0) {
            /* Name the path the user gave, not the random temporary beside it. */
            if (target)
                rc = cu_fail(err, "cannot write %s: %s", target, strerror(errno));
            else
                rc = cu_fail(err, "cannot create %s: %s", tmp.data, strerror(errno));
            cu_sb_free(&tmp);
            return rc;
        }
        /* mkstemp makes it 0600; a report is meant to be shared like any file the user writes. */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
        out = fdopen(fd, "wb");
        if (!out) {
            close(fd);
            rc = cu_fail(err, "cannot open %s: %s", tmp.data, strerror(errno));
        }
    }
    if (rc == 0) {
        switch (o->format) {
        case CU_REPORT_HTML:
            rc = cu_html_write(out, m, o->lang, err);
            break;
        case CU_EXPORT_CSV:
            rc = cu_csv_write(out, m, false, err);
            break;
        case CU_EXPORT_CSV_EXCEL:
            rc = cu_csv_write(out, m, true, err);
            break;
        case CU_EXPORT_XLSX:
            rc = cu_xlsx_write(tmp.data, m, err);
            break;
        }
        if (out != stdout) {
            if (fclose(out) != 0 && rc == 0)
                rc = cu_fail(err, "writing %s: %s", tmp.data, strerror(errno));
        } else if (fflush(stdout) != 0 && rc == 0) {
            rc = cu_fail(err, "writing to stdout: %s", strerror(errno));
        }
    }
    if (rc == 0 && tmp.len) {
        if (target) {
            if (rename(tmp.data, target) != 0)
                rc = cu_fail(err, "cannot write %s: %s", target, strerror(errno));
        } else {
            rc = cu_copy_to_stdout(tmp.data, err);
        }
    }
    if (tmp.len && (rc != 0 || !target)) unlink(tmp.data);
    cu_sb_free(&tmp);
    return rc;
}

static const char *cu_describe(const cu_report_opts *o, cu_sb *sb)
{
    if (o->from || o->to)
        cu_sb_printf(sb, "dates %s to %s", o->from ? o->from : "the first",
                     o->to ? o->to : "the last");
    else
        cu_sb_puts(sb, "the 7 most recent production dates");
    if (o->nmachines) {
        cu_sb_puts(sb, ", machine");
        for (size_t i = 0; i < o->nmachines; i++)
            cu_sb_printf(sb, "%s%s", i ? ", " : " ", o->machines[i]);
    } else {
        cu_sb_puts(sb, ", all machines");
    }
    return sb->data;
}

cu_report_status cu_report_run(const cu_config *cfg, const cu_report_opts *o, cu_err *err)
{
    if (o->from && !cu_report_date_valid(o->from))
        return cu_fail(err, "--from: \"%s\" is not a date (YYYY-MM-DD)", o->from),
               CU_REPORT_BAD_ARGS;
    if (o->to && !cu_report_date_valid(o->to))
        return cu_fail(err, "--to: \"%s\" is not a date (YYYY-MM-DD)", o->to), CU_REPORT_BAD_ARGS;
    if (o->from && o->to && strcmp(o->from, o->to) > 0)
        return cu_fail(err, "--from %s is after --to %s", o->from, o->to), CU_REPORT_BAD_ARGS;
    const char *target = o->output && strcmp(o->output, "-") != 0 ? o->output : NULL;
    if (!target && o->format == CU_EXPORT_XLSX && isatty(STDOUT_FILENO))
        return cu_fail(err, "--format xlsx writes a binary workbook: give -o FILE.xlsx or "
                            "redirect stdout"),
               CU_REPORT_BAD_ARGS;

    cu_db_conn_error why;
    cu_db *db = cu_db_connect(cfg, &why, err);
    if (!db) return why == CU_DB_CONN_CONFIG ? CU_REPORT_CONFIG : CU_REPORT_NODB;
    PGconn *conn = cu_db_pgconn(db);

    /* One snapshot for every view: a daemon ingesting meanwhile cannot make the totals and
     * the timelines of one report disagree. */
    cu_report_status st = CU_REPORT_OK;
    PGresult *r = PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        st = PQstatus(conn) == CONNECTION_OK ? CU_REPORT_FAILED : CU_REPORT_NODB;
        cu_fail(err, "report: cannot start a read-only transaction: %s", PQerrorMessage(conn));
    }
    PQclear(r);
    /* No JIT: its estimate for the views' fallback branches (sessions stored before the
     * pieces' rhythm was) makes PostgreSQL compile for seconds a query that runs in a tenth
     * of one (measured: v_pieces_heure of 300 days, 2.4 s with JIT, 0.17 s without).
     * work_mem for the sorts by machine, day and time: a month of 50 machines has 215,000 waits
     * and stops and 150,000 job changes, which the default 4 MB sorts on disk (external merge,
     * EXPLAIN ANALYZE on bench/report's data); 64 MB keeps them in memory, for this one
     * read-only transaction. DateStyle: dates and timestamps are parsed as ISO, whatever the
     * role or database chose (a French BI role with 'SQL, DMY'). */
    if (st == CU_REPORT_OK) {
        r = PQexec(conn, "SET LOCAL jit = off; SET LOCAL work_mem = '64MB';"
                           " SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'");
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            st = PQstatus(conn) == CONNECTION_OK ? CU_REPORT_FAILED : CU_REPORT_NODB;
            cu_fail(err, "report: %s", PQerrorMessage(conn));
        }
        PQclear(r);
    }
    int need = o->format == CU_REPORT_HTML   ? CU_NEED_JOURS | CU_NEED_ETATS_DRAWN | CU_NEED_DETAIL
               : o->format == CU_EXPORT_XLSX ? CU_NEED_JOURS | CU_NEED_SEMAINES | CU_NEED_ETATS
                                             : CU_NEED_JOURS;
    cu_model m;
    if (st == CU_REPORT_OK) st = cu_model_load(conn, o, need, &m, err);
    if (st == CU_REPORT_OK) {
        PQclear(PQexec(conn, "COMMIT")); /* read only: nothing to lose if this fails */
        if (cu_emit(o, &m, target, err) != 0) st = CU_REPORT_FAILED;
        cu_model_free(&m);
    } else if (st == CU_REPORT_EMPTY) {
        cu_sb sb = {0};
        cu_fail(err, "nothing to %s: no production day for %s%s",
                o->format == CU_REPORT_HTML ? "report" : "export", cu_describe(o, &sb),
                target ? "; no file written" : "");
        cu_sb_free(&sb);
    }
    cu_db_close(db);
    return st;
}

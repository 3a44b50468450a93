/* cmd_parse.c — `cuwatch --parse FILE...`: the parser and metrics, without any database.
 *
 * One JSON object per file, on one line, with exactly the keys of SPEC §5. A file that cannot
 * be read is reported on stderr (naming it) and makes the exit status 1; the other files are
 * still parsed. One cu_logfile serves every file, so memory does not grow with their number. */
#include <inttypes.h>
#include <stdio.h>

#include "commands.h"
#include "json.h"
#include "logfile.h"
#include "strbuf.h"

static void cu_put_key(cu_sb *out, const char *key)
{
    cu_sb_printf(out, ",\"%s\":", key);
}

static void cu_put_str(cu_sb *out, const char *key, const char *s)
{
    cu_put_key(out, key);
    cu_json_cstr(out, s);
}

/* Exact seconds from µs: "10800", "372.5", "0.000001". */
static void cu_put_seconds(cu_sb *out, const char *key, int64_t us)
{
    cu_put_key(out, key);
    if (us < 0) {
        cu_sb_putc(out, '-');
        us = -us;
    }
    cu_sb_printf(out, "%" PRId64, us / CU_US_PER_S);
    int64_t frac = us % CU_US_PER_S;
    if (frac) {
        char f[8];
        snprintf(f, sizeof f, "%06" PRId64, frac);
        int n = 6;
        while (f[n - 1] == '0')
            n--;
        cu_sb_printf(out, ".%.*s", n, f);
    }
}

static void cu_put_cpct(cu_sb *out, const char *key, int32_t cpct)
{
    cu_put_key(out, key);
    if (cpct % 100 == 0)
        cu_sb_printf(out, "%d", cpct / 100);
    else if (cpct % 10 == 0)
        cu_sb_printf(out, "%d.%d", cpct / 100, cpct % 100 / 10);
    else
        cu_sb_printf(out, "%d.%02d", cpct / 100, cpct % 100);
}

static void cu_put_ts(cu_sb *out, const char *key, bool has, int64_t us)
{
    char buf[32];
    cu_put_key(out, key);
    if (!has) {
        cu_sb_puts(out, "null");
        return;
    }
    cu_format_ts(buf, us, 'T');
    cu_json_cstr(out, buf);
}

static void cu_put_u64(cu_sb *out, const char *key, uint64_t v)
{
    cu_put_key(out, key);
    cu_sb_printf(out, "%" PRIu64, v);
}

static void cu_logfile_json(cu_sb *out, const cu_logfile *lf)
{
    const cu_metrics *m = &lf->metrics;
    cu_sb_puts(out, "{\"path\":");
    cu_json_cstr(out, lf->path); /* the first key, without the comma of cu_put_key */
    cu_put_str(out, "machine", lf->machine);
    cu_put_str(out, "type", lf->type);
    char date[16];
    if (lf->has_date) cu_format_date(date, lf->date_days);
    cu_put_str(out, "date_production", lf->has_date ? date : NULL);
    cu_put_str(out, "status", lf->status == CU_STATUS_OK ? "ok" : "rejete");
    cu_put_str(out, "error", lf->error);
    cu_put_u64(out, "lines", lf->lines);
    cu_put_u64(out, "events", lf->events);
    cu_put_u64(out, "unknown_events", lf->unknown_events);
    cu_put_u64(out, "rejected_lines", lf->rejected_lines);
    cu_put_u64(out, "total_pieces", (uint64_t)lf->n_pieces);
    cu_put_u64(out, "jobs", (uint64_t)lf->n_jobs);
    cu_put_u64(out, "waits", (uint64_t)lf->n_waits);
    cu_put_u64(out, "stops", (uint64_t)lf->n_stops);
    cu_put_ts(out, "first_piece", lf->has_first_piece, lf->first_piece);
    cu_put_ts(out, "last_piece", lf->has_last_piece, lf->last_piece);
    cu_put_ts(out, "first_machine_start", lf->has_first_start, lf->first_start);
    cu_put_ts(out, "last_machine_stop", lf->has_last_stop, lf->last_stop);
    cu_put_seconds(out, "production_s", m->production_us);
    cu_put_seconds(out, "wait_s", m->wait_us);
    cu_put_seconds(out, "stop_s", m->stop_us);
    cu_put_seconds(out, "effective_s", m->effective_us);
    cu_put_cpct(out, "occupation_pct", m->occupation_cpct);
    cu_put_cpct(out, "wait_pct", m->wait_cpct);
    cu_put_cpct(out, "stop_pct", m->stop_cpct);
    cu_sb_puts(out, ",\"rejects\":[");
    for (size_t i = 0; i < lf->n_rejects; i++) {
        cu_sb_printf(out, "%s{\"line\":%" PRIu64 ",\"reason\":", i ? "," : "", lf->rejects[i].line);
        cu_json_cstr(out, lf->rejects[i].reason);
        cu_sb_putc(out, '}');
    }
    cu_sb_puts(out, "]}\n");
}

int cu_cmd_parse(int nfiles, char **files)
{
    cu_logfile lf = {.skip_piece_details = true}; /* the output has no details */
    cu_sb out = {0};
    int rc = CU_EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        cu_err err;
        if (cu_logfile_parse_file(&lf, files[i], &err) != 0) {
            fflush(stdout);
            fprintf(stderr, "cuwatch: %s\n", err.msg);
            rc = CU_EXIT_FAIL;
            continue;
        }
        cu_sb_reset(&out);
        cu_logfile_json(&out, &lf);
        fwrite(out.data, 1, out.len, stdout);
    }
    cu_sb_free(&out);
    cu_logfile_free(&lf);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cuwatch: cannot write the output\n");
        rc = CU_EXIT_FAIL;
    }
    return rc;
}

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

/* Exact seconds from µs: "10800", "372.5", "0.000001". */
static void cu_put_seconds(cu_sb *out, int64_t us)
{
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

static void cu_put_cpct(cu_sb *out, int32_t cpct)
{
    if (cpct % 100 == 0)
        cu_sb_printf(out, "%d", cpct / 100);
    else if (cpct % 10 == 0)
        cu_sb_printf(out, "%d.%d", cpct / 100, cpct % 100 / 10);
    else
        cu_sb_printf(out, "%d.%02d", cpct / 100, cpct % 100);
}

static void cu_put_ts(cu_sb *out, bool has, int64_t us)
{
    char buf[32];
    if (!has) {
        cu_sb_puts(out, "null");
        return;
    }
    cu_format_ts(buf, us, 'T');
    cu_json_cstr(out, buf);
}

static void cu_put_key(cu_sb *out, const char *key)
{
    cu_sb_printf(out, ",\"%s\":", key);
}

static void cu_put_u32(cu_sb *out, const char *key, uint32_t v)
{
    cu_put_key(out, key);
    cu_sb_printf(out, "%" PRIu32, v);
}

static void cu_logfile_json(cu_sb *out, const cu_logfile *lf)
{
    const cu_metrics *m = &lf->metrics;
    cu_sb_puts(out, "{\"path\":");
    cu_json_cstr(out, lf->path);
    cu_put_key(out, "machine");
    cu_json_cstr(out, lf->machine);
    cu_put_key(out, "type");
    cu_json_cstr(out, lf->type);
    cu_put_key(out, "date_production");
    if (lf->has_date) {
        char d[16];
        cu_format_date(d, lf->date_days);
        cu_json_cstr(out, d);
    } else {
        cu_sb_puts(out, "null");
    }
    cu_put_key(out, "status");
    cu_json_cstr(out, lf->status == CU_STATUS_OK ? "ok" : "rejete");
    cu_put_key(out, "error");
    cu_json_cstr(out, lf->error);
    cu_put_u32(out, "lines", lf->lines);
    cu_put_u32(out, "events", lf->events);
    cu_put_u32(out, "unknown_events", lf->unknown_events);
    cu_put_u32(out, "rejected_lines", lf->rejected_lines);
    cu_put_u32(out, "total_pieces", (uint32_t)lf->n_pieces);
    cu_put_u32(out, "jobs", (uint32_t)lf->n_jobs);
    cu_put_u32(out, "waits", (uint32_t)lf->n_waits);
    cu_put_u32(out, "stops", (uint32_t)lf->n_stops);
    cu_put_key(out, "first_piece");
    cu_put_ts(out, lf->has_first_piece, lf->first_piece);
    cu_put_key(out, "last_piece");
    cu_put_ts(out, lf->has_last_piece, lf->last_piece);
    cu_put_key(out, "first_machine_start");
    cu_put_ts(out, lf->has_first_start, lf->first_start);
    cu_put_key(out, "last_machine_stop");
    cu_put_ts(out, lf->has_last_stop, lf->last_stop);
    cu_put_key(out, "production_s");
    cu_put_seconds(out, m->production_us);
    cu_put_key(out, "wait_s");
    cu_put_seconds(out, m->wait_us);
    cu_put_key(out, "stop_s");
    cu_put_seconds(out, m->stop_us);
    cu_put_key(out, "effective_s");
    cu_put_seconds(out, m->effective_us);
    cu_put_key(out, "occupation_pct");
    cu_put_cpct(out, m->occupation_cpct);
    cu_put_key(out, "wait_pct");
    cu_put_cpct(out, m->wait_cpct);
    cu_put_key(out, "stop_pct");
    cu_put_cpct(out, m->stop_cpct);
    cu_sb_puts(out, ",\"rejects\":[");
    for (size_t i = 0; i < lf->n_rejects; i++) {
        cu_sb_printf(out, "%s{\"line\":%" PRIu32 ",\"reason\":", i ? "," : "", lf->rejects[i].line);
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

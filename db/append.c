/* append.c — what an append changes in a session's rows (SPEC §3, "the database work must be
 * proportional to the appended lines"). Pure: two parses in, a plan out; no database.
 *
 * The old parse is of the bytes last ingested (the registry's size and hash prove the new file
 * starts with them), the new one of the whole new file. Each table's rows are compared in the
 * order the ingest stores them (which is also the order of their ids, since every write
 * appends rows in that order and only ever deletes a tail): the rows both parses share at the
 * head are kept, the old rows after them are deleted and the new rows after them written.
 * The result is exactly a full replacement's, ids aside, whatever the appended bytes were. */
#include <inttypes.h>
#include <string.h>

#include "db_int.h"

static bool cu_str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static size_t cu_common_pieces(const cu_logfile *a, const cu_logfile *b)
{
    size_t n = a->n_pieces < b->n_pieces ? a->n_pieces : b->n_pieces, i = 0;
    while (i < n && a->pieces[i].ts == b->pieces[i].ts &&
           cu_str_eq(a->pieces[i].details, b->pieces[i].details))
        i++;
    return i;
}

static size_t cu_common_jobs(const cu_logfile *a, const cu_logfile *b)
{
    size_t n = a->n_jobs < b->n_jobs ? a->n_jobs : b->n_jobs, i = 0;
    while (i < n && a->jobs[i].ts == b->jobs[i].ts &&
           cu_str_eq(a->jobs[i].reference, b->jobs[i].reference) &&
           cu_str_eq(a->jobs[i].length, b->jobs[i].length) &&
           cu_str_eq(a->jobs[i].colour, b->jobs[i].colour))
        i++;
    return i;
}

static size_t cu_common_periods(const cu_period *a, size_t na, const cu_period *b, size_t nb)
{
    size_t n = na < nb ? na : nb, i = 0;
    while (i < n && a[i].start == b[i].start && a[i].end == b[i].end)
        i++;
    return i;
}

static size_t cu_common_states(const cu_logfile *a, const cu_logfile *b)
{
    size_t n = a->n_states < b->n_states ? a->n_states : b->n_states, i = 0;
    while (i < n && a->states[i].start == b->states[i].start &&
           a->states[i].end == b->states[i].end && a->states[i].etat == b->states[i].etat)
        i++;
    return i;
}

static size_t cu_common_rejects(const cu_logfile *a, const cu_logfile *b)
{
    size_t n = a->n_rejects < b->n_rejects ? a->n_rejects : b->n_rejects, i = 0;
    while (i < n && a->rejects[i].line == b->rejects[i].line &&
           cu_str_eq(a->rejects[i].content, b->rejects[i].content) &&
           cu_str_eq(a->rejects[i].reason, b->rejects[i].reason))
        i++;
    return i;
}

bool cu_append_plan_make(const cu_logfile *old, const cu_logfile *new, cu_append_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    if (old->status != CU_STATUS_OK || new->status != CU_STATUS_OK) return false;
    if (old->has_date != new->has_date || old->date_days != new->date_days) return false;
    plan->keep[CU_T_PIECES] = cu_common_pieces(old, new);
    plan->keep[CU_T_JOBS] = cu_common_jobs(old, new);
    plan->keep[CU_T_WAITS] = cu_common_periods(old->waits, old->n_waits, new->waits, new->n_waits);
    plan->keep[CU_T_STOPS] = cu_common_periods(old->stops, old->n_stops, new->stops, new->n_stops);
    plan->keep[CU_T_STATES] = cu_common_states(old, new);
    plan->keep[CU_T_REJECTS] = cu_common_rejects(old, new);
    size_t old_n[CU_T_COUNT] = {old->n_pieces, old->n_jobs,   old->n_waits,
                                old->n_stops,  old->n_states, old->n_rejects};
    size_t new_n[CU_T_COUNT] = {new->n_pieces, new->n_jobs,   new->n_waits,
                                new->n_stops,  new->n_states, new->n_rejects};
    for (int t = 0; t < CU_T_COUNT; t++) {
        plan->drop[t] = old_n[t] - plan->keep[t];
        plan->add[t] = new_n[t] - plan->keep[t];
    }
    /* Appended lines add pieces, jobs, waits and stops after those stored (a stop left open at
     * the end is no period yet, and when the append closes it, it starts after every stored
     * one). A stored one that changes means an appended event older than those ingested (a
     * wait sorted in among them), or a last line without newline that the append extended:
     * SPEC §3 has those replaced whole. The timeline's tail (W grows with the last piece) and
     * the rejected lines (an extended last line) may change. */
    for (int t = CU_T_PIECES; t <= CU_T_STOPS; t++)
        if (plan->drop[t]) return false;
    return true;
}

/* ---- Array literals for the append's one statement -------------------------------------- */

void cu_arr_open(cu_arrays *a)
{
    if (a->n == 0) cu_sb_reset(&a->buf);
    a->start[a->n++] = a->buf.len;
    cu_sb_putc(&a->buf, '{');
}

static void cu_arr_sep(cu_arrays *a)
{
    if (a->buf.data[a->buf.len - 1] != '{') cu_sb_putc(&a->buf, ',');
}

/* An element quoted as array_in reads it back: backslash before '"' and '\\'. */
void cu_arr_text(cu_arrays *a, const char *s)
{
    cu_arr_sep(a);
    if (!s) {
        cu_sb_puts(&a->buf, "NULL");
        return;
    }
    cu_sb_putc(&a->buf, '"');
    const char *run = s;
    for (const char *p = s; *p; p++) {
        if (*p != '"' && *p != '\\') continue;
        cu_sb_append(&a->buf, run, (size_t)(p - run));
        cu_sb_putc(&a->buf, '\\');
        run = p;
    }
    cu_sb_puts(&a->buf, run);
    cu_sb_putc(&a->buf, '"');
}

void cu_arr_int(cu_arrays *a, int64_t v)
{
    cu_arr_sep(a);
    cu_sb_printf(&a->buf, "%" PRId64, v);
}

void cu_arr_ts(cu_arrays *a, int64_t us)
{
    char ts[32];
    cu_format_ts(ts, us, ' ');
    cu_arr_text(a, ts);
}

void cu_arr_close(cu_arrays *a)
{
    cu_sb_putc(&a->buf, '}');
    cu_sb_putc(&a->buf, '\0');
}

const char *cu_arr_get(const cu_arrays *a, int i)
{
    return a->buf.data + a->start[i];
}

/* append.c — what an append changes in a session's rows (SPEC §3, "the database work must be
 * proportional to the appended lines"). Pure: two parses in, a plan out; no database.
 *
 * The old parse is of the bytes last ingested (the registry's size and hash prove the new file
 * starts with them), the new one of the whole new file. Each table's rows are compared in the
 * order the ingest stores them (which is also the order of their ids, since every write
 * appends rows in that order and only ever deletes a tail): the rows both parses share at the
 * head are kept, the old rows after them are deleted and the new rows after them written.
 * The result is exactly a full replacement's, ids aside, whatever the appended bytes were. */
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
           a->pieces[i].number == b->pieces[i].number &&
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

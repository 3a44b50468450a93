/* metrics.c — SPEC §2: from the events of one file to its production session.
 *
 * Events are taken in timestamp order (equal timestamps keep file order). Everything is
 * integer microseconds, so the result is exact to the microsecond and the same on every
 * machine; only the rates are rounded, once, half away from zero.
 *
 *   W      = [first piece, last piece]
 *   stops  = Stop … (Start | piece); a second Stop changes nothing; an unclosed stop at the
 *            end of the file is the end-of-day shutdown and no stop period
 *   waits  = [t, t + duration] for each valid MachineWait
 *   stop   = |∪stops ∩ W|
 *   wait   = |(∪waits ∩ W) \ ∪stops|   (time both stopped and waiting is stop, never twice)
 *
 * One sweep over W produces the timeline of SPEC §3 periode_etat — every instant of W is
 * arret when inside a stop, else attente when inside a wait, else production — and the
 * metrics are the sums of its periods per state. The numbers a report shows and the
 * timeline it draws therefore come from one computation and cannot disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "logfile_priv.h"

static int cu_ev_cmp(const void *a, const void *b)
{
    const cu_ev *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->tag < y->tag ? -1 : x->tag > y->tag; /* the line: file order */
}

/* Machines log nearly in order, so an insertion sort moves each late line back a few places:
 * O(n + displacement), and stable. An adversarial file could make that quadratic, so past a
 * budget of moves the rest is left to qsort, whose (ts, line) order is the same. */
static void cu_sort_events(cu_logfile_priv *p)
{
    cu_ev *evs = p->evs;
    size_t n = p->n_evs, moves = 0, budget = 8 * n + 4096;
    for (size_t i = 1; i < n; i++) {
        if (evs[i].ts >= evs[i - 1].ts) continue;
        cu_ev e = evs[i];
        size_t j = i;
        while (j > 0 && evs[j - 1].ts > e.ts) {
            evs[j] = evs[j - 1];
            j--;
            moves++;
        }
        evs[j] = e;
        if (moves > budget) {
            qsort(evs, n, sizeof *evs, cu_ev_cmp);
            return;
        }
    }
}

static int cu_period_cmp(const void *a, const void *b)
{
    const cu_period *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The waits, gathered in file order, into the order of their events: (start, line). The same
 * insertion sort as the events', with the same fallback. */
static void cu_sort_waits(cu_logfile *lf)
{
    cu_period *w = lf->waits;
    size_t n = lf->n_waits, moves = 0, budget = 8 * n + 4096;
    for (size_t i = 1; i < n; i++) {
        if (w[i].start >= w[i - 1].start) continue;
        cu_period e = w[i];
        size_t j = i;
        while (j > 0 && w[j - 1].start > e.start) {
            w[j] = w[j - 1];
            j--;
            moves++;
        }
        w[j] = e;
        if (moves > budget) {
            qsort(w, n, sizeof *w, cu_period_cmp);
            return;
        }
    }
}

static void cu_push_period(cu_period **arr, size_t *n, size_t *cap, int64_t a, int64_t b,
                           cu_lineno line)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *arr = cu_xrealloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = (cu_period){.start = a, .end = b, .line = line};
}

static int64_t cu_min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t cu_max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* x / production in hundredths of a percent, rounded half away from zero (x ≥ 0). */
static int32_t cu_cpct(int64_t x, int64_t production)
{
    __int128 num = (__int128)x * 10000 * 2 + production;
    return (int32_t)(num / ((__int128)production * 2));
}

/* The union of periods (sorted by start) clipped to [w0, w1], into out: sorted, disjoint, not
 * touching, none empty. */
static size_t cu_clip_union(const cu_period *in, size_t n, int64_t w0, int64_t w1, cu_period **out,
                            size_t *cap)
{
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        int64_t a = in[i].start, b = in[i].end;
        for (i++; i < n && in[i].start <= b; i++)
            b = cu_max64(b, in[i].end);
        a = cu_max64(a, w0);
        b = cu_min64(b, w1);
        if (b > a) cu_push_period(out, &m, cap, a, b, 0);
    }
    return m;
}

/* Appends [a, b) in state etat. The clipped unions never touch, so the sweep never yields two
 * periods of one state in a row; merging here keeps "adjacent periods merged" true by
 * construction should that ever change. */
static void cu_push_state(cu_logfile *lf, cu_etat etat, int64_t a, int64_t b)
{
    if (lf->n_states && lf->states[lf->n_states - 1].etat == etat &&
        lf->states[lf->n_states - 1].end == a) {
        lf->states[lf->n_states - 1].end = b;
        return;
    }
    cu_logfile_priv *p = lf->priv;
    if (lf->n_states == p->cap_states) {
        p->cap_states = p->cap_states ? p->cap_states * 2 : 64;
        lf->states = cu_xrealloc(lf->states, p->cap_states * sizeof *lf->states);
    }
    lf->states[lf->n_states++] = (cu_state_period){.start = a, .end = b, .etat = etat};
}

/* Cuts W = [w0, w1] into its timeline. s (stops) and a (waits) are clipped unions: each step
 * takes the state at t and runs to the next boundary where it could change. */
static void cu_sweep(cu_logfile *lf, int64_t w0, int64_t w1, const cu_period *s, size_t ns,
                     const cu_period *a, size_t na)
{
    size_t i = 0, j = 0;
    for (int64_t t = w0; t < w1;) {
        while (i < ns && s[i].end <= t)
            i++;
        while (j < na && a[j].end <= t)
            j++;
        int64_t next_stop = i < ns ? s[i].start : w1;
        cu_etat etat;
        int64_t until;
        if (i < ns && s[i].start <= t) {
            etat = CU_ETAT_ARRET, until = s[i].end;
        } else if (j < na && a[j].start <= t) {
            etat = CU_ETAT_ATTENTE, until = cu_min64(a[j].end, next_stop);
        } else {
            etat = CU_ETAT_PRODUCTION, until = cu_min64(next_stop, j < na ? a[j].start : w1);
        }
        until = cu_min64(until, w1);
        cu_push_state(lf, etat, t, until);
        t = until;
    }
}

static int cu_i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The k-th smallest of a[0..n) (k < n), leaving a[0..k) <= a[k] <= a[k+1..n). A median needs
 * no full sort: qsort of every file's gaps was half of a --parse. Hoare's selection with a
 * median-of-three pivot and a three-way partition (gaps are whole seconds, many equal) is
 * linear on real data; past a budget of passes the rest is sorted, so no input makes it
 * quadratic. */
static int64_t cu_select(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    for (unsigned pass = 0; hi - lo > 16; pass++) {
        if (pass == 64) {
            qsort(a + lo, hi - lo, sizeof *a, cu_i64_cmp);
            return a[k];
        }
        int64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
        int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t lt = lo, i = lo, gt = hi; /* [lo,lt) < pivot, [lt,i) == pivot, [gt,hi) > */
        while (i < gt) {
            int64_t v = a[i];
            if (v < pivot) {
                a[i++] = a[lt];
                a[lt++] = v;
            } else if (v > pivot) {
                a[i] = a[--gt];
                a[gt] = v;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return pivot;
    }
    for (size_t i = lo + 1; i < hi; i++) { /* a few left: insertion sort */
        int64_t v = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
    return a[k];
}

#define CU_GAP_SECONDS 4096 /* gaps of whole seconds below this are counted, not selected */

/* The median of the gaps when it can be counted: timestamps have whole seconds, so gaps are
 * whole seconds, nearly all short. One pass fills a histogram (no comparison to mispredict,
 * unlike any partition), and a walk finds the two middle ranks. Returns false, leaving the
 * work to cu_select, when a gap has a fraction of a second or a middle rank lies among the
 * gaps too long to count. */
static bool cu_median_by_count(const int64_t *g, size_t n, int64_t *median)
{
    uint32_t count[CU_GAP_SECONDS];
    memset(count, 0, sizeof count);
    size_t over = 0;
    int64_t frac = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)g[i]; /* gaps are >= 0: the events are in time order */
        uint64_t sec = v / (uint64_t)CU_US_PER_S;
        frac |= (int64_t)(v % (uint64_t)CU_US_PER_S);
        if (sec < CU_GAP_SECONDS)
            count[sec]++;
        else
            over++;
    }
    size_t lo_rank = (n - 1) / 2, hi_rank = n / 2; /* equal when n is odd */
    if (frac != 0 || hi_rank >= n - over) return false;
    int64_t lower = -1, upper = -1;
    size_t seen = 0;
    for (size_t sec = 0; upper < 0; sec++) {
        seen += count[sec];
        if (lower < 0 && seen > lo_rank) lower = (int64_t)sec * CU_US_PER_S;
        if (seen > hi_rank) upper = (int64_t)sec * CU_US_PER_S;
    }
    *median = lower + (upper - lower) / 2;
    return true;
}

/* floor(a / b) for b > 0, also for timestamps before 1970. */
static int64_t cu_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

/* The pieces' rhythm: the median gap between consecutive pieces and the pieces per clock
 * hour, from the events already in timestamp order. */
static void cu_rhythm(cu_logfile *lf)
{
    cu_logfile_priv *p = lf->priv;
    if (lf->n_pieces == 0) return;
    const int64_t hour = 3600 * CU_US_PER_S;
    int64_t h0 = cu_floor_div(lf->first_piece, hour);
    int64_t nh = cu_floor_div(lf->last_piece, hour) - h0 + 1;
    if (nh <= CU_MAX_HOURS) {
        if ((size_t)nh > p->cap_hours) {
            p->cap_hours = (size_t)nh;
            lf->hour_counts = cu_xrealloc(lf->hour_counts, p->cap_hours * sizeof *lf->hour_counts);
        }
        memset(lf->hour_counts, 0, (size_t)nh * sizeof *lf->hour_counts);
        lf->n_hours = (size_t)nh;
        lf->first_hour = h0 * hour;
    }
    /* The gaps are written over the events already read, which are not needed any more (the
     * walk above was their last use): the i-th event's 16 bytes are read before the gap that
     * follows it is stored, and that gap's 8 bytes lie below them (ng < i), so no event is
     * overwritten before it is read. A big file's peak memory (issue 8) then carries no
     * third array per piece. */
    int64_t *gaps = (int64_t *)(void *)p->evs;
    size_t ng = 0;
    int64_t prev = 0;
    bool first = true;
    for (size_t i = 0; i < p->n_evs; i++) {
        int64_t ts = p->evs[i].ts;
        if (CU_EV_KIND(&p->evs[i]) != CU_EV_PIECE) continue;
        if (lf->n_hours) lf->hour_counts[cu_floor_div(ts, hour) - h0]++;
        if (!first) gaps[ng++] = ts - prev;
        prev = ts, first = false;
    }
    if (ng == 0) return;
    lf->has_cycle_median = true;
    if (cu_median_by_count(gaps, ng, &lf->cycle_median_us)) return;
    int64_t upper = cu_select(gaps, ng, ng / 2);
    if (ng % 2) {
        lf->cycle_median_us = upper;
    } else {
        /* The lower middle is the largest of the gaps that selection left below. */
        int64_t lower = gaps[0];
        for (size_t i = 1; i < ng / 2; i++)
            if (gaps[i] > lower) lower = gaps[i];
        lf->cycle_median_us = lower + (upper - lower) / 2;
    }
}

void cu_logfile_compute(cu_logfile *lf)
{
    cu_logfile_priv *p = lf->priv;
    cu_sort_events(p);
    cu_sort_waits(lf);
    if (p->n_evs > 0) {
        lf->has_events = true;
        lf->first_event = p->evs[0].ts;
        lf->last_event = p->evs[p->n_evs - 1].ts;
    }

    bool stop_open = false;
    int64_t stop_at = 0;
    cu_lineno stop_line = 0;
    for (size_t i = 0; i < p->n_evs; i++) {
        const cu_ev *e = &p->evs[i];
        if (!lf->has_date && i == 0) {
            lf->has_date = true;
            lf->date_days = (int32_t)(e->ts / (86400 * CU_US_PER_S) -
                                      (e->ts < 0 && e->ts % (86400 * CU_US_PER_S) != 0));
        }
        switch (CU_EV_KIND(e)) {
        case CU_EV_PIECE:
            if (!lf->has_first_piece) lf->first_piece = e->ts, lf->has_first_piece = true;
            lf->last_piece = e->ts, lf->has_last_piece = true;
            /* The machine evidently ran again: the open stop ends here. */
            if (stop_open) {
                cu_push_period(&lf->stops, &lf->n_stops, &p->cap_stops, stop_at, e->ts, stop_line);
                stop_open = false;
            }
            break;
        case CU_EV_STOP:
            if (!stop_open) stop_open = true, stop_at = e->ts, stop_line = CU_EV_LINE(e);
            lf->last_stop = e->ts, lf->has_last_stop = true;
            break;
        case CU_EV_START:
            if (!lf->has_first_start) lf->first_start = e->ts, lf->has_first_start = true;
            if (stop_open) {
                cu_push_period(&lf->stops, &lf->n_stops, &p->cap_stops, stop_at, e->ts, stop_line);
                stop_open = false;
            }
            break;
        case CU_EV_WAIT: /* its period is in lf->waits already */
        case CU_EV_JOB:
        case CU_EV_UNKNOWN:
            break;
        }
    }

    cu_rhythm(lf);

    cu_metrics *m = &lf->metrics;
    if (lf->n_pieces < 2) return; /* production 0, every metric 0 */
    int64_t w0 = lf->first_piece, w1 = lf->last_piece;
    m->production_us = w1 - w0;
    if (m->production_us == 0) return;

    size_t ns = cu_clip_union(lf->stops, lf->n_stops, w0, w1, &p->clip_stops, &p->cap_clip_stops);
    size_t na = cu_clip_union(lf->waits, lf->n_waits, w0, w1, &p->clip_waits, &p->cap_clip_waits);
    cu_sweep(lf, w0, w1, p->clip_stops, ns, p->clip_waits, na);

    int64_t *sum[3] = {[CU_ETAT_PRODUCTION] = &m->effective_us,
                       [CU_ETAT_ATTENTE] = &m->wait_us,
                       [CU_ETAT_ARRET] = &m->stop_us};
    for (size_t k = 0; k < lf->n_states; k++)
        *sum[lf->states[k].etat] += lf->states[k].end - lf->states[k].start;
    m->occupation_cpct = cu_cpct(m->effective_us, m->production_us);
    m->wait_cpct = cu_cpct(m->wait_us, m->production_us);
    m->stop_cpct = cu_cpct(m->stop_us, m->production_us);
}

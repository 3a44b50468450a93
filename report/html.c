/* html.c — --report: the model as one self-contained HTML file (SPEC §8).
 *
 * What a plant manager reads, prints and mails: a first page with every machine's totals, then
 * one section per machine (its own printed page): the period's totals with rates weighted by
 * time (Σ effective / Σ production over the selected days of v_jour, never a mean of daily
 * percentages), the daily rates as stacked bars, and one row per day with its figures and a
 * 24-hour timeline drawn from v_etat (production, wait, stop inside the production window;
 * outside it shaded; job changes marked) over a strip of pieces per clock hour from
 * v_pieces_heure; last, the data quality: days without a file, files with rejected lines
 * and their first reasons.
 *
 * Self-contained by construction: inline CSS and SVG only, no script, no font, image or link
 * to fetch; printable on A4 landscape (@page, a page break before each machine, table headers
 * repeated). Readable without colour: every state has a pattern as well as a colour (solid
 * production, hatched wait, cross-hatched stop, dotted grey outside the window), a legend, and
 * its figures written out. All text from the database is escaped.
 *
 * Drawing: a day's timeline is an SVG whose user unit is one minute (viewBox 0 0 1440 h),
 * scaled uniformly to the column's width, so patterns keep their shape. Each state is one
 * <path> of horizontal strokes, one per period ("M start y h length"): a month of 50 machines
 * stays a few megabytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html_fmt.h"
#include "html_words.h"
#include "model.h"
#include "strbuf.h"

/* ---- Style ---------------------------------------------------------------------------- */

/* Colours: production green, wait amber, stop red (the factory's convention), each with a
 * darker pattern of its own hue so it reads in grey print and without colour vision. */
static const char cu_css[] =
    "@page{size:A4 landscape;margin:9mm}"
    "*{box-sizing:border-box}"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{font:13px/1.35 'DejaVu Sans',Arial,Helvetica,sans-serif;color:#1d232a;margin:0 auto;"
    "max-width:1120px;padding:14px 18px;background:#fff}"
    "h1{font-size:21px;margin:0 0 2px}h2{font-size:18px;margin:0 0 6px;display:flex;"
    "align-items:baseline;gap:10px}h3{font-size:14px;margin:14px 0 6px}"
    ".sub{color:#56606b;margin:0 0 10px}"
    ".tag{font-size:12px;font-weight:normal;background:#e8ecf0;border-radius:3px;"
    "padding:1px 6px;color:#333}"
    "section.m{break-before:page;page-break-before:always;padding-top:4px}"
    "section.q{break-before:page;page-break-before:always}"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center;margin:6px 0 10px;"
    "font-size:12px}"
    ".legend span{display:inline-flex;align-items:center;gap:5px}"
    ".sw{display:inline-block;width:26px;height:12px;border:1px solid #555}"
    ".pp{background:#2e8b47}"
    ".pw{background:repeating-linear-gradient(45deg,#f2b705 0 3px,#8c6400 3px 4.5px)}"
    ".ps{background:repeating-linear-gradient(45deg,#cf2f26 0 3px,#5e0f0b 3px 4.5px),#cf2f26;"
    "background:repeating-linear-gradient(45deg,transparent 0 3px,#5e0f0b 3px 4.5px),"
    "repeating-linear-gradient(-45deg,#cf2f26 0 3px,#5e0f0b 3px 4.5px)}"
    ".po{background:repeating-linear-gradient(45deg,#eceef0 0 3px,#c5cacf 3px 4px)}"
    ".ph{background:#4a5663}"
    ".jm{display:inline-block;width:3px;height:13px;background:#1b3f8b;margin:0 4px}"
    ".kpis{display:grid;grid-template-columns:repeat(7,1fr);gap:6px;margin:6px 0 8px}"
    ".kpi{border:1px solid #d5dbe1;border-radius:4px;padding:4px 8px}"
    ".kpi b{display:block;font-size:18px;white-space:nowrap}"
    ".kpi small{color:#56606b;font-size:11px}"
    ".kpi.o{border-left:5px solid #2e8b47}.kpi.w{border-left:5px solid #f2b705}"
    ".kpi.s{border-left:5px solid #cf2f26}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:3px 6px;vertical-align:middle}"
    "thead th{font-size:11px;color:#56606b;font-weight:normal;border-bottom:1px solid #bfc6cd}"
    "td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "table.ov tbody tr{border-bottom:1px solid #e4e8ec}"
    "table.days{table-layout:fixed}"
    "table.days td{border-bottom:1px solid #e4e8ec;padding:3px 4px}"
    "table.days tr{break-inside:avoid;page-break-inside:avoid}"
    ".info{width:264px}td.info{font-size:11px;line-height:1.3}"
    "td.info b{font-size:12.5px}td.info .warn{font-size:10.5px;font-weight:normal}"
    ".fig{color:#333;white-space:nowrap}"
    "svg.tl,svg.ax{display:block;width:100%;height:auto}"
    ".bars{display:flex;align-items:flex-end;gap:3px;height:150px;margin:4px 0 2px;"
    "padding-left:34px;position:relative;border-bottom:1px solid #555}"
    ".bars .gl{position:absolute;left:34px;right:0;border-top:1px dashed #c9cfd5;"
    "font-size:10px;color:#56606b}"
    ".bars .gl i{position:absolute;left:-34px;top:-7px;width:30px;text-align:right;"
    "font-style:normal}"
    ".bar{flex:1;max-width:90px;display:flex;flex-direction:column-reverse;height:100%;"
    "position:relative;z-index:1}"
    ".bar div{width:100%}"
    ".bar .lbl{position:absolute;bottom:2px;width:100%;text-align:center;font-size:10px;"
    "color:#fff;font-weight:bold;text-shadow:0 0 2px #000}"
    ".bdates{display:flex;gap:3px;padding-left:34px;font-size:10px;color:#444}"
    ".bdates span{flex:1;max-width:90px;text-align:center;white-space:nowrap;overflow:hidden}"
    ".mini{display:flex;height:10px;width:120px;border:1px solid #777}"
    ".warn{color:#a0290f;font-weight:bold}"
    ".ok{color:#2e6b3a}"
    "ul.rj{margin:2px 0 8px 18px;padding:0;font-size:12px}"
    "code{font-size:11.5px;background:#f1f3f5;padding:0 3px;word-break:break-all}"
    ".note{font-size:11px;color:#56606b;margin-top:10px;max-width:900px}"
    "@media print{body{padding:0;max-width:none}.bars{height:64px}.sub{margin:0 0 4px}"
    ".kpis{margin:3px 0 4px}.kpi{padding:2px 8px}table.days td{padding:2px 4px}.kpi "
    "b{font-size:15px}td.info{font-size:10px}"
    "h3{margin:8px 0 4px}.legend{margin:3px 0 5px}}";

/* Patterns, defined once and used by every timeline. User unit = one minute; at the usual
 * width a minute is about half a pixel, so the tiles are a few pixels wide. */
static const char cu_defs[] =
    "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
    "<pattern id=\"pw\" patternUnits=\"userSpaceOnUse\" width=\"9\" height=\"9\" "
    "patternTransform=\"rotate(45)\"><rect width=\"9\" height=\"9\" fill=\"#f2b705\"/>"
    "<rect width=\"2.6\" height=\"9\" fill=\"#8c6400\"/></pattern>"
    "<pattern id=\"ps\" patternUnits=\"userSpaceOnUse\" width=\"9\" height=\"9\" "
    "patternTransform=\"rotate(45)\"><rect width=\"9\" height=\"9\" fill=\"#cf2f26\"/>"
    "<rect width=\"2.4\" height=\"9\" fill=\"#5e0f0b\"/><rect width=\"9\" height=\"2.4\" "
    "fill=\"#5e0f0b\"/></pattern>"
    "<pattern id=\"po\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" "
    "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#eceef0\"/>"
    "<rect width=\"1.6\" height=\"8\" fill=\"#c5cacf\"/></pattern>"
    "</defs></svg>\n";

/* Timeline geometry (minutes × units). */
enum { CU_TL_BAND = 34, CU_TL_GAP = 3, CU_TL_STRIP = 16 };
#define CU_TL_H (CU_TL_BAND + CU_TL_GAP + CU_TL_STRIP)

/* ---- The model's columns, looked up once ---------------------------------------------- */

typedef struct cu_jcols {
    int machine, type, jour, pieces, first, last, prod, eff, wait, stop, occ, pwait, pstop, perh,
        cycle, nwait, nstop, file, rejected;
} cu_jcols;

typedef struct cu_html {
    FILE *out;
    const cu_model *m;
    const cu_words *w;
    cu_report_lang lang;
    cu_jcols j;
    int e_machine, e_jour, e_etat, e_debut, e_fin;
    int p_machine, p_jour, p_heure, p_pieces;
    int ie, ip, ij; /* cursors in etats, pieces and jobs (same order as jours) */
    int j_machine, j_jour, j_debut, j_ref, j_len, j_col;
    int jb0, jb1; /* the current day's job rows */
} cu_html;

static double cu_num(const cu_rtab *t, int r, int c)
{
    return cu_rtab_null(t, r, c) ? 0.0 : strtod(cu_rtab_get(t, r, c), NULL);
}

static const char *cu_jv(const cu_html *h, int r, int c)
{
    return cu_rtab_get(&h->m->jours, r, c);
}

/* Sums of a run of v_jour rows (one machine), for the weighted period rates. */
typedef struct cu_sums {
    int days;
    double pieces, prod, eff, wait, stop;
} cu_sums;

static cu_sums cu_sum_rows(const cu_html *h, int r0, int r1)
{
    cu_sums s = {0};
    const cu_rtab *t = &h->m->jours;
    for (int r = r0; r < r1; r++) {
        s.days++;
        s.pieces += cu_num(t, r, h->j.pieces);
        s.prod += cu_num(t, r, h->j.prod);
        s.eff += cu_num(t, r, h->j.eff);
        s.wait += cu_num(t, r, h->j.wait);
        s.stop += cu_num(t, r, h->j.stop);
    }
    return s;
}

static double cu_pct(double part, double whole)
{
    return whole > 0 ? round(part / whole * 10000.0) / 100.0 : 0.0;
}

static void cu_pct_out(cu_html *h, double v)
{
    cu_h_num(h->out, v, 2, h->lang);
    fputs("\u00a0%", h->out);
}

/* ---- Pieces ---------------------------------------------------------------------------- */

/* v_pieces_heure.heure is the hour's start (a timestamp): its hour on the day's 24-hour
 * axis, or -1 when it lies on another day (a file that ran past midnight). */
static int cu_hour_of(const char *v, const char *jour)
{
    double min = cu_minutes_of(v, jour);
    if (isnan(min) || min < 0 || min >= 1440) return -1;
    return (int)(min / 60);
}

/* ---- The first page --------------------------------------------------------------------- */

static void cu_legend(cu_html *h)
{
    const cu_words *w = h->w;
    fprintf(h->out,
            "<div class=\"legend\"><b>%s&#8239;:</b>"
            "<span><i class=\"sw pp\"></i>%s</span>"
            "<span><i class=\"sw pw\"></i>%s (////)</span>"
            "<span><i class=\"sw ps\"></i>%s (XXXX)</span>"
            "<span><i class=\"sw po\"></i>%s</span>"
            "<span><i class=\"sw ph\" style=\"height:8px\"></i>%s</span>"
            "<span><i class=\"jm\"></i>%s</span></div>\n",
            w->legend, w->production, w->wait, w->stop, w->outside, w->pieces_hour, w->job_change);
}

static void cu_mini_bar(cu_html *h, double occ, double wait, double stop)
{
    fprintf(h->out,
            "<div class=\"mini\" role=\"img\"><div class=\"pp\" style=\"width:%.2f%%\"></div>"
            "<div class=\"pw\" style=\"width:%.2f%%\"></div><div class=\"ps\" "
            "style=\"width:%.2f%%\"></div></div>",
            occ, wait, stop);
}

static void cu_machine_type(cu_html *h, int r)
{
    if (cu_rtab_null(&h->m->jours, r, h->j.type) || !*cu_jv(h, r, h->j.type))
        fprintf(h->out, "<i>%s</i>", h->w->no_type);
    else
        cu_h_esc(h->out, cu_jv(h, r, h->j.type));
}

static void cu_overview(cu_html *h, const int *starts, int nmach)
{
    const cu_words *w = h->w;
    FILE *o = h->out;
    fprintf(o,
            "<h3>%s</h3><table class=\"ov\"><thead><tr><th>%s</th><th>%s</th>"
            "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
            "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
            "<th class=\"n\">%s</th><th>%s</th></tr></thead><tbody>\n",
            w->overview, w->machine, w->type, w->days, w->pieces, w->window, w->occupation, w->wait,
            w->stop, w->per_hour, w->rates);
    for (int i = 0; i < nmach; i++) {
        cu_sums s = cu_sum_rows(h, starts[i], starts[i + 1]);
        double occ = cu_pct(s.eff, s.prod), pw = cu_pct(s.wait, s.prod),
               ps = cu_pct(s.stop, s.prod);
        fputs("<tr><td><b>", o);
        cu_h_esc(o, cu_jv(h, starts[i], h->j.machine));
        fputs("</b></td><td>", o);
        cu_machine_type(h, starts[i]);
        fprintf(o, "</td><td class=\"n\">%d</td><td class=\"n\">", s.days);
        cu_h_num(o, s.pieces, 0, h->lang);
        fputs("</td><td class=\"n\">", o);
        cu_h_dur(o, s.prod);
        fputs("</td><td class=\"n\"><b>", o);
        cu_pct_out(h, occ);
        fputs("</b></td><td class=\"n\">", o);
        cu_pct_out(h, pw);
        fputs("</td><td class=\"n\">", o);
        cu_pct_out(h, ps);
        fputs("</td><td class=\"n\">", o);
        if (s.prod > 0)
            cu_h_num(o, s.pieces / (s.prod / 3600.0), 1, h->lang);
        else
            fputs("–", o);
        fputs("</td><td>", o);
        cu_mini_bar(h, occ, pw, ps);
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody></table>\n", o);
}

/* ---- One machine ------------------------------------------------------------------------ */

static void cu_kpi(cu_html *h, const char *cls, const char *label)
{
    fprintf(h->out, "<div class=\"kpi %s\"><small>%s</small><b>", cls, label);
}

static void cu_kpi_end(cu_html *h, const char *sub)
{
    fputs("</b>", h->out);
    if (sub) fprintf(h->out, "<small>%s</small>", sub);
    fputs("</div>", h->out);
}

static void cu_totals(cu_html *h, int r0, int r1)
{
    FILE *o = h->out;
    const cu_words *w = h->w;
    cu_sums s = cu_sum_rows(h, r0, r1);
    fprintf(o, "<div class=\"kpis\" data-totals>");
    cu_kpi(h, "", w->pieces);
    cu_h_num(o, s.pieces, 0, h->lang);
    cu_kpi_end(h, NULL);
    cu_kpi(h, "", w->window);
    cu_h_dur(o, s.prod);
    fprintf(o, "</b><small>%d %s</small></div>", s.days, cu_words_n(w, s.days, w->day_1, w->days_l));
    cu_kpi(h, "", w->effective);
    cu_h_dur(o, s.eff);
    cu_kpi_end(h, NULL);
    cu_kpi(h, "o", w->occupation);
    fputs("<span data-rate=\"occupation\">", o);
    cu_pct_out(h, cu_pct(s.eff, s.prod));
    fputs("</span>", o);
    cu_kpi_end(h, w->weighted);
    cu_kpi(h, "w", w->wait);
    cu_pct_out(h, cu_pct(s.wait, s.prod));
    fputs("</b><small>", o);
    cu_h_dur(o, s.wait);
    fputs("</small></div>", o);
    cu_kpi(h, "s", w->stop);
    cu_pct_out(h, cu_pct(s.stop, s.prod));
    fputs("</b><small>", o);
    cu_h_dur(o, s.stop);
    fputs("</small></div>", o);
    cu_kpi(h, "", w->per_hour);
    if (s.prod > 0)
        cu_h_num(o, s.pieces / (s.prod / 3600.0), 1, h->lang);
    else
        fputs("–", o);
    cu_kpi_end(h, NULL);
    fputs("</div>\n", o);
}

/* The daily rates as stacked bars (CSS, so the labels stay crisp at any width). */
static void cu_day_bars(cu_html *h, int r0, int r1)
{
    FILE *o = h->out;
    const cu_rtab *t = &h->m->jours;
    fprintf(o, "<h3>%s</h3><div class=\"bars\">", h->w->day_rates);
    for (int g = 0; g <= 100; g += 25)
        fprintf(o, "<div class=\"gl\" style=\"bottom:%d%%\"><i>%d&#8239;%%</i></div>", g, g);
    int n = r1 - r0;
    for (int r = r0; r < r1; r++) {
        double occ = cu_num(t, r, h->j.occ), pw = cu_num(t, r, h->j.pwait),
               ps = cu_num(t, r, h->j.pstop);
        fputs("<div class=\"bar\" title=\"", o);
        cu_h_date(o, cu_jv(h, r, h->j.jour), true, h->lang);
        fprintf(o,
                "\"><div class=\"pp\" style=\"height:%.2f%%\"></div><div class=\"pw\" "
                "style=\"height:%.2f%%\"></div><div class=\"ps\" style=\"height:%.2f%%\">"
                "</div><span class=\"lbl\">",
                occ, pw, ps);
        cu_h_num(o, occ, n > 14 ? 0 : 1, h->lang);
        fputs("</span></div>", o);
    }
    fputs("</div><div class=\"bdates\">", o);
    for (int r = r0; r < r1; r++) {
        cu_ts ts;
        cu_ts_parse(cu_jv(h, r, h->j.jour), &ts);
        fprintf(o, "<span>%02d/%02d</span>", h->lang == CU_LANG_FR ? ts.day : ts.month,
                h->lang == CU_LANG_FR ? ts.month : ts.day);
    }
    fputs("</div>\n", o);
}

/* The hour axis above the day rows: same viewBox width as the timelines, so it lines up. */
static void cu_axis(cu_html *h)
{
    FILE *o = h->out;
    fputs("<svg class=\"ax\" viewBox=\"0 0 1440 22\" aria-hidden=\"true\">", o);
    for (int hr = 0; hr <= 24; hr += 2) {
        const char *anchor = hr == 0 ? "start" : hr == 24 ? "end" : "middle";
        fprintf(o,
                "<text x=\"%d\" y=\"17\" font-size=\"17\" fill=\"#56606b\" "
                "text-anchor=\"%s\">%02dh</text>",
                hr * 60, anchor, hr % 24 == 0 && hr ? 24 : hr);
    }
    fputs("</svg>", o);
}

/* One day's timeline: outside the window shaded, the three states in it, hour lines, and
 * pieces per clock hour below (bars scaled to the busiest hour of the machine's period). */
static void cu_timeline(cu_html *h, int r, int maxph)
{
    FILE *o = h->out;
    const cu_model *m = h->m;
    const char *machine = cu_jv(h, r, h->j.machine), *jour = cu_jv(h, r, h->j.jour);
    fprintf(o, "<svg class=\"tl\" viewBox=\"0 0 1440 %d\" role=\"img\">", CU_TL_H);
    fprintf(o, "<rect width=\"1440\" height=\"%d\" fill=\"url(#po)\"/>", CU_TL_BAND);
    double x0 = NAN, x1 = NAN;
    if (!cu_rtab_null(&m->jours, r, h->j.first) && !cu_rtab_null(&m->jours, r, h->j.last)) {
        x0 = fmax(0, fmin(1440, cu_minutes_of(cu_jv(h, r, h->j.first), jour)));
        x1 = fmax(0, fmin(1440, cu_minutes_of(cu_jv(h, r, h->j.last), jour)));
    }
    if (!isnan(x0) && x1 > x0) {
        /* The window, green: production. periode_etat tiles the window exactly (SPEC §3, and
         * tests/db_views checks it), so only waits and stops need drawing over it; drawing the
         * production periods too would double a month's file for the same picture. The tests
         * measure this rectangle as the window and the colours inside it as the states. */
        fputs("<rect class=\"win\" x=\"", o);
        cu_h_coord(o, x0);
        fputs("\" width=\"", o);
        cu_h_coord(o, x1 - x0);
        fprintf(o, "\" height=\"%d\" fill=\"#2e8b47\"/>", CU_TL_BAND);
    }
    /* This day's wait and stop periods, one path per state, one stroke per period. */
    static const struct {
        const char *etat, *cls, *paint;
    } states[] = {
        {"attente", "sw", "url(#pw)"},
        {"arret", "ss", "url(#ps)"},
    };
    const cu_rtab *e = &m->etats;
    int e0 = h->ie;
    while (h->ie < e->nrows && strcmp(cu_rtab_get(e, h->ie, h->e_machine), machine) == 0 &&
           strcmp(cu_rtab_get(e, h->ie, h->e_jour), jour) == 0)
        h->ie++;
    for (size_t s = 0; s < sizeof states / sizeof *states; s++) {
        bool any = false;
        for (int i = e0; i < h->ie; i++) {
            if (strcmp(cu_rtab_get(e, i, h->e_etat), states[s].etat) != 0) continue;
            double a = cu_minutes_of(cu_rtab_get(e, i, h->e_debut), jour);
            double b = cu_minutes_of(cu_rtab_get(e, i, h->e_fin), jour);
            if (isnan(a) || isnan(b)) continue; /* before the clamp: fmin(1440, NaN) is 1440 */
            a = fmax(0, fmin(1440, a));
            b = fmax(0, fmin(1440, b));
            if (b <= a) continue;
            if (!any)
                fprintf(o,
                        "<path class=\"%s\" stroke=\"%s\" stroke-width=\"%d\" "
                        "transform=\"translate(0 %d)\" d=\"",
                        states[s].cls, states[s].paint, CU_TL_BAND, CU_TL_BAND / 2);
            any = true;
            putc('M', o);
            cu_h_coord(o, a);
            fputs(" 0h", o);
            cu_h_coord(o, b - a);
        }
        if (any) fputs("\"/>", o);
    }
    /* Job changes: a navy mark down from the band's top edge, the jobs in its tooltip. */
    bool anyjob = false;
    int listed = 0;
    for (int i = h->jb0; i < h->jb1; i++) {
        double x = cu_minutes_of(cu_rtab_get(&m->jobs, i, h->j_debut), jour);
        if (isnan(x) || x < 0 || x > 1440) continue;
        if (!anyjob)
            fputs("<path class=\"jb\" stroke=\"#1b3f8b\" stroke-width=\"2\" "
                  "vector-effect=\"non-scaling-stroke\" d=\"",
                  o);
        anyjob = true;
        putc('M', o);
        cu_h_coord(o, x);
        fputs(" 0v12", o);
    }
    if (anyjob) {
        fprintf(o, "\"><title>%s&#8239;:", h->w->job_change);
        for (int i = h->jb0; i < h->jb1 && listed < 12; i++, listed++) {
            const char *ts = cu_rtab_get(&m->jobs, i, h->j_debut);
            fprintf(o, "%s%.5s ", listed ? "; " : " ", strlen(ts) >= 16 ? ts + 11 : ts);
            cu_h_esc(o, cu_rtab_get(&m->jobs, i, h->j_ref));
            if (!cu_rtab_null(&m->jobs, i, h->j_len)) {
                putc(' ', o);
                cu_h_esc(o, cu_rtab_get(&m->jobs, i, h->j_len));
            }
            if (!cu_rtab_null(&m->jobs, i, h->j_col)) {
                putc(' ', o);
                cu_h_esc(o, cu_rtab_get(&m->jobs, i, h->j_col));
            }
        }
        if (h->jb1 - h->jb0 > listed) fprintf(o, "; … (+%d)", h->jb1 - h->jb0 - listed);
        fputs("</title></path>", o);
    }
    /* Hour ticks on the band's edges (its middle stays one colour per state: the tests read
     * it pixel by pixel), longer every 6 hours. */
    fputs("<path stroke=\"#6b7580\" stroke-width=\"1\" vector-effect=\"non-scaling-stroke\" d=\"",
          o);
    for (int hr = 1; hr < 24; hr++) {
        int t = hr % 6 ? 5 : 9;
        fprintf(o, "M%d 0v%dM%d %dv%d", hr * 60, t, hr * 60, CU_TL_BAND - t, t);
    }
    fputs("\"/>", o);
    /* A single piece (no window) still shows where it was. */
    if (!isnan(x0) && x1 <= x0) {
        fputs("<path class=\"one\" stroke=\"#1d232a\" stroke-width=\"3\" d=\"M", o);
        cu_h_coord(o, x0);
        fprintf(o, " 0v%d\"/>", CU_TL_BAND);
    }
    /* Pieces per clock hour: one path of bars. */
    const cu_rtab *p = &m->pieces;
    bool any = false;
    while (h->ip < p->nrows && strcmp(cu_rtab_get(p, h->ip, h->p_machine), machine) == 0 &&
           strcmp(cu_rtab_get(p, h->ip, h->p_jour), jour) == 0) {
        int hr = cu_hour_of(cu_rtab_get(p, h->ip, h->p_heure), jour);
        int n = atoi(cu_rtab_get(p, h->ip, h->p_pieces));
        h->ip++;
        if (hr < 0 || hr > 23 || n <= 0) continue;
        double bh = maxph > 0 ? (double)CU_TL_STRIP * n / maxph : 0;
        if (bh < 1.5) bh = 1.5;
        if (!any) fputs("<path class=\"ph\" fill=\"#4a5663\" d=\"", o);
        any = true;
        fprintf(o, "M%d %dv-", hr * 60 + 2, CU_TL_H);
        cu_h_coord(o, bh);
        fputs("h56v", o);
        cu_h_coord(o, bh);
        putc('z', o);
    }
    if (any) fputs("\"/>", o);
    fputs("</svg>", o);
}

/* The rows of m->jobs for day r (h->jb0..jb1), advancing the cursor past them. */
static void cu_day_jobs(cu_html *h, int r)
{
    const cu_rtab *jb = &h->m->jobs;
    const char *machine = cu_jv(h, r, h->j.machine), *jour = cu_jv(h, r, h->j.jour);
    h->jb0 = h->ij;
    while (h->ij < jb->nrows && strcmp(cu_rtab_get(jb, h->ij, h->j_machine), machine) == 0 &&
           strcmp(cu_rtab_get(jb, h->ij, h->j_jour), jour) == 0)
        h->ij++;
    h->jb1 = h->ij;
}

static void cu_day_info(cu_html *h, int r)
{
    FILE *o = h->out;
    const cu_rtab *t = &h->m->jours;
    const cu_words *w = h->w;
    fputs("<b>", o);
    cu_h_date(o, cu_jv(h, r, h->j.jour), true, h->lang);
    fputs("</b>", o);
    /* Rejected lines on the date's line: one line less per day, seven days on a page. */
    int rej = (int)cu_num(t, r, h->j.rejected);
    if (rej > 0)
        fprintf(o, " <span class=\"warn\">⚠ %d %s</span>", rej,
                cu_words_n(w, rej, w->rejected_1, w->rejected_l));
    fputs("<br><span class=\"fig\">", o);
    double pieces = cu_num(t, r, h->j.pieces), prod = cu_num(t, r, h->j.prod);
    cu_h_num(o, pieces, 0, h->lang);
    fprintf(o, " %s", cu_words_n(w, pieces, w->piece_1, w->pieces_l));
    if (prod > 0) {
        const char *a = cu_jv(h, r, h->j.first), *b = cu_jv(h, r, h->j.last);
        fprintf(o, " · %.5s–%.5s", strlen(a) >= 16 ? a + 11 : a, strlen(b) >= 16 ? b + 11 : b);
        fputs(" (", o);
        cu_h_dur(o, prod);
        fputs(")</span><br><span class=\"fig\">", o);
        fprintf(o, "%s ", w->occ_s);
        fputs("<b data-rate=\"occupation\">", o);
        cu_pct_out(h, cu_num(t, r, h->j.occ));
        fprintf(o, "</b> · %s ", w->wait_s);
        cu_pct_out(h, cu_num(t, r, h->j.pwait));
        fprintf(o, " · %s ", w->stop_s);
        cu_pct_out(h, cu_num(t, r, h->j.pstop));
        fputs("</span><br><span class=\"fig\">", o);
        if (!cu_rtab_null(t, r, h->j.perh)) {
            cu_h_num(o, cu_num(t, r, h->j.perh), 1, h->lang);
            fprintf(o, " %s", w->per_hour_l);
        }
        if (!cu_rtab_null(t, r, h->j.cycle)) {
            fprintf(o, " · %s ", w->cycle);
            cu_h_dur(o, cu_num(t, r, h->j.cycle));
        }
        if (h->jb1 > h->jb0)
            fprintf(o, " · %d %s", h->jb1 - h->jb0, h->jb1 - h->jb0 == 1 ? w->job_l : w->jobs_l);
    } else {
        fprintf(o, " · %s", pieces == 1 ? w->one_piece : w->no_window);
    }
    fputs("</span>", o);
}

static void cu_machine(cu_html *h, int r0, int r1)
{
    FILE *o = h->out;
    const cu_words *w = h->w;
    fprintf(o, "<section class=\"m\" data-machine=\"");
    cu_h_esc(o, cu_jv(h, r0, h->j.machine));
    fputs("\"><h2>", o);
    cu_h_esc(o, cu_jv(h, r0, h->j.machine));
    fputs(" <span class=\"tag\">", o);
    cu_machine_type(h, r0);
    fputs("</span></h2><p class=\"sub\">", o);
    fprintf(o, "%s ", w->period_fmt_from);
    cu_h_date(o, h->m->from, true, h->lang);
    fprintf(o, " %s ", w->period_to);
    cu_h_date(o, h->m->to, true, h->lang);
    fprintf(o, " — %s</p>", w->totals);
    cu_totals(h, r0, r1);
    cu_day_bars(h, r0, r1);
    cu_legend(h);

    /* The busiest hour of this machine's period scales the piece strips. */
    int maxph = 0;
    const cu_rtab *p = &h->m->pieces;
    const char *machine = cu_jv(h, r0, h->j.machine);
    for (int i = h->ip; i < p->nrows && strcmp(cu_rtab_get(p, i, h->p_machine), machine) == 0;
         i++) {
        int n = atoi(cu_rtab_get(p, i, h->p_pieces));
        if (n > maxph) maxph = n;
    }
    fputs("<table class=\"days\"><thead><tr><th class=\"info\"></th><th>", o);
    cu_axis(h);
    fputs("</th></tr></thead><tbody>\n", o);
    for (int r = r0; r < r1; r++) {
        fputs("<tr data-jour=\"", o);
        cu_h_esc(o, cu_jv(h, r, h->j.jour));
        fputs("\"><td class=\"info\">", o);
        cu_day_jobs(h, r);
        cu_day_info(h, r);
        fputs("</td><td>", o);
        cu_timeline(h, r, maxph);
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody></table></section>\n", o);
}

/* ---- Data quality ------------------------------------------------------------------------ */

static bool cu_has_day(const cu_html *h, int r0, int r1, const char *jour)
{
    for (int r = r0; r < r1; r++)
        if (strcmp(cu_jv(h, r, h->j.jour), jour) == 0) return true;
    return false;
}

static void cu_quality(cu_html *h, const int *starts, int nmach)
{
    FILE *o = h->out;
    const cu_words *w = h->w;
    const cu_model *m = h->m;
    fprintf(o, "<section class=\"q\"><h2>%s</h2>\n", w->quality);

    /* The production dates of the selection: a machine without a file on one of them is
     * what to chase (a day when no machine produced is not a missing file). */
    char(*dates)[11] = cu_xcalloc((size_t)m->jours.nrows + 1, sizeof *dates);
    int nd = 0;
    for (int r = 0; r < m->jours.nrows; r++) {
        const char *d = cu_jv(h, r, h->j.jour);
        bool seen = false;
        for (int k = 0; k < nd && !seen; k++)
            seen = strcmp(dates[k], d) == 0;
        if (!seen) snprintf(dates[nd++], 11, "%s", d);
    }
    qsort(dates, (size_t)nd, sizeof *dates, (int (*)(const void *, const void *))strcmp);

    const cu_rtab *f = &m->fraicheur;
    int fm = cu_rtab_col(f, "machine"), fd = cu_rtab_col(f, "dernier_jour"),
        fi = cu_rtab_col(f, "derniere_ingestion"), fn = cu_rtab_col(f, "jours_sans_fichier_30j"),
        fr = cu_rtab_col(f, "fichiers_rejets_30j");
    fprintf(o,
            "<table class=\"ov\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th class=\"n\">%s</th><th class=\"n\">%s</th><th>%s</th></tr></thead><tbody>\n",
            w->machine, w->last_day, w->last_ingest, w->no_file_30, w->rejects_30, w->no_file);
    for (int i = 0; i < f->nrows; i++) {
        const char *name = cu_rtab_get(f, i, fm);
        int r0 = -1, r1 = -1;
        for (int k = 0; k < nmach; k++)
            if (strcmp(cu_jv(h, starts[k], h->j.machine), name) == 0)
                r0 = starts[k], r1 = starts[k + 1];
        fputs("<tr><td><b>", o);
        cu_h_esc(o, name);
        fputs("</b></td><td>", o);
        if (!cu_rtab_null(f, i, fd)) cu_h_date(o, cu_rtab_get(f, i, fd), true, h->lang);
        fputs("</td><td>", o);
        if (!cu_rtab_null(f, i, fi)) fprintf(o, "%.16s", cu_rtab_get(f, i, fi));
        int n30 = (int)cu_num(f, i, fn), rj30 = (int)cu_num(f, i, fr);
        fprintf(o, "</td><td class=\"n%s\">%d</td><td class=\"n%s\">%d</td><td>",
                n30 ? " warn" : "", n30, rj30 ? " warn" : "", rj30);
        if (r0 < 0) {
            fprintf(o, "<span class=\"warn\">%s</span>", w->no_data_period);
        } else {
            int missing = 0;
            for (int k = 0; k < nd; k++) {
                if (cu_has_day(h, r0, r1, dates[k])) continue;
                fputs(missing++ ? ", " : "<span class=\"warn\">", o);
                cu_h_date(o, dates[k], false, h->lang);
            }
            fputs(missing ? "</span>" : w->none, o);
        }
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody></table>\n", o);
    free(dates);

    /* Files with rejected lines, and files rejected whole, with their first reasons. */
    const cu_rtab *rj = &m->rejets;
    int qm = cu_rtab_col(rj, "machine"), qc = cu_rtab_col(rj, "chemin"),
        qs = cu_rtab_col(rj, "statut"), qn = cu_rtab_col(rj, "lignes_rejetees"),
        qmsg = cu_rtab_col(rj, "message"), ql = cu_rtab_col(rj, "numero_ligne"),
        qr = cu_rtab_col(rj, "raison"), qt = cu_rtab_col(rj, "contenu");
    fprintf(o, "<h3>%s</h3>", w->rejected_files);
    if (rj->nrows == 0) fprintf(o, "<p class=\"ok\">%s</p>", w->none);
    for (int i = 0; i < rj->nrows;) {
        const char *path = cu_rtab_get(rj, i, qc);
        fputs("<p style=\"margin:6px 0 0\"><b>", o);
        if (cu_rtab_null(rj, i, qm))
            fprintf(o, "<i>%s</i>", w->unknown_machine);
        else
            cu_h_esc(o, cu_rtab_get(rj, i, qm));
        fputs("</b> <code>", o);
        cu_h_esc(o, path);
        fputs("</code> ", o);
        const char *st = cu_rtab_get(rj, i, qs);
        if (strcmp(st, "ok") != 0) {
            fprintf(o, "<span class=\"warn\">%s</span> ",
                    strcmp(st, "rejete") == 0 ? w->status_rejete : w->status_erreur);
            if (!cu_rtab_null(rj, i, qmsg)) {
                fputs("(", o);
                cu_h_esc(o, cu_rtab_get(rj, i, qmsg));
                fputs(") ", o);
            }
        }
        const char *nrej = cu_rtab_get(rj, i, qn);
        fprintf(o, "— %s %s</p><ul class=\"rj\">", nrej,
                cu_words_n(w, strtod(nrej, NULL), w->rejected_1, w->rejected_l));
        for (; i < rj->nrows && strcmp(cu_rtab_get(rj, i, qc), path) == 0; i++) {
            if (cu_rtab_null(rj, i, ql)) continue;
            fprintf(o, "<li>%s %s&#8239;: ", w->line, cu_rtab_get(rj, i, ql));
            cu_h_esc(o, cu_rtab_get(rj, i, qr));
            fputs(" — <code>", o);
            cu_h_esc(o, cu_rtab_get(rj, i, qt));
            fputs("</code></li>", o);
        }
        fputs("</ul>\n", o);
    }
    fprintf(o, "<p class=\"note\">%s</p></section>\n", w->occ_note);
}

/* ---- The document ------------------------------------------------------------------------ */

int cu_html_write(FILE *out, const cu_model *m, cu_report_lang lang, cu_err *err)
{
    cu_html h = {
        .out = out, .m = m, .lang = lang, .w = lang == CU_LANG_EN ? &cu_words_en : &cu_words_fr};
    const cu_rtab *t = &m->jours;
    h.j = (cu_jcols){
        cu_rtab_col(t, "machine"),
        cu_rtab_col(t, "type"),
        cu_rtab_col(t, "jour"),
        cu_rtab_col(t, "pieces"),
        cu_rtab_col(t, "premiere_piece"),
        cu_rtab_col(t, "derniere_piece"),
        cu_rtab_col(t, "production_s"),
        cu_rtab_col(t, "effectif_s"),
        cu_rtab_col(t, "attente_s"),
        cu_rtab_col(t, "arret_s"),
        cu_rtab_col(t, "taux_occupation"),
        cu_rtab_col(t, "taux_attente"),
        cu_rtab_col(t, "taux_arret"),
        cu_rtab_col(t, "pieces_par_heure"),
        cu_rtab_col(t, "cycle_median_s"),
        cu_rtab_col(t, "nb_attentes"),
        cu_rtab_col(t, "nb_arrets"),
        cu_rtab_col(t, "fichier"),
        cu_rtab_col(t, "lignes_rejetees"),
    };
    h.e_machine = cu_rtab_col(&m->etats, "machine");
    h.e_jour = cu_rtab_col(&m->etats, "jour");
    h.e_etat = cu_rtab_col(&m->etats, "etat");
    h.e_debut = cu_rtab_col(&m->etats, "debut");
    h.e_fin = cu_rtab_col(&m->etats, "fin");
    h.p_machine = cu_rtab_col(&m->pieces, "machine");
    h.p_jour = cu_rtab_col(&m->pieces, "jour");
    h.p_heure = cu_rtab_col(&m->pieces, "heure");
    h.p_pieces = cu_rtab_col(&m->pieces, "pieces");
    h.j_machine = cu_rtab_col(&m->jobs, "machine");
    h.j_jour = cu_rtab_col(&m->jobs, "jour");
    h.j_debut = cu_rtab_col(&m->jobs, "debut");
    h.j_ref = cu_rtab_col(&m->jobs, "reference");
    h.j_len = cu_rtab_col(&m->jobs, "longueur");
    h.j_col = cu_rtab_col(&m->jobs, "couleur");

    /* Machines are runs of v_jour rows (ordered by machine). */
    int *starts = cu_xcalloc((size_t)t->nrows + 1, sizeof *starts), nmach = 0;
    for (int r = 0; r < t->nrows; r++)
        if (r == 0 || strcmp(cu_jv(&h, r, h.j.machine), cu_jv(&h, r - 1, h.j.machine)) != 0)
            starts[nmach++] = r;
    starts[nmach] = t->nrows;

    const cu_words *w = h.w;
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<title>cuwatch — %s ",
            w->lang, w->title);
    cu_h_date(out, m->from, true, lang);
    fputs(" – ", out);
    cu_h_date(out, m->to, true, lang);
    fprintf(out, "</title><style>%s</style></head><body>\n%s", cu_css, cu_defs);
    fprintf(out, "<header><h1>%s</h1><p class=\"sub\">%s ", w->title, w->period_fmt_from);
    cu_h_date(out, m->from, true, lang);
    fprintf(out, " %s ", w->period_to);
    cu_h_date(out, m->to, true, lang);
    fprintf(out, " · %d %s · %d %s</p>", nmach, cu_words_n(w, nmach, w->machine_1, w->machines),
            m->ndates, cu_words_n(w, m->ndates, w->prod_day_1, w->prod_days));
    cu_legend(&h);
    fputs("</header>\n", out);
    cu_overview(&h, starts, nmach);
    fprintf(out, "<p class=\"note\">%s</p>\n", w->occ_note);
    for (int i = 0; i < nmach; i++)
        cu_machine(&h, starts[i], starts[i + 1]);
    cu_quality(&h, starts, nmach);
    fputs("</body></html>\n", out);
    free(starts);
    if (ferror(out)) return cu_fail(err, "report: write error");
    return 0;
}

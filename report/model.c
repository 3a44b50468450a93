/* model.c — loads report/'s data model from the SPEC §8 views (see model.h).
 *
 * Every query takes the selection as parameters ($1 from, $2 to, $3 machines as text[]),
 * never spliced into the SQL. The period is resolved first (the default is the 7 most recent
 * production dates of the selected machines), then each view is read for exactly that period,
 * so the HTML, the CSV and the workbook of one selection show the same rows. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "strbuf.h"

/* The columns of SPEC §8, in its order: they are the export's header. */
#define CU_SEL "($3::text[] IS NULL OR machine = ANY($3::text[]))"
#define CU_PERIOD "jour BETWEEN $1::date AND $2::date AND " CU_SEL

static const char cu_q_dates[] =
    "SELECT min(jour)::text, max(jour)::text, count(*) FROM ("
    " SELECT DISTINCT jour FROM v_jour"
    "  WHERE ($1::date IS NULL OR jour >= $1::date) AND ($2::date IS NULL OR jour <= $2::date)"
    "    AND " CU_SEL "  ORDER BY jour DESC LIMIT CASE WHEN $1::date IS NULL THEN 7 END) d";

static const char cu_q_jours[] =
    "SELECT machine, type, jour, pieces, premiere_piece, derniere_piece, production_s,"
    " effectif_s, attente_s, arret_s, taux_occupation, taux_attente, taux_arret,"
    " pieces_par_heure, cycle_median_s, nb_attentes, nb_arrets, fichier, lignes_rejetees,"
    " ingere_le FROM v_jour WHERE " CU_PERIOD " ORDER BY machine, jour";

/* Every ISO week that meets the period, whole (v_semaine's sums are per week). */
static const char cu_q_semaines[] =
    "SELECT machine, type, semaine, jours, pieces, production_s, effectif_s, attente_s,"
    " arret_s, taux_occupation, taux_attente, taux_arret, pieces_par_heure FROM v_semaine"
    " WHERE semaine BETWEEN date_trunc('week', $1::date)::date AND $2::date AND " CU_SEL
    " ORDER BY machine, semaine";

static const char cu_q_etats[] =
    "SELECT machine, type, jour, etat, debut, fin, duree_s FROM v_etat WHERE " CU_PERIOD
    " ORDER BY machine, jour, debut";

/* What a timeline draws over its green window: the waits and stops. The production periods
 * are half of a month's rows and the HTML never draws them (html.c says why), so they are not
 * fetched; the predicate on etat reaches periode_etat through the view. */
static const char cu_q_etats_drawn[] =
    "SELECT machine, jour, etat, debut, fin FROM v_etat WHERE " CU_PERIOD
    " AND etat <> 'production' ORDER BY machine, jour, debut";

static const char cu_q_pieces[] =
    "SELECT machine, jour, heure, pieces FROM v_pieces_heure WHERE " CU_PERIOD
    " ORDER BY machine, jour, heure";

/* All machines, not only those with data in the period: one that stopped uploading must show. */
static const char cu_q_fraicheur[] =
    "SELECT machine, type, dernier_jour, derniere_ingestion, jours_sans_fichier_30j,"
    " fichiers_rejets_30j FROM v_fraicheur WHERE " CU_SEL " ORDER BY machine";

/* Files of the period with rejected lines, and files rejected whole, from v_rejets: the first
 * three rejected lines of each (a file rejected whole has one row, without a line). */
static const char cu_q_rejets[] =
    "SELECT machine, fichier AS chemin, statut, lignes_rejetees, message,"
    "       ligne AS numero_ligne, raison, left(contenu, 120) AS contenu"
    "  FROM (SELECT *, row_number() OVER (PARTITION BY fichier ORDER BY ligne) AS k"
    "          FROM v_rejets WHERE " CU_PERIOD ") r"
    " WHERE k <= 3 ORDER BY machine NULLS LAST, chemin, numero_ligne LIMIT 1500";

/* Job changes, for the timelines' job marks, in the day's order. */
static const char cu_q_jobs[] =
    "SELECT machine, jour, debut, reference, longueur, couleur FROM v_jobs WHERE " CU_PERIOD
    " ORDER BY machine, jour, rang";

int cu_rtab_col(const cu_rtab *t, const char *name)
{
    int c = PQfnumber(t->res, name);
    if (c < 0) {
        fprintf(stderr, "cuwatch: report: column \"%s\" missing from a view\n", name);
        abort();
    }
    return c;
}

/* An array literal for $3: every name double-quoted, with \ and " escaped (array syntax, not
 * SQL: the literal is a parameter value). */
static char *cu_array_literal(const char *const *v, size_t n)
{
    cu_sb sb = {0};
    cu_sb_putc(&sb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) cu_sb_putc(&sb, ',');
        cu_sb_putc(&sb, '"');
        for (const char *p = v[i]; *p; p++) {
            if (*p == '"' || *p == '\\') cu_sb_putc(&sb, '\\');
            cu_sb_putc(&sb, *p);
        }
        cu_sb_putc(&sb, '"');
    }
    cu_sb_putc(&sb, '}');
    return sb.data;
}

static cu_report_status cu_query(PGconn *conn, const char *sql, const char *const *params,
                                 const char *what, cu_rtab *t, cu_err *err)
{
    /* Declared types: not every query uses every parameter, and an unused one has none. */
    static const Oid types[3] = {1082 /* date */, 1082, 1009 /* text[] */};
    PGresult *r = PQexecParams(conn, sql, 3, types, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        if (!msg) msg = PQerrorMessage(conn);
        bool gone = PQstatus(conn) != CONNECTION_OK;
        if (state && strcmp(state, "42P01") == 0)
            cu_fail(err,
                    "report: reading %s: %s (HINT: the schema predates the views; run "
                    "cuwatch --migrate)",
                    what, msg);
        else
            cu_fail(err, "report: reading %s: %s%s", what, gone ? "database unreachable: " : "",
                    msg);
        /* A trailing newline from libpq would split the log line. */
        size_t len = strlen(err->msg);
        while (len && err->msg[len - 1] == '\n')
            err->msg[--len] = '\0';
        PQclear(r);
        return gone ? CU_REPORT_NODB : CU_REPORT_FAILED;
    }
    t->res = r;
    t->nrows = PQntuples(r);
    t->ncols = PQnfields(r);
    return CU_REPORT_OK;
}

cu_report_status cu_model_load(PGconn *conn, const cu_report_opts *o, int need, cu_model *m,
                               cu_err *err)
{
    memset(m, 0, sizeof *m);
    char *machines = o->nmachines ? cu_array_literal(o->machines, o->nmachines) : NULL;
    const char *p[3] = {o->from, o->to, machines};
    cu_rtab dates = {0};
    cu_report_status st = cu_query(conn, cu_q_dates, p, "v_jour", &dates, err);
    if (st != CU_REPORT_OK) goto out;
    m->ndates = atoi(PQgetvalue(dates.res, 0, 2));
    if (m->ndates == 0) {
        st = CU_REPORT_EMPTY;
        PQclear(dates.res);
        goto out;
    }
    snprintf(m->from, sizeof m->from, "%s", PQgetvalue(dates.res, 0, 0));
    snprintf(m->to, sizeof m->to, "%s", PQgetvalue(dates.res, 0, 1));
    PQclear(dates.res);

    const char *q[3] = {m->from, m->to, machines};
    struct {
        int flag;
        const char *sql, *what;
        cu_rtab *t;
    } steps[] = {
        {CU_NEED_JOURS, cu_q_jours, "v_jour", &m->jours},
        {CU_NEED_SEMAINES, cu_q_semaines, "v_semaine", &m->semaines},
        {CU_NEED_ETATS, cu_q_etats, "v_etat", &m->etats},
        {CU_NEED_ETATS_DRAWN, cu_q_etats_drawn, "v_etat", &m->etats},
        {CU_NEED_DETAIL, cu_q_pieces, "v_pieces_heure", &m->pieces},
        {CU_NEED_DETAIL, cu_q_fraicheur, "v_fraicheur", &m->fraicheur},
        {CU_NEED_DETAIL, cu_q_rejets, "v_rejets", &m->rejets},
        {CU_NEED_DETAIL, cu_q_jobs, "v_jobs", &m->jobs},
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        if (!(need & steps[i].flag)) continue;
        st = cu_query(conn, steps[i].sql, q, steps[i].what, steps[i].t, err);
        if (st != CU_REPORT_OK) break;
    }
    if (st == CU_REPORT_OK && m->jours.res && m->jours.nrows == 0) st = CU_REPORT_EMPTY;
out:
    free(machines);
    if (st != CU_REPORT_OK) cu_model_free(m);
    return st;
}

void cu_model_free(cu_model *m)
{
    cu_rtab *all[] = {&m->jours,     &m->semaines, &m->etats, &m->pieces,
                      &m->fraicheur, &m->rejets,   &m->jobs};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        PQclear(all[i]->res);
        all[i]->res = NULL;
    }
}

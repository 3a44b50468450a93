/* ingest.c — one file, one transaction (SPEC §3 "Ingestion of one file").
 *
 *   read the whole file -> SHA-256 -> same hash as fichier_log.empreinte? -> unchanged, done
 *   parse the bytes already read (so the hash is exactly the content ingested); a file above
 *   8 MiB is streamed instead, each chunk hashed and parsed before the next (readfile.c)
 *   BEGIN
 *     advisory locks: the file's path, then (machine, date) — always in that order, so two
 *     writers never wait on each other in a cycle; a second writer of the same session waits
 *     for the first to commit, then replaces its work whole
 *     upsert centre_usinage and session_production (ON CONFLICT), learning the previous source
 *     delete the session's detail rows (periode_etat, the timeline, included); COPY the new
 *     ones (text format, PQputCopyData)
 *     upsert fichier_log; replace its ligne_rejetee rows (COPY)
 *     -- or, when the file is an append of the content last ingested (cu_try_append): write
 *        only the rows the appended lines add or change (append.c plans them)
 *   COMMIT
 *
 * A file without a valid event writes only its fichier_log row (statut rejete) and keeps any
 * previous session. Every value goes as a parameter or as COPY data, never into SQL text.
 * Numbers stored in DECIMAL columns are formatted from integers (µs, hundredths of a percent),
 * so what PostgreSQL receives is already the exact decimal. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_int.h"
#include "log.h"

static double cu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- Exact decimal formatting ---------------------------------------------------------- */

/* µs as hours with 4 decimals, rounded half away from zero (1e-4 h = 360,000 µs). */
void cu_db_fmt_hours(char out[32], int64_t us)
{
    uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
    uint64_t q = (a + 180000) / 360000;
    snprintf(out, 32, "%s%" PRIu64 ".%04" PRIu64, us < 0 && q ? "-" : "", q / 10000, q % 10000);
}

/* µs as exact seconds, "17.500000" (NUMERIC keeps what it is given). */
void cu_db_fmt_seconds(char out[32], int64_t us)
{
    uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
    snprintf(out, 32, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", a / 1000000, a % 1000000);
}

/* Hundredths of a percent as "71.55". */
void cu_db_fmt_cpct(char out[16], int32_t cpct)
{
    int64_t v = cpct;
    uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
    snprintf(out, 16, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
}

/* A duration in µs as whole seconds, halves away from zero. */
int64_t cu_db_round_seconds(int64_t us)
{
    return us >= 0 ? (us + 500000) / 1000000 : -((-us + 500000) / 1000000);
}

/* ---- COPY text format ------------------------------------------------------------------ */

void cu_db_copy_text(cu_sb *sb, const char *s)
{
    if (!s) {
        cu_sb_append(sb, "\\N", 2);
        return;
    }
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        cu_sb_append(sb, run, (size_t)(p - run));
        cu_sb_append(sb, esc, 2);
        run = p + 1;
    }
    cu_sb_puts(sb, run);
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" — what TIMESTAMP columns take. */
static void cu_copy_ts(cu_sb *sb, int64_t us)
{
    char buf[32];
    cu_format_ts(buf, us, ' ');
    cu_sb_puts(sb, buf);
}

static void cu_copy_int(cu_sb *sb, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%" PRId64, v);
    cu_sb_append(sb, buf, (size_t)n);
}

/* What a streamed COPY builds before sending it: big enough that the per-call cost vanishes,
 * small beside any file worth worrying about. */
#define CU_COPY_SLICE ((size_t)1 << 20)

/* Sends sb as the data of one COPY ... FROM STDIN and checks the outcome. */
static int cu_copy_send(PGconn *conn, const char *sql, const cu_sb *sb, const char *what,
                        cu_err *err)
{
    return cu_pq_copy(conn, sql, sb->data ? sb->data : "", sb->len, what, err);
}

/* The SHA-256 of data's first split bytes (0 < split < len) and of all of it, in one pass:
 * the digest's state after the prefix is copied and finished on its own, then the rest is
 * added to the original. An append's prefix check then costs no second read of the prefix. */
static int cu_sha256_split_hex(const void *data, size_t len, size_t split, char prefix[65],
                               char out[65], cu_err *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *all = EVP_MD_CTX_new(), *head = EVP_MD_CTX_new();
    bool ok = all && head && EVP_DigestInit_ex(all, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(all, data, split) == 1 && EVP_MD_CTX_copy_ex(head, all) == 1 &&
              EVP_DigestFinal_ex(head, md, &mdlen) == 1 && mdlen == 32;
    if (ok) cu_hex32(md, prefix);
    ok = ok && EVP_DigestUpdate(all, (const char *)data + split, len - split) == 1 &&
         EVP_DigestFinal_ex(all, md, &mdlen) == 1 && mdlen == 32;
    if (ok) cu_hex32(md, out);
    EVP_MD_CTX_free(all);
    EVP_MD_CTX_free(head);
    return ok ? 0 : cu_fail(err, "SHA-256 failed");
}

/* ---- The transaction ------------------------------------------------------------------- */

typedef struct cu_ingest_ctx {
    const cu_logfile *lf;
    const char *relpath;
    const char *machine, *type, *folder;
    char date[16];
    int32_t date_days;
    bool has_date;
    char hash[65];
    int64_t size, mtime_us;
    double t0;
    const char *reject; /* why the file is recorded rejete (no valid event, out of range) */
    cu_ingest_file *file; /* its bytes, and the parse of the prefix last ingested (append) */
    const char *root;     /* for cu_db_take_moved */
    bool maybe_moved;     /* cu_begin saw this content at another path (or did not ask: force) */
    char sid[24], mid[24]; /* the session and machine cu_write_session wrote */
    int64_t last_size;     /* cu_begin: the registry's size for the path (not erreur), or -1 */
} cu_ingest_ctx;

static const char cu_sql_session[] =
    "WITH m AS ("
    "  INSERT INTO centre_usinage (nom, type_cu, description) VALUES ($1, $2, $3)"
    "  ON CONFLICT (nom) DO UPDATE SET type_cu = EXCLUDED.type_cu,"
    "    description = EXCLUDED.description"
    "  RETURNING id),"
    " old AS ("
    "  SELECT s.fichier_log_source FROM session_production s, m"
    "  WHERE s.centre_usinage_id = m.id AND s.date_production = $4::date),"
    " s AS ("
    "  INSERT INTO session_production (centre_usinage_id, date_production,"
    "    heure_premiere_piece, heure_derniere_piece, heure_premier_machine_start,"
    "    heure_dernier_machine_stop, total_pieces, duree_production_totale, temps_attente,"
    "    temps_arret_volontaire, temps_production_effectif, taux_occupation, taux_attente,"
    "    taux_arret_volontaire, fichier_log_source, date_creation, cycle_median_secondes,"
    "    pieces_heure, production_secondes, effectif_secondes, attente_secondes,"
    "    arret_secondes)"
    "  SELECT m.id, $4::date, $5::timestamp, $6::timestamp, $7::timestamp, $8::timestamp,"
    "    $9::integer, $10::numeric, $11::numeric, $12::numeric, $13::numeric, $14::numeric,"
    "    $15::numeric, $16::numeric, $17, CURRENT_TIMESTAMP, $18::numeric, $19::integer[],"
    "    $20::numeric, $21::numeric, $22::numeric, $23::numeric FROM m"
    "  ON CONFLICT (centre_usinage_id, date_production) DO UPDATE SET"
    "    heure_premiere_piece = EXCLUDED.heure_premiere_piece,"
    "    heure_derniere_piece = EXCLUDED.heure_derniere_piece,"
    "    heure_premier_machine_start = EXCLUDED.heure_premier_machine_start,"
    "    heure_dernier_machine_stop = EXCLUDED.heure_dernier_machine_stop,"
    "    total_pieces = EXCLUDED.total_pieces,"
    "    duree_production_totale = EXCLUDED.duree_production_totale,"
    "    temps_attente = EXCLUDED.temps_attente,"
    "    temps_arret_volontaire = EXCLUDED.temps_arret_volontaire,"
    "    temps_production_effectif = EXCLUDED.temps_production_effectif,"
    "    taux_occupation = EXCLUDED.taux_occupation, taux_attente = EXCLUDED.taux_attente,"
    "    taux_arret_volontaire = EXCLUDED.taux_arret_volontaire,"
    "    fichier_log_source = EXCLUDED.fichier_log_source,"
    "    date_creation = EXCLUDED.date_creation,"
    "    cycle_median_secondes = EXCLUDED.cycle_median_secondes,"
    "    pieces_heure = EXCLUDED.pieces_heure,"
    "    production_secondes = EXCLUDED.production_secondes,"
    "    effectif_secondes = EXCLUDED.effectif_secondes,"
    "    attente_secondes = EXCLUDED.attente_secondes,"
    "    arret_secondes = EXCLUDED.arret_secondes"
    "  RETURNING id, (xmax = 0) AS inserted)"
    " SELECT s.id, m.id, s.inserted, (SELECT fichier_log_source FROM old) FROM s, m";

static const char cu_sql_machine[] =
    "INSERT INTO centre_usinage (nom, type_cu, description) VALUES ($1, $2, $3)"
    " ON CONFLICT (nom) DO UPDATE SET type_cu = EXCLUDED.type_cu,"
    "   description = EXCLUDED.description"
    " RETURNING id";

static const char cu_sql_delete_details[] =
    "WITH j AS (DELETE FROM job_profil WHERE session_id = $1),"
    " a AS (DELETE FROM periode_attente WHERE session_id = $1),"
    " r AS (DELETE FROM periode_arret WHERE session_id = $1),"
    " e AS (DELETE FROM periode_etat WHERE session_id = $1)"
    " DELETE FROM piece_production WHERE session_id = $1";

static const char cu_sql_registry[] =
    "WITH f AS ("
    "  INSERT INTO fichier_log (chemin, centre_usinage_id, taille, mtime, empreinte, statut,"
    "    lignes, evenements, lignes_rejetees, traite_le, duree_ms, message)"
    "  VALUES ($1, $2::integer, $3::bigint,"
    "    timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5, $6, $7::bigint,"
    "    $8::bigint, $9::bigint, now(), $10::numeric, $11)"
    "  ON CONFLICT (chemin) DO UPDATE SET centre_usinage_id = EXCLUDED.centre_usinage_id,"
    "    taille = EXCLUDED.taille, mtime = EXCLUDED.mtime, empreinte = EXCLUDED.empreinte,"
    "    statut = EXCLUDED.statut, lignes = EXCLUDED.lignes, evenements = EXCLUDED.evenements,"
    "    lignes_rejetees = EXCLUDED.lignes_rejetees, traite_le = EXCLUDED.traite_le,"
    "    duree_ms = EXCLUDED.duree_ms, message = EXCLUDED.message"
    "  RETURNING id),"
    " d AS (DELETE FROM ligne_rejetee WHERE fichier_id IN (SELECT id FROM f))"
    " SELECT id FROM f";

/* The errors' registry row: written outside any transaction, keeps the last good hash so the
 * next rescan retries the file. */
static const char cu_sql_registry_error[] =
    "INSERT INTO fichier_log (chemin, taille, mtime, statut, traite_le, duree_ms, message)"
    " VALUES ($1, $2::bigint, timestamptz 'epoch' + $3::bigint * interval '1 microsecond',"
    "   'erreur', now(), $4::numeric, $5)"
    " ON CONFLICT (chemin) DO UPDATE SET statut = 'erreur', traite_le = now(),"
    "   duree_ms = EXCLUDED.duree_ms, message = EXCLUDED.message";

/* What the registry and the session say of an append candidate (cu_begin). */
typedef struct cu_append_base {
    bool found;
    int64_t taille;
    char empreinte[65], session_id[24], machine_id[24];
    uint64_t pieces, lines, events, rejected;
} cu_append_base;

/* cu_sql_unchanged, plus what an append needs to know (cu_sql_append_base), in one query. */
static const char cu_sql_state[] =
    "WITH hit AS (SELECT id FROM fichier_log WHERE chemin = $1 AND empreinte = $2"
    "             AND statut <> 'erreur'),"
    " touched AS (UPDATE fichier_log f SET taille = $3::bigint,"
    "               mtime = timestamptz 'epoch' + $4::bigint * interval '1 microsecond'"
    "             FROM hit WHERE f.id = hit.id AND (f.taille IS DISTINCT FROM $3::bigint"
    "               OR f.mtime IS DISTINCT FROM"
    "                  timestamptz 'epoch' + $4::bigint * interval '1 microsecond')"
    "             RETURNING 1),"
    " base AS (SELECT f.taille, f.empreinte, s.id AS sid, s.total_pieces, f.lignes,"
    "            f.evenements, f.lignes_rejetees, m.id AS mid"
    "          FROM fichier_log f"
    "          JOIN centre_usinage m ON m.id = f.centre_usinage_id"
    "          JOIN session_production s ON s.centre_usinage_id = m.id"
    "          WHERE f.chemin = $1 AND f.statut = 'ok' AND f.empreinte IS NOT NULL"
    "            AND m.nom = $5 AND s.date_production = $6::date"
    "            AND s.fichier_log_source = $1)"
    " SELECT (SELECT count(*) FROM hit), (SELECT count(*) FROM touched), base.*,"
    /* The same content recorded at another path: perhaps this file moved (db/moves.c). Asked
     * here rather than in a round trip of its own, which cost ~10% of a rescan. */
    "   (SELECT count(*) FROM fichier_log WHERE empreinte = $2 AND chemin <> $1"
    "    AND statut <> 'erreur') AS elsewhere,"
    /* The size last ingested, for the daemon's shrink rule (cu_db_ingest_guarded), here
     * rather than in a round trip of its own before the ingest. */
    "   (SELECT taille FROM fichier_log WHERE chemin = $1 AND statut <> 'erreur') AS last_size"
    " FROM (SELECT 1) AS one LEFT JOIN base ON true";

static int cu_prepare_append(cu_db *db, cu_err *err);

/* The advisory locks' statement: the file's path, then (machine, date) — always in that order,
 * so two writers never wait on each other in a cycle. days (16 bytes) and params (3) are the
 * caller's, and must live as long as the statement. Once cu_prepare_append has prepared it on
 * this connection, a session's locks go by name (no parse and plan per ingest). */
static const char cu_sql_lock_session[] = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)),"
                                          " pg_advisory_xact_lock(hashtext($2), $3::integer)";

static cu_pq_stmt cu_lock_stmt(const cu_db *db, const cu_ingest_ctx *c, char *days,
                               const char **params)
{
    snprintf(days, 16, "%" PRId32, c->date_days);
    params[0] = c->relpath;
    params[1] = c->machine;
    params[2] = days;
    if (c->has_date)
        return (cu_pq_stmt){cu_sql_lock_session, 3, params, "locking the session",
                            db->prepared_append >= 3 ? "cu_lock" : NULL};
    return (cu_pq_stmt){"SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, params,
                        "locking the file", NULL};
}

/* BEGIN, the advisory locks (the file's path, then (machine, date) — always in that order,
 * so two writers never wait on each other's advisory locks in a cycle; a file's earlier
 * session, deleted by cu_write_session, is not under them, and a deadlock there is retried
 * like any other), and unless force, whether this very content is already recorded (*same;
 * see cu_sql_unchanged) and what an append would start from (*base): one round trip. */
static int cu_begin(cu_db *db, cu_ingest_ctx *c, bool force, bool *same,
                    cu_append_base *base, cu_err *err)
{
    *same = false;
    c->last_size = -1;
    memset(base, 0, sizeof *base);
    char days[16], size[24], mtime[24];
    snprintf(size, sizeof size, "%" PRId64, c->size);
    snprintf(mtime, sizeof mtime, "%" PRId64, c->mtime_us);
    const char *lock_params[3];
    const char *state_params[6] = {c->relpath, c->hash,    size,
                                   mtime,      c->machine, c->has_date ? c->date : NULL};
    cu_pq_stmt stmts[3] = {{"BEGIN", 0, NULL, "BEGIN", NULL},
                           cu_lock_stmt(db, c, days, lock_params),
                           {cu_sql_state, 6, state_params, "reading fichier_log", "cu_state"}};
    PGresult *r[3];
    if (!force && cu_prepare_append(db, err) != 0) return -1;
    if (cu_pq_pipeline(db->conn, force ? 2 : 3, stmts, r, err) != 0) return -1;
    PQclear(r[0]);
    PQclear(r[1]);
    if (force) return 0;
    *same = strcmp(PQgetvalue(r[2], 0, 0), "0") != 0;
    c->maybe_moved = strcmp(PQgetvalue(r[2], 0, 10), "0") != 0;
    if (!PQgetisnull(r[2], 0, 11)) c->last_size = strtoll(PQgetvalue(r[2], 0, 11), NULL, 10);
    if (!PQgetisnull(r[2], 0, 2)) {
        base->found = true;
        base->taille = strtoll(PQgetvalue(r[2], 0, 2), NULL, 10);
        snprintf(base->empreinte, sizeof base->empreinte, "%s", PQgetvalue(r[2], 0, 3));
        snprintf(base->session_id, sizeof base->session_id, "%s", PQgetvalue(r[2], 0, 4));
        base->pieces = strtoull(PQgetvalue(r[2], 0, 5), NULL, 10);
        base->lines = strtoull(PQgetvalue(r[2], 0, 6), NULL, 10);
        base->events = strtoull(PQgetvalue(r[2], 0, 7), NULL, 10);
        base->rejected = strtoull(PQgetvalue(r[2], 0, 8), NULL, 10);
        snprintf(base->machine_id, sizeof base->machine_id, "%s", PQgetvalue(r[2], 0, 9));
    }
    PQclear(r[2]);
    return 0;
}

/* Is this very content already recorded (by us earlier, or by another writer meanwhile)?
 * When it is but the file's size or mtime changed (a `touch`, a copy that kept the bytes),
 * the registry row takes the new ones, so that reconciliation, which compares size and mtime,
 * stops re-reading the file; with nothing changed, nothing is written. */
static const char cu_sql_unchanged[] =
    "WITH hit AS (SELECT id FROM fichier_log WHERE chemin = $1 AND empreinte = $2"
    "             AND statut <> 'erreur'),"
    " touched AS (UPDATE fichier_log f SET taille = $3::bigint,"
    "               mtime = timestamptz 'epoch' + $4::bigint * interval '1 microsecond'"
    "             FROM hit WHERE f.id = hit.id AND (f.taille IS DISTINCT FROM $3::bigint"
    "               OR f.mtime IS DISTINCT FROM"
    "                  timestamptz 'epoch' + $4::bigint * interval '1 microsecond')"
    "             RETURNING 1)"
    " SELECT (SELECT count(*) FROM hit), (SELECT count(*) FROM touched)";

static int cu_unchanged(cu_db *db, const cu_ingest_ctx *c, bool *same, cu_err *err)
{
    char size[24], mtime[24];
    snprintf(size, sizeof size, "%" PRId64, c->size);
    snprintf(mtime, sizeof mtime, "%" PRId64, c->mtime_us);
    const char *params[4] = {c->relpath, c->hash, size, mtime};
    PGresult *r = cu_pq_params(db->conn, cu_sql_unchanged, 4, params, "reading fichier_log", err);
    if (!r) return -1;
    *same = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
    PQclear(r);
    return 0;
}

static int cu_write_registry(cu_db *db, const cu_ingest_ctx *c, const char *machine_id,
                             const char *statut, const char *message, cu_err *err)
{
    const cu_logfile *lf = c->lf;
    char size[24], mtime[24], lines[24], events[24], rejected[24], ms[32];
    snprintf(size, sizeof size, "%" PRId64, c->size);
    snprintf(mtime, sizeof mtime, "%" PRId64, c->mtime_us);
    snprintf(lines, sizeof lines, "%" PRIu64, lf->lines);
    snprintf(events, sizeof events, "%" PRIu64, lf->events);
    snprintf(rejected, sizeof rejected, "%" PRIu64, lf->rejected_lines);
    snprintf(ms, sizeof ms, "%.3f", cu_now_ms() - c->t0);
    const char *params[11] = {c->relpath, machine_id, size,     mtime, c->hash, statut,
                              lines,      events,     rejected, ms,    message};
    PGresult *r = cu_pq_params(db->conn, cu_sql_registry, 11, params, "writing fichier_log", err);
    if (!r) return -1;
    char file_id[24];
    snprintf(file_id, sizeof file_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (lf->n_rejects == 0) return 0;
    cu_sb *sb = &db->copy;
    cu_sb_reset(sb);
    for (size_t i = 0; i < lf->n_rejects; i++) {
        cu_sb_puts(sb, file_id);
        cu_sb_putc(sb, '\t');
        cu_copy_int(sb, (int64_t)lf->rejects[i].line);
        cu_sb_putc(sb, '\t');
        cu_db_copy_text(sb, lf->rejects[i].content ? lf->rejects[i].content : "");
        cu_sb_putc(sb, '\t');
        cu_db_copy_text(sb, lf->rejects[i].reason ? lf->rejects[i].reason : "");
        cu_sb_putc(sb, '\n');
    }
    return cu_copy_send(db->conn,
                        "COPY ligne_rejetee (fichier_id, numero_ligne, contenu, raison)"
                        " FROM STDIN",
                        sb, "writing ligne_rejetee", err);
}

static int cu_insert_small_details(cu_db *db, const cu_logfile *lf, const char *session_id,
                                   cu_err *err);

/* The session's detail rows: the pieces by COPY, the rest by cu_insert_small_details. */
static int cu_copy_details(cu_db *db, const cu_logfile *lf, const char *session_id,
                           cu_ingest_result *res, cu_err *err)
{
    cu_sb *sb = &db->copy;

    if (lf->n_pieces) {
        /* Built and sent a slice at a time: the whole COPY text of a big file (50 bytes a
         * piece, as much as the file itself) is never held at once. */
        cu_pq_copy_state cs;
        if (cu_pq_copy_begin(&cs, db->conn,
                             "COPY piece_production (session_id, numero_piece,"
                             " timestamp_production, details) FROM STDIN",
                             "writing piece_production", err) != 0)
            return -1;
        cu_sb_reset(sb);
        for (size_t i = 0; i < lf->n_pieces && cs.rc == 0; i++) {
            cu_sb_puts(sb, session_id);
            cu_sb_putc(sb, '\t');
            cu_copy_int(sb, (int64_t)i + 1); /* numero_piece */
            cu_sb_putc(sb, '\t');
            cu_copy_ts(sb, lf->pieces[i].ts);
            cu_sb_putc(sb, '\t');
            cu_db_copy_text(sb, lf->pieces[i].details);
            cu_sb_putc(sb, '\n');
            if (sb->len >= CU_COPY_SLICE) {
                cu_pq_copy_put(&cs, sb->data, sb->len);
                cu_sb_reset(sb);
            }
        }
        if (sb->len) cu_pq_copy_put(&cs, sb->data, sb->len);
        if (cu_pq_copy_end(&cs, err) != 0) return -1;
    }
    /* The smaller tables in one statement from arrays: one round trip where four COPYs took
     * eight (what a full ingest waits for on a busy machine). */
    if ((lf->n_jobs || lf->n_waits || lf->n_stops || lf->n_states) &&
        cu_insert_small_details(db, lf, session_id, err) != 0)
        return -1;
    res->rows = lf->n_pieces + lf->n_jobs + lf->n_waits + lf->n_stops + lf->n_states;
    return 0;
}

/* The session row's columns that the views read (migrations 008, 009), as query parameters:
 * v[] = cycle_median_secondes, pieces_heure, production_, effectif_, attente_, arret_secondes
 * (NULL = SQL null). Both the full ingest and the append write them. */
typedef struct cu_session_extra {
    char prod[32], eff[32], wait[32], stop[32], cycle[32];
    cu_sb hours;
    const char *v[6];
} cu_session_extra;

static void cu_session_extra_fill(cu_session_extra *x, const cu_logfile *lf)
{
    const cu_metrics *m = &lf->metrics;
    memset(x, 0, sizeof *x);
    cu_db_fmt_seconds(x->prod, m->production_us);
    cu_db_fmt_seconds(x->eff, m->effective_us);
    cu_db_fmt_seconds(x->wait, m->wait_us);
    cu_db_fmt_seconds(x->stop, m->stop_us);
    if (lf->has_cycle_median) cu_db_fmt_seconds(x->cycle, lf->cycle_median_us);
    for (size_t i = 0; i < lf->n_hours; i++) {
        char n[16];
        snprintf(n, sizeof n, "%c%" PRIu32, i ? ',' : '{', lf->hour_counts[i]);
        cu_sb_puts(&x->hours, n);
    }
    if (lf->n_hours) cu_sb_putc(&x->hours, '}');
    x->v[0] = lf->has_cycle_median ? x->cycle : NULL;
    x->v[1] = lf->n_hours ? x->hours.data : NULL;
    x->v[2] = x->prod;
    x->v[3] = x->eff;
    x->v[4] = x->wait;
    x->v[5] = x->stop;
}

/* The session's columns from the first piece to the stop rate, as text parameters in their
 * order in cu_sql_session and cu_sql_append ($5..$16): v[] points into the struct, NULL for a
 * moment the file does not have. */
typedef struct {
    char fp[32], lp[32], fs[32], ls[32], pieces[24];
    char prod[32], wait[32], stop[32], eff[32], occ[16], wpct[16], spct[16];
    const char *v[12];
} cu_session_cols;

static void cu_session_cols_fill(cu_session_cols *sc, const cu_logfile *lf)
{
    const cu_metrics *m = &lf->metrics;
    if (lf->has_first_piece) cu_format_ts(sc->fp, lf->first_piece, ' ');
    if (lf->has_last_piece) cu_format_ts(sc->lp, lf->last_piece, ' ');
    if (lf->has_first_start) cu_format_ts(sc->fs, lf->first_start, ' ');
    if (lf->has_last_stop) cu_format_ts(sc->ls, lf->last_stop, ' ');
    snprintf(sc->pieces, sizeof sc->pieces, "%zu", lf->n_pieces);
    cu_db_fmt_hours(sc->prod, m->production_us);
    cu_db_fmt_hours(sc->wait, m->wait_us);
    cu_db_fmt_hours(sc->stop, m->stop_us);
    cu_db_fmt_hours(sc->eff, m->effective_us);
    cu_db_fmt_cpct(sc->occ, m->occupation_cpct);
    cu_db_fmt_cpct(sc->wpct, m->wait_cpct);
    cu_db_fmt_cpct(sc->spct, m->stop_cpct);
    const char *v[12] = {lf->has_first_piece ? sc->fp : NULL,
                         lf->has_last_piece ? sc->lp : NULL,
                         lf->has_first_start ? sc->fs : NULL,
                         lf->has_last_stop ? sc->ls : NULL,
                         sc->pieces,
                         sc->prod,
                         sc->wait,
                         sc->stop,
                         sc->eff,
                         sc->occ,
                         sc->wpct,
                         sc->spct};
    memcpy(sc->v, v, sizeof v);
}

/* Upserts the machine and the session row; the ids into session_id and machine_id (24 bytes
 * each), *inserted when the session is new. */
static int cu_upsert_session(cu_db *db, cu_ingest_ctx *c, cu_ingest_result *res,
                             char *session_id, char *machine_id, bool *inserted, cu_err *err)
{
    const cu_logfile *lf = c->lf;
    cu_session_cols sc;
    cu_session_cols_fill(&sc, lf);
    cu_session_extra x;
    cu_session_extra_fill(&x, lf);
    const char *params[23] = {c->machine,
                              c->type,
                              c->folder,
                              c->date,
                              [16] = c->relpath};
    memcpy(&params[4], sc.v, sizeof sc.v); /* $5..$16 */
    memcpy(&params[17], x.v, sizeof x.v);  /* $18..$23 */
    PGresult *r =
        cu_pq_params(db->conn, cu_sql_session, 23, params, "writing session_production", err);
    cu_sb_free(&x.hours);
    if (!r) return -1;
    snprintf(session_id, 24, "%s", PQgetvalue(r, 0, 0));
    snprintf(machine_id, 24, "%s", PQgetvalue(r, 0, 1));
    *inserted = PQgetvalue(r, 0, 2)[0] == 't';
    if (!PQgetisnull(r, 0, 3) && strcmp(PQgetvalue(r, 0, 3), c->relpath) != 0)
        snprintf(res->replaced, sizeof res->replaced, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    return 0;
}

static int cu_write_session(cu_db *db, cu_ingest_ctx *c, cu_ingest_result *res, cu_err *err)
{
    char session_id[24], machine_id[24];
    bool inserted = false;
    if (cu_upsert_session(db, c, res, session_id, machine_id, &inserted, err) != 0) return -1;
    /* The session this file gave before, under another date or machine (a file without a date
     * in its name whose earliest event moved to the day before, a machines.map change): the
     * new one replaces it (SPEC §3), or the day would be counted twice. Looked for under
     * the machine the registry row still names (it is written after this), through the
     * (machine, date) index. A session another file has taken over since is not this
     * file's: a concurrent writer's UPDATE of fichier_log_source makes the re-checked WHERE
     * skip it. */
    const char *own[2] = {c->relpath, session_id};
    if (cu_pq_run_params(db->conn,
                         "DELETE FROM session_production WHERE centre_usinage_id ="
                         " (SELECT centre_usinage_id FROM fichier_log WHERE chemin = $1)"
                         " AND fichier_log_source = $1 AND id <> $2::integer",
                         2, own, "deleting the file's earlier session", err) != 0)
        return -1;
    const char *sid[1] = {session_id};
    if (!inserted && cu_pq_run_params(db->conn, cu_sql_delete_details, 1, sid,
                                      "deleting the session's detail rows", err) != 0)
        return -1;
    if (cu_copy_details(db, c->lf, session_id, res, err) != 0) return -1;
    snprintf(c->sid, sizeof c->sid, "%s", session_id);
    snprintf(c->mid, sizeof c->mid, "%s", machine_id);
    return cu_write_registry(db, c, machine_id, "ok", NULL, err);
}

static int cu_write_rejected(cu_db *db, cu_ingest_ctx *c, cu_err *err)
{
    const char *params[3] = {c->machine, c->type, c->folder};
    PGresult *r = cu_pq_params(db->conn, cu_sql_machine, 3, params, "writing centre_usinage", err);
    if (!r) return -1;
    char machine_id[24];
    snprintf(machine_id, sizeof machine_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return cu_write_registry(db, c, machine_id, "rejete", c->reject, err);
}

/* The schema's columns bound what a session can hold: hours are DECIMAL(10,4) (under a
 * million hours) and duree_secondes an INTEGER. Timestamps that far apart are a machine's
 * clock gone wrong, not production: the file is data that cannot be stored, recorded rejete
 * with the reason, rather than a database error retried at every reconciliation. */
static const char *cu_out_of_range(const cu_logfile *lf)
{
    const int64_t max_hours_us = INT64_C(999999) * 3600 * CU_US_PER_S;
    if (lf->metrics.production_us > max_hours_us)
        return "timestamps too far apart: the production window exceeds 999,999 hours";
    const cu_period *sets[2] = {lf->waits, lf->stops};
    size_t counts[2] = {lf->n_waits, lf->n_stops};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < counts[k]; i++)
            if (cu_db_round_seconds(sets[k][i].end - sets[k][i].start) > INT32_MAX)
                return "timestamps too far apart: a wait or stop exceeds 68 years";
    return NULL;
}

/* ---- Append (SPEC §3: work proportional to the appended lines) -------------------------- */

/* The new content is an append when it starts with exactly the bytes last ingested: the
 * registry row (statut ok) holds their size and SHA-256, so the file is longer than that size
 * and the SHA-256 of its first `taille` bytes equals `empreinte`. The session must still be
 * this file's (same machine and date, fichier_log_source this path), and the parse of those
 * bytes must give the counts recorded. Then append.c compares that parse with the new one and
 * only the rows after those they share are written (and the changed tail of the timeline and
 * of the rejected lines deleted first); anything else is a full replacement. */

/* What the append's statement fails with when the stored rows are not those the plan expects
 * (a cast error carrying it, SQLSTATE 22P02): the transaction is then rolled back and the file
 * replaced whole in a new one. */
#define CU_APPEND_MISMATCH "cuwatch append: the stored rows differ from the content last ingested"

/* An append's writes, in one statement (one round trip, each table's integrity trigger once):
 * the machine's type and folder and the session row as a full ingest sets them (every column
 * cu_sql_session writes, what the views read included: db_append compares whole rows, and
 * fails on one forgotten); the
 * timeline's changed tail ($17 rows, by id: the order they were written in) deleted and the
 * new rows of each detail table inserted in order from arrays; the registry row updated, its
 * rejected lines' changed tail ($42) deleted and the new ones inserted. Fails with
 * CU_APPEND_MISMATCH unless the session had as many timeline rows ($46) and the file as many
 * rejected lines ($47) as the content last ingested gives, exactly the tails went, and the
 * registry and session rows were still those the append starts from ($54-$60; a failure
 * undoes the whole statement). */
static const char cu_sql_append_write[] =
    "WITH m AS (UPDATE centre_usinage SET type_cu = $2, description = $3"
    "   WHERE id = $4::integer"
    "     AND (type_cu IS DISTINCT FROM $2 OR description IS DISTINCT FROM $3)),"
    " s AS (UPDATE session_production SET heure_premiere_piece = $5::timestamp,"
    "   heure_derniere_piece = $6::timestamp, heure_premier_machine_start = $7::timestamp,"
    "   heure_dernier_machine_stop = $8::timestamp, total_pieces = $9::integer,"
    "   duree_production_totale = $10::numeric, temps_attente = $11::numeric,"
    "   temps_arret_volontaire = $12::numeric, temps_production_effectif = $13::numeric,"
    "   taux_occupation = $14::numeric, taux_attente = $15::numeric,"
    "   taux_arret_volontaire = $16::numeric, date_creation = CURRENT_TIMESTAMP,"
    "   cycle_median_secondes = $48::numeric, pieces_heure = $49::integer[],"
    "   production_secondes = $50::numeric, effectif_secondes = $51::numeric,"
    "   attente_secondes = $52::numeric, arret_secondes = $53::numeric"
    "   WHERE id = $1::integer),"
    " de AS (DELETE FROM periode_etat WHERE id IN (SELECT id FROM periode_etat"
    "   WHERE session_id = $1::integer ORDER BY id DESC LIMIT $17::integer) RETURNING 1),"
    " ip AS (INSERT INTO piece_production (session_id, numero_piece, timestamp_production,"
    "   details) SELECT $1::integer, u.n, u.t, u.d FROM unnest($18::integer[],"
    "   $19::timestamp[], $20::text[]) WITH ORDINALITY AS u(n, t, d, o) ORDER BY u.o),"
    " ij AS (INSERT INTO job_profil (session_id, reference, longueur, couleur, timestamp_debut)"
    "   SELECT $1::integer, u.r, u.l, u.c, u.t FROM unnest($21::text[], $22::numeric[],"
    "   $23::text[], $24::timestamp[]) WITH ORDINALITY AS u(r, l, c, t, o) ORDER BY u.o),"
    " iw AS (INSERT INTO periode_attente (session_id, timestamp_debut, timestamp_fin,"
    "   duree_secondes) SELECT $1::integer, u.a, u.b, u.d FROM unnest($25::timestamp[],"
    "   $26::timestamp[], $27::integer[]) WITH ORDINALITY AS u(a, b, d, o) ORDER BY u.o),"
    " ia AS (INSERT INTO periode_arret (session_id, timestamp_debut, timestamp_fin,"
    "   duree_secondes) SELECT $1::integer, u.a, u.b, u.d FROM unnest($28::timestamp[],"
    "   $29::timestamp[], $30::integer[]) WITH ORDINALITY AS u(a, b, d, o) ORDER BY u.o),"
    " ie AS (INSERT INTO periode_etat (session_id, etat, debut, fin)"
    "   SELECT $1::integer, u.e, u.a, u.b FROM unnest($31::text[], $32::timestamp[],"
    "   $33::timestamp[]) WITH ORDINALITY AS u(e, a, b, o) ORDER BY u.o),"
    " f AS (UPDATE fichier_log SET taille = $35::bigint,"
    "   mtime = timestamptz 'epoch' + $36::bigint * interval '1 microsecond', empreinte = $37,"
    "   statut = 'ok', lignes = $38::bigint, evenements = $39::bigint,"
    "   lignes_rejetees = $40::bigint, traite_le = now(), duree_ms = $41::numeric,"
    "   message = NULL WHERE chemin = $34 RETURNING id),"
    " dr AS (DELETE FROM ligne_rejetee WHERE id IN (SELECT l.id FROM ligne_rejetee l, f"
    "   WHERE l.fichier_id = f.id ORDER BY l.id DESC LIMIT $42::integer) RETURNING 1),"
    " ir AS (INSERT INTO ligne_rejetee (fichier_id, numero_ligne, contenu, raison)"
    "   SELECT f.id, u.n, u.c, u.r FROM f, unnest($43::bigint[], $44::text[], $45::text[])"
    "   WITH ORDINALITY AS u(n, c, r, o) ORDER BY u.o)"
    " SELECT CASE WHEN (SELECT count(*) FROM de) = $17::bigint"
    "   AND (SELECT count(*) FROM dr) = $42::bigint AND (SELECT count(*) FROM f) = 1"
    "   AND (SELECT count(*) FROM periode_etat WHERE session_id = $1::integer) = $46::bigint"
    "   AND (SELECT count(*) FROM ligne_rejetee l, f WHERE l.fichier_id = f.id) = $47::bigint"
    "   AND EXISTS (SELECT 1 FROM fichier_log f0 JOIN session_production s0"
    "     ON s0.id = $1::integer AND s0.centre_usinage_id = f0.centre_usinage_id"
    "     WHERE f0.chemin = $34 AND f0.statut = 'ok' AND f0.taille = $54::bigint"
    "       AND f0.empreinte = $55 AND f0.centre_usinage_id = $4::integer"
    "       AND s0.fichier_log_source = $34 AND s0.date_production = $60::date"
    "       AND s0.total_pieces = $56::integer AND f0.lignes = $57::bigint"
    "       AND f0.evenements = $58::bigint AND f0.lignes_rejetees = $59::bigint)"
    "   THEN 0"
    "   ELSE ('" CU_APPEND_MISMATCH " (' || (SELECT count(*) FROM de) || ' of ' || $17"
    "     || ' timeline rows, ' || (SELECT count(*) FROM dr) || ' of ' || $42"
    "     || ' rejected lines)')::integer END";

/* The statements every append runs, prepared once per connection: planning the append's
 * many-CTE statement costs more than running it. */
static int cu_prepare_append(cu_db *db, cu_err *err)
{
    /* One at a time, each remembered as it succeeds: the second may fail after the first is
     * prepared on this connection (PREPARE plans against the tables, so a lock held on
     * piece_production makes it meet lock_timeout), and preparing the first again would
     * then fail for ever with "prepared statement already exists". */
    if (db->prepared_append < 1) {
        if (cu_pq_prepare(db->conn, "cu_state", cu_sql_state, "preparing the ingest", err) != 0)
            return -1;
        db->prepared_append = 1;
    }
    if (db->prepared_append < 2) {
        if (cu_pq_prepare(db->conn, "cu_append", cu_sql_append_write, "preparing the ingest",
                          err) != 0)
            return -1;
        db->prepared_append = 2;
    }
    if (db->prepared_append < 3) {
        if (cu_pq_prepare(db->conn, "cu_lock", cu_sql_lock_session, "preparing the ingest",
                          err) != 0)
            return -1;
        db->prepared_append = 3;
    }
    return 0;
}

/* A full ingest's jobs, waits, stops and timeline (the pieces go by COPY), in one statement. */
static const char cu_sql_small_details[] =
    "WITH ij AS (INSERT INTO job_profil (session_id, reference, longueur, couleur,"
    "   timestamp_debut) SELECT $1::integer, u.r, u.l, u.c, u.t FROM unnest($2::text[],"
    "   $3::numeric[], $4::text[], $5::timestamp[]) WITH ORDINALITY AS u(r, l, c, t, o)"
    "   ORDER BY u.o),"
    " iw AS (INSERT INTO periode_attente (session_id, timestamp_debut, timestamp_fin,"
    "   duree_secondes) SELECT $1::integer, u.a, u.b, u.d FROM unnest($6::timestamp[],"
    "   $7::timestamp[], $8::integer[]) WITH ORDINALITY AS u(a, b, d, o) ORDER BY u.o),"
    " ia AS (INSERT INTO periode_arret (session_id, timestamp_debut, timestamp_fin,"
    "   duree_secondes) SELECT $1::integer, u.a, u.b, u.d FROM unnest($9::timestamp[],"
    "   $10::timestamp[], $11::integer[]) WITH ORDINALITY AS u(a, b, d, o) ORDER BY u.o)"
    " INSERT INTO periode_etat (session_id, etat, debut, fin)"
    "   SELECT $1::integer, u.e, u.a, u.b FROM unnest($12::text[], $13::timestamp[],"
    "   $14::timestamp[]) WITH ORDINALITY AS u(e, a, b, o) ORDER BY u.o";

static void cu_append_arrays(cu_arrays *a, const cu_logfile *lf, const cu_append_plan *plan,
                             size_t limit);

/* Rows of each table per statement. A day's file has far fewer: one statement, one round trip.
 * A big file's go in batches (in order, so their ids still follow the file), which bounds the
 * array text and libpq's copy of it: libpq's output buffer keeps its largest size for the
 * connection's life (60 MB idle after a 1 GB file when it all went at once). */
#define CU_DETAIL_BATCH ((size_t)65536)

static int cu_insert_small_details(cu_db *db, const cu_logfile *lf, const char *session_id,
                                   cu_err *err)
{
    /* All rows but the pieces' and the rejected lines' (arrays 0-2 and 16-18 left empty). */
    cu_append_plan all = {0};
    all.keep[CU_T_PIECES] = lf->n_pieces;
    all.keep[CU_T_REJECTS] = lf->n_rejects;
    if (!db->arr) db->arr = cu_xcalloc(1, sizeof *db->arr);
    const size_t n[4] = {lf->n_jobs, lf->n_waits, lf->n_stops, lf->n_states};
    const int t[4] = {CU_T_JOBS, CU_T_WAITS, CU_T_STOPS, CU_T_STATES};
    for (;;) {
        cu_append_arrays(db->arr, lf, &all, CU_DETAIL_BATCH);
        const char *p[14] = {session_id};
        for (int i = 0; i < 13; i++)
            p[1 + i] = cu_arr_get(db->arr, 3 + i);
        if (cu_pq_run_params(db->conn, cu_sql_small_details, 14, p, "writing the details",
                             err) != 0)
            return -1;
        bool more = false;
        for (int i = 0; i < 4; i++) {
            size_t *k = &all.keep[t[i]];
            *k = n[i] - *k > CU_DETAIL_BATCH ? *k + CU_DETAIL_BATCH : n[i];
            more = more || *k < n[i];
        }
        if (!more) return 0;
    }
}

/* The end of a table's rows in one statement: from `from`, at most limit of its n rows. */
static size_t cu_upto(size_t from, size_t n, size_t limit)
{
    return n - from > limit ? from + limit : n;
}

/* The append's array parameters: the new rows after those the plan keeps (at most limit of
 * each table's). */
static void cu_append_arrays(cu_arrays *a, const cu_logfile *lf, const cu_append_plan *plan,
                             size_t limit)
{
    static const char *const etat[] = {[CU_ETAT_PRODUCTION] = "production",
                                       [CU_ETAT_ATTENTE] = "attente",
                                       [CU_ETAT_ARRET] = "arret"};
    a->n = 0;
    const size_t *k = plan->keep;
    for (int col = 0; col < 3; col++) {
        cu_arr_open(a);
        for (size_t i = k[CU_T_PIECES]; i < cu_upto(k[CU_T_PIECES], lf->n_pieces, limit); i++) {
            const cu_piece *p = &lf->pieces[i];
            if (col == 0) cu_arr_int(a, (int64_t)i + 1); /* numero_piece */
            if (col == 1) cu_arr_ts(a, p->ts);
            if (col == 2) cu_arr_text(a, p->details);
        }
        cu_arr_close(a);
    }
    for (int col = 0; col < 4; col++) {
        cu_arr_open(a);
        for (size_t i = k[CU_T_JOBS]; i < cu_upto(k[CU_T_JOBS], lf->n_jobs, limit); i++) {
            const cu_job *j = &lf->jobs[i];
            if (col == 0) cu_arr_text(a, j->reference);
            if (col == 1) cu_arr_text(a, j->length);
            if (col == 2) cu_arr_text(a, j->colour);
            if (col == 3) cu_arr_ts(a, j->ts);
        }
        cu_arr_close(a);
    }
    const cu_period *periods[2] = {lf->waits, lf->stops};
    size_t counts[2] = {lf->n_waits, lf->n_stops}, from[2] = {k[CU_T_WAITS], k[CU_T_STOPS]};
    for (int t = 0; t < 2; t++)
        for (int col = 0; col < 3; col++) {
            cu_arr_open(a);
            for (size_t i = from[t]; i < cu_upto(from[t], counts[t], limit); i++) {
                const cu_period *p = &periods[t][i];
                if (col == 0) cu_arr_ts(a, p->start);
                if (col == 1) cu_arr_ts(a, p->end);
                if (col == 2) cu_arr_int(a, cu_db_round_seconds(p->end - p->start));
            }
            cu_arr_close(a);
        }
    for (int col = 0; col < 3; col++) {
        cu_arr_open(a);
        for (size_t i = k[CU_T_STATES]; i < cu_upto(k[CU_T_STATES], lf->n_states, limit); i++) {
            const cu_state_period *p = &lf->states[i];
            if (col == 0) cu_arr_text(a, etat[p->etat]);
            if (col == 1) cu_arr_ts(a, p->start);
            if (col == 2) cu_arr_ts(a, p->end);
        }
        cu_arr_close(a);
    }
    for (int col = 0; col < 3; col++) {
        cu_arr_open(a);
        for (size_t i = k[CU_T_REJECTS]; i < cu_upto(k[CU_T_REJECTS], lf->n_rejects, limit); i++) {
            const cu_reject *r = &lf->rejects[i];
            if (col == 0) cu_arr_int(a, (int64_t)r->line);
            if (col == 1) cu_arr_text(a, r->content ? r->content : "");
            if (col == 2) cu_arr_text(a, r->reason ? r->reason : "");
        }
        cu_arr_close(a);
    }
}

/* Writes an append planned by append.c in one statement and COMMITs, in one round trip. 0 when
 * committed; 1 when the stored rows are not what the plan expects (the transaction is aborted:
 * the caller rolls it back and replaces the session whole in a new one); -1 on a database
 * error. */
static int cu_append_write(cu_db *db, cu_ingest_ctx *c, const cu_append_plan *plan,
                           const cu_append_base *base, bool begin, cu_ingest_result *res,
                           cu_err *err)
{
    const char *session_id = base->session_id, *machine_id = base->machine_id;
    const cu_logfile *lf = c->lf;
    cu_session_cols sc;
    cu_session_cols_fill(&sc, lf);
    char drop_states[24], drop_rejects[24], size[24], mtime[24], lines[24], events[24],
        rejected[24], ms[32];
    snprintf(drop_states, sizeof drop_states, "%zu", plan->drop[CU_T_STATES]);
    snprintf(drop_rejects, sizeof drop_rejects, "%zu", plan->drop[CU_T_REJECTS]);
    snprintf(size, sizeof size, "%" PRId64, c->size);
    snprintf(mtime, sizeof mtime, "%" PRId64, c->mtime_us);
    snprintf(lines, sizeof lines, "%" PRIu64, (uint64_t)lf->lines);
    snprintf(events, sizeof events, "%" PRIu64, (uint64_t)lf->events);
    snprintf(rejected, sizeof rejected, "%" PRIu64, (uint64_t)lf->rejected_lines);
    if (!db->arr) db->arr = cu_xcalloc(1, sizeof *db->arr);
    cu_arrays *a = db->arr;
    cu_append_arrays(a, lf, plan, SIZE_MAX);
    snprintf(ms, sizeof ms, "%.3f", cu_now_ms() - c->t0);
    char old_states[24], old_rejects[24];
    snprintf(old_states, sizeof old_states, "%zu",
             plan->keep[CU_T_STATES] + plan->drop[CU_T_STATES]);
    snprintf(old_rejects, sizeof old_rejects, "%zu",
             plan->keep[CU_T_REJECTS] + plan->drop[CU_T_REJECTS]);
    cu_session_extra x; /* what the views read, as cu_upsert_session writes it */
    cu_session_extra_fill(&x, lf);
    char b_taille[24], b_pieces[24], b_lines[24], b_events[24], b_rejected[24];
    snprintf(b_taille, sizeof b_taille, "%" PRId64, base->taille);
    snprintf(b_pieces, sizeof b_pieces, "%" PRIu64, base->pieces);
    snprintf(b_lines, sizeof b_lines, "%" PRIu64, base->lines);
    snprintf(b_events, sizeof b_events, "%" PRIu64, base->events);
    snprintf(b_rejected, sizeof b_rejected, "%" PRIu64, base->rejected);
    const char *p[60] = {session_id,
                         c->type,
                         c->folder,
                         machine_id,
                         [16] = drop_states};
    memcpy(&p[4], sc.v, sizeof sc.v); /* $5..$16 */
    for (int i = 0; i < 16; i++) /* $18..$33: pieces, jobs, waits, stops, states */
        p[17 + i] = cu_arr_get(a, i);
    p[33] = c->relpath;
    p[34] = size;
    p[35] = mtime;
    p[36] = c->hash;
    p[37] = lines;
    p[38] = events;
    p[39] = rejected;
    p[40] = ms;
    p[41] = drop_rejects;
    for (int i = 0; i < 3; i++) /* $43..$45: rejected lines */
        p[42 + i] = cu_arr_get(a, 16 + i);
    p[45] = old_states;
    p[46] = old_rejects;
    for (int i = 0; i < 6; i++) /* $48..$53: what the views read */
        p[47 + i] = x.v[i];
    p[53] = b_taille; /* $54..$60: the registry and session the append starts from */
    p[54] = base->empreinte;
    p[55] = b_pieces;
    p[56] = b_lines;
    p[57] = b_events;
    p[58] = b_rejected;
    p[59] = c->date;
    /* begin: the speculative append of cu_try_append_memo, whose BEGIN and locks go in the
     * same round trip. */
    char days[16];
    const char *lock_params[3];
    cu_pq_stmt stmts[4] = {{"BEGIN", 0, NULL, "BEGIN", NULL},
                           cu_lock_stmt(db, c, days, lock_params),
                           {cu_sql_append_write, 60, p, "writing the append", "cu_append"},
                           {"COMMIT", 0, NULL, "COMMIT", NULL}};
    PGresult *r[4];
    int off = begin ? 0 : 2, rc = cu_pq_pipeline(db->conn, 4 - off, stmts + off, r, err);
    cu_sb_free(&x.hours);
    if (rc != 0) return strstr(err->msg, CU_APPEND_MISMATCH) && cu_db_alive(db) ? 1 : -1;
    for (int i = 0; i < 4 - off; i++)
        PQclear(r[i]);
    res->rows = 0;
    for (int t = CU_T_PIECES; t <= CU_T_STATES; t++)
        res->rows += plan->add[t];
    return 0;
}

static bool cu_changed_since_read(const cu_ingest_file *f);

/* Does the file start with exactly the bytes last ingested (base: their size and SHA-256)?
 * And then, when parse_into is not NULL, their parse in it. The prefix's hash comes from the
 * read's own pass when cu_ingest_prepare was told that size (hint_len), else it is computed
 * here. A streamed file (its bytes not kept) is read again for them, in one pass that hashes
 * and parses; it must still be the file first read (else it is no append: the caller replaces
 * the session with what was read, and the change brings a newer writer). */
static bool cu_starts_with_base(cu_ingest_file *f, int64_t size, const cu_append_base *base,
                                cu_logfile *parse_into)
{
    if (base->taille <= 0 || base->taille >= size) return false;
    cu_err ignored;
    if (f->streamed) {
        struct stat st;
        bool too_big = false;
        cu_read_stream_args s = {.lf = parse_into, .parse_path = f->relpath, .want = base->taille};
        if (!f->abspath ||
            cu_read_file(&f->bytes, f->abspath, f->relpath, f->max_size, &st, &too_big, &s,
                         &ignored) != 0 ||
            too_big || s.got != base->taille || strcmp(s.hash, base->empreinte) != 0)
            return false;
        return !cu_changed_since_read(f);
    }
    if (f->prefix_len == base->taille) {
        if (strcmp(f->prefix_hash, base->empreinte) != 0) return false;
    } else {
        char prefix_hash[65];
        if (cu_sha256_hex(f->bytes.data, (size_t)base->taille, prefix_hash, &ignored) != 0 ||
            strcmp(prefix_hash, base->empreinte) != 0)
            return false;
    }
    if (parse_into)
        cu_logfile_parse_buffer(parse_into, f->relpath, f->bytes.data, (size_t)base->taille);
    return true;
}

/* The plan of an append from old, the parse of the content the registry and session record
 * (base): false when old is not that content (its counts differ) or the new parse does not
 * extend it (append.c). */
static bool cu_plan_from(const cu_logfile *old, const cu_append_base *base,
                         const cu_logfile *now, cu_append_plan *plan)
{
    return old->n_pieces == base->pieces && old->lines == base->lines &&
           old->events == base->events && old->rejected_lines == base->rejected &&
           cu_append_plan_make(old, now, plan);
}

/* With base from cu_begin: 0 with *done when written and COMMITted as an append; 0 without
 * when it is not one (nothing written, the transaction still open: the caller replaces the
 * session); 1 when the append found the stored rows not as recorded (see cu_append_write);
 * -1 on a database error. */
static int cu_try_append(cu_db *db, cu_ingest_ctx *c, const cu_append_base *base,
                         cu_ingest_result *res, bool *done, cu_err *err)
{
    *done = false;
    cu_ingest_file *f = c->file;
    if (!f || !c->has_date || !base->found || !cu_starts_with_base(f, c->size, base, &f->prev))
        return 0;
    cu_logfile *old = &f->prev;
    cu_append_plan plan;
    if (!cu_plan_from(old, base, c->lf, &plan)) return 0;
    int rc = cu_append_write(db, c, &plan, base, false, res, err);
    *done = rc == 0;
    return rc;
}

/* What this connection last committed for a file (cu_transaction keeps it): an append to that
 * same file can then be written without first asking the database, BEGIN, locks, writes and
 * COMMIT in one round trip; the statement itself checks under the lock that the registry and
 * session are still exactly these (another writer meanwhile: it fails, is rolled back, and
 * the ordinary way follows). */
struct cu_append_memo {
    char *relpath, *machine;
    char date[16];
    cu_append_base base;
    /* The parse of the content committed (has_lf), kept from its ingest so that the next
     * append need not parse its prefix again; rawpath is the on-disk path it was parsed
     * under (the parse's identity comes from it). Not kept for a file above CU_TRIM_ABOVE,
     * whose buffers are given back (cu_ingest_trim). */
    char *rawpath;
    cu_logfile lf;
    bool has_lf;
    bool valid; /* false after cu_memo_invalidate: nothing remembered, buffers kept */
};

/* Nothing remembered any more (another file, or a file not written as remembered), but the
 * kept parse's buffers stay for the next cu_ingest_remember to reuse. */
static void cu_memo_invalidate(cu_db *db)
{
    if (db->memo) db->memo->valid = db->memo->has_lf = false;
}

void cu_ingest_forget(cu_db *db)
{
    if (!db->memo) return;
    free(db->memo->relpath);
    free(db->memo->machine);
    free(db->memo->rawpath);
    cu_logfile_free(&db->memo->lf);
    free(db->memo);
    db->memo = NULL;
}

#define CU_TRIM_ABOVE ((size_t)8 << 20)

/* After a COMMIT: what the next append to this file starts from. The file's parse moves into
 * the memo (the memo's previous one, no longer of any use, goes back to the file as buffers
 * to reuse: the file is no longer parsed). */
static void cu_ingest_remember(cu_db *db, const cu_ingest_ctx *c, const char *session_id,
                               const char *machine_id)
{
    cu_append_memo *m = db->memo;
    if (m) {
        free(m->relpath);
        free(m->machine);
        free(m->rawpath);
        m->rawpath = NULL;
    } else {
        m = db->memo = cu_xcalloc(1, sizeof *m);
    }
    m->valid = true;
    m->relpath = cu_xstrdup(c->relpath);
    m->machine = cu_xstrdup(c->machine ? c->machine : "");
    snprintf(m->date, sizeof m->date, "%s", c->date);
    cu_append_base *b = &m->base;
    b->found = true;
    b->taille = c->size;
    memcpy(b->empreinte, c->hash, sizeof b->empreinte);
    snprintf(b->session_id, sizeof b->session_id, "%s", session_id);
    snprintf(b->machine_id, sizeof b->machine_id, "%s", machine_id);
    b->pieces = c->lf->n_pieces;
    b->lines = c->lf->lines;
    b->events = c->lf->events;
    b->rejected = c->lf->rejected_lines;
    /* Last: from here on c->lf (the file's parse) holds the memo's old one. */
    cu_ingest_file *f = c->file;
    m->has_lf = false;
    if (f && c->lf == &f->lf && f->parsed && (size_t)c->size <= CU_TRIM_ABOVE) {
        cu_logfile t = m->lf;
        m->lf = f->lf;
        f->lf = t;
        f->parsed = false;
        m->rawpath = cu_xstrdup(f->relpath);
        m->has_lf = true;
    }
}

/* The speculative append from the memo: 0 with *done when committed; 0 without when it is not
 * one or the database had moved on (rolled back: the caller goes the ordinary way); -1 on a
 * database error. */
static int cu_try_append_memo(cu_db *db, cu_ingest_ctx *c, cu_ingest_result *res, bool *done,
                              cu_err *err)
{
    *done = false;
    const cu_append_memo *m = db->memo;
    cu_ingest_file *f = c->file;
    if (!m || !m->valid || !f || !c->has_date || strcmp(m->relpath, c->relpath) != 0 ||
        strcmp(m->machine, c->machine ? c->machine : "") != 0 || strcmp(m->date, c->date) != 0)
        return 0;
    const cu_append_base *base = &m->base;
    const cu_logfile *old = &m->lf;
    bool kept = m->has_lf && strcmp(m->rawpath, f->relpath) == 0;
    if (!cu_starts_with_base(f, c->size, base, kept ? NULL : &f->prev)) return 0;
    if (!kept) old = &f->prev;
    cu_append_plan plan;
    if (!cu_plan_from(old, base, c->lf, &plan)) return 0;
    /* Which way the prefix's parse came, for tests and for whoever wonders at a slow append. */
    cu_log_fields(CU_LOG_DEBUG, "append planned from this connection's last commit",
                  (cu_log_field[]){CU_LF_STR("path", c->relpath),
                                   CU_LF_STR("prefix", kept ? "kept" : "parsed")},
                  2);
    /* A file that changed since it was read goes the ordinary way, which reads it again. */
    if (cu_changed_since_read(f)) return 0;
    if (cu_prepare_append(db, err) != 0) return -1;
    int rc = cu_append_write(db, c, &plan, base, true, res, err);
    if (rc < 0) return -1;
    if (rc == 0) {
        *done = true;
        return 0;
    }
    err->msg[0] = '\0';
    return cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", err);
}

/* The transaction proper: 0 and COMMITted, 1 when found unchanged under the lock (nothing
 * written), -1 on error (rolled back when the connection still works). */
/* Under the lock: is the file still what was read? A --rescan --force beside the daemon may
 * have read an upload half-way, then waited for the lock while the daemon committed the
 * complete file: its older read must not overwrite the newer one. Size, mtime, ctime and the
 * inode (a file replaced by a rename) are compared with their values right after the read;
 * any difference means it is read again. (Had the file changed after this check, its next
 * event brings a writer who waits for this lock and then writes the newer content.) */
static bool cu_changed_since_read(const cu_ingest_file *f)
{
    if (!f || !f->abspath) return false;
    struct stat st;
    if (lstat(f->abspath, &st) != 0) return true; /* gone: reading again says so */
    return (int64_t)st.st_size != f->st_size ||
           (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != f->st_mtime_ns ||
           (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec != f->st_ctime_ns ||
           (uint64_t)st.st_dev != f->st_dev || (uint64_t)st.st_ino != f->st_ino;
}

/* Returns as cu_transaction's callers expect, plus 2: the file changed since it was read,
 * nothing written (rolled back), c->file->changed set. */
static int cu_transaction_body(cu_db *db, cu_ingest_ctx *c, bool force, cu_ingest_result *res)
{
    cu_err *err = &res->err;
    bool same = false;
    cu_append_base base;
    /* Not for a big file: its append may need cu_db_scale_timeouts' longer statement time,
     * which only the ordinary way below sets. */
    if (!force && !c->reject && db->memo && db->memo->valid && c->size <= CU_STREAM_ABOVE) {
        bool appended = false;
        if (cu_try_append_memo(db, c, res, &appended, err) != 0) {
            /* A lock or statement timeout, a deadlock: the pipelined transaction is aborted
             * and must be rolled back, or every later statement on this connection fails;
             * and the memo is forgotten, so the retry goes the ordinary way. */
            cu_memo_invalidate(db);
            if (PQstatus(db->conn) == CONNECTION_OK &&
                PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
                cu_err ignored;
                cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", &ignored);
            }
            return -1;
        }
        if (appended) {
            cu_append_base was = db->memo->base;
            cu_ingest_remember(db, c, was.session_id, was.machine_id);
            res->appended = true;
            return 0;
        }
    }
    cu_memo_invalidate(db);
    int rc = cu_begin(db, c, force, &same, &base, err);
    if (rc == 0) rc = cu_db_scale_timeouts(db, c->size, err);
    if (rc == 0 && c->file && cu_changed_since_read(c->file)) {
        c->file->changed = true;
        cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", err);
        return 2;
    }
    if (rc == 0 && same) {
        /* Nothing to write but the size and mtime the state query may have refreshed. */
        rc = cu_pq_run(db->conn, "COMMIT", "COMMIT", err);
        return rc == 0 ? 1 : -1;
    }
    if (rc == 0 && !force && c->file && c->file->guard && c->size < c->last_size) {
        /* Smaller than its last ingested version: the daemon's shrink rule decides. */
        res->shrunk_from = c->last_size;
        rc = cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", err);
        return rc == 0 ? 3 : -1;
    }
    if (rc == 0 && !c->reject) {
        bool appended = false;
        rc = cu_try_append(db, c, &base, res, &appended, err);
        if (rc == 0 && appended) {
            if (c->has_date) cu_ingest_remember(db, c, base.session_id, base.machine_id);
            res->appended = true;
            return 0;
        }
        if (rc == 1) {
            /* The stored rows were not as recorded: replace them all, in a new transaction. */
            cu_log_fields(CU_LOG_WARN, "append abandoned, the session is replaced",
                          (cu_log_field[]){CU_LF_STR("path", c->relpath),
                                           CU_LF_STR("error", err->msg)},
                          2);
            err->msg[0] = '\0';
            rc = cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", err);
            if (rc == 0) rc = cu_begin(db, c, true, &same, &base, err);
            /* Under the new lock, as under the first: an older read never overwrites. */
            if (rc == 0 && c->file && cu_changed_since_read(c->file)) {
                c->file->changed = true;
                cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", err);
                return 2;
            }
        }
    }
    /* New content at this path, not an append: perhaps a file that moved here (a renamed
     * folder). */
    if (rc == 0 && c->root && c->maybe_moved)
        rc = cu_db_take_moved(db, c->root, c->relpath, c->hash, c->machine, res->moved_from,
                              sizeof res->moved_from, err);
    if (rc == 0) rc = c->reject ? cu_write_rejected(db, c, err) : cu_write_session(db, c, res, err);
    if (rc == 0) rc = cu_pq_run(db->conn, "COMMIT", "COMMIT", err);
    if (rc == 0 && !c->reject && c->has_date && c->sid[0]) cu_ingest_remember(db, c, c->sid, c->mid);
    if (rc != 0 && PQstatus(db->conn) == CONNECTION_OK) {
        cu_err ignored;
        cu_pq_run(db->conn, "ROLLBACK", "ROLLBACK", &ignored);
    }
    return rc;
}

static void cu_record_error(cu_db *db, const cu_ingest_ctx *c, const cu_ingest_result *res)
{
    if (!cu_db_alive(db)) return;
    char size[24], mtime[24], ms[32];
    snprintf(size, sizeof size, "%" PRId64, c->size);
    snprintf(mtime, sizeof mtime, "%" PRId64, c->mtime_us);
    snprintf(ms, sizeof ms, "%.3f", cu_now_ms() - c->t0);
    const char *params[5] = {c->relpath, size, mtime, ms, res->err.msg};
    cu_err ignored;
    cu_pq_run_params(db->conn, cu_sql_registry_error, 5, params, "recording the error", &ignored);
}

/* A path below the root: not absolute, no ".." component. */
static bool cu_relpath_ok(const char *p)
{
    if (!*p || p[0] == '/') return false;
    for (const char *c = p; c; c = strchr(c, '/')) {
        if (*c == '/') c++;
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0')) return false;
    }
    return true;
}

/* ---- Preparing a file: no database, no shared state ------------------------------------- */

cu_ingest_file *cu_ingest_file_new(void)
{
    return cu_xcalloc(1, sizeof(cu_ingest_file));
}

void cu_ingest_file_free(cu_ingest_file *f)
{
    if (!f) return;
    free(f->relpath);
    free(f->chemin);
    free(f->folder);
    free(f->root);
    free(f->abspath);
    free(f->machine);
    free(f->type);
    cu_sb_free(&f->bytes);
    cu_logfile_free(&f->lf);
    cu_logfile_free(&f->prev);
    free(f);
}

static void cu_step(cu_ingest_file *f, cu_ingest_step step)
{
    if (f->step) *f->step = step;
}

void cu_db_track_step(cu_db *db, volatile sig_atomic_t *step)
{
    db->step = step;
}

/* Files this big take a noticeable time to parse: say so (debug), so that a stall or a
 * deadline can be told from a hang. */
#define CU_LARGE_FILE_BYTES (16u << 20)

static void cu_say_parsing(const char *relpath, int64_t size)
{
    if (size < (int64_t)CU_LARGE_FILE_BYTES) return;
    cu_log_field lf[] = {CU_LF_STR("path", relpath), CU_LF_NUM("bytes", (double)size)};
    cu_log_fields(CU_LOG_DEBUG, "parsing a large file", lf, 2);
}

/* Parses the file read by cu_ingest_prepare: from memory, or for a streamed file (whose bytes
 * were not kept) in a new pass over it, which must find exactly the content first hashed. 0,
 * or 1 when a streamed file is no longer what was read (f->parsed stays false; reading it
 * again from the start gives a hash and a parse of the same bytes). */
static int cu_parse_prepared(cu_ingest_file *f)
{
    cu_say_parsing(f->relpath, f->size);
    cu_step(f, CU_STEP_PARSING);
    int rc = 0;
    if (f->streamed) {
        struct stat st;
        bool too_big = false;
        cu_err ignored;
        cu_read_stream_args s = {.lf = &f->lf, .parse_path = f->relpath, .want = f->size};
        if (cu_read_file(&f->bytes, f->abspath, f->relpath, f->max_size, &st, &too_big, &s,
                         &ignored) != 0 ||
            too_big || s.got != f->size || strcmp(s.hash, f->hash) != 0 ||
            cu_changed_since_read(f))
            rc = 1;
    } else {
        cu_logfile_parse_buffer(&f->lf, f->relpath, f->bytes.data ? f->bytes.data : "",
                                f->bytes.len);
    }
    f->parsed = rc == 0;
    cu_step(f, CU_STEP_DATABASE);
    return rc;
}

void cu_ingest_prepare(cu_ingest_file *f, const cu_config *cfg, const char *relpath,
                       const cu_registry *reg, bool force)
{
    double t0 = cu_now_ms();
    free(f->relpath);
    free(f->machine);
    free(f->type);
    f->relpath = cu_xstrdup(relpath);
    free(f->root);
    f->root = cu_xstrdup(cfg->root);
    f->machine = f->type = NULL;
    f->parsed = false;
    f->streamed = false;
    f->known_same = false;
    f->read_rc = -1;
    f->read_errno = 0;
    f->too_big = false;
    f->err.msg[0] = '\0';
    f->hash[0] = '\0';
    f->size = f->mtime_us = 0;
    f->prefix_len = 0;

    /* The machine folder is the path's parent folder, as the parser will see it. Path and
     * folder as stored are their UTF-8 forms (a Latin-1 folder name from a Windows client),
     * and machines.map, written in UTF-8, is looked up with that form too. */
    free(f->chemin);
    free(f->folder);
    f->chemin = cu_db_name_utf8(relpath);
    if (!f->chemin) f->chemin = cu_xstrdup(relpath);
    const char *slash = strrchr(relpath, '/');
    const char *prev = slash;
    while (prev && prev > relpath && prev[-1] != '/')
        prev--;
    char *folder = slash ? cu_xstrndup(prev, (size_t)(slash - prev)) : cu_xstrdup("");
    f->folder = cu_db_name_utf8(folder);
    if (!f->folder) {
        f->folder = folder;
    } else {
        free(folder);
    }
    cu_config_machine(cfg, f->folder, &f->machine, &f->type);

    if (!cu_relpath_ok(relpath)) {
        cu_fail(&f->err, "%s: not a path relative to the root", relpath);
        goto out;
    }
    size_t plen = strlen(cfg->root) + strlen(relpath) + 2;
    char *path = cu_xmalloc(plen);
    snprintf(path, plen, "%s/%s", cfg->root, relpath);
    struct stat st = {0};
    cu_step(f, CU_STEP_READING); /* reading and hashing */
    f->max_size = cfg->max_file_size > 0 ? cfg->max_file_size : INT64_MAX;
    /* A file above CU_STREAM_ABOVE is parsed in the pass that hashes it, unless a registry
     * says it may well be unchanged: then it is only hashed, and read again to be parsed if
     * it is not (cu_parse_prepared). */
    const cu_registry_entry *e = reg ? cu_registry_find(reg, relpath) : NULL;
    bool maybe_same = !force && e && strcmp(e->statut, "erreur") != 0;
    cu_read_stream_args stream = {.lf = maybe_same ? NULL : &f->lf, .parse_path = relpath,
                                  .want = -1};
    /* A big file parsed in the pass that hashes it is parsing from its first byte: a stall
     * or a forced exit names that step. (A small file's read is too short to matter.) */
    if (stream.lf && stat(path, &st) == 0 && st.st_size > CU_STREAM_ABOVE) {
        cu_say_parsing(relpath, (int64_t)st.st_size);
        cu_step(f, CU_STEP_PARSING);
    }
    f->read_rc = cu_read_file(&f->bytes, path, relpath, f->max_size, &st, &f->too_big, &stream,
                              &f->err);
    f->read_errno = errno;
    f->streamed = stream.streamed;
    free(f->abspath);
    f->abspath = path;
    f->cfg = cfg;
    f->st_size = (int64_t)st.st_size;
    f->st_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    f->st_ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    f->st_dev = (uint64_t)st.st_dev;
    f->st_ino = (uint64_t)st.st_ino;
    if (f->read_rc != 0) goto out;
    f->size = f->too_big    ? (int64_t)st.st_size
              : f->streamed ? stream.got
                            : (int64_t)f->bytes.len;
    f->mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    if (f->too_big) goto out; /* recorded rejete by cu_db_ingest_prepared, never parsed */
    f->prefix_len = 0;
    if (f->streamed) {
        memcpy(f->hash, stream.hash, sizeof f->hash);
        f->parsed = stream.lf != NULL;
    } else if (f->hint_len > 0 && (size_t)f->hint_len < f->bytes.len) {
        if (cu_sha256_split_hex(f->bytes.data, f->bytes.len, (size_t)f->hint_len,
                                f->prefix_hash, f->hash, &f->err) != 0) {
            f->read_rc = -1;
            goto out;
        }
        f->prefix_len = f->hint_len;
    } else if (cu_sha256_hex(f->bytes.data, f->bytes.len, f->hash, &f->err) != 0) {
        f->read_rc = -1;
        goto out;
    }
    /* With a registry at hand, parse now unless the content is known to be unchanged; without
     * one, cu_db_ingest_prepared asks the database first and parses only when needed. */
    if (reg) {
        bool same = e && !strcmp(e->empreinte, f->hash) && strcmp(e->statut, "erreur") != 0;
        f->known_same = same;
        if ((force || !same) && !f->parsed) cu_parse_prepared(f);
    }
out:
    cu_step(f, CU_STEP_DATABASE);
    f->prep_ms = cu_now_ms() - t0;
}

/* ---- Ingesting a prepared file ---------------------------------------------------------- */

/* A day's file whose events are dated another day, or span more than a day, is usually a
 * machine clock gone wrong or a file put in the wrong place: SPEC says to ingest it as it is,
 * the operator deserves to hear about it. */
static void cu_date_doubts(const cu_logfile *lf, cu_ingest_result *res)
{
    if (!lf->has_events) return;
    const int64_t day_us = INT64_C(86400) * CU_US_PER_S;
    int64_t first_day =
        lf->first_event / day_us - (lf->first_event < 0 && lf->first_event % day_us);
    res->date_mismatch = lf->date_from_name && first_day != lf->date_days;
    res->long_window = lf->last_event - lf->first_event > day_us;
    res->first_event_us = lf->first_event;
    res->last_event_us = lf->last_event;
}

/* A file larger than watch.max_file_size: recorded rejete with the reason (its size and
 * mtime too, so that reconciliation does not read it again at every start), machine upserted,
 * no session; its content is never read, so there is no hash. */
/* The transaction with a big file's longer deadlines, restored after it (SET LOCAL reverts
 * on its own at COMMIT or ROLLBACK). */
static int cu_transaction(cu_db *db, cu_ingest_ctx *c, bool force, cu_ingest_result *res)
{
    int64_t timeout_ms = db->timeout_ms;
    int rc = cu_transaction_body(db, c, force, res);
    db->timeout_ms = timeout_ms;
    return rc;
}

static int cu_ingest_too_big(cu_db *db, const cu_ingest_file *f, cu_ingest_ctx *c,
                             cu_ingest_result *res)
{
    static const cu_logfile nothing; /* no lines, no events, no rejects */
    char reason[160];
    snprintf(reason, sizeof reason,
             "file too large: %lld bytes, above watch.max_file_size (%lld bytes); not read",
             (long long)f->size, (long long)f->max_size);
    char *folder = cu_xstrdup(f->folder ? f->folder : "");
    c->lf = &nothing;
    c->folder = folder;
    c->reject = reason;
    c->has_date = false;
    c->hash[0] = '\0';
    if (f->guard) { /* the shrink rule: the forced transaction below does not ask */
        const char *p[1] = {c->relpath};
        PGresult *r = cu_pq_params(db->conn,
                                   "SELECT taille FROM fichier_log WHERE chemin = $1"
                                   " AND statut <> 'erreur'",
                                   1, p, "reading fichier_log", &res->err);
        if (!r) {
            free(folder);
            c->folder = NULL;
            return -1;
        }
        int64_t last = PQntuples(r) && !PQgetisnull(r, 0, 0)
                           ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                           : -1;
        PQclear(r);
        if (f->size < last) {
            free(folder);
            c->folder = NULL;
            res->shrunk_from = last;
            res->status = CU_INGEST_UNCHANGED;
            return 0;
        }
    }
    int tx = cu_transaction(db, c, true, res);
    free(folder);
    c->folder = NULL;
    if (tx < 0) return -1;
    if (tx == 2) return 0; /* changed since stat'ed: cu_db_ingest_prepared looks again */
    res->status = CU_INGEST_REJECTED;
    cu_fail(&res->err, "%s", reason);
    return 0;
}

/* Buffers are kept from file to file (no allocation per ordinary upload), but after a big
 * file they would pin its size for ever (158 MB idle after one 47 MB file): above
 * CU_TRIM_ABOVE, the file's buffers, its parse and the COPY buffer are freed and the heap's
 * free memory is returned to the system (malloc_trim), so the idle daemon goes back to its
 * usual size. */

static void cu_ingest_trim(cu_db *db, cu_ingest_file *f)
{
    bool big = f->bytes.cap > CU_TRIM_ABOVE || db->copy.cap > CU_TRIM_ABOVE || f->streamed;
    if (!big) return;
    cu_sb_free(&f->bytes);
    cu_logfile_free(&f->lf);
    cu_logfile_free(&f->prev);
    f->parsed = false;
    cu_sb_free(&db->copy);
    if (db->arr) cu_sb_free(&db->arr->buf);
    malloc_trim(0);
}

/* Another file on disk has this file's stored path (issue 8's UTF-8 form of a name: Latin-1
 * decoded, control characters removed): "CENTRE D\xC9BIT (ALU)" from one FTP client beside
 * the "CENTRE DÉBIT (ALU)" another made in UTF-8, or a name with a newline. Both would share
 * one fichier_log row and one session, ingested in turn on every rescan, the last silently
 * winning. The file whose name is already its stored form keeps the row; this one is refused
 * with both paths named (its on-disk bytes shown as \xNN, so the two can be told apart). */
static bool cu_name_taken(const cu_ingest_file *f, cu_err *err)
{
    if (!f->chemin || strcmp(f->chemin, f->relpath) == 0 || !cu_relpath_ok(f->relpath))
        return false;
    cu_sb other = {0};
    cu_sb_printf(&other, "%s/%s", f->root, f->chemin);
    struct stat st;
    bool taken = lstat(other.data, &st) == 0 && S_ISREG(st.st_mode);
    cu_sb_free(&other);
    if (!taken) return false;
    cu_sb disk = {0};
    for (const unsigned char *p = (const unsigned char *)f->relpath; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            cu_sb_printf(&disk, "\\x%02X", *p);
        else
            cu_sb_printf(&disk, "%c", *p);
    }
    cu_fail(err,
            "%s: not ingested: its name read as UTF-8 is \"%s\", the path of another file on "
            "disk, which is ingested instead; rename one of them",
            disk.data, f->chemin);
    cu_sb_free(&disk);
    return true;
}

static int cu_ingest_once(cu_db *db, cu_ingest_file *f, bool force, cu_ingest_result *res)
{
    f->changed = false;
    memset(res, 0, sizeof *res);
    double t0 = cu_now_ms() - f->prep_ms;
    cu_ingest_ctx c = {.lf = &f->lf,
                       .relpath = f->chemin ? f->chemin : f->relpath, /* as stored */
                       .machine = f->machine,
                       .type = f->type,
                       .size = f->size,
                       .mtime_us = f->mtime_us,
                       .root = f->root,
                       .maybe_moved = true,
                       .t0 = t0,
                       .file = f};
    memcpy(c.hash, f->hash, sizeof c.hash);
    int rc = -1;
    snprintf(res->machine, sizeof res->machine, "%s", f->machine ? f->machine : "");
    res->size = f->size;

    if (!cu_db_alive(db)) {
        res->conn_lost = true;
        cu_fail(&res->err, "%s: not connected to the database", f->relpath);
        goto out;
    }
    if (cu_name_taken(f, &res->err)) {
        res->permanent = true; /* until one of the two is renamed: not retried, no row */
        goto out;
    }
    if (f->read_rc != 0) {
        res->err = f->err;
        /* A file that vanished between its event and now leaves no registry row behind. */
        res->io_error = true;
        res->gone = f->read_errno == ENOENT;
        if (!res->gone && cu_relpath_ok(f->relpath)) cu_record_error(db, &c, res);
        goto out;
    }

    if (f->too_big) {
        rc = cu_ingest_too_big(db, f, &c, res);
        if (rc != 0) goto db_error;
        goto out;
    }

    /* The registry check before any parsing or transaction, when a registry said the content
     * is unchanged: then it costs one query. Otherwise (the daemon's uploads, which have
     * changed as a rule) the file is parsed and the transaction's first round trip, which
     * checks the same under the lock (cu_begin), finds an unchanged one all the same. */
    if (!force && f->known_same) {
        bool same = false;
        if (cu_unchanged(db, &c, &same, &res->err) != 0) goto db_error;
        if (same) {
            res->status = CU_INGEST_UNCHANGED;
            rc = 0;
            goto out;
        }
    }
    if (!f->parsed && cu_parse_prepared(f) != 0) {
        /* A streamed file changed since it was hashed: cu_db_ingest_prepared reads it again. */
        f->changed = true;
        rc = 0;
        goto out;
    }

    const cu_logfile *lf = &f->lf;
    c.folder = f->folder ? f->folder : "";
    c.has_date = lf->has_date;
    c.date_days = lf->date_days;
    if (lf->has_date) cu_format_date(c.date, lf->date_days);
    snprintf(res->date, sizeof res->date, "%s", c.date);
    res->lines = lf->lines;
    res->events = lf->events;
    res->pieces = (uint32_t)lf->n_pieces;
    res->rejected_lines = lf->rejected_lines;
    res->first_reject_line = lf->n_rejects ? lf->rejects[0].line : 0;
    snprintf(res->first_reject, sizeof res->first_reject, "%s",
             lf->n_rejects ? lf->rejects[0].reason : "");
    res->occupation_cpct = lf->metrics.occupation_cpct;
    cu_date_doubts(lf, res);
    c.reject = lf->status != CU_STATUS_OK ? (lf->error ? lf->error : "no valid event")
                                          : cu_out_of_range(lf);

    int tx = cu_transaction(db, &c, force, res);
    if (tx < 0) goto db_error;
    if (tx == 2) { /* changed since it was read: cu_db_ingest_prepared reads it again */
        rc = 0;
        goto out;
    }
    if (tx == 3) { /* smaller than last time (cu_db_ingest_guarded): nothing written */
        res->status = CU_INGEST_UNCHANGED;
        rc = 0;
        goto out;
    }
    if (tx == 0 && res->moved_from[0]) {
        cu_log_field mf[] = {CU_LF_STR("path", c.relpath), CU_LF_STR("from", res->moved_from),
                             CU_LF_STR("machine", c.machine)};
        cu_log_fields(CU_LOG_INFO, "moved: the file's old session and registry row follow it", mf,
                      3);
    }
    if (tx == 1) {
        res->status = CU_INGEST_UNCHANGED;
    } else if (!c.reject) {
        res->status = CU_INGEST_OK;
        if (res->replaced[0])
            cu_log_fields(CU_LOG_WARN, "session replaced by another file",
                          (cu_log_field[]){
                              CU_LF_STR("machine", c.machine), CU_LF_STR("date", c.date),
                              CU_LF_STR("previous", res->replaced), CU_LF_STR("path", c.relpath)},
                          4);
    } else {
        res->status = CU_INGEST_REJECTED;
        cu_fail(&res->err, "%s", c.reject);
    }
    rc = 0;
    goto out;

db_error:
    /* A server that refuses writes (a standby after failover) is unavailable, as if the
     * connection were lost: the file stays pending and the caller reconnects later. */
    res->conn_lost = !cu_db_alive(db) || cu_db_err_read_only(&res->err);
    res->transient = !res->conn_lost && cu_db_err_transient(&res->err);
    res->permanent = !res->conn_lost && !res->transient && cu_db_err_permanent(&res->err);
    /* A lock or statement timeout says nothing about the file: no 'erreur' row for it. */
    if (!res->transient) cu_record_error(db, &c, res);
out:
    if (rc != 0) res->status = CU_INGEST_ERROR;
    cu_ingest_trim(db, f);
    res->ms = cu_now_ms() - t0;
    return rc;
}

/* A file found changed under the lock is read again and ingested anew, a few times at most
 * (an upload still in progress settles quickly; one that keeps changing gets a later event
 * and is then the newer writer). ms= counts every round. */
#define CU_CHANGED_ROUNDS 3

int cu_db_ingest_prepared(cu_db *db, cu_ingest_file *f, bool force, cu_ingest_result *res)
{
    double spent = 0;
    for (int round = 1;; round++) {
        int rc = cu_ingest_once(db, f, force, res);
        res->ms += spent;
        if (!f->changed) return rc;
        if (round == CU_CHANGED_ROUNDS || !f->cfg) {
            res->status = CU_INGEST_ERROR;
            res->transient = true;
            cu_fail(&res->err, "%s: changed while being ingested, %d times in a row; its next "
                               "change brings it back",
                    f->relpath, round);
            return -1;
        }
        spent = res->ms;
        char *rel = cu_xstrdup(f->relpath);
        cu_ingest_prepare(f, f->cfg, rel, NULL, force);
        free(rel);
    }
}

static int cu_db_ingest_as(cu_db *db, const cu_config *cfg, const char *relpath, bool force,
                           bool guard, cu_ingest_result *res);

int cu_db_ingest(cu_db *db, const cu_config *cfg, const char *relpath, bool force,
                 cu_ingest_result *res)
{
    return cu_db_ingest_as(db, cfg, relpath, force, false, res);
}

int cu_db_ingest_guarded(cu_db *db, const cu_config *cfg, const char *relpath,
                         cu_ingest_result *res)
{
    return cu_db_ingest_as(db, cfg, relpath, false, true, res);
}

static int cu_db_ingest_as(cu_db *db, const cu_config *cfg, const char *relpath, bool force,
                           bool guard, cu_ingest_result *res)
{
    if (!db->file) db->file = cu_ingest_file_new();
    db->file->step = db->step;
    db->file->guard = guard;
    /* The prefix an append to the file last committed would start with, hashed in the same
     * pass as the whole file (whatever file this is: cu_starts_with_base checks the rest). */
    db->file->hint_len = db->memo && db->memo->valid ? db->memo->base.taille : 0;
    cu_ingest_prepare(db->file, cfg, relpath, NULL, force);
    return cu_db_ingest_prepared(db, db->file, force, res);
}

static void cu_log_date_doubts(const char *relpath, const cu_ingest_result *res)
{
    if (!res->date_mismatch && !res->long_window) return;
    char first[32], last[32];
    cu_format_ts(first, res->first_event_us, 'T');
    cu_format_ts(last, res->last_event_us, 'T');
    if (res->date_mismatch) {
        cu_log_field f[] = {CU_LF_STR("path", relpath), CU_LF_STR("name_date", res->date),
                            CU_LF_STR("first_event", first)};
        cu_log_fields(CU_LOG_WARN,
                      "the file's first event is not on the date its name gives (ingested as "
                      "named; check the machine's clock or where the file was put)",
                      f, 3);
    }
    if (res->long_window) {
        double hours = (double)((res->last_event_us - res->first_event_us) / 36000000) / 100;
        cu_log_field f[] = {CU_LF_STR("path", relpath), CU_LF_STR("first_event", first),
                            CU_LF_STR("last_event", last), CU_LF_NUM("hours", hours)};
        cu_log_fields(CU_LOG_WARN,
                      "the file's events span more than 24 h (ingested as one day's session; "
                      "check the machine's clock)",
                      f, 4);
    }
}

void cu_ingest_log(const char *relpath, const cu_ingest_result *res)
{
    static const char *const names[] = {"ok", "unchanged", "rejete", "erreur"};
    if (res->status == CU_INGEST_ERROR && res->gone) {
        /* Deleted or moved between its event (or the listing) and the read: the ordinary
         * life of an upload volume, not an error. A move is seen under its new name. */
        cu_log_field g[] = {CU_LF_STR("path", relpath), CU_LF_STR("error", res->err.msg)};
        cu_log_fields(CU_LOG_DEBUG, "gone before it could be read", g, 2);
        return;
    }
    cu_log_level level = res->status == CU_INGEST_ERROR && res->transient ? CU_LOG_WARN
                         : res->status == CU_INGEST_ERROR                     ? CU_LOG_ERROR
                         : res->status == CU_INGEST_UNCHANGED ? CU_LOG_DEBUG
                                                              : CU_LOG_INFO;
    if (!cu_log_enabled(level)) return;
    double ms = (double)(int64_t)(res->ms * 10 + 0.5) / 10;
    cu_log_field f[10] = {
        CU_LF_STR("path", relpath),
        CU_LF_STR("machine", res->machine[0] ? res->machine : NULL),
        CU_LF_STR("date", res->date[0] ? res->date : NULL),
        CU_LF_NUM("pieces", res->pieces),
        CU_LF_NUM("occupation", (double)res->occupation_cpct / 100),
        CU_LF_NUM("lines_rejected", res->rejected_lines),
        CU_LF_NUM("ms", ms),
        CU_LF_STR("status", names[res->status]),
    };
    int n = 8;
    if (res->status == CU_INGEST_OK) f[n++] = CU_LF_STR("write", res->appended ? "append" : "replace");
    if (res->status == CU_INGEST_ERROR || res->status == CU_INGEST_REJECTED)
        f[n++] = CU_LF_STR("error", res->err.msg);
    cu_log_fields(level,
                  res->status != CU_INGEST_ERROR ? "ingested"
                  : res->transient               ? "ingest deferred: the database refused for now"
                                                 : "ingest failed",
                  f, n);
    if (res->status == CU_INGEST_OK) cu_log_date_doubts(relpath, res);
    if ((res->status == CU_INGEST_OK || res->status == CU_INGEST_REJECTED) &&
        res->first_reject_line > 0) {
        /* The human form names the first as PATH:LINE: reason; the fields carry the same
         * facts for JSON consumers. */
        cu_sb msg = {0};
        cu_sb_printf(&msg,
                     "%s:%" PRIu64 ": %s (%" PRIu64 " rejected line%s in all, in ligne_rejetee)",
                     relpath, res->first_reject_line, res->first_reject, res->rejected_lines,
                     res->rejected_lines == 1 ? "" : "s");
        cu_log_field rf[] = {CU_LF_STR("path", relpath), CU_LF_NUM("line", res->first_reject_line),
                             CU_LF_STR("reason", res->first_reject),
                             CU_LF_NUM("lines_rejected", res->rejected_lines)};
        cu_log_fields(CU_LOG_WARN, msg.data, rf, 4);
        cu_sb_free(&msg);
    }
}

/* logfile.h — the LOG parser and metrics engine of SPEC §1–2: bytes in, one session out.
 *
 * A cu_logfile is the complete, database-free result of reading one machining centre's daily
 * LOG file: its identity (machine, type, production date), every count that `--parse` prints,
 * the detail rows that go to PostgreSQL (pieces, jobs, waits, stop periods) and the metrics.
 *
 * Ownership: the caller owns a cu_logfile (usually on the stack, zero-initialised) and must
 * call cu_logfile_free on it. All strings and arrays inside it belong to it and live until the
 * next cu_logfile_parse_* call on it or cu_logfile_free. Reusing one cu_logfile for many files
 * keeps its buffers, so a rescan's memory does not grow with the number of files.
 *
 * Time: every timestamp is the machine's local wall-clock time, held as microseconds since
 * 1970-01-01T00:00:00 of that naive calendar (no time zone, no DST), so arithmetic is exact.
 *
 * Errors: parsing never fails on content — bad lines become rejects, a file without a valid
 * event gets status CU_STATUS_REJECTED. Only I/O fails (cu_logfile_parse_file returns -1).
 * Memory stays bounded for any line length: only the first CU_LINE_KEEP bytes of a line are
 * looked at. */
#ifndef CU_LOGFILE_H
#define CU_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

#define CU_US_PER_S INT64_C(1000000)
#define CU_MAX_REJECTS 1000      /* rejected lines kept with their content and reason */
#define CU_TEXT_MAX 1024         /* bytes of stored text other than piece details (SPEC §2) */
#define CU_LINE_KEEP (64 * 1024) /* bytes of a line that are parsed; the rest is skipped */
#define CU_MAX_HOURS 1000        /* clock hours of pieces per hour kept (about six weeks) */

typedef enum { CU_STATUS_OK, CU_STATUS_REJECTED } cu_status;

/* Line numbers and line counts are 64-bit: a file of more than 4,294,967,295 lines (a
 * configured max_file_size far above the default, or a stream of empty lines) must not wrap. */
typedef uint64_t cu_lineno;

/* A piece's number (numero_piece) is its place in lf->pieces plus one: 1..n in file order.
 * It is not stored: one struct per piece, 24 bytes, is most of a big file's parse. */
typedef struct cu_piece {
    int64_t ts;
    cu_lineno line;
    const char *details; /* UTF-8, never NULL (may be "") */
} cu_piece;

typedef struct cu_job {
    int64_t ts;
    cu_lineno line;
    const char *reference; /* never NULL */
    const char *length;    /* decimal with '.', e.g. "6500.00"; NULL when L: is absent */
    const char *colour;    /* NULL when C: is absent */
} cu_job;

/* A wait or a stop period as logged (not clipped to the production window). */
typedef struct cu_period {
    int64_t start;  /* µs */
    int64_t end;    /* µs, >= start */
    cu_lineno line; /* the line that opened it */
} cu_period;

/* One period of the production window's timeline (SPEC §3 periode_etat): W cut into
 * contiguous, non-overlapping periods, adjacent periods of one state merged. */
typedef enum { CU_ETAT_PRODUCTION, CU_ETAT_ATTENTE, CU_ETAT_ARRET } cu_etat;

typedef struct cu_state_period {
    int64_t start; /* µs; the first period starts at the first piece */
    int64_t end;   /* µs, > start; equals the next period's start, the last is the last piece */
    cu_etat etat;
} cu_state_period;

typedef struct cu_reject {
    cu_lineno line;
    const char *content; /* cleaned UTF-8, at most CU_TEXT_MAX bytes */
    const char *reason;
} cu_reject;

/* The durations are the sums of the timeline's periods per state (see states below), so the
 * timeline and the numbers cannot disagree; production_us is their total. */
typedef struct cu_metrics {
    int64_t production_us;   /* |W|, W = [first piece, last piece] */
    int64_t wait_us;         /* Σ attente periods */
    int64_t stop_us;         /* Σ arret periods */
    int64_t effective_us;    /* Σ production periods */
    int32_t occupation_cpct; /* percent × 100, rounded half away from zero */
    int32_t wait_cpct;
    int32_t stop_cpct;
} cu_metrics;

typedef struct cu_logfile {
    /* Identity. */
    const char *path;    /* as given */
    const char *folder;  /* parent folder name (the machine folder) */
    const char *machine; /* by the automatic rule of SPEC §1 ("NAME (TYPE)") */
    const char *type;    /* NULL when the folder has no "(TYPE)" */
    bool has_date;
    int32_t date_days; /* production date, days since 1970-01-01 */

    cu_status status;
    const char *error; /* reason when rejected, else NULL */

    /* Counts, as --parse prints them. */
    cu_lineno lines, events, unknown_events, rejected_lines;

    /* Detail rows. pieces and jobs in file order; waits and stops in timestamp order. */
    cu_piece *pieces;
    size_t n_pieces;
    cu_job *jobs;
    size_t n_jobs;
    cu_period *waits;
    size_t n_waits;
    cu_period *stops;
    size_t n_stops;
    cu_reject *rejects; /* the first CU_MAX_REJECTS rejected lines */
    size_t n_rejects;

    /* The timeline of W in time order; empty when W is a point (fewer than two pieces, or
     * all pieces at one instant). */
    cu_state_period *states;
    size_t n_states;

    /* The pieces' rhythm (SPEC §8: v_jour.cycle_median_s, v_pieces_heure), from the pieces in
     * timestamp order, computed here once so that the views need not sort every piece. */
    bool has_cycle_median;   /* false with fewer than two pieces */
    int64_t cycle_median_us; /* median gap between consecutive pieces (µs); with an even
                                number of gaps the mean of the two middle ones, rounded down */
    int64_t first_hour;      /* µs: start of the clock hour of the first piece */
    uint32_t *hour_counts;   /* pieces per clock hour, first_hour onwards, to the last piece's */
    size_t n_hours;          /* 0 without pieces, or when they span over CU_MAX_HOURS hours */

    /* Summary timestamps; has_* false means null. */
    bool has_first_piece, has_last_piece, has_first_start, has_last_stop;
    int64_t first_piece, last_piece, first_start, last_stop;

    /* For the sanity warnings on dates (issue 8): whether date_days came from the file name,
     * and the earliest and latest valid event (any kind); has_events false when none. */
    bool date_from_name, has_events;
    int64_t first_event, last_event;

    cu_metrics metrics;

    /* Set by the caller before parsing: pieces' details are not kept (each is ""). --parse,
     * which prints no details, sets it; the database layer does not. */
    bool skip_piece_details;

    struct cu_logfile_priv *priv; /* buffers reused across parses */
} cu_logfile;

/* Reads and parses the file at path. Machine and type come from its parent folder, the date
 * from its name (or its earliest event). Returns -1 only when the file cannot be read. */
int cu_logfile_parse_file(cu_logfile *lf, const char *path, cu_err *err);

/* Parses bytes already in memory; path is used for the identity as above (it is not opened). */
void cu_logfile_parse_buffer(cu_logfile *lf, const char *path, const char *data, size_t len);

/* The same in pieces, for a file too big to hold (issue 8: peak memory): start (identity from
 * path as above), feed the bytes in order in chunks of any size (a line may span chunks), then
 * finish. The result is exactly cu_logfile_parse_buffer's on the concatenated bytes. Until
 * finish, lf is incomplete and only cu_logfile_free or a new start may be called on it. */
void cu_logfile_parse_start(cu_logfile *lf, const char *path);
void cu_logfile_parse_feed(cu_logfile *lf, const char *data, size_t len);
void cu_logfile_parse_finish(cu_logfile *lf);

/* Frees what only the parse itself needed (its events, at 16 bytes one per piece, and other
 * working arrays), keeping every result: for a big file, whose working arrays would otherwise
 * stay allocated beside the results while they are written to the database. The next parse
 * allocates them again. */
void cu_logfile_release_scratch(cu_logfile *lf);

void cu_logfile_free(cu_logfile *lf);

/* Calendar helpers shared with the database layer and tests. */
bool cu_date_valid(int y, int m, int d);
int32_t cu_days_from_civil(int y, int m, int d);
void cu_civil_from_days(int32_t days, int *y, int *m, int *d);
/* Formats µs as "YYYY-MM-DDTHH:MM:SS" (sep 'T') or "YYYY-MM-DD HH:MM:SS[.ffffff]" (sep ' ',
 * fraction only when non-zero, trailing zeros dropped). out must hold 32 bytes. */
void cu_format_ts(char out[32], int64_t us, char sep);
void cu_format_date(char out[16], int32_t days);

/* The folder rule of SPEC §1: "NAME (TYPE)" gives NAME and TYPE, anything else the whole
 * name and no type. Writes into caller-owned buffers of the folder's length + 1. */
void cu_folder_machine(const char *folder, char *name, char *type, bool *has_type);

#endif

/* logfile_priv.h — what logfile.c (reading) and metrics.c (computing) share inside the
 * parser. Not part of the API. */
#ifndef CU_LOGFILE_PRIV_H
#define CU_LOGFILE_PRIV_H

#include "logfile.h"

typedef enum {
    CU_EV_PIECE,
    CU_EV_WAIT,
    CU_EV_STOP,
    CU_EV_START,
    CU_EV_JOB,
    CU_EV_UNKNOWN
} cu_ev_kind;

/* One valid event, in file order until metrics.c sorts them by (ts, seq). */
typedef struct cu_ev {
    int64_t ts;
    int64_t wait_us; /* MachineWait only */
    cu_lineno line;
    uint32_t seq; /* file order, makes the sort stable (events beyond 2^32 would need 128 GB) */
    uint8_t kind;
} cu_ev;

typedef struct cu_logfile_priv {
    cu_sb arena;       /* kept text of this file */
    cu_sb ident;       /* path, folder, machine, type */
    cu_sb carry;       /* a line spanning two read chunks, at most CU_LINE_KEEP bytes */
    cu_sb scratch;     /* a reject reason being formatted */
    size_t carry_full; /* that line's real length so far */
    char *rbuf;        /* read chunk */
    char date_key[8];  /* the last YYYYMMDD seen, and what it gave (see cu_ts_value) */
    bool date_cached, date_valid;
    int64_t date_us;
    cu_ev *evs;
    size_t n_evs, cap_evs;
    size_t cap_pieces, cap_jobs, cap_waits, cap_stops, cap_rejects, cap_states;
    cu_period *clip_stops, *clip_waits; /* metrics.c: the unions clipped to W */
    size_t cap_clip_stops, cap_clip_waits;
    int64_t *gaps; /* metrics.c: gaps between consecutive pieces */
    size_t cap_gaps, cap_hours;
} cu_logfile_priv;

/* Sorts the events and fills waits, stops, the summary timestamps, the date when the file
 * name gave none, the timeline (states) and the metrics from it (metrics.c). */
void cu_logfile_compute(cu_logfile *lf);

#endif

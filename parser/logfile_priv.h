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

/* One valid event, in file order until metrics.c sorts them by time (equal times keep file
 * order). 16 bytes, as there is one per piece: a big file's events weigh a third of its size
 * (issue 8, peak memory). The line number doubles as the file order (each line holds at most
 * one event) and shares its word with the kind: lines stay far below 2^61, which would need
 * a file of 2^61 bytes. A wait's period goes straight to lf->waits (cu_add_wait). Once the
 * metrics have walked them, the events' array holds the gaps between pieces (cu_rhythm). */
typedef struct cu_ev {
    int64_t ts;
    uint64_t tag; /* line << 3 | kind */
} cu_ev;

#define CU_EV_KIND(e) ((cu_ev_kind)((e)->tag & 7))
#define CU_EV_LINE(e) ((cu_lineno)((e)->tag >> 3))

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
    size_t cap_hours;
} cu_logfile_priv;

/* Sorts the events and fills waits, stops, the summary timestamps, the date when the file
 * name gave none, the timeline (states) and the metrics from it (metrics.c). */
void cu_logfile_compute(cu_logfile *lf);

#endif

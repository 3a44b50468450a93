/* telemetry.h — what an operator sees of a running daemon: Prometheus metrics and /healthz
 * over HTTP (metrics.listen), and systemd's notify protocol (READY, STATUS, WATCHDOG,
 * RELOADING, STOPPING).
 *
 * The daemon feeds it (a turn of its loop, each file's outcome, each registry load) and never
 * depends on it for ingesting: every function here returns nothing and cannot fail the caller.
 * A port already in use is logged and the daemon runs without the endpoint; sd_notify does
 * nothing when NOTIFY_SOCKET is unset.
 *
 * Threads: every cu_tm_* function is called from the daemon's one thread. The HTTP endpoint
 * runs in libmicrohttpd's own thread and reads the numbers under a mutex that the loop holds
 * only to copy a few values in, and the HTTP thread only to render them into memory (never
 * while sending): the loop never waits on a client.
 *
 * Ownership: cu_tm_start allocates, cu_tm_stop stops the endpoint and frees (NULL is fine).
 * Strings passed in are copied when kept. */
#ifndef CU_TELEMETRY_H
#define CU_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "strbuf.h"

typedef struct cu_telemetry cu_telemetry;

/* Reads the systemd environment (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID) and, when
 * listen is a metrics.listen value (not NULL), serves /metrics and /healthz on it. */
cu_telemetry *cu_tm_start(const char *listen);
void cu_tm_stop(cu_telemetry *t);

/* A reloaded configuration's metrics.listen: the endpoint moves (or stops, or starts) when it
 * changed. */
void cu_tm_listen(cu_telemetry *t, const char *listen);

/* The state the loop publishes once per turn, before it sleeps. */
typedef struct cu_tm_state {
    bool db_up;     /* connected and migrated */
    bool root_up;   /* the root is watched */
    size_t pending; /* files queued or settling */
} cu_tm_state;

/* One turn of the event loop: records the time (/healthz), pings the watchdog when due,
 * publishes the state (gauges; STATUS= only when it changed). The first call sends READY=1:
 * the daemon calls it after its first turn, when the root is watched (or known missing), the
 * database connected and migrated (or known unreachable) and the start-up reconciliation has
 * queued every file that changed while it was not running. */
void cu_tm_turn(cu_telemetry *t, const cu_tm_state *st);

/* Monotonic milliseconds (CLOCK_MONOTONIC) by which the loop must turn again so the watchdog
 * pings and /healthz stay fresh; INT64_MAX when nothing needs it. */
int64_t cu_tm_wake_by(const cu_telemetry *t);

/* One file's outcome (any status; the machine, rows and duration from res). mtime is the
 * file's modification time (Unix seconds), the machine's upload time. */
void cu_tm_ingested(cu_telemetry *t, const char *relpath, const cu_ingest_result *res,
                    double mtime);

/* A registry load (reconciliation): each machine's last upload is known from its files'
 * modification times, so the per-machine series exist from start-up on, not only after a
 * machine's next upload. */
void cu_tm_registry(cu_telemetry *t, const cu_config *cfg, const cu_registry *reg);

/* SIGHUP: RELOADING=1 before, READY=1 after. SIGTERM/SIGINT: STOPPING=1. */
void cu_tm_reloading(cu_telemetry *t);
void cu_tm_reloaded(cu_telemetry *t);
void cu_tm_stopping(cu_telemetry *t);

/* The Prometheus text exposition (format 0.0.4) of the current values, appended to out;
 * what GET /metrics serves. */
void cu_tm_render(cu_telemetry *t, cu_sb *out);

/* /healthz: 0 when the loop turned within the bound, else -1 with the reason in out. */
int cu_tm_health(cu_telemetry *t, cu_sb *out);

#endif

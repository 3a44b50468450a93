/* notify.c — systemd's notify protocol, through libsystemd's sd_notify(3).
 *
 * Why the library rather than the documented datagram by hand: it is the reference
 * implementation of the protocol, kept by systemd itself, and handles what a hand-written
 * sender gets wrong (abstract socket names, credentials, the WATCHDOG_PID rule). It costs
 * nothing when the service is not under systemd: with NOTIFY_SOCKET unset, sd_notify returns
 * 0 and sends nothing, so the daemon never depends on a manager being there.
 *
 * WATCHDOG=1 is sent from the event loop's turn, never from a timer or a thread: a loop that
 * blocks (a database that stops answering in the middle of a query) stops the pings, and
 * systemd restarts the service after WatchdogSec. The ping goes at half the interval, as
 * sd_watchdog_enabled(3) advises; cu_tm_wake_by makes an idle loop turn in time.
 *
 * STATUS= is sent when what it shows changes, but at most once a second (a burst would send
 * one per file); a change held back is sent when the second is up (the loop wakes for it). */
#include "tm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "strbuf.h"

void cu_tm_notify(const char *msg)
{
    (void)sd_notify(0, msg); /* nothing to do about a manager that went away */
}

void cu_tm_notify_init(cu_telemetry *t)
{
    uint64_t usec = 0;
    /* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is this process. */
    if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) t->watchdog_ms = (int64_t)(usec / 1000);
}

/* STATUS= for `systemctl status`: the database, the queue, the last file. */
static char *cu_tm_status_text(const cu_telemetry *t)
{
    cu_sb sb = {0};
    cu_sb_puts(&sb, "STATUS=");
    if (!t->root_up) cu_sb_puts(&sb, "root not watched (missing?), ");
    cu_sb_printf(&sb, "database %s, %zu file(s) pending", t->db_up ? "up" : "unreachable",
                 t->pending);
    if (t->last_file)
        cu_sb_printf(&sb, ", last: %s (%s)", t->last_file, t->last_result);
    else
        cu_sb_puts(&sb, ", no file ingested yet");
    return sb.data;
}

void cu_tm_notify_turn(cu_telemetry *t, int64_t now_ms)
{
    /* db_up and pending are written only by this thread, so reading them unlocked is safe. */
    t->status_dirty = !t->ready_sent || t->db_up != t->sent_db_up ||
                      t->root_up != t->sent_root_up || t->pending != t->sent_pending ||
                      t->file_gen != t->sent_file_gen;
    if (t->status_dirty && (!t->ready_sent || now_ms - t->status_ms >= CU_TM_STATUS_MIN_MS)) {
        char *status = cu_tm_status_text(t);
        if (!t->ready_sent) {
            /* READY goes with the first STATUS: systemctl status shows the state from the
             * start. */
            cu_sb sb = {0};
            cu_sb_printf(&sb, "READY=1\n%s", status);
            cu_tm_notify(sb.data);
            cu_sb_free(&sb);
            t->ready_sent = true;
        } else {
            cu_tm_notify(status);
        }
        free(status);
        t->sent_db_up = t->db_up;
        t->sent_root_up = t->root_up;
        t->sent_pending = t->pending;
        t->sent_file_gen = t->file_gen;
        t->status_ms = now_ms;
        t->status_dirty = false;
    }
    if (t->watchdog_ms > 0 && now_ms - t->last_ping_ms >= t->watchdog_ms / 2) {
        cu_tm_notify("WATCHDOG=1");
        t->last_ping_ms = now_ms;
    }
}

/* daemon.h — the watching daemon of SPEC §4: migrate, reconcile, then ingest every upload the
 * moment it completes, until SIGTERM.
 *
 * One thread, one event loop (daemon.c): poll(2) over the inotify descriptor and a signalfd,
 * with timers as poll timeouts. The pieces it drives each live in their own module:
 * inotify_watch (events -> paths), pending (the queue of paths), scan (which files count),
 * reconcile (disk against the registry), backoff (reconnecting), and db/ for the ingest.
 *
 * Ownership: cfg is the caller's; on SIGHUP the daemon replaces its contents with the reloaded
 * configuration (freeing the old one), so the caller still frees whatever cfg holds at the end.
 * Returns a process exit status: 0 after SIGTERM/SIGINT, 1 when the set-up fails (inotify or
 * signals unavailable, migrations that cannot repair the database). When a SIGTERM/SIGINT
 * finds an ingest or a database call that does not end within 1.5 s, the process exits 1 at
 * once (_exit, from the signal handler) with a line saying what it was doing. The database being
 * unreachable or the root missing are not failures: the daemon waits for them. On return,
 * SIGTERM, SIGINT and SIGHUP stay blocked, so a late one cannot kill the exiting process. */
#ifndef CU_DAEMON_H
#define CU_DAEMON_H

#include "config.h"

int cu_daemon_run(cu_config *cfg, const char *config_path, const char *root_override);

#endif

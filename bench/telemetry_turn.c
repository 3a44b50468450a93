/* telemetry_turn.c — cuwatch-bench-telemetry: what the telemetry costs the event loop per
 * file, against the cheapest part of that file's ingest, in the same process.
 *
 * Per file the loop calls cu_tm_ingested once and cu_tm_turn at least once. Measured here:
 *   reference  parsing one LINES-line LOG file held in memory (cu_logfile_parse_buffer): a
 *              lower bound of an ingest, which also reads, hashes and commits a transaction;
 *   telemetry  cu_tm_ingested + cu_tm_turn, with a watchdog and NOTIFY_SOCKET set to a socket
 *              a thread drains (every sd_notify really sent), pending changing every turn;
 *   contended  the same while another thread renders /metrics in a loop, as fast as it can
 *              (the mutex as contended as it can be).
 * Prints nanoseconds per file and the ratios. Usage: cuwatch-bench-telemetry [LINES] [N] */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "telemetry.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static atomic_bool stop_threads;

static void *drain(void *arg)
{
    int fd = *(int *)arg;
    char buf[4096];
    while (!atomic_load(&stop_threads))
        if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0) usleep(100);
    return NULL;
}

static void *scrape(void *arg)
{
    cu_telemetry *t = arg;
    cu_sb sb = {0};
    while (!atomic_load(&stop_threads)) {
        cu_sb_reset(&sb);
        cu_tm_render(t, &sb);
    }
    cu_sb_free(&sb);
    return NULL;
}

static double run_telemetry(cu_telemetry *t, long n)
{
    cu_ingest_result res;
    memset(&res, 0, sizeof res);
    res.status = CU_INGEST_OK;
    res.rows = 200;
    res.ms = 2.5;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        snprintf(res.machine, sizeof res.machine, "M%ld", i % 20);
        cu_tm_ingested(t, "M1 (PVC)/20250528.LOG", &res, 1.7e9 + (double)i);
        cu_tm_turn(t, &(cu_tm_state){.db_up = true, .root_up = true, .pending = (size_t)(n - i)});
    }
    return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 200;
    long n = argc > 2 ? atol(argv[2]) : 200000;

    /* A LOG file in memory, like tests/e2e_lib.sh's e2e_log_text. */
    cu_sb log = {0};
    cu_sb_puts(&log, "20250528 05:59:00|@MachineStart\r\n");
    for (long i = 0; i < lines; i++) {
        long s = 6 * 3600 + i * 20;
        cu_sb_printf(&log, "20250528 %02ld:%02ld:%02ld|@StukUitgevoerd: piece %ld\r\n",
                     (s / 3600) % 24, (s / 60) % 60, s % 60, i + 1);
    }
    cu_logfile lf;
    memset(&lf, 0, sizeof lf);
    long nref = n / 20 > 1000 ? n / 20 : 1000;
    double t0 = now_ns();
    for (long i = 0; i < nref; i++)
        cu_logfile_parse_buffer(&lf, "M1 (PVC)/20250528.LOG", log.data, log.len);
    double ref = (now_ns() - t0) / (double)nref;
    cu_logfile_free(&lf);
    cu_sb_free(&log);

    char path[] = "/tmp/cuwatch-bench-notify-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    int sfd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (bind(sfd, (struct sockaddr *)&sa, sizeof sa) != 0) return perror("bind"), 1;
    setenv("NOTIFY_SOCKET", path, 1);
    setenv("WATCHDOG_USEC", "2000000", 1);
    unsetenv("WATCHDOG_PID");
    pthread_t dth, sth;
    pthread_create(&dth, NULL, drain, &sfd);

    cu_telemetry *t = cu_tm_start(NULL);
    double plain = run_telemetry(t, n);
    pthread_create(&sth, NULL, scrape, t);
    double contended = run_telemetry(t, n);
    atomic_store(&stop_threads, true);
    pthread_join(sth, NULL);
    pthread_join(dth, NULL);
    cu_tm_stop(t);
    close(sfd);
    unlink(path);

    printf("reference: parse of a %ld-line file in memory  %10.0f ns\n", lines, ref);
    printf("telemetry: ingested + turn per file            %10.0f ns  (%.4f × reference)\n", plain,
           plain / ref);
    printf("contended: the same, /metrics rendered nonstop  %10.0f ns  (%.4f × reference)\n",
           contended, contended / ref);
    return 0;
}

/* latency_probe.c — the measuring half of bench/latency: plays a machining centre that
 * uploads N LOG files one after the other, and for each one measures the time from its
 * close() to the moment another PostgreSQL connection sees the result committed.
 *
 *   latency_probe ROOT FOLDER COUNT LINES QUERY [FIRST_DAY_OFFSET]
 *
 * Each file is FOLDER/YYYYMMDD.LOG (a new day each time, so each upload is a new session) with
 * LINES event lines. QUERY is run with $1 = the file's root-relative path and must return a
 * row once that file's ingest has committed. It is polled every 1 ms on the probe's own
 * connection (libpq environment: PGHOST, PGPORT, ...); finer polling steals the CPU the
 * ingest needs on a small machine. Prints one line: n, p50, p95, p99, max, mean in ms.
 *
 *   latency_probe --grow ROOT REL DAYFILE COUNT QUERY [BEFORE]   (bench/reupload)
 *
 * One machine's growing day instead: ROOT/REL is rewritten COUNT times (open O_TRUNC, one
 * write, close, as an FTP re-upload does) with ever longer prefixes of DAYFILE, cut at line
 * ends, the last being all of it; QUERY gets $1 = REL and $2 = the upload's size in bytes and
 * must return a row once that upload's ingest has committed. The first upload (a new session,
 * not an append) is left out of the percentiles. BEFORE, when given, is run with $1 = REL
 * before each upload (bench/reupload uses it to make every upload a full replacement).
 * When QUERY's row has a first column that is not null, it is taken as the commit's time
 * (epoch seconds, e.g. extract(epoch FROM pg_xact_commit_timestamp(xmin)), which needs
 * track_commit_timestamp), and a second line reports commit time minus the close() time
 * (CLOCK_REALTIME, the server's clock on this same machine): the same uploads without the
 * poller's own share (its 1 ms period, its query, its wake-up), but also without the
 * commit's WAL flush, which comes after the timestamp is taken.
 * Built by bench/latency itself (cc ... -lpq); not part of the product. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A realistic day: pieces every 10 s, a wait every 50 lines, a stop/start pair every 500 and
 * a job every 250. */
static size_t make_log(char *buf, size_t cap, const char *day, int lines)
{
    size_t n = 0;
    for (int i = 0; i < lines && n + 128 < cap; i++) {
        int s = 6 * 3600 + i * 10;
        const char *ev = "StukUitgevoerd: piece";
        if (i % 500 == 499)
            ev = "MachineStop";
        else if (i % 500 == 0 && i)
            ev = "MachineStart";
        else if (i % 250 == 1)
            ev = "JobProfiel: R:PVC-7012 L:6500,0 C:white";
        else if (i % 50 == 7)
            ev = "MachineWait: 4.5 sec";
        n += (size_t)snprintf(buf + n, cap - n, "%s %02d:%02d:%02d|@%s\r\n", day, s / 3600 % 24,
                              s / 60 % 60, s % 60, ev);
    }
    return n;
}

/* Waits until the prepared "q" with params returns a row; the time it took in ms, or -1.
 * *commit_s: the row's first column as a number, or -1 when it is null or not a number. */
static double await_row(PGconn *c, int n, const char *const *params, double t0,
                        double *commit_s)
{
    for (;;) {
        PGresult *r = PQexecPrepared(c, "q", n, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
            PQclear(r);
            return -1;
        }
        int found = PQntuples(r) > 0;
        *commit_s = -1;
        if (found && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) {
            char *end;
            double v = strtod(PQgetvalue(r, 0, 0), &end);
            if (*end == '\0' && v > 0) *commit_s = v;
        }
        PQclear(r);
        double t1 = now_ms();
        if (found) return t1 - t0;
        if (t1 - t0 > 30000) {
            fprintf(stderr, "latency_probe: %s not visible after 30 s\n", params[0]);
            return -1;
        }
        usleep(1000);
    }
}

static void report(const char *label, double *lat, int count)
{
    double sum = 0;
    for (int i = 0; i < count; i++)
        sum += lat[i];
    qsort(lat, (size_t)count, sizeof *lat, cmp_double);
#define PCT(p) lat[(int)((double)(count - 1) * (p) + 0.5)]
    printf("%sn=%d p50=%.2f p95=%.2f p99=%.2f max=%.2f mean=%.2f\n", label, count, PCT(0.50),
           PCT(0.95), PCT(0.99), lat[count - 1], sum / count);
#undef PCT
}

static int grow_main(int argc, char **argv)
{
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s --grow ROOT REL DAYFILE COUNT QUERY [BEFORE]\n", argv[0]);
        return 2;
    }
    const char *root = argv[2], *rel = argv[3], *dayfile = argv[4], *query = argv[6];
    int count = atoi(argv[5]);
    FILE *in = fopen(dayfile, "rb");
    if (!in || count < 2) {
        perror(dayfile);
        return 1;
    }
    fseek(in, 0, SEEK_END);
    long total = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *day = malloc((size_t)total + 1);
    if (fread(day, 1, (size_t)total, in) != (size_t)total) {
        perror(dayfile);
        return 1;
    }
    fclose(in);
    PGconn *c = PQconnectdb("");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
        return 1;
    }
    PGresult *r = PQprepare(c, "q", query, 2, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(r);
    if (argc == 8) {
        r = PQprepare(c, "before", argv[7], 1, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
            return 1;
        }
        PQclear(r);
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    double *lat = calloc((size_t)count, sizeof *lat);
    double *clat = calloc((size_t)count, sizeof *clat);
    int ncommit = 0;
    for (int i = 1; i <= count; i++) {
        /* The i-th upload: the first i/count of the day, extended to the next line end. */
        long n = i == count ? total : total * i / count;
        while (n < total && day[n - 1] != '\n')
            n++;
        if (argc == 8) {
            const char *p1[1] = {rel};
            r = PQexecPrepared(c, "before", 1, p1, NULL, NULL, 0);
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
                fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
                return 1;
            }
            PQclear(r);
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, day, (size_t)n) != (ssize_t)n) {
            perror(path);
            return 1;
        }
        close(fd);
        double t0 = now_ms(), w0 = wall_ms();
        char size[32];
        snprintf(size, sizeof size, "%ld", n);
        const char *params[2] = {rel, size};
        double commit_s;
        double ms = await_row(c, 2, params, t0, &commit_s);
        if (ms < 0) return 1;
        if (i > 1) lat[i - 2] = ms;
        if (i > 1 && commit_s > 0) clat[ncommit++] = commit_s * 1e3 - w0;
    }
    report("", lat, count - 1);
    if (ncommit == count - 1) report("commit: ", clat, ncommit);
    free(day);
    free(lat);
    free(clat);
    PQfinish(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--grow")) return grow_main(argc, argv);
    if (argc < 6) {
        fprintf(stderr, "usage: %s ROOT FOLDER COUNT LINES QUERY [FIRST_DAY_OFFSET]\n", argv[0]);
        return 2;
    }
    const char *root = argv[1], *folder = argv[2], *query = argv[5];
    int count = atoi(argv[3]), lines = atoi(argv[4]);
    int offset = argc > 6 ? atoi(argv[6]) : 0;
    PGconn *c = PQconnectdb("");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
        return 1;
    }
    PGresult *r = PQprepare(c, "q", query, 1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(r);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root, folder);
    mkdir(dir, 0755);
    size_t cap = (size_t)lines * 128 + 1024;
    char *buf = malloc(cap);
    double *lat = calloc((size_t)count, sizeof *lat);
    for (int i = 0; i < count; i++) {
        time_t t = 1577836800 + (time_t)(i + offset) * 86400; /* 2020-01-01 + i days */
        struct tm tm;
        gmtime_r(&t, &tm);
        char day[16], rel[4200], path[4300];
        strftime(day, sizeof day, "%Y%m%d", &tm);
        snprintf(rel, sizeof rel, "%s/%s.LOG", folder, day);
        snprintf(path, sizeof path, "%s/%s", root, rel);
        size_t n = make_log(buf, cap, day, lines);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, buf, n) != (ssize_t)n) {
            perror(path);
            return 1;
        }
        close(fd);
        double t0 = now_ms(), t1;
        const char *params[1] = {rel};
        for (;;) {
            r = PQexecPrepared(c, "q", 1, params, NULL, NULL, 0);
            if (PQresultStatus(r) != PGRES_TUPLES_OK) {
                fprintf(stderr, "latency_probe: %s", PQerrorMessage(c));
                return 1;
            }
            int found = PQntuples(r) > 0;
            PQclear(r);
            t1 = now_ms();
            if (found) break;
            if (t1 - t0 > 30000) {
                fprintf(stderr, "latency_probe: %s not visible after 30 s\n", rel);
                return 1;
            }
            usleep(1000);
        }
        lat[i] = t1 - t0;
    }
    report("", lat, count);
    free(buf);
    free(lat);
    PQfinish(c);
    return 0;
}

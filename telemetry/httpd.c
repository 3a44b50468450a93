/* httpd.c — GET /metrics and GET /healthz over HTTP, served by libmicrohttpd (Debian's
 * libmicrohttpd12) in its own thread: a well-kept server that handles the protocol's corners
 * (slow clients, pipelining, HEAD, bad requests) that a hand-written one would not.
 *
 * The thread starts with every signal blocked, so SIGTERM/SIGINT/SIGHUP keep reaching the
 * daemon's thread (its signalfd, or its handlers during a database call). Connections are
 * limited and time out, so a stuck scraper costs a socket, never the loop. */
#include "tm_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define CU_TM_MAX_CONNECTIONS 16
#define CU_TM_CONNECTION_TIMEOUT_S 10

static enum MHD_Result cu_tm_reply(struct MHD_Connection *c, unsigned status, cu_sb *body,
                                   const char *type)
{
    if (!body->data) cu_sb_puts(body, "");
    /* MUST_FREE: libmicrohttpd frees the buffer with free() once sent. */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(body->len, body->data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        cu_sb_free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result cu_tm_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)con_cls;
    cu_telemetry *t = cls;
    cu_sb body = {0};
    static const char text[] = "text/plain; charset=utf-8";
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body is never wanted: drop it */
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        cu_sb_puts(&body, "only GET and HEAD\n");
        return cu_tm_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, &body, text);
    }
    if (strcmp(url, "/metrics") == 0) {
        cu_tm_render(t, &body);
        return cu_tm_reply(c, MHD_HTTP_OK, &body, "text/plain; version=0.0.4; charset=utf-8");
    }
    if (strcmp(url, "/healthz") == 0) {
        int rc = cu_tm_health(t, &body);
        return cu_tm_reply(c, rc == 0 ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, &body, text);
    }
    cu_sb_puts(&body, "not found: cuwatch serves /metrics and /healthz\n");
    return cu_tm_reply(c, MHD_HTTP_NOT_FOUND, &body, text);
}

static void cu_tm_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    cu_log(CU_LOG_DEBUG, "metrics endpoint: %s", msg);
}

void cu_tm_http_start(cu_telemetry *t, const char *listen)
{
    cu_listen_addr a;
    const char *why;
    if (cu_listen_parse(listen, &a, &why) != 0) { /* config.c checked it already */
        cu_log(CU_LOG_ERROR, "metrics.listen \"%s\": %s; not serving metrics", listen, why);
        return;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (a.addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    uint16_t port = ntohs(a.addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a.addr)->sin6_port
                                                       : ((struct sockaddr_in *)&a.addr)->sin_port);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    t->mhd = MHD_start_daemon(flags, port, NULL, NULL, cu_tm_request, t, MHD_OPTION_SOCK_ADDR,
                              (const struct sockaddr *)&a.addr, MHD_OPTION_CONNECTION_LIMIT,
                              (unsigned)CU_TM_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
                              (unsigned)CU_TM_CONNECTION_TIMEOUT_S, MHD_OPTION_EXTERNAL_LOGGER,
                              cu_tm_mhd_log, NULL, MHD_OPTION_END);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!t->mhd) {
        /* Telemetry never stops ingestion: say so loudly, and go on without the endpoint. */
        cu_log(CU_LOG_ERROR,
               "cannot serve metrics on %s: %s; the daemon goes on without /metrics and "
               "/healthz (fix metrics.listen, then reload or restart)",
               listen, saved ? strerror(saved) : "libmicrohttpd refused to start");
        return;
    }
    t->listen = cu_xstrdup(listen);
    cu_log_field f[] = {CU_LF_STR("listen", listen)};
    cu_log_fields(CU_LOG_INFO, "serving /metrics and /healthz", f, 1);
    if (!a.loopback)
        cu_log(CU_LOG_WARN,
               "metrics.listen %s is not a loopback address: /metrics and /healthz are open to "
               "the network (they hold machine names and counts, no secrets)",
               listen);
}

void cu_tm_http_stop(cu_telemetry *t)
{
    if (t->mhd) MHD_stop_daemon(t->mhd);
    t->mhd = NULL;
    free(t->listen);
    t->listen = NULL;
}

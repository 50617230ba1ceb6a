/*
 * The server: configuration, the listening socket, accepting (with the
 * connection cap), graceful shutdown, and the cached Date header. Everything
 * the HTTP layer holds hangs off fl_http_server_t; there is no global state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

static void defaults(fl_http_config_t *c)
{
    if (c->max_header_bytes == 0)
        c->max_header_bytes = 16 * 1024;
    if (c->max_headers == 0)
        c->max_headers = 100;
    if (c->max_body_bytes == 0)
        c->max_body_bytes = 1024 * 1024;
    if (c->max_stream_bytes == 0)
        c->max_stream_bytes = 25 * 1024 * 1024;
    if (c->stream_timeout_ms == 0)
        c->stream_timeout_ms = 10 * 60 * 1000;
    if (c->max_connections == 0)
        c->max_connections = 10000;
    if (c->request_timeout_ms == 0)
        c->request_timeout_ms = 30000;
    if (c->header_timeout_ms == 0)
        c->header_timeout_ms = 10000;
    if (c->idle_timeout_ms == 0)
        c->idle_timeout_ms = 75000;
    if (c->body_interval_ms == 0)
        c->body_interval_ms = 5000;
    if (c->body_min_bytes == 0)
        c->body_min_bytes = 1024;
    if (c->send_timeout_ms == 0)
        c->send_timeout_ms = 30000;
    if (c->linger_ms == 0)
        c->linger_ms = 2000;
}

int fl_http_server_init(fl_http_server_t **out, uv_loop_t *loop, const fl_http_config_t *cfg)
{
    fl_http_server_t *srv;

    if (loop == NULL || cfg == NULL || cfg->router == NULL)
        return FL_EINVAL;
    /* Request ids come from randombytes_buf, which needs the library initialised. */
    if (sodium_init() < 0)
        return FL_EIO;
    srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        fl_oom();
    srv->loop = loop;
    uint8_t seed[8];
    randombytes_buf(seed, sizeof(seed));
    sodium_bin2hex(srv->rid_prefix, sizeof(srv->rid_prefix), seed, sizeof(seed));
    srv->cfg = *cfg;
    defaults(&srv->cfg);
    fl__http_settings_init(&srv->settings);
    *out = srv;
    return 0;
}

/* "127.0.0.1:8080", "[::1]:8080" into a socket address. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss)
{
    const char *colon = strrchr(addr, ':');
    char host[64];
    size_t hlen;
    char *end;
    long port;

    if (colon == NULL)
        return FL_EINVAL;
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
        return FL_EINVAL;
    hlen = (size_t)(colon - addr);
    if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
        addr++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host))
        return FL_EINVAL;
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0)
        return 0;
    if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) == 0)
        return 0;
    return FL_EINVAL;
}

static void on_listener_close(uv_handle_t *h)
{
    fl_http_server_t *srv = h->data;

    free(h);
    if (srv != NULL) {
        srv->listener = NULL;
        fl__http_server_check_done(srv);
    }
}

static void peer_name(uv_tcp_t *tcp, char *buf, size_t len)
{
    struct sockaddr_storage ss = {0};
    int slen = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "";
    int port = 0;

    if (uv_tcp_getpeername(tcp, (struct sockaddr *)&ss, &slen) == 0) {
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof(host));
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof(host));
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
    }
    snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}

static void conn_start(fl__http_conn_t *c, bool reject)
{
    fl_http_server_t *srv = c->srv;

    llhttp_init(&c->parser, HTTP_REQUEST, &srv->settings);
    c->parser.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    peer_name(&c->tcp, c->ex->req.remote, sizeof(c->ex->req.remote));
    c->idle_ms = (int64_t)uv_now(srv->loop);
    if (reject) {
        c->rejected = true;
        srv->n_rejected++;
        fl_http_set_header(&c->ex->req, "Retry-After", "1");
        fl__http_respond_server_error(c->ex, 503, "the server has too many connections");
        return;
    }
    fl__http_conn_process(c);
}

static void on_connection(uv_stream_t *s, int status)
{
    /* A failed accept (EMFILE, ...) leaves the connection in the backlog for later. */
    if (status == 0)
        fl__http_conn_accept(s->data);
}

int fl_http_server_listen(fl_http_server_t *srv, const char *addr)
{
    struct sockaddr_storage ss;
    int rc = parse_addr(addr, &ss);

    if (rc < 0 || srv->listener != NULL || srv->shutting_down)
        return rc < 0 ? rc : FL_EINVAL;
    srv->listener = malloc(sizeof(*srv->listener));
    if (srv->listener == NULL)
        fl_oom();
    uv_tcp_init(srv->loop, srv->listener);
    srv->listener->data = srv;
    rc = uv_tcp_bind(srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)srv->listener, 511, on_connection);
    if (rc < 0) {
        /* The handle outlives this call until its close callback; detach it from srv. */
        srv->listener->data = NULL;
        uv_close((uv_handle_t *)srv->listener, on_listener_close);
        srv->listener = NULL;
    }
    return rc;
}

int fl_http_server_port(const fl_http_server_t *srv)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (srv->listener == NULL ||
        uv_tcp_getsockname(srv->listener, (struct sockaddr *)&ss, &len) < 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void on_defer_close(uv_handle_t *h)
{
    free(h);
}

static void on_defer(uv_timer_t *t)
{
    fl__http_server_check_done(t->data);
    uv_close((uv_handle_t *)t, on_defer_close);
}

static void defer_check(fl_http_server_t *srv)
{
    uv_timer_t *t = malloc(sizeof(*t));

    if (t == NULL)
        fl_oom();
    uv_timer_init(srv->loop, t);
    t->data = srv;
    uv_timer_start(t, on_defer, 0, 0);
}

/* Accepts one connection; past the cap it is answered 503, far past it closed unanswered. */
void fl__http_conn_accept(fl_http_server_t *srv)
{
    fl__http_conn_t *c = calloc(1, sizeof(*c));
    unsigned cap = srv->cfg.max_connections;

    if (c == NULL)
        fl_oom();
    c->srv = srv;
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles = 2;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    srv->n_conns++;
    c->ex = fl__http_ex_new(c);
    if (uv_accept((uv_stream_t *)srv->listener, (uv_stream_t *)&c->tcp) < 0 ||
        srv->n_conns > cap + cap / 8 + 16) {
        fl__http_conn_close(c);
        return;
    }
    conn_start(c, srv->n_conns - srv->n_rejected > cap);
}

void fl_http_server_shutdown(fl_http_server_t *srv, fl_http_shutdown_cb cb, void *arg)
{
    fl__http_conn_t *c, *next;

    srv->shutting_down = true;
    srv->shutdown_cb = cb;
    srv->shutdown_arg = arg;
    if (srv->listener != NULL && !uv_is_closing((uv_handle_t *)srv->listener))
        uv_close((uv_handle_t *)srv->listener, on_listener_close);
    for (c = srv->conns; c != NULL; c = next) {
        next = c->next; /* shutting one down may close and unlink it later, never now */
        fl__http_conn_shutdown(c);
    }
    /* With nothing open, the callback still comes from the loop, never from here. */
    if (srv->listener == NULL && srv->n_conns == 0)
        defer_check(srv);
}

void fl__http_server_check_done(fl_http_server_t *srv)
{
    fl_http_shutdown_cb cb = srv->shutdown_cb;

    if (!srv->shutting_down || cb == NULL || srv->listener != NULL || srv->n_conns > 0 ||
        srv->n_ex > 0 || srv->n_files > 0)
        return;
    srv->shutdown_cb = NULL;
    cb(srv, srv->shutdown_arg);
}

void fl_http_server_free(fl_http_server_t *srv)
{
    if (srv == NULL)
        return;
    fl_assert(srv->n_conns == 0 && srv->n_ex == 0 && srv->n_files == 0);
    if (srv->listener != NULL) {
        /* Never shut down: let the handle close on its own and forget the server. */
        srv->listener->data = NULL;
        uv_close((uv_handle_t *)srv->listener, on_listener_close);
    }
    free(srv);
}

/* Formatting the date once a second instead of per response (nginx's cached time). */
const char *fl__http_date(fl_http_server_t *srv)
{
    time_t now = (time_t)(fl_clock_now() / 1000000);
    struct tm tm;

    if (now != srv->date_sec) {
        gmtime_r(&now, &tm);
        strftime(srv->date, sizeof(srv->date), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        srv->date_sec = now;
    }
    return srv->date;
}

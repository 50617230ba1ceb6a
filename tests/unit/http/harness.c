#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

static int h_healthz(fl_http_req_t *req)
{
    return fl_http_respond_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static int h_echo(fl_http_req_t *req)
{
    return fl_http_respond(req, 200, "application/octet-stream", req->body, req->body_len);
}

static int h_item(fl_http_req_t *req)
{
    const char *q = fl_http_query(req, "q");

    req->tenant = "acme";
    req->user = "u1";
    return fl_http_respond_json(req, 200,
                                json_pack("{s:s, s:s?}", "id", fl_http_param(req, "id"), "q", q));
}

static int h_json(fl_http_req_t *req)
{
    json_t *j;

    if (fl_http_read_json(req, &j) < 0)
        return 0;
    return fl_http_respond_json(req, 200, j);
}

static int h_fail(fl_http_req_t *req)
{
    (void)req;
    return -9004; /* FL_ENOTFOUND, without the header */
}

typedef struct slow {
    uv_timer_t timer;
    fl_http_req_t *req;
} slow_t;

static void slow_closed(uv_handle_t *h)
{
    free(h->data);
}

static void slow_fire(uv_timer_t *t)
{
    slow_t *s = t->data;

    fl_http_respond_json(s->req, 200, json_pack("{s:b}", "slow", 1));
    t->data = s;
    uv_close((uv_handle_t *)t, slow_closed);
}

/* Answers 50 ms later from a timer: the asynchronous path. */
static int h_slow(fl_http_req_t *req)
{
    th_t *t = req->ctx;
    slow_t *s = calloc(1, sizeof(*s));

    s->req = req;
    uv_timer_init(&t->loop, &s->timer);
    s->timer.data = s;
    uv_timer_start(&s->timer, slow_fire, strcmp(req->path, "/slower") == 0 ? 300 : 50, 0);
    return 0;
}

static const fl_http_route_t routes[] = {
    {"GET", "/healthz", h_healthz, NULL, false},  {"POST", "/echo", h_echo, NULL, false},
    {"GET", "/slow", h_slow, NULL, false},        {"GET", "/slower", h_slow, NULL, false},
    {"GET", "/items/{id}", h_item, NULL, false},  {"PUT", "/items/{id}", h_item, NULL, false},
    {"POST", "/json", h_json, NULL, false},       {"GET", "/fail", h_fail, NULL, false},
    {"POST", "/upload", th_h_upload, NULL, true}, {"GET", "/file", th_h_file, NULL, false},
};

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[400];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

static void *run(void *arg)
{
    th_t *t = arg;

    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void on_down(fl_http_server_t *srv, void *arg)
{
    th_t *t = arg;

    (void)srv;
    uv_close((uv_handle_t *)&t->stop, NULL);
}

static void on_stop(uv_async_t *a)
{
    th_t *t = a->data;

    fl_http_server_shutdown(t->srv, on_down, t);
}

void th_start(th_t *t, const fl_http_config_t *cfg)
{
    memset(t, 0, sizeof(*t));
    if (cfg != NULL)
        t->cfg = *cfg;
    ck_assert_int_eq(fl_http_router_init(&t->router, routes, sizeof(routes) / sizeof(routes[0])),
                     0);
    snprintf(t->dir, sizeof(t->dir), "/tmp/fl-http-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    t->log = open_memstream(&t->log_text, &t->log_len);
    t->cfg.router = &t->router;
    t->cfg.ctx = t;
    t->cfg.access_log = t->log;
    ck_assert_int_eq(uv_loop_init(&t->loop), 0);
    uv_async_init(&t->loop, &t->stop, on_stop);
    t->stop.data = t;
    ck_assert_int_eq(fl_http_server_init(&t->srv, &t->loop, &t->cfg), 0);
    ck_assert_int_eq(fl_http_server_listen(t->srv, "127.0.0.1:0"), 0);
    t->port = fl_http_server_port(t->srv);
    ck_assert_int_gt(t->port, 0);
    ck_assert_int_eq(pthread_create(&t->thread, NULL, run, t), 0);
}

void th_shutdown(th_t *t)
{
    uv_async_send(&t->stop);
}

void th_join(th_t *t)
{
    pthread_join(t->thread, NULL);
    fl_http_server_free(t->srv);
    ck_assert_int_eq(uv_loop_close(&t->loop), 0);
    fclose(t->log);
    remove_dir(t->dir);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *th_files(const th_t *t)
{
    DIR *d = opendir(t->dir);
    char *names[64], *out = calloc(1, 64 * 260 + 1);
    size_t n = 0;
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL && n < 64)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d != NULL)
        closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    for (size_t i = 0, len = 0; i < n; i++) {
        len += (size_t)snprintf(out + len, 64 * 260 + 1 - len, "%s%s", i > 0 ? " " : "", names[i]);
        free(names[i]);
    }
    return out;
}

void th_stop(th_t *t)
{
    th_shutdown(t);
    th_join(t);
    free(t->log_text);
}

int th_connect(const th_t *t)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
    struct timeval tv = {.tv_sec = 3};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

void th_send(int fd, const char *s)
{
    size_t n = strlen(s);

    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static bool read_exact(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

char *th_response(int fd)
{
    return th_response_ex(fd, true);
}

char *th_response_ex(int fd, bool with_body)
{
    size_t cap = 65536, len = 0, blen = 0;
    char *buf = malloc(cap);
    char cl[32];

    while (len < 4 || memcmp(buf + len - 4, "\r\n\r\n", 4) != 0) {
        if (len + 1 >= cap || !read_exact(fd, buf + len, 1)) {
            free(buf);
            return NULL;
        }
        len++;
    }
    buf[len] = '\0';
    if (with_body && th_header(buf, "Content-Length", cl, sizeof(cl)))
        blen = strtoul(cl, NULL, 10);
    buf = realloc(buf, len + blen + 1);
    if (!read_exact(fd, buf + len, blen)) {
        free(buf);
        return NULL;
    }
    buf[len + blen] = '\0';
    return buf;
}

char *th_read_all(int fd)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    ssize_t r;

    while ((r = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
        len += (size_t)r;
        if (cap - len < 2)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    return buf;
}

bool th_eof_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char ch;

    if (poll(&p, 1, ms) <= 0)
        return false;
    return recv(fd, &ch, 1, MSG_DONTWAIT) == 0;
}

int th_status(const char *resp)
{
    ck_assert_ptr_nonnull(resp);
    ck_assert_msg(strncmp(resp, "HTTP/1.1 ", 9) == 0, "not a response: %.40s", resp);
    return (int)strtol(resp + 9, NULL, 10);
}

const char *th_body(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");

    return p != NULL ? p + 4 : "";
}

bool th_header(const char *resp, const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    const char *end = strstr(resp, "\r\n\r\n");

    for (const char *p = strstr(resp, "\r\n"); p != NULL && p < end; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n + strspn(p + 3 + n, " ");
            size_t vl = strcspn(v, "\r");
            snprintf(buf, len, "%.*s", (int)vl, v);
            return true;
        }
    }
    return false;
}

void th_slow_body_408(const th_t *t, const char *path)
{
    char head[128];
    int fd = th_connect(t);
    char *r;

    snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nContent-Length: 100\r\n\r\n", path);
    th_send(fd, head);
    for (int i = 0; i < 4; i++) {
        th_send(fd, "x");
        usleep(60 * 1000);
    }
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 408);
    free(r);
    close(fd);
}

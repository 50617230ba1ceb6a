/*
 * Responses: the head is written here, the bytes are queued on the
 * connection in request order (a connection parses its next request only
 * once the current one is answered, so queueing order is request order),
 * and the access log gets its line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

static bool bad_text(const char *s)
{
    return s == NULL || strpbrk(s, "\r\n") != NULL;
}

int fl_http_set_header(fl_http_req_t *req, const char *name, const char *value)
{
    fl__http_ex_t *ex = (fl__http_ex_t *)req;
    fl__http_rh_t *h, **tail = &ex->resp_headers;

    if (bad_text(name) || bad_text(value) || name[0] == '\0' || strpbrk(name, ": \t") != NULL ||
        strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Connection") == 0 ||
        strcasecmp(name, "Transfer-Encoding") == 0)
        return FL_EINVAL;
    h = fl_arena_alloc(&req->arena, sizeof(*h));
    fl_assert(h != NULL);
    h->next = NULL;
    h->name = fl_arena_strndup(&req->arena, name, strlen(name));
    h->value = fl_arena_strndup(&req->arena, value, strlen(value));
    /* Appended at the tail: headers go out in the order they were set. */
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = h;
    return 0;
}

static void put(fl_buf_t *b, const char *s)
{
    fl_buf_append(b, s, strlen(s));
}

static void put_header(fl_buf_t *b, const char *name, const char *value)
{
    put(b, name);
    put(b, ": ");
    put(b, value);
    put(b, "\r\n");
}

static bool body_allowed(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

static void build_head(fl__http_ex_t *ex, fl_buf_t *b, int status, const char *ctype, size_t len,
                       bool close)
{
    char line[64];

    snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status, fl__http_status_phrase(status));
    put(b, line);
    put(b, fl__http_date(ex->srv));
    if (ctype != NULL && body_allowed(status))
        put_header(b, "Content-Type", ctype);
    if (body_allowed(status)) {
        snprintf(line, sizeof(line), "%zu", len);
        put_header(b, "Content-Length", line);
    }
    put_header(b, "X-Request-Id", ex->req.request_id);
    for (fl__http_rh_t *h = ex->resp_headers; h != NULL; h = h->next)
        put_header(b, h->name, h->value);
    if (close)
        put(b, "Connection: close\r\n");
    else if (ex->req.http_minor == 0)
        put(b, "Connection: keep-alive\r\n");
    put(b, "\r\n");
}

/* One JSON line; a failing log never fails the request. */
static void access_log(fl__http_ex_t *ex, int status, size_t bytes)
{
    FILE *f = ex->srv->cfg.access_log;
    const fl_http_req_t *r = &ex->req;
    char when[40];
    json_t *j;

    if (f == NULL)
        return;
    fl_time_format(r->start != 0 ? r->start : fl_clock_now(), when, sizeof(when));
    j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:i, s:I, s:I}", "time", when, "request_id",
                  r->request_id, "tenant", r->tenant, "user", r->user, "method", r->method, "path",
                  r->path, "status", status, "duration_us",
                  (json_int_t)(ex->start_mono != 0 ? fl_clock_mono() - ex->start_mono : 0), "bytes",
                  (json_int_t)bytes);
    if (j == NULL)
        return; /* a client's path that is not UTF-8 */
    json_dumpf(j, f, JSON_COMPACT);
    fputc('\n', f);
    json_decref(j);
}

/* The client left while the handler worked: nothing to send, the exchange ends here. */
static int respond_gone(fl__http_ex_t *ex)
{
    fl_http_server_t *srv = ex->srv;

    access_log(ex, 499, 0);
    fl__http_ex_free(ex);
    fl__http_server_check_done(srv);
    return -EPIPE;
}

/*
 * The answer's head, and its body: bytes (copied), or the open file f (the
 * connection sends it, then goes on). f is NULL for a bytes answer.
 */
static int respond(fl__http_ex_t *ex, int status, const char *content_type, const void *bytes,
                   size_t len, fl__http_file_t *f)
{
    fl_http_req_t *req = &ex->req;
    fl__http_conn_t *c = ex->conn;
    fl_buf_t head = FL_BUF_INIT;
    bool close, send_body;

    fl_assert(ex->state != EX_DONE && ex->state != EX_IDLE); /* answered once only */
    if (c == NULL) {
        fl__http_file_release(f);
        return respond_gone(ex);
    }
    if (req->request_id[0] == '\0')
        fl__http_request_id(ex);
    /* A streamed body answered before its end leaves the input mid-message. */
    close = ex->close_after || !ex->keep_alive || c->close_after || ex->srv->shutting_down ||
            (ex->stream && !ex->body_done);
    send_body = body_allowed(status) && (req->method == NULL || strcmp(req->method, "HEAD") != 0);
    build_head(ex, &head, status, content_type, len, close);
    fl__http_conn_write(c, head.data, head.len, send_body && f == NULL ? bytes : NULL,
                        send_body && f == NULL ? len : 0);
    fl_buf_free(&head);
    access_log(ex, status, send_body ? len : 0);
    ex->state = EX_DONE;
    if (close)
        c->close_after = true;
    if (f != NULL && send_body && len > 0)
        fl__http_file_start(c, f);
    else
        fl__http_file_release(f);
    if (!c->in_loop)
        fl__http_conn_process(c);
    return 0;
}

int fl_http_respond(fl_http_req_t *req, int status, const char *content_type, const void *bytes,
                    size_t len)
{
    return respond((fl__http_ex_t *)req, status, content_type, bytes, len, NULL);
}

int fl_http_respond_file(fl_http_req_t *req, int status, const char *content_type, int fd,
                         uint64_t offset, uint64_t len)
{
    fl__http_ex_t *ex = (fl__http_ex_t *)req;

    return respond(ex, status, content_type, NULL, (size_t)len,
                   fl__http_file_new(ex->srv, fd, offset, len));
}

int fl_http_respond_json(fl_http_req_t *req, int status, json_t *body)
{
    size_t n = 0;
    char *text = fl_json_arena(&req->arena, body, 0, &n);

    fl_assert(text != NULL);
    json_decref(body);
    return fl_http_respond(req, status, "application/json", text, n);
}

/* The server's own errors end the connection: what follows on it cannot be trusted. */
void fl__http_respond_server_error(fl__http_ex_t *ex, int status, const char *detail)
{
    ex->close_after = true;
    if (ex->state == EX_IDLE)
        ex->state = EX_HEAD;
    fl_http_respond_error(&ex->req, status, detail);
}

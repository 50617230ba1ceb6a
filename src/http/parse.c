/*
 * llhttp's callbacks: they fill the current exchange's request in its arena,
 * within the configured limits. A callback that hits a limit records the
 * status to answer (431, 413, 417, 400) and fails the parse; conn.c answers.
 * Tokens (URL, header names and values) can arrive split across reads, so
 * they collect in ex->tok and are copied into the arena once complete.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

static fl__http_ex_t *ex_of(llhttp_t *p)
{
    fl__http_conn_t *c = p->data;
    return c->ex;
}

static int fail(fl__http_ex_t *ex, int status, const char *detail)
{
    ex->err_status = status;
    ex->err_detail = detail;
    return HPE_USER;
}

/* Counts request-line and header bytes against max_header_bytes (431). */
static int take_token(llhttp_t *p, const char *at, size_t len)
{
    fl__http_ex_t *ex = ex_of(p);

    ex->head_bytes += len;
    if (ex->head_bytes > ex->srv->cfg.max_header_bytes)
        return fail(ex, 431, "the request line and headers are too large");
    fl_buf_append(&ex->tok, at, len);
    return 0;
}

static char *tok_dup(fl__http_ex_t *ex)
{
    char *s = fl_arena_strndup(&ex->req.arena, (const char *)ex->tok.data, ex->tok.len);

    fl_assert(s != NULL); /* the arena has no budget: parsing is bounded by the limits */
    fl_buf_clear(&ex->tok);
    return s;
}

static int on_message_begin(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);
    fl__http_conn_t *c = p->data;

    ex->state = EX_HEAD;
    ex->begin_ms = (int64_t)uv_now(c->srv->loop);
    ex->req.start = fl_clock_now();
    ex->start_mono = fl_clock_mono();
    fl__http_conn_arm(c);
    return 0;
}

static int on_url_complete(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);
    size_t len = ex->tok.len;
    char *url = tok_dup(ex);

    if (fl__http_parse_target(&ex->req, url, len) < 0)
        return fail(ex, 400, "the request target is not a valid path and query");
    return 0;
}

static int on_field_complete(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);

    ex->hname = tok_dup(ex);
    return 0;
}

static void push_header(fl__http_ex_t *ex, const char *name, const char *value)
{
    if (ex->req.n_headers == ex->hdrs_cap) {
        size_t cap = ex->hdrs_cap ? ex->hdrs_cap * 2 : 16;
        fl_http_header_t *h = fl_arena_alloc(&ex->req.arena, cap * sizeof(*h));

        fl_assert(h != NULL);
        if (ex->req.n_headers > 0)
            memcpy(h, ex->hdrs, ex->req.n_headers * sizeof(*h));
        ex->hdrs = h;
        ex->hdrs_cap = cap;
        ex->req.headers = h;
    }
    ex->hdrs[ex->req.n_headers].name = name;
    ex->hdrs[ex->req.n_headers].value = value;
    ex->req.n_headers++;
}

static int on_value_complete(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);
    char *value = tok_dup(ex);

    if (ex->req.n_headers >= ex->srv->cfg.max_headers)
        return fail(ex, 431, "the request has too many header fields");
    push_header(ex, ex->hname, value);
    return 0;
}

/*
 * Decides on Expect before any body byte is read: 100 Continue, 413 or 417.
 * A streamed body's 100 waits for its handler to take the body
 * (fl_http_body_stream), so a refusal is sent before the client sends it.
 */
static int check_expect(llhttp_t *p, fl__http_ex_t *ex)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    const char *expect = fl_http_header(&ex->req, "Expect");

    if (expect == NULL || p->http_minor == 0)
        return 0;
    if (strcasecmp(expect, "100-continue") != 0)
        return fail(ex, 417, "only Expect: 100-continue is supported");
    ex->expect_continue = true;
    if (!ex->stream) {
        fl__http_conn_write(p->data, cont, sizeof(cont) - 1, NULL, 0);
        ex->continue_sent = true;
    }
    return 0;
}

static size_t body_limit(const fl__http_ex_t *ex)
{
    return ex->stream ? ex->srv->cfg.max_stream_bytes : ex->srv->cfg.max_body_bytes;
}

/* A streamed route pauses here: conn.c dispatches it before any body byte is parsed. */
static int on_headers_complete(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);
    fl__http_conn_t *c = p->data;

    ex->req.method = llhttp_method_name((llhttp_method_t)p->method);
    ex->req.http_minor = p->http_minor;
    fl__http_request_id(ex);
    fl__http_route(ex);
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > body_limit(ex)) {
        fail(ex, 413, "the request body is larger than the server accepts");
        return -1;
    }
    if (check_expect(p, ex) != 0)
        return -1;
    ex->state = ex->stream ? EX_READY : EX_BODY;
    fl__http_conn_mark_body(c);
    fl__http_conn_arm(c);
    return ex->stream ? HPE_PAUSED : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
    fl__http_ex_t *ex = ex_of(p);

    if (len > body_limit(ex) - ex->body_seen)
        return fail(ex, 413, "the request body is larger than the server accepts");
    ex->body_seen += len;
    if (!ex->stream)
        fl_buf_append(&ex->body, at, len);
    else if (ex->state == EX_STREAM && ex->sink.data != NULL)
        ex->sink.data(&ex->req, at, len, ex->sink.arg);
    return 0;
}

/* Pausing here keeps the next pipelined request unparsed until this one is answered. */
static int on_message_complete(llhttp_t *p)
{
    fl__http_ex_t *ex = ex_of(p);

    ex->keep_alive = llhttp_should_keep_alive(p);
    if (ex->stream) {
        ex->body_done = true;
        return HPE_PAUSED;
    }
    ex->req.body_len = ex->body.len;
    fl_buf_append(&ex->body, "", 1);
    ex->req.body = ex->body.data;
    ex->state = EX_READY;
    return HPE_PAUSED;
}

void fl__http_settings_init(llhttp_settings_t *s)
{
    llhttp_settings_init(s);
    s->on_message_begin = on_message_begin;
    s->on_url = take_token;
    s->on_url_complete = on_url_complete;
    s->on_header_field = take_token;
    s->on_header_field_complete = on_field_complete;
    s->on_header_value = take_token;
    s->on_header_value_complete = on_value_complete;
    s->on_headers_complete = on_headers_complete;
    s->on_body = on_body;
    s->on_message_complete = on_message_complete;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes %XX (and '+' as a space when plus); a bad escape or %00 is FL_EINVAL. */
int fl__http_percent_decode(fl_arena_t *a, const char *s, size_t len, bool plus, char **out)
{
    char *d = fl_arena_alloc(a, len + 1);
    size_t n = 0;

    if (d == NULL)
        return FL_ETOOBIG;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(s[i + 2]) : -1;

            if (lo < 0 || (hi == 0 && lo == 0))
                return FL_EINVAL;
            d[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[n++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    d[n] = '\0';
    *out = d;
    return 0;
}

int fl_http_percent_decode(fl_arena_t *a, const char *s, size_t len, char **out)
{
    return fl__http_percent_decode(a, s, len, false, out);
}

static int parse_query(fl_http_req_t *req, const char *q, size_t len)
{
    size_t cap = 1, n = 0;
    fl_http_param_t *v;

    for (size_t i = 0; i < len; i++)
        cap += q[i] == '&';
    v = fl_arena_alloc(&req->arena, cap * sizeof(*v));
    if (v == NULL)
        return FL_ETOOBIG;
    for (size_t i = 0; i < len;) {
        const char *end = memchr(q + i, '&', len - i);
        size_t plen = end ? (size_t)(end - (q + i)) : len - i;
        const char *eq = memchr(q + i, '=', plen);
        size_t klen = eq ? (size_t)(eq - (q + i)) : plen;
        char *k, *val;

        if (plen > 0) {
            if (fl__http_percent_decode(&req->arena, q + i, klen, true, &k) < 0 ||
                fl__http_percent_decode(&req->arena, eq ? eq + 1 : "", eq ? plen - klen - 1 : 0,
                                        true, &val) < 0)
                return FL_EINVAL;
            v[n].name = k;
            v[n++].value = val;
        }
        i += plen + 1;
    }
    req->query = v;
    req->n_query = n;
    return 0;
}

/*
 * Splits origin-form ("/p?q") and absolute-form ("http://h/p?q", which
 * proxies send) into the raw path, the decoded path and the query. The
 * asterisk-form of OPTIONS keeps "*" so that it routes nowhere.
 */
int fl__http_parse_target(fl_http_req_t *req, const char *url, size_t len)
{
    const char *q;
    size_t plen;
    char *path;

    if (len > 7 && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)) {
        const char *slash = memchr(url + 8, '/', len - 8);

        len = slash ? len - (size_t)(slash - url) : 1;
        url = slash ? slash : "/";
    }
    if (len == 0 || (url[0] != '/' && !(len == 1 && url[0] == '*')))
        return FL_EINVAL;
    q = memchr(url, '?', len);
    plen = q ? (size_t)(q - url) : len;
    req->raw_path = fl_arena_strndup(&req->arena, url, plen);
    if (req->raw_path == NULL || fl__http_percent_decode(&req->arena, url, plen, false, &path) < 0)
        return FL_EINVAL;
    req->path = path;
    return q ? parse_query(req, q + 1, len - plen - 1) : 0;
}

static bool sane_request_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > FL_HTTP_REQUEST_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == ':';
        if (!ok)
            return false;
    }
    return true;
}

/* Echoes a client's X-Request-Id only when it cannot smuggle anything into logs. */
void fl__http_request_id(fl__http_ex_t *ex)
{
    const char *given = fl_http_header(&ex->req, "X-Request-Id");
    fl_http_server_t *srv = ex->srv;

    if (given != NULL && sane_request_id(given)) {
        memcpy(ex->req.request_id, given, strlen(given) + 1);
        return;
    }
    /* 32 hex digits, unique per server run: a random prefix and a counter. */
    snprintf(ex->req.request_id, sizeof(ex->req.request_id), "%s%016" PRIx64, srv->rid_prefix,
             srv->rid_next++);
}

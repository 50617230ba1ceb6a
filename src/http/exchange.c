/*
 * An exchange is one request and its answer. A connection keeps one and
 * resets it between requests, so a keep-alive connection reuses its arena's
 * first chunk and its buffers. When the client goes while a handler still
 * holds the request, the exchange is detached and freed by the respond call.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

/* Buffers above this are freed between requests rather than kept for reuse. */
#define KEEP_BUF_MAX (64 * 1024)

fl__http_ex_t *fl__http_ex_new(fl__http_conn_t *conn)
{
    fl__http_ex_t *ex = calloc(1, sizeof(*ex));

    if (ex == NULL)
        fl_oom();
    ex->conn = conn;
    ex->srv = conn->srv;
    fl_arena_init(&ex->req.arena, 0);
    fl_buf_init(&ex->tok);
    fl_buf_init(&ex->body);
    ex->req.ctx = conn->srv->cfg.ctx;
    conn->srv->n_ex++;
    return ex;
}

static void buf_trim(fl_buf_t *b)
{
    if (b->cap > KEEP_BUF_MAX)
        fl_buf_free(b);
    else
        fl_buf_clear(b);
}

void fl__http_ex_reset(fl__http_ex_t *ex)
{
    fl_http_req_t *r = &ex->req;
    char remote[sizeof(r->remote)];

    memcpy(remote, r->remote, sizeof(remote));
    fl_arena_reset(&r->arena);
    fl_arena_t arena = r->arena;
    memset(r, 0, sizeof(*r));
    r->arena = arena;
    memcpy(r->remote, remote, sizeof(remote));
    r->ctx = ex->srv->cfg.ctx;
    buf_trim(&ex->tok);
    buf_trim(&ex->body);
    ex->state = EX_IDLE;
    ex->hname = NULL;
    ex->hdrs = NULL;
    ex->hdrs_cap = 0;
    ex->resp_headers = NULL;
    ex->head_bytes = 0;
    ex->err_status = 0;
    ex->err_detail = NULL;
    ex->keep_alive = ex->close_after = ex->expect_continue = false;
    ex->match_rc = 0;
    ex->match.route = NULL;
    ex->body_seen = 0;
    ex->stream = ex->sink_set = ex->paused = ex->body_done = ex->continue_sent = false;
    ex->empty_fed = false;
    ex->end_pending = 0;
    memset(&ex->sink, 0, sizeof(ex->sink));
}

void fl__http_ex_free(fl__http_ex_t *ex)
{
    fl_http_server_t *srv = ex->srv;

    fl_arena_free(&ex->req.arena);
    fl_buf_free(&ex->tok);
    fl_buf_free(&ex->body);
    free(ex);
    srv->n_ex--;
}

static void respond_unrouted(fl_http_req_t *req, const fl_http_match_t *m)
{
    if (m->status == 405) {
        fl_http_set_header(req, "Allow", m->allow);
        fl_http_respond_error(req, 405, "the resource does not support this method");
        return;
    }
    fl_http_respond_error(req, 404, "no resource at this path");
}

/* Matches the route once the headers are in: a streamed body is dispatched then. */
void fl__http_route(fl__http_ex_t *ex)
{
    fl_http_req_t *req = &ex->req;

    ex->match_rc = fl_http_router_match(ex->srv->cfg.router, req->method, req->raw_path,
                                        &req->arena, &ex->match);
    ex->stream = ex->match_rc == 0 && ex->match.route != NULL && ex->match.route->stream_body;
}

/*
 * Runs the matched route's handler: for a complete request, or for a
 * streamed one at its headers (the body then flows to the sink the handler
 * sets). A negative return becomes a problem.
 */
void fl__http_dispatch(fl__http_ex_t *ex)
{
    fl_http_req_t *req = &ex->req;
    const fl_http_match_t *m = &ex->match;
    int rc;

    ex->state = ex->stream ? EX_STREAM : EX_HANDLER;
    if (ex->match_rc < 0) {
        fl_http_respond_error(req, 400, "the path has a bad percent-encoding");
        return;
    }
    if (m->route == NULL) {
        respond_unrouted(req, m);
        return;
    }
    req->route = m->route;
    req->n_params = m->n_params;
    req->params = fl_arena_memdup(&req->arena, m->params, m->n_params * sizeof(m->params[0]));
    rc = m->route->handler(req);
    if (rc < 0 && (ex->state == EX_HANDLER || ex->state == EX_STREAM)) {
        fl_problem_t p = {.title = NULL, .detail = fl_strerror(rc)};
        fl_http_respond_problem(req, fl_err_status(rc), &p);
    }
}

const char *fl_http_header(const fl_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

const char *fl_http_query(const fl_http_req_t *req, const char *key)
{
    for (size_t i = 0; i < req->n_query; i++)
        if (strcmp(req->query[i].name, key) == 0)
            return req->query[i].value;
    return NULL;
}

const char *fl_http_param(const fl_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

bool fl_http_req_gone(const fl_http_req_t *req)
{
    const fl__http_ex_t *ex = (const fl__http_ex_t *)req;

    return ex->conn == NULL;
}

/* "application/json" or "application/<x>+json", with or without parameters. */
static bool is_json_type(const char *ct)
{
    size_t n;

    if (ct == NULL || strncasecmp(ct, "application/", 12) != 0)
        return false;
    ct += 12;
    n = strcspn(ct, "; \t");
    return (n == 4 && strncasecmp(ct, "json", 4) == 0) ||
           (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

int fl_http_read_json(fl_http_req_t *req, json_t **out)
{
    json_error_t err;
    json_t *j;

    if (!is_json_type(fl_http_header(req, "Content-Type"))) {
        fl_http_respond_error(req, 415, "the body must be application/json");
        return FL_EINVAL;
    }
    j = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        char *detail = fl_arena_strndup(&req->arena, err.text, strlen(err.text));
        fl_http_respond_error(req, 400, detail);
        return FL_EINVAL;
    }
    *out = j;
    return 0;
}

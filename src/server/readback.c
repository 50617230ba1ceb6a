/*
 * Answering a write with a row of the read model: after a command's events
 * are appended and projected (a commit's done callback), the written
 * entity is read back so the answer is exactly what a GET gives. Issues'
 * comments and work logs, and requests' comments, are answered this way.
 */
#include <string.h>

#include "app.h"
#include "firelater/applications.h"

typedef struct readback {
    fl_http_req_t *req;
    int status;
    const char *location;
} readback_t;

static void on_row(fl_store_res_t *res, void *ctx)
{
    readback_t *rb = ctx;
    if (fl_srv_res_failed(rb->req, res))
        return;
    json_t *one = fl_store_res_rows(res) == 1 ? fl_apps_row_to_json(res, 0) : NULL;
    if (rb->location != NULL)
        fl_http_set_header(rb->req, "Location", rb->location);
    if (one == NULL) { /* written, but the read model has not caught up */
        fl_http_set_header(rb->req, "X-Read-Model", "behind");
        fl_http_respond_json(rb->req, 202, json_pack("{s:s}", "status", "accepted"));
        return;
    }
    fl_http_respond_json(rb->req, rb->status, one);
}

void fl_srv_readback(fl_server_t *s, fl_commit_t *c, const fl_apps_query_t *q)
{
    readback_t *rb = fl_arena_alloc(&c->req->arena, sizeof(*rb));
    *rb = (readback_t){c->req, c->status, c->d.location};
    fl_decision_release(&c->d);
    fl_srv_query(s, c->req, c->tenant->schema, q->sql, q->nparams, q->params, on_row, rb);
}

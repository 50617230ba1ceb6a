/*
 * A request's comments: GET /requests/{id}/comments (requesters: the public
 * ones of their own requests) and POST (requesters: public ones only). A
 * written comment is answered from the read model once the projector has
 * applied it (fl_srv_readback), as issues' comments are.
 */
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/requests.h"

typedef struct list_ctx {
    fl_http_req_t *req;
    fl_apps_query_t q;
} list_ctx_t;

static void on_page(fl_store_res_t *res, void *ctx)
{
    list_ctx_t *lc = ctx;
    if (!fl_srv_res_failed(lc->req, res))
        fl_http_respond_json(lc->req, 200, fl_apps_page_to_json(res, &lc->q));
}

int fl_api_requests_comments(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    const fl_request_state_t *r = fl_srv_request_load(req, p, fl_http_param(req, "id"), false);
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such request");
    list_ctx_t *lc = fl_arena_alloc(&req->arena, sizeof(*lc));
    lc->req = req;
    fl_decision_init(&d);
    if (fl_requests_comments_query(r->id, fl_srv_request_party_only(p) != NULL, req->query,
                                   req->n_query, &req->arena, &lc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return fl_srv_query(s, req, p->tenant->schema, lc->q.sql, lc->q.nparams, lc->q.params, on_page,
                        lc);
}

static void on_added(fl_commit_t *c, int rc)
{
    fl_apps_query_t q;
    const char *loc = c->d.location, *cid = loc != NULL ? strrchr(loc, '/') : NULL;
    if (rc != 0 || fl_decision_failed(&c->d) || cid == NULL) {
        fl_commit_answer(c->tenant->srv, c, rc, false);
        return;
    }
    fl_requests_comment_get_query(c->ctx, cid + 1, &q);
    fl_srv_readback(c->tenant->srv, c, &q);
}

int fl_api_requests_comment_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_req_comment_cmd_t cmd;
    json_t *body;
    const fl_request_state_t *r = fl_srv_request_load(req, p, fl_http_param(req, "id"), false);
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such request");
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_request_commit(req, p, r->id);
    c->status = 201;
    c->done = on_added;
    c->ctx = (void *)r->id;
    int rc = fl_requests_decode_comment(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_requests_decide_comment(&ctx, r, &cmd, fl_srv_request_party_only(p) != NULL, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

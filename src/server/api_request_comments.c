/*
 * A request's comments: GET /requests/{id}/comments (requesters: the public
 * ones of their own requests), POST (requesters: public ones only), PUT and
 * DELETE .../comments/{cid} (the author, or a principal with requests:manage,
 * as for issues' comments). A written comment is answered from the read model
 * once the projector has applied it (fl_srv_readback), as issues' comments are.
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

/* The comment's id: the path's, or (added) the end of the decision's Location. */
typedef struct answer {
    const char *request_id;
    const char *comment_id;
} answer_t;

/* After the append (and the projector): the comment from the read model (fl_srv_readback). */
static void on_written(fl_commit_t *c, int rc)
{
    answer_t *w = c->ctx;
    fl_apps_query_t q;
    const char *loc = c->d.location, *cid = w->comment_id;
    if (cid == NULL && loc != NULL && strrchr(loc, '/') != NULL)
        cid = strrchr(loc, '/') + 1;
    if (rc != 0 || fl_decision_failed(&c->d) || cid == NULL) {
        fl_commit_answer(c->tenant->srv, c, rc, false);
        return;
    }
    fl_requests_comment_get_query(w->request_id, cid, &q);
    fl_srv_readback(c->tenant->srv, c, &q);
}

/*
 * POST (comment_id NULL), PUT (a body) and DELETE (remove: no body, 204) of a comment. The
 * request is one p may see; a requester acts only on public comments, and edits or deletes
 * only their own, as anyone without requests:manage.
 */
static int write_comment(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, bool create,
                         bool remove)
{
    fl_cmd_ctx_t ctx;
    fl_req_comment_cmd_t cmd;
    json_t *body = NULL;
    const fl_request_state_t *r = fl_srv_request_load(req, p, fl_http_param(req, "id"), false);
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such request");
    const char *cid = create ? NULL : fl_http_param(req, "cid");
    if (!create && (cid == NULL || !fl_uuid_is_valid(cid)))
        return fl_http_respond_error(req, 404, "no such comment");
    if (!remove && fl_http_read_json(req, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_request_commit(req, p, r->id);
    answer_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    *w = (answer_t){.request_id = r->id, .comment_id = cid};
    if (remove) {
        c->render = NULL; /* 204 */
    } else {
        c->status = create ? 201 : 200;
        c->done = on_written;
        c->ctx = w;
    }
    int rc = remove ? 0 : fl_requests_decode_comment(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        fl_req_comment_who_t who = {
            .requester = fl_srv_request_party_only(p) != NULL,
            .may_moderate = fl_srv_can(p, FL_RES_REQUESTS, FL_ACT_MANAGE),
        };
        fl_srv_cmd_ctx(req, p, &ctx);
        if (create)
            fl_requests_decide_comment(&ctx, r, &cmd, who.requester, &c->d);
        else
            fl_requests_decide_comment_change(&ctx, r, cid, remove ? NULL : &cmd, who, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_requests_comment_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_comment(s, req, p, true, false);
}

int fl_api_requests_comment_edit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_comment(s, req, p, false, false);
}

int fl_api_requests_comment_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_comment(s, req, p, false, true);
}

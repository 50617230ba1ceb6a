/*
 * GET /api/v1/search: full-text search across the entity types the caller
 * may read (src/domain/search). The route needs only a signed-in caller; the
 * types searched are those the principal's permissions let it read, so a
 * search never shows what a list would not.
 */
#include "app.h"
#include "firelater/err.h"
#include "firelater/search.h"

typedef struct search_read {
    fl_http_req_t *req;
    fl_search_query_t q;
} search_read_t;

/* What p may read, as search types; issues limited to its own without issues:update. */
static void scope_of(const fl_principal_t *p, fl_search_scope_t *scope)
{
    scope->readable = 0;
    scope->own_reporter = NULL;
    if (fl_srv_can(p, FL_RES_USERS, FL_ACT_READ))
        scope->readable |= FL_SEARCH_USERS;
    if (fl_srv_can(p, FL_RES_GROUPS, FL_ACT_READ))
        scope->readable |= FL_SEARCH_GROUPS;
    if (fl_srv_can(p, FL_RES_APPLICATIONS, FL_ACT_READ))
        scope->readable |= FL_SEARCH_APPLICATIONS;
    if (fl_srv_can(p, FL_RES_ISSUES, FL_ACT_READ)) {
        scope->readable |= FL_SEARCH_ISSUES;
        if (!fl_srv_can(p, FL_RES_ISSUES, FL_ACT_UPDATE))
            scope->own_reporter = p->user_id;
    }
}

static void on_search(fl_store_res_t *res, void *ctx)
{
    search_read_t *sr = ctx;
    if (!fl_srv_res_failed(sr->req, res))
        fl_http_respond_json(sr->req, 200, fl_search_to_json(res, &sr->q));
}

typedef int (*build_fn)(const fl_http_param_t *, size_t, const fl_search_scope_t *, fl_arena_t *,
                        fl_search_query_t *, fl_decision_t *);

static int run(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, build_fn build)
{
    fl_decision_t d;
    fl_search_scope_t scope;
    search_read_t *sr = fl_arena_alloc(&req->arena, sizeof(*sr));
    if (sr == NULL)
        return fl_http_respond_error(req, 413, "the request is too large");
    sr->req = req;
    scope_of(p, &scope);
    fl_decision_init(&d);
    int err = build(req->query, req->n_query, &scope, &req->arena, &sr->q, &d);
    if (err == FL_EINVAL)
        return fl_http_respond_problem(req, d.status, &d.problem);
    if (err == FL_EFORBIDDEN)
        return fl_http_respond_error(req, 403, "you may not read every type you asked for");
    if (err != 0)
        return fl_http_respond_error(req, 413, "the request is too large");
    if (sr->q.sql == NULL)
        return fl_http_respond_json(req, 200, fl_search_to_json(NULL, &sr->q));
    return fl_srv_query(s, req, p->tenant->schema, sr->q.sql, sr->q.nparams, sr->q.params,
                        on_search, sr);
}

int fl_api_search(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return run(s, req, p, fl_search_all_query);
}

int fl_api_search_issues(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return run(s, req, p, fl_search_issues_query);
}

/*
 * The issues' endpoints. Writes decide against the issue's aggregate and
 * the aggregates of the reporter and application a body names; reads run
 * on the tenant's read model, except ?as_of= (the stream folded). A
 * requester (a principal without issues:update) creates issues only as
 * themselves and sees only the issues they reported: others' are 404, and
 * every list is narrowed to reporter_id = them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "firelater/issues.h"
#include "firelater/err.h"

static json_t *render_issue(const void *state, uint64_t version)
{
    (void)version;
    return fl_issue_to_json(state);
}

static bool issue_live(const void *state)
{
    const fl_issue_state_t *i = state;
    return i->exists && !i->deleted;
}

/* The requester's own id when p may only see their own issues; NULL otherwise. */
const char *fl_srv_issue_own_only(const fl_principal_t *p)
{
    if (fl_srv_can(p, FL_RES_ISSUES, FL_ACT_UPDATE))
        return NULL;
    return p->user_id != NULL ? p->user_id : "00000000-0000-0000-0000-000000000000";
}

/* The live issue of a uuid path id that p may see, in the request's arena; NULL otherwise. */
const fl_issue_state_t *fl_srv_issue_load(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    const fl_issue_state_t *i =
        fl_srv_agg_copy(req, p->tenant, &fl_issue_agg, fl_issues_stream(&req->arena, id));
    if (i == NULL || !issue_live(i))
        return NULL;
    const char *own = fl_srv_issue_own_only(p), *rep = i->v[FL_ISSUE_REPORTER_ID];
    if (own != NULL && (rep == NULL || strcasecmp(rep, own) != 0))
        return NULL;
    return i;
}

/* The reporter and the application a body names, or the issue's application for an environment. */
static void load_refs(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_issue_values_t *cmd,
                      const fl_issue_state_t *cur, fl_issue_refs_t *refs)
{
    const char *u = cmd->v[FL_ISSUE_REPORTER_ID], *app = cmd->v[FL_ISSUE_APPLICATION_ID];
    memset(refs, 0, sizeof(*refs));
    if (!(cmd->set & (1u << FL_ISSUE_APPLICATION_ID)) && cur != NULL &&
        (cmd->set & (1u << FL_ISSUE_ENVIRONMENT_ID)))
        app = cur->v[FL_ISSUE_APPLICATION_ID];
    if (u != NULL && fl_uuid_is_valid(u))
        refs->reporter = fl_srv_agg_copy(req, t, &fl_user_agg, fl_users_stream(&req->arena, u));
    if (app != NULL && fl_uuid_is_valid(app))
        refs->application = fl_srv_agg_copy(req, t, &fl_app_agg, fl_apps_stream(&req->arena, app));
}

fl_commit_t *fl_srv_issue_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_issue_agg;
    c->render = render_issue;
    c->stream = id != NULL ? fl_issues_stream(&req->arena, id) : NULL;
    return c;
}

typedef int (*decode_fn)(const json_t *, fl_arena_t *, fl_issue_values_t *, fl_decision_t *);
/* 0, FL_EINVAL (d says why) or 1 (the body could not be read: answered). */
static int decode_body(fl_http_req_t *req, decode_fn fn, fl_issue_values_t *cmd, fl_decision_t *d)
{
    json_t *body;
    if (fl_http_read_json(req, &body) != 0)
        return 1;
    int rc = fn(body, &req->arena, cmd, d);
    json_decref(body);
    return rc;
}

int fl_api_issues_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_issue_values_t cmd;
    fl_issue_refs_t refs;
    fl_commit_t *c = fl_srv_issue_commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/issues/";
    c->idem_key = fl_srv_idem_key(req, p, "issue", true);
    if (fl_commit_replayed(s, c))
        return 0;
    int rc = decode_body(req, fl_issues_decode_create, &cmd, &c->d);
    if (rc == 1)
        return 0;
    const char *own = fl_srv_issue_own_only(p), *rep = cmd.v[FL_ISSUE_REPORTER_ID];
    if (rc == 0 && own != NULL && rep != NULL && strcasecmp(rep, own) != 0) {
        fl_decision_fail(&c->d, 403, "forbidden", NULL);
        fl_decision_field(&c->d, "reporter_id", "a requester reports issues only as themselves");
    } else if (rc == 0) {
        if (rep == NULL && p->user_id != NULL) {
            cmd.v[FL_ISSUE_REPORTER_ID] = p->user_id;
            cmd.set |= 1u << FL_ISSUE_REPORTER_ID;
        }
        load_refs(req, p->tenant, &cmd, NULL, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_issues_decide_create(&ctx, &cmd, &refs, &c->d);
        fl_srv_issue_stamp(p->tenant, &ctx, NULL, cmd.v[FL_ISSUE_APPLICATION_ID], &c->d);
    }
    fl_commit_submit(s, c); /* a refusal answers its problem */
    return 0;
}

/* If-Match and the live issue of {id}: NULL after answering 412 or 404. */
const fl_issue_state_t *fl_srv_issue_target(fl_http_req_t *req, fl_principal_t *p,
                                            int64_t *expected)
{
    *expected = fl_srv_if_match(req);
    if (*expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_issue_state_t *i = fl_srv_issue_load(req, p, fl_http_param(req, "id"));
    if (i == NULL)
        fl_http_respond_error(req, 404, "no such issue");
    return i;
}

int fl_api_issues_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_issue_values_t cmd;
    fl_issue_refs_t refs;
    int64_t expected;
    const fl_issue_state_t *i = fl_srv_issue_target(req, p, &expected);
    if (i == NULL)
        return 0;
    fl_commit_t *c = fl_srv_issue_commit(req, p, i->id);
    int rc = decode_body(req, fl_issues_decode_update, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, &cmd, i, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_issues_decide_update(&ctx, i, expected, &cmd, &refs, &c->d);
        fl_srv_issue_stamp(p->tenant, &ctx, i,
                           (cmd.set & (1u << FL_ISSUE_APPLICATION_ID))
                               ? cmd.v[FL_ISSUE_APPLICATION_ID]
                               : i->v[FL_ISSUE_APPLICATION_ID],
                           &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_issues_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    const fl_issue_state_t *i = fl_srv_issue_target(req, p, &expected);
    if (i == NULL)
        return 0;
    fl_commit_t *c = fl_srv_issue_commit(req, p, i->id);
    c->render = NULL;
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_issues_decide_delete(&ctx, i, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_apps_query_t q;
    bool one;                /* a single issue: no row is 404 */
    fl_srv_cached_read_t cr; /* a list (readcache.c): a requester's is keyed by their id */
} read_ctx_t;

static void on_read(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (fl_srv_res_failed(rc->req, res))
        return;
    if (!rc->one) {
        fl_srv_read_respond(&rc->cr, fl_apps_page_to_json(res, &rc->q));
        return;
    }
    json_t *one = fl_store_res_rows(res) == 1 ? fl_apps_row_to_json(res, 0) : NULL;
    if (one == NULL) {
        fl_http_respond_error(rc->req, 404, "no such issue");
        return;
    }
    char etag[32]; /* the read model's version is the stream's: If-Match takes it */
    snprintf(etag, sizeof(etag), "\"%lld\"",
             (long long)json_integer_value(json_object_get(one, "version")));
    fl_http_set_header(rc->req, "ETag", etag);
    fl_http_respond_json(rc->req, 200, one);
}

static read_ctx_t *read_ctx(fl_http_req_t *req, bool one)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    rc->one = one;
    return rc;
}

static int run(fl_server_t *s, fl_principal_t *p, read_ctx_t *rc)
{
    return fl_srv_query(s, rc->req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params,
                        on_read, rc);
}

static int list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *app_id)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, false);
    fl_decision_init(&d);
    if (fl_issues_list_query(req->query, req->n_query, fl_srv_issue_own_only(p), app_id,
                             &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    if (s->store != NULL &&
        fl_srv_read_cached(s, req, p->tenant, rc->q.sql, rc->q.nparams, rc->q.params, &rc->cr))
        return 0;
    return run(s, p, rc);
}

int fl_api_issues_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, NULL);
}

int fl_api_apps_issues_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    const fl_app_state_t *a = NULL;
    if (id != NULL && fl_uuid_is_valid(id))
        a = fl_srv_agg_copy(req, p->tenant, &fl_app_agg, fl_apps_stream(&req->arena, id));
    if (a == NULL || !a->exists || a->deleted)
        return fl_http_respond_error(req, 404, "no such application");
    return list(s, req, p, a->id);
}

int fl_api_issues_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    bool uuid = id != NULL && fl_uuid_is_valid(id);
    /* a requester travels in time only through an issue they reported (and that is live) */
    if (uuid && (fl_srv_issue_own_only(p) == NULL || fl_srv_issue_load(req, p, id) != NULL) &&
        fl_srv_answer_as_of(req, p->tenant, &fl_issue_agg, fl_issues_stream(&req->arena, id),
                            render_issue, issue_live))
        return 0;
    if (!fl_srv_params_only(req, uuid ? "as_of" : NULL)) /* the only one, with a uuid */
        return 0;
    read_ctx_t *rc = read_ctx(req, true);
    if (fl_issues_get_query(id, fl_srv_issue_own_only(p), &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such issue");
    return run(s, p, rc);
}

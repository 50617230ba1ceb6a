/*
 * The application registry's endpoints: applications and their
 * environments. Writes decide against the application's aggregate (its
 * environments included, so a name is unique per application whatever the
 * read model says) and the aggregates of the users and groups it names;
 * reads run on the tenant's read model. An environment's ETag is its
 * application's stream version: If-Match on an environment's PUT or DELETE
 * expects that version.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/applications.h"
#include "firelater/err.h"

static json_t *render_app(const void *state, uint64_t version)
{
    (void)version;
    return fl_app_to_json(state);
}

static bool app_live(const void *state)
{
    const fl_app_state_t *a = state;
    return a->exists && !a->deleted;
}

/* The live application of a uuid path id, copied into the request's arena; NULL otherwise. */
static const fl_app_state_t *load_app(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    const fl_app_state_t *a = fl_srv_agg_copy(req, t, &fl_app_agg, fl_apps_stream(&req->arena, id));
    return a != NULL && app_live(a) ? a : NULL;
}

/* The users and groups a body names (each loaded only when it is a uuid). */
static void load_refs(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_app_values_t *cmd,
                      fl_app_refs_t *refs)
{
    const char *u = cmd->v[FL_APP_OWNER_USER_ID], *og = cmd->v[FL_APP_OWNER_GROUP_ID],
               *sg = cmd->v[FL_APP_SUPPORT_GROUP_ID];
    memset(refs, 0, sizeof(*refs));
    if (u != NULL && fl_uuid_is_valid(u))
        refs->owner_user = fl_srv_agg_copy(req, t, &fl_user_agg, fl_users_stream(&req->arena, u));
    if (og != NULL && fl_uuid_is_valid(og))
        refs->owner_group =
            fl_srv_agg_copy(req, t, &fl_group_agg, fl_groups_stream(&req->arena, og));
    if (sg != NULL && fl_uuid_is_valid(sg))
        refs->support_group =
            fl_srv_agg_copy(req, t, &fl_group_agg, fl_groups_stream(&req->arena, sg));
}

static fl_commit_t *app_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_app_agg;
    c->render = render_app;
    c->stream = id != NULL ? fl_apps_stream(&req->arena, id) : NULL;
    return c;
}

/* Decodes the body with fn: 0, FL_EINVAL (c->d says why) or 1 (the body could not be read). */
typedef int (*decode_fn)(const json_t *, fl_arena_t *, fl_app_values_t *, fl_decision_t *);
static int decode_body(fl_http_req_t *req, decode_fn fn, fl_app_values_t *cmd, fl_decision_t *d)
{
    json_t *body;
    if (fl_http_read_json(req, &body) != 0)
        return 1;
    int rc = fn(body, &req->arena, cmd, d);
    json_decref(body);
    return rc;
}

int fl_api_apps_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_app_values_t cmd;
    fl_app_refs_t refs;
    fl_commit_t *c = app_commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/applications/";
    c->idem_key = fl_srv_idem_key(req, p, "app", true);
    if (fl_commit_replayed(s, c))
        return 0;
    int rc = decode_body(req, fl_apps_decode_create, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_apps_decide_create(&ctx, &cmd, &refs, &c->d);
    }
    fl_commit_submit(s, c); /* a refusal answers its problem */
    return 0;
}

/* If-Match and the live application of {id}: NULL after answering 412 or 404. */
static const fl_app_state_t *write_target(fl_http_req_t *req, fl_principal_t *p, int64_t *expected)
{
    *expected = fl_srv_if_match(req);
    if (*expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_app_state_t *a = load_app(req, p->tenant, fl_http_param(req, "id"));
    if (a == NULL)
        fl_http_respond_error(req, 404, "no such application");
    return a;
}

int fl_api_apps_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_app_values_t cmd;
    fl_app_refs_t refs;
    int64_t expected;
    const fl_app_state_t *a = write_target(req, p, &expected);
    if (a == NULL)
        return 0;
    fl_commit_t *c = app_commit(req, p, a->id);
    int rc = decode_body(req, fl_apps_decode_update, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_apps_decide_update(&ctx, a, expected, &cmd, &refs, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

/* DELETE of the application (env false) or of the environment {envId}: 204. */
static int delete_one(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, bool env)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    const fl_app_state_t *a = write_target(req, p, &expected);
    if (a == NULL)
        return 0;
    fl_commit_t *c = app_commit(req, p, a->id);
    c->render = NULL;
    fl_srv_cmd_ctx(req, p, &ctx);
    if (env)
        fl_apps_decide_env_remove(&ctx, a, expected, fl_http_param(req, "envId"), &c->d);
    else
        fl_apps_decide_delete(&ctx, a, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_apps_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return delete_one(s, req, p, false);
}

/* ----------------------------------------------------------- environments */

/* An environment command's answer: the environment, from the write side. */
typedef struct env_answer {
    fl_server_t *s;
    const char *env_id;
} env_answer_t;

static void set_env_headers(fl_commit_t *c, uint64_t version, const fl_app_env_t *e)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "\"%llu\"", (unsigned long long)version);
    fl_http_set_header(c->req, "ETag", buf);
    if (c->result.count > 0) {
        snprintf(buf, sizeof(buf), "%llu",
                 (unsigned long long)(c->result.first_pos + c->result.count - 1));
        fl_http_set_header(c->req, "X-Log-Position", buf);
    }
    if (c->status == 201) {
        snprintf(buf, sizeof(buf), "%s/%s", c->req->path, e->id);
        fl_http_set_header(c->req, "Location", buf);
    }
}

static void on_env_done(fl_commit_t *c, int rc)
{
    env_answer_t *w = c->ctx;
    const void *state;
    uint64_t version;
    if (rc != 0 || fl_decision_failed(&c->d)) {
        fl_commit_answer(w->s, c, rc, false);
        return;
    }
    fl_decision_release(&c->d);
    if (fl_agg_load(c->tenant->cache, &fl_app_agg, c->stream, &state, &version) != 0) {
        fl_http_respond_error(c->req, 500, "the environment could not be read back");
        return;
    }
    const fl_app_env_t *e = fl_app_env_find(state, w->env_id);
    if (e == NULL) {
        fl_http_respond_error(c->req, 404, "the environment is gone");
        return;
    }
    set_env_headers(c, version, e);
    fl_http_respond_json(c->req, c->status, fl_app_env_to_json(state, e));
}

static fl_commit_t *env_commit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p,
                               const fl_app_state_t *a, const char *env_id)
{
    fl_commit_t *c = app_commit(req, p, a->id);
    env_answer_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    *w = (env_answer_t){.s = s, .env_id = env_id};
    c->done = on_env_done;
    c->ctx = w;
    return c;
}

int fl_api_apps_env_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_app_values_t cmd;
    int64_t expected;
    const fl_app_state_t *a = write_target(req, p, &expected);
    if (a == NULL)
        return 0;
    fl_commit_t *c = env_commit(s, req, p, a, NULL);
    c->status = 201;
    int rc = decode_body(req, fl_apps_decode_env_create, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_apps_decide_env_add(&ctx, a, expected, &cmd, &((env_answer_t *)c->ctx)->env_id, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_apps_env_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_app_values_t cmd;
    int64_t expected;
    const char *env_id = fl_http_param(req, "envId");
    const fl_app_state_t *a = write_target(req, p, &expected);
    if (a == NULL)
        return 0;
    const fl_app_env_t *e = fl_app_env_find(a, env_id);
    if (e == NULL)
        return fl_http_respond_error(req, 404, "no such environment");
    fl_commit_t *c = env_commit(s, req, p, a, e->id);
    int rc = decode_body(req, fl_apps_decode_env_update, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_apps_decide_env_update(&ctx, a, expected, e->id, &cmd, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_apps_env_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return delete_one(s, req, p, true);
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_apps_query_t q;
    const char *missing; /* a single entity's 404 detail; NULL for a page */
} read_ctx_t;

static void on_read(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (fl_srv_res_failed(rc->req, res))
        return;
    if (rc->missing == NULL) {
        fl_http_respond_json(rc->req, 200, fl_apps_page_to_json(res, &rc->q));
        return;
    }
    json_t *one = fl_store_res_rows(res) == 1 ? fl_apps_row_to_json(res, 0) : NULL;
    if (one == NULL)
        fl_http_respond_error(rc->req, 404, rc->missing);
    else
        fl_http_respond_json(rc->req, 200, one);
}

static int run(fl_server_t *s, fl_principal_t *p, read_ctx_t *rc)
{
    return fl_srv_query(s, rc->req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params,
                        on_read, rc);
}

static read_ctx_t *read_ctx(fl_http_req_t *req, const char *missing)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    rc->missing = missing;
    return rc;
}

/* A paged query's problem (422), else the page. */
static int page(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, read_ctx_t *rc, int built,
                fl_decision_t *d)
{
    if (built != 0)
        return fl_http_respond_problem(req, d->status, &d->problem);
    return run(s, p, rc);
}

int fl_api_apps_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, NULL);
    fl_decision_init(&d);
    return page(s, req, p, rc,
                fl_apps_list_query(req->query, req->n_query, &req->arena, &rc->q, &d), &d);
}

int fl_api_apps_envs_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, NULL);
    const fl_app_state_t *a = load_app(req, p->tenant, fl_http_param(req, "id"));
    if (a == NULL)
        return fl_http_respond_error(req, 404, "no such application");
    fl_decision_init(&d);
    return page(s, req, p, rc,
                fl_apps_envs_query(a->id, req->query, req->n_query, &req->arena, &rc->q, &d), &d);
}

int fl_api_apps_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    if (fl_uuid_is_valid(id) &&
        fl_srv_answer_as_of(req, p->tenant, &fl_app_agg, fl_apps_stream(&req->arena, id),
                            render_app, app_live))
        return 0;
    if (!fl_srv_params_only(req, fl_uuid_is_valid(id) ? "as_of" : NULL))
        return 0; /* time travel needs the uuid: the number is the read model's */
    read_ctx_t *rc = read_ctx(req, "no such application");
    if (fl_apps_get_query(id, &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such application");
    return run(s, p, rc);
}

int fl_api_apps_env_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_app_state_t *a = load_app(req, p->tenant, fl_http_param(req, "id"));
    if (a == NULL)
        return fl_http_respond_error(req, 404, "no such application");
    if (!fl_srv_params_only(req, NULL))
        return 0;
    read_ctx_t *rc = read_ctx(req, "no such environment");
    if (fl_apps_env_get_query(a->id, fl_http_param(req, "envId"), &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such environment");
    return run(s, p, rc);
}

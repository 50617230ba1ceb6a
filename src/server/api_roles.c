/*
 * The roles endpoints: the permission catalogue, system and custom roles.
 * Writes decide against the write side's aggregates (a role and its name's
 * claim); reads run on the tenant's read model. Also the lookups the users
 * and groups endpoints share: which role names of a body are live roles.
 *
 * Deleting a role asks the read model how many users and groups hold it:
 * the write side does not index holders. A grant racing the delete can slip
 * through that check; the projection of role.deleted then drops the grant
 * from the read model, and the access model ignores a deleted role, so the
 * race can leave a stale name in a user's or group's state, never access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/roles.h"

static json_t *render_role(const void *state, uint64_t version)
{
    (void)version;
    return fl_role_to_json(state, NULL);
}

static bool role_live(const void *state)
{
    const fl_role_state_t *r = state;
    return r->exists && !r->deleted;
}

const void *fl_srv_agg_copy(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                            const char *stream)
{
    const void *state;
    uint64_t version;
    if (stream == NULL || fl_agg_load(t->cache, type, stream, &state, &version) != 0)
        return NULL;
    return fl_arena_memdup(&req->arena, state, type->state_size);
}

static const fl_role_state_t *load_role(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    if (!fl_uuid_is_valid(id))
        return NULL;
    const fl_role_state_t *r =
        fl_srv_agg_copy(req, t, &fl_role_agg, fl_roles_stream(&req->arena, id));
    return r != NULL && role_live(r) ? r : NULL;
}

const char **fl_srv_live_role_names(fl_http_req_t *req, fl_srv_tenant_t *t, const json_t *names,
                                    size_t *n)
{
    const char **out = fl_arena_alloc(&req->arena, 16 * sizeof(*out));
    size_t i;
    json_t *v;
    *n = 0;
    json_array_foreach(names, i, v)
    {
        const char *s = json_string_value(v);
        if (*n == 16 || s == NULL || !fl_roles_name_ok(s))
            continue;
        const fl_role_name_claim_state_t *c =
            fl_srv_agg_copy(req, t, &fl_role_name_claim_agg, fl_roles_name_stream(&req->arena, s));
        if (c != NULL && c->claimed)
            out[(*n)++] = fl_arena_strndup(&req->arena, s, strlen(s));
    }
    return out;
}

size_t fl_srv_roles_added(const char *const *now, size_t n_now, const char *const *before,
                          size_t n_before, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_now; i++) {
        size_t j = 0;
        while (j < n_before && strcmp(before[j], now[i]) != 0)
            j++;
        if (j == n_before)
            out[n++] = now[i];
    }
    return n;
}

static fl_commit_t *role_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_role_agg;
    c->render = render_role;
    c->stream = id != NULL ? fl_roles_stream(&req->arena, id) : NULL;
    return c;
}

/* ---------------------------------------------------------------- writes */

int fl_api_roles_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_cmd_ctx_t ctx;
    fl_role_cmd_t cmd;
    fl_commit_t *c = role_commit(req, p, NULL);
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_roles_decode_create(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        const fl_role_name_claim_state_t *claim = fl_srv_agg_copy(
            req, p->tenant, &fl_role_name_claim_agg, fl_roles_name_stream(&req->arena, cmd.name));
        if (claim == NULL)
            return fl_http_respond_error(req, 500, "the name could not be checked");
        fl_srv_cmd_ctx(req, p, &ctx);
        c->status = 201;
        c->location = "/api/v1/roles/";
        fl_roles_decide_create(&ctx, &cmd, claim, &p->perms, &c->d);
    }
    fl_commit_submit(s, c); /* answers the problem of a refusal */
    return 0;
}

int fl_api_roles_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_cmd_ctx_t ctx;
    fl_role_cmd_t cmd;
    const char *id = fl_http_param(req, "id");
    int64_t expected = fl_srv_if_match(req);
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    const fl_role_state_t *r = load_role(req, p->tenant, id);
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such role");
    fl_commit_t *c = role_commit(req, p, id);
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_roles_decode_update(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_roles_decide_update(&ctx, r, expected, &cmd, &p->perms, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

typedef struct pending_delete {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_principal_t p;
    const char *id;
    int64_t expected;
} pending_delete_t;

static long count_col(fl_store_res_t *res, const char *name)
{
    int col = fl_store_res_col(res, name);
    if (col < 0 || fl_store_res_rows(res) != 1 || fl_store_res_isnull(res, 0, col))
        return 0;
    return strtol(fl_store_res_value(res, 0, col), NULL, 10);
}

static void decide_delete(pending_delete_t *w, long n_users, long n_groups)
{
    fl_cmd_ctx_t ctx;
    const fl_role_state_t *r = load_role(w->req, w->p.tenant, w->id);
    if (r == NULL) {
        fl_http_respond_error(w->req, 404, "no such role");
        return;
    }
    fl_commit_t *c = role_commit(w->req, &w->p, w->id);
    c->render = NULL; /* 204 */
    fl_srv_cmd_ctx(w->req, &w->p, &ctx);
    fl_roles_decide_delete(&ctx, r, w->expected, n_users, n_groups, &c->d);
    fl_commit_submit(w->s, c);
}

static void on_holders(fl_store_res_t *res, void *ctx)
{
    pending_delete_t *w = ctx;
    int err = fl_store_res_err(res);
    if (err != 0) {
        fl_srv_answer_store_error(w->req, err);
        return;
    }
    decide_delete(w, count_col(res, "users"), count_col(res, "groups"));
}

int fl_api_roles_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_roles_query_t q;
    pending_delete_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    *w = (pending_delete_t){.s = s, .req = req, .p = *p, .id = fl_http_param(req, "id")};
    w->expected = fl_srv_if_match(req);
    if (w->expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    const fl_role_state_t *r = load_role(req, p->tenant, w->id);
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such role");
    if (r->is_system) { /* refused whatever the read model says */
        decide_delete(w, 0, 0);
        return 0;
    }
    if (s->store == NULL || fl_roles_holders_query(w->id, &req->arena, &q) != 0) {
        fl_srv_answer_store_error(req, FL_EUNAVAIL);
        return 0;
    }
    int err =
        fl_store_query(s->store, p->tenant->schema, q.sql, q.nparams, q.params, on_holders, w);
    if (err != 0)
        fl_srv_answer_store_error(req, err);
    return 0;
}

/* ----------------------------------------------------------------- reads */

int fl_api_permissions(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    (void)s, (void)p;
    return fl_http_respond_json(req, 200, fl_roles_catalogue_to_json());
}

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_roles_query_t q;
} read_ctx_t;

static void on_list(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_roles_page_to_json(res, &rc->q));
}

static void on_get(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_srv_answer_entity(rc->req,
                             fl_store_res_rows(res) == 1 ? fl_roles_row_to_json(res, 0) : NULL,
                             "no such role");
}

static int run(fl_server_t *s, read_ctx_t *rc, const char *schema, fl_store_cb cb)
{
    return fl_srv_query(s, rc->req, schema, rc->q.sql, rc->q.nparams, rc->q.params, cb, rc);
}

int fl_api_roles_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    fl_decision_init(&d);
    if (fl_roles_list_query(req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, rc, p->tenant->schema, on_list);
}

int fl_api_roles_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    if (!fl_uuid_is_valid(id))
        return fl_http_respond_error(req, 404, "no such role");
    if (fl_srv_answer_as_of(req, p->tenant, &fl_role_agg, fl_roles_stream(&req->arena, id),
                            render_role, role_live))
        return 0;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    if (fl_roles_get_query(id, &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such role");
    return run(s, rc, p->tenant->schema, on_get);
}

/*
 * The users endpoints: reads from the tenant's read model, writes through
 * the users module's decide and the command bus. Password hashing runs on
 * the thread pool before the command is decided.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/users.h"

#define USER_COLUMNS                                                                               \
    "SELECT u.id AS _id, u.id, u.email, u.name, u.avatar_url, u.phone, u.timezone, u.status, "     \
    "array_to_json(ARRAY(SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id "      \
    "WHERE ur.user_id = u.id ORDER BY r.name))::text AS roles, "                                   \
    "to_char(u.last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS "         \
    "last_login_at, "                                                                              \
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS "            \
    "created_at, "                                                                                 \
    "to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS "            \
    "updated_at, u.version::text AS version FROM users u "

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_users_list_t q;
    fl_srv_cached_read_t cr; /* the list: no filter by caller, so cached (readcache.c) */
} read_ctx_t;

static json_t *render_user(const void *state, uint64_t version)
{
    (void)version;
    return fl_user_to_json(state, NULL);
}

static bool store_ready(fl_server_t *s, fl_http_req_t *req)
{
    if (s->store != NULL)
        return true;
    fl_srv_answer_store_error(req, FL_EUNAVAIL);
    return false;
}

static void on_list(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_srv_read_respond(&rc->cr, fl_users_list_to_json(res, &rc->q));
}

int fl_api_users_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    fl_decision_init(&d);
    rc->req = req;
    if (fl_users_list_query(req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    if (!store_ready(s, req) ||
        fl_srv_read_cached(s, req, p->tenant, rc->q.sql, rc->q.nparams, rc->q.params, &rc->cr))
        return 0;
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, on_list,
                        rc);
}

static void on_get(fl_store_res_t *res, void *ctx)
{
    fl_http_req_t *req = ctx;
    if (!fl_srv_res_failed(req, res))
        fl_srv_answer_entity(req, fl_store_res_rows(res) == 1 ? fl_users_row_to_json(res, 0) : NULL,
                             "no such user");
}

static bool user_exists(const void *state)
{
    return ((const fl_user_state_t *)state)->exists;
}

int fl_api_users_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    if (!fl_uuid_is_valid(id))
        return fl_http_respond_error(req, 404, "no such user");
    if (fl_srv_answer_as_of(req, p->tenant, &fl_user_agg, fl_users_stream(&req->arena, id),
                            render_user, user_exists))
        return 0;
    const char *params[] = {id};
    return fl_srv_query(s, req, p->tenant->schema, USER_COLUMNS "WHERE u.id = $1", 1, params,
                        on_get, req);
}

/* -------------------------------------------------------------- commands */

/* The target user's state (in the cache: valid until the next load). */
static const fl_user_state_t *load_user(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    const void *state;
    uint64_t version;
    char *stream = fl_uuid_is_valid(id) ? fl_users_stream(&req->arena, id) : NULL;
    if (stream == NULL || fl_agg_load(t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return NULL;
    return state;
}

static const fl_email_claim_state_t *load_claim(fl_http_req_t *req, fl_srv_tenant_t *t,
                                                const char *email)
{
    const void *state;
    uint64_t version;
    char *stream = fl_users_email_stream(&req->arena, email);
    if (stream == NULL || fl_agg_load(t->cache, &fl_email_claim_agg, stream, &state, &version))
        return NULL;
    return state;
}

static fl_commit_t *user_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_user_agg;
    c->render = render_user;
    c->stream = id != NULL ? fl_users_stream(&req->arena, id) : NULL;
    return c;
}

static int refuse(fl_http_req_t *req, fl_decision_t *d)
{
    fl_problem_t pr = d->problem;
    return fl_http_respond_problem(req, d->status, &pr);
}

/* The body's role names that are live roles: what the decoders accept (others: 422 roles[i]). */
static const char **known_roles(fl_http_req_t *req, const fl_principal_t *p, const json_t *body,
                                size_t *n)
{
    return fl_srv_live_role_names(req, p->tenant, json_object_get(body, "roles"), n);
}

/*
 * No one grants a role with permissions they do not hold: the roles of f
 * that u (NULL for a new user) does not hold yet. A new user without roles
 * gets requester. False after answering 403.
 */
static bool may_grant(fl_http_req_t *req, const fl_principal_t *p, const fl_user_fields_t *f,
                      const fl_user_state_t *u)
{
    static const char *const requester[] = {"requester"};
    const char *added[FL_USERS_MAX_ROLES];
    size_t n;
    if (u == NULL && !(f->set & FL_USER_F_ROLES))
        n = fl_srv_roles_added(requester, 1, NULL, 0, added);
    else if (f->set & FL_USER_F_ROLES)
        n = fl_srv_roles_added(f->roles, f->n_roles, u != NULL ? u->roles : NULL,
                               u != NULL ? u->n_roles : 0, added);
    else
        return true;
    if (fl_srv_may_grant(p->tenant, p, added, n))
        return true;
    static const fl_problem_error_t e = {"roles", "grants permissions you do not hold yourself"};
    fl_problem_t pr = {.slug = "forbidden",
                       .title = "you cannot grant a role with permissions you do not hold",
                       .errors = &e,
                       .n_errors = 1};
    fl_http_respond_problem(req, 403, &pr);
    return false;
}

/* An async step's state: lives in the request's arena. */
typedef struct pending {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_principal_t p;
    const char *id; /* target user */
    fl_user_create_cmd_t create;
    fl_user_password_cmd_t pw;
} pending_t;

static pending_t *pending_new(fl_server_t *s, fl_http_req_t *req, const fl_principal_t *p)
{
    pending_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    memset(w, 0, sizeof(*w));
    w->s = s;
    w->req = req;
    w->p = *p;
    w->id = fl_http_param(req, "id");
    return w;
}

static void decide_create(pending_t *w, const char *hash)
{
    fl_cmd_ctx_t ctx;
    fl_commit_t *c = user_commit(w->req, &w->p, NULL);
    c->status = 201;
    c->location = "/api/v1/users/";
    c->idem_key = fl_srv_idem_key(w->req, &w->p, NULL, true);
    if (fl_commit_replayed(w->s, c))
        return;
    fl_srv_cmd_ctx(w->req, &w->p, &ctx);
    const fl_email_claim_state_t *claim = load_claim(w->req, w->p.tenant, w->create.f.email);
    if (claim == NULL) {
        fl_http_respond_error(w->req, 500, "the address could not be checked");
        return;
    }
    fl_users_decide_create(&ctx, &w->create, hash, claim, &c->d);
    fl_commit_submit(w->s, c);
}

static void on_create_hashed(void *ctx, int rc, bool ok, const char *hash)
{
    pending_t *w = ctx;
    (void)ok;
    if (rc != 0) {
        fl_http_respond_error(w->req, 500, "the password could not be hashed");
        return;
    }
    decide_create(w, hash);
}

int fl_api_users_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_decision_t d;
    pending_t *w = pending_new(s, req, p);
    fl_decision_init(&d);
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    size_t n_known;
    const char **known = known_roles(req, p, body, &n_known);
    int rc = fl_users_decode_create(body, known, n_known, &req->arena, &w->create, &d);
    json_decref(body);
    if (rc != 0)
        return refuse(req, &d);
    if (!may_grant(req, p, &w->create.f, NULL))
        return 0;
    if (w->create.password == NULL) {
        decide_create(w, NULL);
        return 0;
    }
    return fl_password_hash_async(s->loop, w->create.password, on_create_hashed, w);
}

int fl_api_users_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_cmd_ctx_t ctx;
    fl_user_update_cmd_t cmd;
    int64_t expected = fl_srv_if_match(req);
    const char *id = fl_http_param(req, "id");
    fl_commit_t *c = user_commit(req, p, id);
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    size_t n_known;
    const char **known = known_roles(req, p, body, &n_known);
    int rc = fl_users_decode_update(body, known, n_known, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc != 0)
        return refuse(req, &c->d);
    cmd.by_admin = fl_srv_can(p, FL_RES_USERS, FL_ACT_MANAGE);
    const fl_email_claim_state_t *claim = NULL;
    if ((cmd.f.set & FL_USER_F_EMAIL) && (claim = load_claim(req, p->tenant, cmd.f.email)) == NULL)
        return fl_http_respond_error(req, 500, "the address could not be checked");
    const fl_user_state_t *u = load_user(req, p->tenant, id);
    if (u == NULL || !u->exists)
        return fl_http_respond_error(req, 404, "no such user");
    if (!may_grant(req, p, &cmd.f, u))
        return 0;
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_users_decide_update(&ctx, u, expected, &cmd, claim, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_users_deactivate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected = fl_srv_if_match(req);
    const char *id = fl_http_param(req, "id");
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    const fl_user_state_t *u = load_user(req, p->tenant, id);
    if (u == NULL || !u->exists)
        return fl_http_respond_error(req, 404, "no such user");
    fl_commit_t *c = user_commit(req, p, id);
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_users_decide_deactivate(&ctx, u, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

static void decide_password(pending_t *w, const char *hash)
{
    fl_cmd_ctx_t ctx;
    fl_commit_t *c = user_commit(w->req, &w->p, w->id);
    const fl_user_state_t *u = load_user(w->req, w->p.tenant, w->id);
    c->render = NULL; /* 204 */
    if (u == NULL || !u->exists) {
        fl_http_respond_error(w->req, 404, "no such user");
        return;
    }
    fl_srv_cmd_ctx(w->req, &w->p, &ctx);
    fl_users_decide_password(&ctx, u, fl_srv_if_match(w->req), &w->pw, hash, &c->d);
    fl_commit_submit(w->s, c);
}

static void on_new_hashed(void *ctx, int rc, bool ok, const char *hash)
{
    pending_t *w = ctx;
    (void)ok;
    if (rc != 0) {
        fl_http_respond_error(w->req, 500, "the password could not be hashed");
        return;
    }
    decide_password(w, hash);
}

static void on_current_verified(void *ctx, int rc, bool ok, const char *hash)
{
    pending_t *w = ctx;
    (void)hash;
    w->pw.current_verified = rc == 0 && ok;
    if (!w->pw.current_verified) {
        decide_password(w, NULL); /* decide refuses: the current password is wrong */
        return;
    }
    if (fl_password_hash_async(w->s->loop, w->pw.new_password, on_new_hashed, w) != 0)
        fl_http_respond_error(w->req, 500, "the password could not be hashed");
}

int fl_api_users_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_decision_t d;
    pending_t *w = pending_new(s, req, p);
    fl_decision_init(&d);
    const fl_user_state_t *u = load_user(req, p->tenant, w->id);
    if (u == NULL || !u->exists)
        return fl_http_respond_error(req, 404, "no such user");
    const char *hash = u->password_hash != NULL ? fl_arena_strndup(&req->arena, u->password_hash,
                                                                   strlen(u->password_hash))
                                                : NULL;
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_users_decode_password(body, &req->arena, &w->pw, &d);
    json_decref(body);
    if (rc != 0)
        return refuse(req, &d);
    w->pw.by_admin = fl_srv_can(p, FL_RES_USERS, FL_ACT_MANAGE);
    if (w->pw.current_password != NULL && hash != NULL)
        return fl_password_verify_async(s->loop, hash, w->pw.current_password, on_current_verified,
                                        w);
    return fl_password_hash_async(s->loop, w->pw.new_password, on_new_hashed, w);
}

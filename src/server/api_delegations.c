/*
 * Approval delegations (issue 6): a user's delegations (list, one, create,
 * revoke) under /users/{id}/delegations, and /delegations for the
 * delegations handed to a delegate. Writes decide against the write side
 * (the delegator's stream, both users, the delegate's own stream); lists
 * run on the read model; ?as_of= folds the delegator's stream from the log.
 * Who may call them is routes.c's: the user themself, or users:update
 * (writes) or users:read (reads).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/delegations.h"
#include "firelater/err.h"
#include "firelater/users.h"

/* The delegation the commit created or revoked, its status at the wall clock. */
static json_t *render_last(const void *state, uint64_t version)
{
    const fl_delegations_state_t *s = state;
    (void)version;
    if (s->n == 0)
        return json_object();
    return fl_delegation_to_json(s, &s->items[s->last], fl_clock_now());
}

/* The user of {id} as the write side holds it; NULL after answering 404. */
static const fl_user_state_t *load_user(fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    const fl_user_state_t *u =
        fl_uuid_is_valid(id)
            ? fl_srv_agg_copy(req, p->tenant, &fl_user_agg, fl_users_stream(&req->arena, id))
            : NULL;
    if (u == NULL || !u->exists) {
        fl_http_respond_error(req, 404, "no such user");
        return NULL;
    }
    return u;
}

static const fl_delegations_state_t *load_delegations(fl_http_req_t *req, fl_principal_t *p,
                                                      const char *user_id)
{
    return fl_srv_agg_copy(req, p->tenant, &fl_delegations_agg,
                           fl_delegations_stream(&req->arena, user_id));
}

/* ----------------------------------------------------------------- writes */

static fl_commit_t *deleg_commit(fl_http_req_t *req, fl_principal_t *p, const char *user_id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_delegations_agg;
    c->render = render_last;
    c->stream = fl_delegations_stream(&req->arena, user_id);
    return c;
}

static char *collection(fl_http_req_t *req, const char *user_id)
{
    size_t n = sizeof("/api/v1/users//delegations/") + FL_UUID_LEN;
    char *loc = fl_arena_alloc(&req->arena, n);
    if (loc != NULL)
        snprintf(loc, n, "/api/v1/users/%s/delegations/", user_id);
    return loc;
}

/* Loads what a create is decided against into pt (the delegator is already loaded). */
static int load_parties(fl_http_req_t *req, fl_principal_t *p, const fl_delegation_cmd_t *cmd,
                        fl_delegation_parties_t *pt)
{
    pt->mine = load_delegations(req, p, pt->delegator->id);
    pt->delegate = fl_srv_agg_copy(req, p->tenant, &fl_user_agg,
                                   fl_users_stream(&req->arena, cmd->delegate_id));
    if (pt->delegate != NULL && pt->delegate->exists)
        pt->delegates_own = load_delegations(req, p, pt->delegate->id);
    return pt->mine == NULL || pt->delegate == NULL ? FL_EIO : 0;
}

int fl_api_delegations_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_delegation_cmd_t cmd;
    fl_delegation_parties_t pt = {0};
    json_t *body;
    if ((pt.delegator = load_user(req, p)) == NULL)
        return 0;
    fl_commit_t *c = deleg_commit(req, p, pt.delegator->id);
    c->status = 201;
    c->location = collection(req, pt.delegator->id);
    c->idem_key = fl_srv_idem_key(req, p, "deleg", true);
    if (fl_commit_replayed(s, c))
        return 0;
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_delegations_decode_create(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0 && load_parties(req, p, &cmd, &pt) != 0)
        return fl_http_respond_error(req, 500, "the delegations could not be read");
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_delegations_decide_create(&ctx, &cmd, &pt, &c->d);
    }
    fl_commit_submit(s, c); /* a refusal answers its problem */
    return 0;
}

int fl_api_delegations_revoke(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected = fl_srv_if_match(req);
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    const fl_user_state_t *u = load_user(req, p);
    if (u == NULL)
        return 0;
    const fl_delegations_state_t *mine = load_delegations(req, p, u->id);
    if (mine == NULL)
        return fl_http_respond_error(req, 500, "the delegations could not be read");
    fl_commit_t *c = deleg_commit(req, p, u->id);
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_delegations_decide_revoke(&ctx, mine, fl_http_param(req, "did"), expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

/* ?as_of=: the delegator's delegations as the log held them then, statuses at that instant. */
static bool answer_as_of(fl_http_req_t *req, fl_principal_t *p, const char *user_id,
                         const char *did)
{
    const char *as_of = fl_http_query(req, "as_of");
    fl_time_t until;
    uint64_t version;
    if (as_of == NULL)
        return false;
    if (fl_time_parse(as_of, &until) != 0) {
        fl_decision_t d;
        fl_decision_init(&d);
        fl_decision_field(&d, "as_of", "must be an RFC 3339 time");
        fl_http_respond_problem(req, 422, &d.problem);
        return true;
    }
    fl_delegations_state_t *st = fl_arena_alloc(&req->arena, sizeof(*st));
    const char *stream = fl_delegations_stream(&req->arena, user_id);
    if (st == NULL || stream == NULL ||
        fl_srv_fold_until(p->tenant, &req->arena, &fl_delegations_agg, stream, until, st,
                          &version) != 0) {
        fl_http_respond_error(req, 500, "the delegations could not be read");
        return true;
    }
    const fl_delegation_t *x = did != NULL ? fl_delegations_get(st, did) : NULL;
    if (did != NULL && x == NULL)
        fl_http_respond_error(req, 404, "the delegation did not exist at that time");
    else
        fl_http_respond_json(req, 200,
                             x != NULL ? fl_delegation_to_json(st, x, until)
                                       : fl_delegations_to_json(st, until));
    return true;
}

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_delegations_query_t q;
} read_ctx_t;

static void on_page(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_json_page(res, rc->q.page, rc->q.per_page));
}

static int run_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *column,
                    const char *user_id)
{
    fl_decision_t d;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    fl_decision_init(&d);
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    if (fl_delegations_list_query(column, user_id, fl_clock_now(), req->query, req->n_query,
                                  &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, on_page,
                        rc);
}

int fl_api_delegations_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_user_state_t *u = load_user(req, p);
    if (u == NULL || answer_as_of(req, p, u->id, NULL))
        return 0;
    return run_list(s, req, p, "delegator_id", u->id);
}

int fl_api_delegations_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *did = fl_http_param(req, "did");
    const fl_user_state_t *u = load_user(req, p);
    (void)s;
    if (u == NULL || answer_as_of(req, p, u->id, did != NULL ? did : ""))
        return 0;
    const fl_delegations_state_t *mine = load_delegations(req, p, u->id);
    const fl_delegation_t *x = mine != NULL ? fl_delegations_get(mine, did) : NULL;
    if (x == NULL)
        return fl_http_respond_error(req, 404, "no such delegation");
    char etag[32];
    snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)mine->version);
    fl_http_set_header(req, "ETag", etag);
    return fl_http_respond_json(req, 200, fl_delegation_to_json(mine, x, fl_clock_now()));
}

/*
 * GET /delegations?delegate_id=me (the default): who handed their approvals
 * to the caller. Another user's id needs users:read.
 */
int fl_api_delegations_handed(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *who = fl_http_query(req, "delegate_id");
    if (who == NULL || strcmp(who, "me") == 0)
        who = p->user_id;
    if (strcmp(who, p->user_id) != 0 && !fl_srv_can(p, FL_RES_USERS, FL_ACT_READ))
        return fl_http_respond_error(req, 403, "you may not do this");
    return run_list(s, req, p, "delegate_id", who);
}

/*
 * A request's actions: POST /requests/{id}/approve, /reject, /assign,
 * /reassign, /start, /complete, /reopen and DELETE /requests/{id}
 * (cancel). Each loads the request (If-Match honoured), what its body names
 * and, for a decision, who may decide each step of the chain (may_decide),
 * and lets the domain decide; the answer is the request after the event.
 */
#include <string.h>

#include "app.h"
#include "firelater/delegations.h"
#include "firelater/err.h"
#include "firelater/groups.h"
#include "firelater/requests.h"

/*
 * Whether actor may decide a step whose approver group is g, and for whom
 * (*delegated_from: NULL when for themselves): a direct member of the group,
 * or the delegate of a member whose delegation (include/firelater/
 * delegations.h) covers the instant now, with *delegated_from that member.
 * A member who is a party to the request (its requester, or the person it is
 * for) cannot hand the decision on: separation of duties holds through
 * delegation too. Direct membership wins over a delegation.
 */
static bool may_decide(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_request_state_t *r,
                       const char *actor, const fl_group_state_t *g, fl_time_t now,
                       const char **delegated_from)
{
    fl_delegation_ref_t ref;

    *delegated_from = NULL;
    if (actor == NULL || g == NULL || !g->exists || g->deleted)
        return false;
    for (size_t i = 0; i < g->n_members; i++) {
        if (strcmp(g->members[i].user_id, actor) == 0)
            return true;
    }
    for (size_t i = 0; i < g->n_members; i++) {
        const char *m = g->members[i].user_id;

        if (fl_request_is_party(r, m))
            continue;
        if (fl_delegation_find(t->cache, &req->arena, m, actor, now, &ref) == 1) {
            *delegated_from = fl_arena_strndup(&req->arena, m, strlen(m));
            return *delegated_from != NULL;
        }
    }
    return false;
}

/* One entry per step of r's chain: may p decide it at now. */
static const fl_req_decider_t *deciders_of(fl_http_req_t *req, fl_principal_t *p,
                                           const fl_request_state_t *r, fl_time_t now)
{
    fl_req_decider_t *dc = fl_arena_alloc(&req->arena, (r->n_steps + 1) * sizeof(*dc));
    if (dc == NULL)
        return NULL;
    for (size_t i = 0; i < r->n_steps; i++) {
        const fl_group_state_t *g = fl_srv_agg_copy(
            req, p->tenant, &fl_group_agg, fl_groups_stream(&req->arena, r->steps[i].group_id));
        dc[i].may = may_decide(req, p->tenant, r, p->user_id, g, now, &dc[i].delegated_from);
    }
    return dc;
}

bool fl_srv_request_may_see_chain(fl_principal_t *p, const fl_request_state_t *r)
{
    for (size_t i = 0; p->user_id != NULL && i < r->n_steps; i++) {
        if (fl_srv_is_member(p->tenant, p->user_id, r->steps[i].group_id))
            return true;
    }
    return false;
}

static bool may_work(fl_srv_tenant_t *t, const fl_user_state_t *u)
{
    fl_perms_t perms;
    if (u == NULL || !u->exists)
        return false;
    fl_srv_access_perms(t, u->id, u->roles, u->n_roles, &perms);
    return fl_perms_allow(&perms, FL_RES_REQUESTS, FL_ACT_UPDATE);
}

/* A bundle request's children, in its order (NULL entries: unreadable). */
static const fl_request_state_t *const *children_of(fl_http_req_t *req, fl_principal_t *p,
                                                    const fl_request_state_t *r)
{
    const fl_request_state_t **c = fl_arena_alloc(&req->arena, (r->n_children + 1) * sizeof(*c));
    for (size_t i = 0; c != NULL && i < r->n_children; i++)
        c[i] = fl_srv_request_load(req, p, r->children[i].id, true);
    return c;
}

static void load_refs(fl_http_req_t *req, fl_principal_t *p, const fl_request_state_t *r,
                      const fl_req_action_t *cmd, fl_time_t now, fl_req_action_refs_t *refs)
{
    fl_srv_tenant_t *t = p->tenant;
    const char *group = cmd->assigned_group;
    memset(refs, 0, sizeof(*refs));
    if (cmd->kind == FL_REQ_ACT_APPROVE || cmd->kind == FL_REQ_ACT_REJECT)
        refs->deciders = deciders_of(req, p, r, now);
    if (r->parent_id[0] != '\0') /* a bundle's child: its parent follows (README "Bundles") */
        refs->parent = fl_srv_request_load(req, p, r->parent_id, true);
    if (fl_request_is_parent(r) && cmd->kind == FL_REQ_ACT_CANCEL)
        refs->children = children_of(req, p, r);
    if (group == NULL && r->assigned_group[0] != '\0')
        group = r->assigned_group;
    if (cmd->assigned_group != NULL)
        refs->group = fl_srv_agg_copy(req, t, &fl_group_agg, fl_groups_stream(&req->arena, group));
    if (cmd->assigned_to != NULL) {
        refs->user =
            fl_srv_agg_copy(req, t, &fl_user_agg, fl_users_stream(&req->arena, cmd->assigned_to));
        refs->user_may_work = may_work(t, refs->user);
        refs->user_in_group = group != NULL && fl_srv_is_member(t, cmd->assigned_to, group);
    }
}

/* Who may ask for the action beyond the route's permission: fulfilment is the agents'
 * (requests:update); a cancel also the requester's; approvals are decided by the domain. */
static bool allowed(fl_principal_t *p, const fl_request_state_t *r, fl_req_action_kind_t kind)
{
    if (kind == FL_REQ_ACT_APPROVE || kind == FL_REQ_ACT_REJECT)
        return true;
    if (fl_srv_can(p, FL_RES_REQUESTS, FL_ACT_UPDATE))
        return true;
    return kind == FL_REQ_ACT_CANCEL && p->user_id != NULL &&
           strcmp(r->requester_id, p->user_id) == 0;
}

/* The SLA stamps of an action: the request, its parent, a parent's children are known. */
static void stamp(fl_http_req_t *req, fl_principal_t *p, const fl_request_state_t *r,
                  const fl_req_action_refs_t *refs, const fl_cmd_ctx_t *ctx, fl_decision_t *d)
{
    size_t n = 0, kids = refs->children != NULL ? r->n_children : 0;
    const fl_request_state_t **known = fl_arena_alloc(&req->arena, (kids + 2) * sizeof(*known));

    if (known == NULL) {
        fl_decision_fail(d, 500, "the request's SLA could not be stamped", NULL);
        return;
    }
    known[n++] = r;
    if (refs->parent != NULL)
        known[n++] = refs->parent;
    for (size_t i = 0; i < kids; i++)
        known[n++] = refs->children[i];
    fl_srv_request_stamp(p->tenant, ctx, known, n, d);
}

static int action(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, fl_req_action_kind_t kind)
{
    fl_cmd_ctx_t ctx;
    fl_req_action_t cmd;
    fl_req_action_refs_t refs;
    int64_t expected;
    json_t *body = NULL;
    bool decision = kind == FL_REQ_ACT_APPROVE || kind == FL_REQ_ACT_REJECT;
    const fl_request_state_t *r = fl_srv_request_target(req, p, decision, &expected);
    if (r == NULL)
        return 0;
    if (req->body_len > 0 && fl_http_read_json(req, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_request_commit(req, p, r->id);
    int rc = fl_requests_decode_action(kind, body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0 && !allowed(p, r, kind))
        rc =
            fl_decision_fail(&c->d, 403, "forbidden", "fulfilment is for agents (requests:update)");
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        load_refs(req, p, r, &cmd, ctx.now, &refs);
        fl_requests_decide_action(&ctx, r, expected, &cmd, &refs, &c->d);
        stamp(req, p, r, &refs, &ctx, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_requests_approve(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_APPROVE);
}

int fl_api_requests_reject(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_REJECT);
}

int fl_api_requests_assign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_ASSIGN);
}

int fl_api_requests_reassign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_REASSIGN);
}

int fl_api_requests_start(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_START);
}

int fl_api_requests_complete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_COMPLETE);
}

int fl_api_requests_cancel(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_CANCEL);
}

int fl_api_requests_reopen(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_REQ_ACT_REOPEN);
}

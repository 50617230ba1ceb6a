/*
 * The issue's actions: POST /issues/{id}/assign, /reassign, /escalate,
 * /resolve, /close, /reopen and /link. Each loads the issue (If-Match
 * honoured), the users and groups its body names and what authorisation
 * knows of them (may the assignee work issues, is the user in the group),
 * and lets the domain decide; the answer is the issue after the event.
 */
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/issues.h"

#define CANDIDATES_MAX 8 /* an escalation looks at the manager and the first leads */

/* The body, or NULL for none (commands whose keys are all optional); 1 when answered. */
static int read_body(fl_http_req_t *req, bool optional, json_t **body)
{
    *body = NULL;
    if (optional && req->body_len == 0)
        return 0;
    return fl_http_read_json(req, body) != 0 ? 1 : 0;
}

static bool may_work(fl_srv_tenant_t *t, const fl_user_state_t *u)
{
    fl_perms_t perms;

    if (u == NULL || !u->exists)
        return false;
    fl_srv_access_perms(t, u->id, u->roles, u->n_roles, &perms);
    return fl_perms_allow(&perms, FL_RES_ISSUES, FL_ACT_UPDATE);
}

static const fl_user_state_t *load_user(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    return fl_srv_agg_copy(req, t, &fl_user_agg, fl_users_stream(&req->arena, id));
}

/* The group's manager, then its leads: who an escalation may go to. */
static void load_candidates(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_group_state_t *g,
                            fl_issue_action_refs_t *refs)
{
    const fl_user_state_t **users = fl_arena_alloc(&req->arena, CANDIDATES_MAX * sizeof(*users));
    bool *work = fl_arena_alloc(&req->arena, CANDIDATES_MAX * sizeof(*work));
    size_t n = 0;

    if (users == NULL || work == NULL)
        return;
    if (g->manager_id[0] != '\0')
        users[n++] = load_user(req, t, g->manager_id);
    for (size_t i = 0; i < g->n_members && n < CANDIDATES_MAX; i++) {
        if (g->members[i].role == FL_GROUP_LEAD)
            users[n++] = load_user(req, t, g->members[i].user_id);
    }
    for (size_t i = 0; i < n; i++)
        work[i] = may_work(t, users[i]);
    refs->candidates = users;
    refs->candidates_may_work = work;
    refs->n_candidates = n;
}

static void load_refs(fl_server_t *s, fl_http_req_t *req, fl_srv_tenant_t *t,
                      const fl_issue_state_t *i, const fl_issue_action_t *cmd,
                      fl_issue_action_refs_t *refs)
{
    const char *group = cmd->assigned_group;

    memset(refs, 0, sizeof(*refs));
    refs->reopen_days = (int)s->cfg.issue_reopen_days;
    if (cmd->kind == FL_ISSUE_ACT_ESCALATE && group == NULL)
        group = i->assigned_group;
    if (group != NULL)
        refs->group = fl_srv_agg_copy(req, t, &fl_group_agg, fl_groups_stream(&req->arena, group));
    if (cmd->assigned_to != NULL) {
        refs->user = load_user(req, t, cmd->assigned_to);
        refs->user_may_work = may_work(t, refs->user);
        refs->user_in_group = group != NULL && fl_srv_is_member(t, cmd->assigned_to, group);
    }
    if (cmd->kind == FL_ISSUE_ACT_ESCALATE && refs->group != NULL && refs->group->exists)
        load_candidates(req, t, refs->group, refs);
}

static int action(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p,
                  fl_issue_action_kind_t kind)
{
    fl_cmd_ctx_t ctx;
    fl_issue_action_t cmd;
    fl_issue_action_refs_t refs;
    int64_t expected;
    json_t *body;
    const fl_issue_state_t *i = fl_srv_issue_target(req, p, &expected);
    if (i == NULL)
        return 0;
    bool optional = kind == FL_ISSUE_ACT_CLOSE || kind == FL_ISSUE_ACT_REOPEN;
    if (read_body(req, optional, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_issue_commit(req, p, i->id);
    int rc = fl_issues_decode_action(kind, body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        load_refs(s, req, p->tenant, i, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_issues_decide_action(&ctx, i, expected, &cmd, &refs, &c->d);
        fl_srv_issue_stamp(p->tenant, &ctx, i, i->v[FL_ISSUE_APPLICATION_ID], &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_issues_assign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_ASSIGN);
}

int fl_api_issues_reassign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_REASSIGN);
}

int fl_api_issues_escalate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_ESCALATE);
}

int fl_api_issues_resolve(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_RESOLVE);
}

int fl_api_issues_close(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_CLOSE);
}

int fl_api_issues_reopen(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return action(s, req, p, FL_ISSUE_ACT_REOPEN);
}

int fl_api_issues_link(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_issue_link_cmd_t cmd;
    json_t *body;
    const fl_issue_state_t *i = fl_srv_issue_load(req, p, fl_http_param(req, "id"));
    if (i == NULL)
        return fl_http_respond_error(req, 404, "no such issue");
    if (read_body(req, false, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_issue_commit(req, p, i->id);
    int rc = fl_issues_decode_link(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        const fl_issue_state_t *target =
            strcmp(cmd.target_id, i->id) == 0 ? i : fl_srv_issue_load(req, p, cmd.target_id);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_issues_decide_link(&ctx, i, &cmd, target, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

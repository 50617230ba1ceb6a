/*
 * The issue's actions -> events: assign and reassign (to a user, a group
 * or both), escalate, resolve, close and reopen. Pure: the issue and what
 * the body refers to come in (loaded by the caller), the decision goes out.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const char *status_of(const fl_issue_state_t *s)
{
    return s->v[FL_ISSUE_STATUS] != NULL ? s->v[FL_ISSUE_STATUS] : "new";
}

static bool is_done(const fl_issue_state_t *s)
{
    int st = fl_issue_status_parse(status_of(s));
    return st == FL_ISSUE_RESOLVED || st == FL_ISSUE_CLOSED;
}

/* 409 naming the current status, with a hint. */
static int refuse_status(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, const char *hint,
                         fl_decision_t *d)
{
    const size_t n = 160;
    char *detail = fl_arena_alloc(ctx->a, n);

    if (detail != NULL)
        snprintf(detail, n, "the issue is %s: %s", status_of(s), hint);
    return fl__iss_refuse(d, 409, "invalid status transition", "status", detail);
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *change(const char *from, const char *to)
{
    return json_pack("{s:o,s:o}", "from", str_or_null(from), "to", str_or_null(to));
}

/* The refs' user and group against cmd's names; 422s into d. */
static int check_assignee(const char *user_id, const char *group_id,
                          const fl_issue_action_refs_t *refs, fl_decision_t *d)
{
    const fl_user_state_t *u = refs->user;
    const fl_group_state_t *g = refs->group;
    int rc = 0;

    if (user_id != NULL) {
        if (u == NULL || !u->exists || strcmp(u->id, user_id) != 0)
            rc = fl__iss_refuse(d, 422, "validation failed", "assigned_to", "no such user");
        else if (u->status != FL_USER_ACTIVE)
            rc = fl__iss_refuse(d, 422, "validation failed", "assigned_to", "the user is inactive");
        else if (!refs->user_may_work)
            rc = fl__iss_refuse(d, 422, "validation failed", "assigned_to",
                                "the user may not work issues (needs issues:update)");
    }
    if (group_id != NULL && (g == NULL || !g->exists || g->deleted || strcmp(g->id, group_id) != 0))
        rc = fl__iss_refuse(d, 422, "validation failed", "assigned_group", "no such group");
    if (rc == 0 && user_id != NULL && group_id != NULL && !refs->user_in_group)
        rc = fl__iss_refuse(d, 422, "validation failed", "assigned_to",
                            "the user is not a member of the group");
    return rc;
}

static int assign(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                  const fl_issue_action_t *cmd, const fl_issue_action_refs_t *refs,
                  fl_decision_t *d)
{
    bool reassign = cmd->kind == FL_ISSUE_ACT_REASSIGN;
    bool assigned = s->assigned_to != NULL || s->assigned_group != NULL;
    json_t *extra;

    if (is_done(s))
        return refuse_status(ctx, s, "reopen it first", d);
    if (reassign && !assigned)
        return refuse_status(ctx, s, "it has no assignee; use POST /issues/{id}/assign", d);
    if (!reassign && assigned)
        return refuse_status(ctx, s, "it is assigned; use POST /issues/{id}/reassign", d);
    if (check_assignee(cmd->assigned_to, cmd->assigned_group, refs, d) < 0)
        return FL_EINVAL;
    if (fl__iss_same(s->assigned_to, cmd->assigned_to) &&
        fl__iss_same(s->assigned_group, cmd->assigned_group))
        return 0; /* nothing changes */
    extra =
        json_pack("{s:o,s:o,s:{s:o,s:o}}", "assigned_to", str_or_null(cmd->assigned_to),
                  "assigned_group", str_or_null(cmd->assigned_group), "previous", "assigned_to",
                  str_or_null(s->assigned_to), "assigned_group", str_or_null(s->assigned_group));
    if (fl_issue_status_parse(status_of(s)) == FL_ISSUE_NEW)
        return fl_issues_emit_move(ctx, s, expected, "issue.assigned", "assigned", cmd->reason,
                                   extra, d);
    /* a reassignment keeps the status: from = to, and no history row */
    json_object_set_new(extra, "id", json_string(s->id));
    json_object_set_new(extra, "from", json_string(status_of(s)));
    json_object_set_new(extra, "to", json_string(status_of(s)));
    json_object_set_new(extra, "changed_by", str_or_null(ctx->actor_id));
    json_object_set_new(extra, "reason", str_or_null(cmd->reason));
    return fl__iss_emit(ctx, s, expected, "issue.assigned", extra, d);
}

/* The first candidate who is active and may work issues, or NULL. */
static const char *escalation_target(const fl_issue_action_refs_t *refs)
{
    for (size_t i = 0; i < refs->n_candidates; i++) {
        const fl_user_state_t *u = refs->candidates[i];
        if (u != NULL && u->exists && u->status == FL_USER_ACTIVE && refs->candidates_may_work[i])
            return u->id;
    }
    return NULL;
}

static int escalate(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                    const fl_issue_action_t *cmd, const fl_issue_action_refs_t *refs,
                    fl_decision_t *d)
{
    const char *group = cmd->assigned_group != NULL ? cmd->assigned_group : s->assigned_group;
    const fl_group_state_t *g = refs->group;
    const char *to;

    if (is_done(s))
        return refuse_status(ctx, s, "reopen it first", d);
    if (s->escalation_level >= FL_ISSUES_ESCALATION_MAX)
        return fl__iss_refuse(d, 409, "already at the highest escalation level", "escalation_level",
                              "is 5, the highest");
    if (group == NULL)
        return fl__iss_refuse(d, 422, "validation failed", "assigned_group",
                              "the issue has no group: name the group to escalate to");
    if (g == NULL || !g->exists || g->deleted || strcmp(g->id, group) != 0)
        return fl__iss_refuse(d, 422, "validation failed", "assigned_group", "no such group");
    to = escalation_target(refs);
    if (to == NULL)
        to = fl__iss_same(group, s->assigned_group) ? s->assigned_to : NULL;
    return fl__iss_emit(ctx, s, expected, "issue.escalated",
                        json_pack("{s:s,s:i,s:i,s:s,s:o,s:o,s:o}", "id", s->id, "from_level",
                                  s->escalation_level, "to_level", s->escalation_level + 1,
                                  "reason", cmd->reason, "escalated_by", str_or_null(ctx->actor_id),
                                  "assigned_to", change(s->assigned_to, to), "assigned_group",
                                  change(s->assigned_group, group)),
                        d);
}

/* A move of the machine to `to`, recorded as the event the machine names. */
static int move(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                fl_issue_status_t to, const char *reason, json_t *extra, fl_decision_t *d)
{
    int from = fl_issue_status_parse(status_of(s));

    if (from < 0 || fl_issue_check_transition(from, to, ctx->a, d) < 0) {
        json_decref(extra);
        if (from < 0)
            return fl__iss_refuse(d, 409, "invalid status transition", "status", "unknown status");
        return FL_EINVAL;
    }
    return fl_issues_emit_move(ctx, s, expected, fl_issue_transition_event(from, to),
                               fl_issue_status_name(to), reason, extra, d);
}

static int reopen(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                  const fl_issue_action_t *cmd, const fl_issue_action_refs_t *refs,
                  fl_decision_t *d)
{
    fl_time_t since = s->closed_at > s->resolved_at ? s->closed_at : s->resolved_at;
    const size_t n = 120;
    char *detail;

    if (is_done(s) && !fl_issue_reopen_allowed(since, ctx->now, refs->reopen_days)) {
        detail = fl_arena_alloc(ctx->a, n);
        if (detail != NULL)
            snprintf(detail, n, "the issue is %s and its reopen window of %d days has passed",
                     status_of(s), refs->reopen_days);
        return fl__iss_refuse(d, 409, "the reopen window has passed", "status", detail);
    }
    return move(ctx, s, expected, FL_ISSUE_IN_PROGRESS, cmd->reason, NULL, d);
}

int fl_issues_decide_action(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            const fl_issue_action_t *cmd, const fl_issue_action_refs_t *refs,
                            fl_decision_t *d)
{
    if (fl__iss_check_live(s, d) < 0)
        return FL_EINVAL;
    switch (cmd->kind) {
    case FL_ISSUE_ACT_ASSIGN:
    case FL_ISSUE_ACT_REASSIGN:
        return assign(ctx, s, expected, cmd, refs, d);
    case FL_ISSUE_ACT_ESCALATE:
        return escalate(ctx, s, expected, cmd, refs, d);
    case FL_ISSUE_ACT_RESOLVE:
        return move(ctx, s, expected, FL_ISSUE_RESOLVED, NULL,
                    json_pack("{s:s,s:s}", "resolution_code", cmd->resolution_code,
                              "resolution_notes", cmd->resolution_notes),
                    d);
    case FL_ISSUE_ACT_CLOSE:
        return move(ctx, s, expected, FL_ISSUE_CLOSED, cmd->reason, NULL, d);
    case FL_ISSUE_ACT_REOPEN:
        if (fl_issue_status_parse(status_of(s)) != FL_ISSUE_RESOLVED &&
            fl_issue_status_parse(status_of(s)) != FL_ISSUE_CLOSED)
            return refuse_status(ctx, s, "only a resolved or closed issue is reopened", d);
        return reopen(ctx, s, expected, cmd, refs, d);
    }
    return fl__iss_refuse(d, 400, "unknown action", NULL, NULL);
}

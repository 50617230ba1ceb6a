/*
 * The actions on a request: approval decisions along its chain, assignment,
 * and the fulfilment moves (start, complete, cancel, reopen). Pure.
 *
 * Approval rules (README "Approval chains"): sequential opens its steps one
 * at a time in order, parallel and any open every step at once. Each step
 * takes one decision from someone who may decide it (the caller says who,
 * per step: a member of its group, or a delegate). An approval completes
 * the chain when it is any's, the last of sequential, or the last pending of
 * parallel; a rejection ends the request. The requester and the person the
 * request is for never decide (separation of duties), and nobody decides
 * two steps of one chain.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

uint64_t fl_request_open_steps(const fl_request_state_t *s)
{
    uint64_t open = 0;
    bool sequential = strcmp(s->approval_type, "sequential") == 0;

    if (s->status != FL_REQ_PENDING_APPROVAL)
        return 0;
    for (size_t i = 0; i < s->n_steps && i < 64; i++) {
        if (s->steps[i].status != FL_REQ_STEP_PENDING)
            continue;
        open |= (uint64_t)1 << i;
        if (sequential)
            break;
    }
    return open;
}

static int forbid(fl_decision_t *d, const char *detail)
{
    return fl_decision_fail(d, 403, "forbidden", detail);
}

/* The open step the actor decides (index), or -1 after refusing. */
static int pick_step(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                     const fl_req_decider_t *deciders, fl_decision_t *d)
{
    uint64_t open = fl_request_open_steps(s);

    if (s->status != FL_REQ_PENDING_APPROVAL) {
        fl__req_refuse_move(ctx->a, s->status, FL_REQ_APPROVED, d);
        return -1;
    }
    if (fl_request_is_party(s, ctx->actor_id)) {
        forbid(d, "separation of duties: the requester, or the person a request is for, "
                  "cannot approve or reject it");
        return -1;
    }
    for (size_t i = 0; ctx->actor_id != NULL && i < s->n_steps; i++) {
        if (s->steps[i].status != FL_REQ_STEP_PENDING &&
            strcmp(s->steps[i].approver_id, ctx->actor_id) == 0) {
            char *msg = fl_arena_alloc(ctx->a, 80);
            if (msg != NULL)
                snprintf(msg, 80, "you have already decided step %d of this request",
                         s->steps[i].step_number);
            fl_decision_fail(d, 409, "already decided", msg);
            return -1;
        }
    }
    for (size_t i = 0; i < s->n_steps && i < 64; i++) {
        if ((open & ((uint64_t)1 << i)) && deciders != NULL && deciders[i].may)
            return (int)i;
    }
    forbid(d, "only a member of the approver group of a pending step may decide it");
    return -1;
}

/* Whether approving step k completes the chain; skipped gets the steps it leaves undecided. */
static bool completes(const fl_request_state_t *s, size_t k, bool approve, json_t *skipped)
{
    bool any = strcmp(s->approval_type, "any") == 0, done = true;

    for (size_t i = 0; i < s->n_steps; i++) {
        if (i == k || s->steps[i].status != FL_REQ_STEP_PENDING)
            continue;
        if (!approve || any)
            json_array_append_new(skipped, json_integer(s->steps[i].step_number));
        else
            done = false;
    }
    return done;
}

int fl__req_decide_approval(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                            const fl_req_action_t *cmd, const fl_req_decider_t *deciders,
                            fl_decision_t *d)
{
    int k = pick_step(ctx, s, deciders, d);
    if (k < 0)
        return FL_EINVAL;
    bool approve = cmd->kind == FL_REQ_ACT_APPROVE;
    json_t *skipped = json_array();
    bool done = completes(s, (size_t)k, approve, skipped);
    const fl_req_step_t *st = &s->steps[k];
    json_t *data =
        json_pack("{s:s,s:i,s:s,s:o,s:o,s:o,s:b,s:o}", "id", s->id, "step_number", st->step_number,
                  "approver_group_id", st->group_id, "approver_id",
                  fl_json_str_or_null(ctx->actor_id), "comments", fl_json_str_or_null(cmd->text),
                  "delegated_from", fl_json_str_or_null(deciders[k].delegated_from),
                  "completes_chain", done, "skipped", skipped);
    if (!done) { /* the chain goes on: no move */
        json_object_set_new(data, "current_approval_step", json_integer(k + 2));
        return fl__req_emit(ctx, s, expected, "request.approved", data, d);
    }
    json_object_set_new(data, "approval_status", json_string(approve ? "approved" : "rejected"));
    return fl__req_move(ctx, s, expected, approve ? FL_REQ_APPROVED : FL_REQ_REJECTED, cmd->text,
                        data, d);
}

static int assign_problem(const fl_req_action_t *cmd, const fl_req_action_refs_t *r,
                          fl_decision_t *d)
{
    if (cmd->assigned_to != NULL) {
        if (r->user == NULL || !r->user->exists)
            fl_decision_field(d, "assigned_to", "no such user");
        else if (r->user->status != FL_USER_ACTIVE)
            fl_decision_field(d, "assigned_to", "the user is not active");
        else if (!r->user_may_work)
            fl_decision_field(d, "assigned_to", "the user may not work on requests");
    }
    if (cmd->assigned_group != NULL && (r->group == NULL || !r->group->exists || r->group->deleted))
        fl_decision_field(d, "assigned_group", "no such group");
    if (!fl_decision_failed(d) && cmd->assigned_to != NULL && cmd->assigned_group != NULL &&
        !r->user_in_group)
        fl_decision_field(d, "assigned_to", "the user is not a member of assigned_group");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

static int assign(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                  const fl_req_action_t *cmd, const fl_req_action_refs_t *r, fl_decision_t *d)
{
    bool re = cmd->kind == FL_REQ_ACT_REASSIGN, has = s->assigned_to[0] != '\0';
    const char *st = fl_req_status_name(s->status);

    if (s->status != FL_REQ_APPROVED && s->status != FL_REQ_IN_PROGRESS) {
        const char *msg = fl_arena_concat(ctx->a, "a request that is ", st);
        fl_decision_fail(d, 409, "invalid status transition",
                         msg != NULL ? fl_arena_concat(ctx->a, msg, " cannot be assigned") : NULL);
        fl_decision_field(d, "status", d->problem.detail);
        return FL_EINVAL;
    }
    if (re != has)
        return fl_decision_fail(d, 409, "invalid status transition",
                                re ? "the request has no assignee: use assign"
                                   : "the request already has an assignee: use reassign");
    if (assign_problem(cmd, r, d) != 0)
        return FL_EINVAL;
    const char *to = cmd->assigned_to, *group = cmd->assigned_group;
    if (group == NULL && s->assigned_group[0] != '\0')
        group = s->assigned_group; /* an assignee alone keeps the request's group */
    json_t *data = json_pack("{s:s,s:o,s:o,s:{s:o,s:o},s:o,s:b}", "id", s->id, "assigned_to",
                             fl_json_str_or_null(to), "assigned_group", fl_json_str_or_null(group),
                             "previous", "assigned_to", fl_json_str_or_null(s->assigned_to),
                             "assigned_group", fl_json_str_or_null(s->assigned_group), "reason",
                             fl_json_str_or_null(cmd->text), "reassignment", re);
    return fl__req_emit(ctx, s, expected, "request.assigned", data, d);
}

static int act(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
               const fl_req_action_t *cmd, const fl_req_action_refs_t *refs, fl_decision_t *d)
{
    switch (cmd->kind) {
    case FL_REQ_ACT_APPROVE:
    case FL_REQ_ACT_REJECT:
        return fl__req_decide_approval(ctx, s, expected, cmd, refs->deciders, d);
    case FL_REQ_ACT_ASSIGN:
    case FL_REQ_ACT_REASSIGN:
        return assign(ctx, s, expected, cmd, refs, d);
    case FL_REQ_ACT_START:
        if (s->status != FL_REQ_APPROVED) /* completed -> in_progress is a reopen */
            return fl__req_refuse_move(ctx->a, s->status, FL_REQ_IN_PROGRESS, d);
        return fl__req_move(ctx, s, expected, FL_REQ_IN_PROGRESS, NULL, NULL, d);
    case FL_REQ_ACT_COMPLETE:
        return fl__req_move(ctx, s, expected, FL_REQ_COMPLETED, NULL,
                            json_pack("{s:s}", "completion_notes", cmd->text), d);
    case FL_REQ_ACT_CANCEL:
        return fl__req_move(ctx, s, expected, FL_REQ_CANCELLED, cmd->text, NULL, d);
    case FL_REQ_ACT_REOPEN:
        /* a reopened request is in progress again: its start is kept, its completion not */
        if (s->status != FL_REQ_COMPLETED)
            return fl__req_refuse_move(ctx->a, s->status, FL_REQ_IN_PROGRESS, d);
        return fl__req_move(ctx, s, expected, FL_REQ_IN_PROGRESS, cmd->text, NULL, d);
    }
    return fl_decision_refuse(d, 400, "unknown action", NULL, NULL);
}

int fl_requests_decide_action(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                              int64_t expected, const fl_req_action_t *cmd,
                              const fl_req_action_refs_t *refs, fl_decision_t *d)
{
    if (!s->exists)
        return fl_decision_refuse(d, 404, "no such request", NULL, NULL);
    if (fl_request_is_parent(s) && cmd->kind == FL_REQ_ACT_CANCEL)
        return fl__req_bundle_cancel(ctx, s, expected, cmd, refs->children, d);
    if (fl_request_is_parent(s)) {
        fl_decision_fail(d, 409, "invalid status transition",
                         "a bundle request moves with its children: act on each child (only "
                         "cancel applies to the bundle request itself)");
        fl_decision_field(d, "status", d->problem.detail);
        return FL_EINVAL;
    }
    int rc = act(ctx, s, expected, cmd, refs, d);
    if (rc == 0 && s->parent_id[0] != '\0')
        rc = fl__req_bundle_follow(ctx, s, refs->parent, d);
    return rc;
}

/*
 * Commands -> events for a request's submission and its fields: create (the
 * request.created and request.submitted pair), update. Pure: the state and
 * what the caller loaded come in, the decision goes out; time is ctx->now.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

int fl__req_emit(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                 const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_requests_stream(ctx->a, s->id);
    int64_t at = !s->exists               ? FL_LOG_NO_STREAM
                 : expected == FL_LOG_ANY ? (int64_t)s->version
                                          : expected;
    int rc = stream != NULL ? 0 : FL_ETOOBIG;

    if (rc == 0 && d->n_events == 0)
        rc = fl_decision_expect(d, stream, at);
    if (rc != 0) {
        json_decref(data);
        return rc;
    }
    return fl_decision_emit(d, ctx, stream, type, data, s->exists ? NULL : FL_REQ_NUMBER_PREFIX);
}

int fl__req_move(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                 fl_req_status_t to, const char *reason, json_t *extra, fl_decision_t *d)
{
    if (fl_req_check_transition(s->status, to, ctx->a, d) != 0) {
        json_decref(extra);
        return FL_EINVAL;
    }
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", s->id, "history_id", fl_uuid_new(ctx->a),
                  "from", fl_req_status_name(s->status), "to", fl_req_status_name(to), "status",
                  fl_req_status_name(to), "changed_by", fl_json_str_or_null(ctx->actor_id),
                  "reason", fl_json_str_or_null(reason));
    if (extra != NULL) {
        json_object_update(data, extra);
        json_decref(extra);
    }
    return fl__req_emit(ctx, s, expected, fl_req_transition_event(s->status, to), data, d);
}

/* 422 on item_key unless the item can be requested; also the requested_for user. */
int fl__req_check_refs(const fl_req_create_refs_t *r, const char *item_key, bool check_for,
                       fl_decision_t *d)
{
    const fl_catalog_item_info_t *it = r->item;

    if (it == NULL || !it->exists || !r->item_visible)
        fl_decision_field(d, item_key, "no such catalog item");
    else if (it->status != FL_CAT_ACTIVE || it->form_version < 1)
        fl_decision_field(d, item_key, "the catalog item is not active");
    if (!check_for)
        return fl_decision_failed(d) ? FL_EINVAL : 0;
    if (r->requested_for == NULL || !r->requested_for->exists)
        fl_decision_field(d, "requested_for_id", "no such user");
    else if (r->requested_for->status != FL_USER_ACTIVE)
        fl_decision_field(d, "requested_for_id", "the user is not active");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* The item's approval groups as a JSON array and the chain's steps. */
static void chain_json(const fl_catalog_item_info_t *it, json_t **groups, json_t **steps)
{
    *groups = json_array();
    *steps = json_array();
    for (size_t i = 0; i < it->n_approval_groups; i++) {
        json_array_append_new(*groups, json_string(it->approval_groups[i]));
        json_array_append_new(*steps, json_pack("{s:i,s:s,s:s}", "step_number", (int)(i + 1),
                                                "approver_group_id", it->approval_groups[i],
                                                "status", "pending"));
    }
}

static json_t *created_data(const fl_cmd_ctx_t *ctx, const char *id, const char *priority,
                            const fl_req_create_refs_t *r, bool approval, json_t *groups)
{
    const fl_catalog_item_info_t *it = r->item;
    const char *prio = priority;

    if (prio == NULL)
        prio = fl__req_is_priority(it->default_priority) ? it->default_priority : "medium";
    return json_pack(
        "{s:s,s:s,s:s,s:o,s:s,s:s,s:O,s:i,s:o,s:o,s:o,s:o,s:o}", "id", id, "status", "new",
        "catalog_item_id", it->id, "item_name", fl_json_str_or_null(it->name), "requested_for_id",
        r->requested_for->id, "priority", prio, "form_data", r->form_data, "form_version",
        it->form_version, "requester_id", fl_json_str_or_null(ctx->actor_id), "sla_policy_id",
        fl_json_str_or_null(it->sla_policy_id), "assigned_group",
        fl_json_str_or_null(it->fulfillment_group_id), "approval_type",
        approval ? json_string(it->approval_type) : json_null(), "approval_groups", groups);
}

fl_req_status_t fl__req_submitted_status(const fl_catalog_item_info_t *it)
{
    return it->approval_required && it->n_approval_groups > 0 ? FL_REQ_PENDING_APPROVAL
                                                              : FL_REQ_APPROVED;
}

int fl__req_create_one(const fl_cmd_ctx_t *ctx, const char *id, const char *priority,
                       const fl_req_create_refs_t *refs, json_t *link, fl_decision_t *d)
{
    fl_request_state_t s;
    json_t *groups, *steps;
    const fl_catalog_item_info_t *it = refs->item;
    bool approval = fl__req_submitted_status(it) == FL_REQ_PENDING_APPROVAL;

    memset(&s, 0, sizeof(s));
    snprintf(s.id, sizeof(s.id), "%s", id);
    chain_json(it, &groups, &steps);
    if (!approval)
        json_array_clear(steps);
    json_t *data = created_data(ctx, s.id, priority, refs, approval, groups);
    if (link != NULL) {
        json_object_update(data, link);
        json_decref(link);
    }
    char *stream = fl_requests_stream(ctx->a, s.id);
    int rc = stream != NULL ? 0 : FL_ETOOBIG;
    if (rc == 0 && d->n_events > 0) /* a bundle's child: the first event expects its own */
        rc = fl_decision_expect(d, stream, FL_LOG_NO_STREAM);
    if (rc == 0)
        rc = fl__req_emit(ctx, &s, FL_LOG_ANY, "request.created", data, d);
    else
        json_decref(data);
    s.exists = true; /* what request.created leaves: new, version 1 */
    s.version = 1;
    s.status = FL_REQ_NEW;
    json_t *extra = json_pack("{s:o,s:o,s:i}", "steps", steps, "approval_status",
                              approval ? json_string("pending") : json_null(),
                              "current_approval_step", approval ? 1 : 0);
    if (rc == 0)
        return fl__req_move(ctx, &s, FL_LOG_ANY, fl__req_submitted_status(it), NULL, extra, d);
    json_decref(extra);
    return rc;
}

int fl_requests_decide_create(const fl_cmd_ctx_t *ctx, const fl_req_create_cmd_t *cmd,
                              const fl_req_create_refs_t *refs, fl_decision_t *d)
{
    if (fl__req_check_refs(refs, "catalog_item_id", true, d) != 0)
        return FL_EINVAL;
    const char *id = fl_uuid_new(ctx->a);
    char *item_stream = fl_cat_item_stream(ctx->a, refs->item->id);
    int rc = item_stream != NULL ? fl_decision_expect(d, item_stream, (int64_t)refs->item->version)
                                 : FL_ETOOBIG;
    if (rc == 0)
        rc = fl__req_create_one(ctx, id, cmd->priority, refs, NULL, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/requests/", id);
    return rc;
}

/* {from, to} into changes when the value changes. */
static void change(json_t *changes, const fl_request_state_t *s, const char *key, json_t *to)
{
    json_t *from = fl__req_field(s, key);
    if (!json_equal(from, to))
        json_object_set_new(changes, key, json_pack("{s:O,s:O}", "from", from, "to", to));
    json_decref(from);
    json_decref(to);
}

int fl_requests_decide_update(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                              int64_t expected, const fl_req_update_cmd_t *cmd,
                              const json_t *form_data, fl_decision_t *d)
{
    if (!s->exists)
        return fl_decision_refuse(d, 404, "no such request", NULL, NULL);
    if (s->status != FL_REQ_PENDING_APPROVAL && s->status != FL_REQ_APPROVED) {
        const char *msg = fl_arena_concat(ctx->a, "the request is ", fl_req_status_name(s->status));
        fl_decision_fail(d, 409, "invalid status transition",
                         msg != NULL ? fl_arena_concat(ctx->a, msg, " and can no longer be edited")
                                     : NULL);
        fl_decision_field(d, "status", d->problem.detail);
        return FL_EINVAL;
    }
    json_t *changes = json_object();
    if (cmd->set & FL_REQ_UPD_PRIORITY)
        change(changes, s, "priority", json_string(cmd->priority));
    if (cmd->set & FL_REQ_UPD_DUE_DATE)
        change(changes, s, "due_date", fl_json_str_or_null(cmd->due_date));
    if ((cmd->set & FL_REQ_UPD_FORM) && form_data != NULL)
        change(changes, s, "form_data", json_incref((json_t *)form_data));
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return 0;
    }
    return fl__req_emit(ctx, s, expected, "request.updated",
                        json_pack("{s:s,s:o}", "id", s->id, "changes", changes), d);
}

/*
 * Bundle requests (README "Bundles"): one parent request and one child per
 * item and quantity, decided in one command; the parent's moves follow
 * from its children's, appended by the decider of the child's command on
 * the parent's stream (expected at the version the child's command saw),
 * so two children finishing at once cannot both miss the parent's move.
 * Pure.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

long fl_requests_bundle_items(const fl_cat_bundle_t *b, fl_arena_t *a, const char **items,
                              size_t cap)
{
    json_t *all = fl_cat_field(&b->e, "items");
    size_t n = json_array_size(all), order[FL_CAT_MAX_BUNDLE];
    long total = 0;

    if (!json_is_array(all) || n > FL_CAT_MAX_BUNDLE) {
        json_decref(all);
        return -1;
    }
    for (size_t i = 0; i < n; i++) { /* stable by sort_order */
        json_int_t k = json_integer_value(json_object_get(json_array_get(all, i), "sort_order"));
        size_t j = i;
        for (; j > 0; j--) {
            json_t *prev = json_array_get(all, order[j - 1]);
            if (json_integer_value(json_object_get(prev, "sort_order")) <= k)
                break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(all, order[i]);
        const char *id = json_string_value(json_object_get(e, "item_id"));
        json_int_t q = json_integer_value(json_object_get(e, "quantity"));
        for (json_int_t k = 0; id != NULL && k < q; k++, total++) {
            if ((size_t)total < cap)
                items[total] = fl_arena_strndup(a, id, strlen(id));
        }
    }
    json_decref(all);
    return total;
}

/* 422 bundle_id unless the bundle is live and active. */
static int check_bundle(const fl_cat_bundle_t *b, fl_decision_t *d)
{
    if (b == NULL || !b->e.exists || b->e.deleted)
        return fl_decision_refuse(d, 422, "validation failed", "bundle_id", "no such bundle");
    json_t *st = fl_cat_field(&b->e, "status");
    bool active = json_is_string(st) && strcmp(json_string_value(st), "active") == 0;
    json_decref(st);
    return active ? 0
                  : fl_decision_refuse(d, 422, "validation failed", "bundle_id",
                                       "the bundle is not active");
}

/* children[i] names the bundle's item at its place, and the item may be requested. */
static int check_children(const fl_cmd_ctx_t *ctx, const fl_req_create_cmd_t *cmd,
                          const fl_req_bundle_refs_t *refs, fl_decision_t *d)
{
    const char *items[FL_REQ_MAX_CHILDREN];
    long n = fl_requests_bundle_items(refs->bundle, ctx->a, items, FL_REQ_MAX_CHILDREN);
    char msg[160];

    if (n < 0)
        return fl_decision_fail(d, 503, "the bundle cannot be read", NULL);
    if (n == 0)
        return fl_decision_refuse(d, 422, "validation failed", "bundle_id",
                                  "the bundle has no items");
    if (n > FL_REQ_MAX_CHILDREN) {
        snprintf(msg, sizeof(msg),
                 "the bundle has %ld items with their quantities: a bundle request has at most %d",
                 n, FL_REQ_MAX_CHILDREN);
        return fl_decision_refuse(d, 422, "validation failed", "bundle_id",
                                  fl_arena_strndup(ctx->a, msg, strlen(msg)));
    }
    if ((long)cmd->n_children != n) {
        snprintf(msg, sizeof(msg),
                 "the bundle has %ld items with their quantities: give one entry each, in the "
                 "bundle's order",
                 n);
        return fl_decision_refuse(d, 422, "validation failed", "children",
                                  fl_arena_strndup(ctx->a, msg, strlen(msg)));
    }
    for (size_t i = 0; i < cmd->n_children; i++) {
        char key[48];
        snprintf(key, sizeof(key), "children[%zu].item_id", i);
        const char *k = fl_arena_strndup(ctx->a, key, strlen(key));
        if (strcmp(cmd->children[i].item_id, items[i]) != 0)
            fl_decision_field(
                d, k,
                fl_arena_concat(ctx->a, "must be the bundle's item at this place, ", items[i]));
        else
            fl__req_check_refs(&refs->children[i], k, i == 0, d);
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* The bundle's stream, then each item's once, at the versions checked. */
static int expect_sources(const fl_cmd_ctx_t *ctx, const fl_req_bundle_refs_t *refs, size_t n,
                          fl_decision_t *d)
{
    int rc = fl_decision_expect(d, fl_cat_bundle_stream(ctx->a, refs->bundle->e.id),
                                (int64_t)refs->bundle->e.version);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const fl_catalog_item_info_t *it = refs->children[i].item;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(refs->children[j].item->id, it->id) == 0;
        if (!seen)
            rc = fl_decision_expect(d, fl_cat_item_stream(ctx->a, it->id), (int64_t)it->version);
    }
    return rc;
}

int fl_requests_decide_bundle(const fl_cmd_ctx_t *ctx, const fl_req_create_cmd_t *cmd,
                              const fl_req_bundle_refs_t *refs, fl_decision_t *d)
{
    const char *ids[FL_REQ_MAX_CHILDREN];
    fl_req_status_t st[FL_REQ_MAX_CHILDREN];
    fl_request_state_t p;

    if (check_bundle(refs->bundle, d) != 0 || check_children(ctx, cmd, refs, d) != 0)
        return FL_EINVAL;
    size_t n = cmd->n_children;
    json_t *kids = json_array(), *name = fl_cat_field(&refs->bundle->e, "name");
    for (size_t i = 0; i < n; i++) {
        const fl_catalog_item_info_t *it = refs->children[i].item;
        ids[i] = fl_uuid_new(ctx->a);
        st[i] = fl__req_submitted_status(it);
        json_array_append_new(kids, json_pack("{s:s,s:s,s:o,s:s}", "id", ids[i], "catalog_item_id",
                                              it->id, "item_name", fl_json_str_or_null(it->name),
                                              "status", fl_req_status_name(st[i])));
    }
    memset(&p, 0, sizeof(p));
    snprintf(p.id, sizeof(p.id), "%s", fl_uuid_new(ctx->a));
    json_t *data = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:{},s:[],s:o}", "id", p.id, "status",
                             "new", "bundle_id", refs->bundle->e.id, "item_name", name,
                             "requester_id", fl_json_str_or_null(ctx->actor_id), "requested_for_id",
                             refs->children[0].requested_for->id, "priority",
                             cmd->priority != NULL ? cmd->priority : "medium", "form_data",
                             "approval_groups", "children", kids);
    int rc = expect_sources(ctx, refs, n, d);
    if (rc == 0)
        rc = fl__req_emit(ctx, &p, FL_LOG_ANY, "request.created", data, d);
    else
        json_decref(data);
    p.exists = true;
    p.version = 1;
    p.status = FL_REQ_NEW;
    if (rc == 0)
        rc = fl__req_move(
            ctx, &p, FL_LOG_ANY, fl_request_bundle_status(st, n), NULL,
            json_pack("{s:[],s:n,s:i}", "steps", "approval_status", "current_approval_step", 0), d);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fl__req_create_one(
            ctx, ids[i], cmd->priority, &refs->children[i],
            json_pack("{s:s,s:s}", "parent_id", p.id, "bundle_id", refs->bundle->e.id), d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/requests/", p.id);
    return rc;
}

/* The status the decision's last move on stream leaves (FL_REQ_STATUS__N: none). */
static fl_req_status_t status_after(const fl_decision_t *d, const char *stream)
{
    fl_req_status_t to = FL_REQ_STATUS__N;

    for (size_t i = 0; i < d->n_events; i++) {
        json_t *data = NULL;
        if (strcmp(d->events[i].stream, stream) != 0 ||
            fl_codec_to_json(d->events[i].data, d->events[i].data_len, &data) < 0)
            continue;
        int st = fl_req_status_parse(json_string_value(json_object_get(data, "status")));
        if (st >= 0)
            to = (fl_req_status_t)st;
        json_decref(data);
    }
    return to;
}

/* The event a parent's derived move is recorded as. */
static const char *parent_event(fl_req_status_t to)
{
    return to == FL_REQ_COMPLETED   ? "request.completed"
           : to == FL_REQ_CANCELLED ? "request.cancelled"
           : to == FL_REQ_REJECTED  ? "request.rejected"
                                    : "request.progressed";
}

int fl__req_bundle_follow(const fl_cmd_ctx_t *ctx, const fl_request_state_t *child,
                          const fl_request_state_t *parent, fl_decision_t *d)
{
    fl_req_status_t to = status_after(d, fl_requests_stream(ctx->a, child->id));
    fl_req_status_t st[FL_REQ_MAX_CHILDREN];

    if (to == FL_REQ_STATUS__N || to == child->status)
        return 0;
    if (parent == NULL || !parent->exists || parent->n_children > FL_REQ_MAX_CHILDREN)
        return fl_decision_fail(d, 503, "the bundle request of this request cannot be read", NULL);
    for (size_t i = 0; i < parent->n_children; i++)
        st[i] = strcmp(parent->children[i].id, child->id) == 0 ? to : parent->children[i].status;
    int rc = fl_decision_emit_at(d, ctx, fl_requests_stream(ctx->a, parent->id),
                                 (int64_t)parent->version, "request.child_moved",
                                 json_pack("{s:s,s:s,s:s}", "id", parent->id, "child_id", child->id,
                                           "child_status", fl_req_status_name(to)));
    fl_req_status_t now = fl_request_bundle_status(st, parent->n_children);
    /* a cancelled parent stays cancelled; otherwise it follows its children */
    if (rc != 0 || now == parent->status || parent->status == FL_REQ_CANCELLED)
        return rc;
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:n}", "id", parent->id, "history_id",
                             fl_uuid_new(ctx->a), "from", fl_req_status_name(parent->status), "to",
                             fl_req_status_name(now), "status", fl_req_status_name(now),
                             "changed_by", fl_json_str_or_null(ctx->actor_id), "reason");
    return fl_decision_emit(d, ctx, fl_requests_stream(ctx->a, parent->id), parent_event(now), data,
                            NULL);
}

static bool is_open(fl_req_status_t st)
{
    return st == FL_REQ_PENDING_APPROVAL || st == FL_REQ_APPROVED || st == FL_REQ_IN_PROGRESS;
}

int fl__req_bundle_cancel(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                          const fl_req_action_t *cmd, const fl_request_state_t *const *children,
                          fl_decision_t *d)
{
    json_t *cancelled = json_array();

    for (size_t i = 0; i < s->n_children; i++) {
        const fl_request_state_t *c = children != NULL ? children[i] : NULL;
        if (c == NULL || !c->exists) {
            json_decref(cancelled);
            return fl_decision_fail(d, 503, "a child of this bundle request cannot be read", NULL);
        }
        if (is_open(c->status))
            json_array_append_new(cancelled, json_string(c->id));
    }
    int rc = fl__req_move(ctx, s, expected, FL_REQ_CANCELLED, cmd->text,
                          json_pack("{s:O}", "children_cancelled", cancelled), d);
    for (size_t i = 0; rc == 0 && i < s->n_children; i++) {
        const fl_request_state_t *c = children[i];
        if (!is_open(c->status))
            continue;
        rc = fl_decision_expect(d, fl_requests_stream(ctx->a, c->id), (int64_t)c->version);
        if (rc == 0)
            rc = fl__req_move(ctx, c, FL_LOG_ANY, FL_REQ_CANCELLED, cmd->text, NULL, d);
    }
    json_decref(cancelled);
    return rc;
}

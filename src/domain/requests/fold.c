/*
 * request:<uuid> -> fl_request_state_t. Every event's effect on the row is
 * computed once, by fl__req_row_of, for both this fold and the projection,
 * so the write side's answer and the read model cannot drift apart. The
 * approval chain is folded from request.submitted (the steps) and each
 * decision (the step, and the steps it skipped). Unknown event types change
 * only the version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

const char *const fl__req_columns[] = {
    "catalog_item_id",
    "bundle_id",
    "parent_id",
    "item_name",
    "requester_id",
    "requested_for_id",
    "assigned_to",
    "assigned_group",
    "status",
    "priority",
    "form_data",
    "form_version",
    "approval_status",
    "approval_type",
    "approval_groups",
    "current_approval_step",
    "sla_policy_id",
    "response_due_at", /* the SLA's stamps (sla.c) */
    "resolution_due_at",
    "responded_at",
    "sla_breached",    /* request.sla_breached */
    "sla_breach_type", /* its metric: response, resolution; both (the fold's and SQL's) */
    "due_date",
    "completion_notes",
    "children", /* a parent's, as created: no column (the read model derives it from parent_id) */
    NULL,
};

/* The time column each move stamps, and the one a reopen clears. */
static const struct {
    const char *type, *column;
    bool clear;
} stamps[] = {
    {"request.started", "started_at", false},     {"request.completed", "completed_at", false},
    {"request.cancelled", "cancelled_at", false}, {"request.reopened", "completed_at", true},
    {"request.progressed", "completed_at", true}, /* a bundle's parent, from its children */
};

char *fl_requests_stream(fl_arena_t *a, const char *request_id)
{
    return fl_arena_concat(a, "request:", request_id);
}

json_t *fl__req_row_of(const fl_event_t *ev, const json_t *data)
{
    json_t *row = json_object(), *v;
    const json_t *src = data;
    bool changes = strcmp(ev->type, "request.updated") == 0;
    char ts[40];

    if (changes)
        src = json_object_get(data, "changes");
    if (strncmp(ev->type, "request.sla_", 12) == 0)
        src = NULL; /* the timers' events: their priority and policy_id are no columns */
    for (size_t i = 0; fl__req_columns[i] != NULL; i++) {
        v = json_object_get(src, fl__req_columns[i]);
        if (changes && v != NULL)
            v = json_object_get(v, "to");
        if (v != NULL)
            json_object_set(row, fl__req_columns[i], v);
    }
    if (strcmp(ev->type, "request.sla_breached") == 0) {
        const char *m = json_string_value(json_object_get(data, "metric"));
        json_object_set_new(row, "sla_breached", json_true());
        if (m != NULL && (strcmp(m, "response") == 0 || strcmp(m, "resolution") == 0))
            json_object_set_new(row, "sla_breach_type", json_string(m));
    }
    fl_time_format(ev->ts, ts, sizeof(ts));
    for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
        if (strcmp(ev->type, stamps[i].type) == 0)
            json_object_set_new(row, stamps[i].column,
                                stamps[i].clear ? json_null() : json_string(ts));
    }
    return row;
}

static json_t *fields_of(const fl_request_state_t *s)
{
    json_t *j = s->fields != NULL ? json_loads(s->fields, 0, NULL) : NULL;
    return j != NULL ? j : json_object();
}

json_t *fl__req_field(const fl_request_state_t *s, const char *name)
{
    json_t *all = fields_of(s), *v = json_object_get(all, name);

    v = v != NULL ? json_incref(v) : json_null();
    json_decref(all);
    return v;
}

static void copy_str(char *dst, size_t cap, const json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, cap, "%s", s != NULL ? s : "");
}

/* The members deciding reads, from the merged fields. */
static void sync_members(fl_request_state_t *s, const json_t *all)
{
    int st = fl_req_status_parse(json_string_value(json_object_get(all, "status")));

    s->status = st >= 0 ? (fl_req_status_t)st : FL_REQ_NEW;
    copy_str(s->requester_id, sizeof(s->requester_id), json_object_get(all, "requester_id"));
    copy_str(s->requested_for_id, sizeof(s->requested_for_id),
             json_object_get(all, "requested_for_id"));
    copy_str(s->catalog_item_id, sizeof(s->catalog_item_id),
             json_object_get(all, "catalog_item_id"));
    copy_str(s->assigned_to, sizeof(s->assigned_to), json_object_get(all, "assigned_to"));
    copy_str(s->assigned_group, sizeof(s->assigned_group), json_object_get(all, "assigned_group"));
    copy_str(s->approval_type, sizeof(s->approval_type), json_object_get(all, "approval_type"));
    copy_str(s->parent_id, sizeof(s->parent_id), json_object_get(all, "parent_id"));
    copy_str(s->bundle_id, sizeof(s->bundle_id), json_object_get(all, "bundle_id"));
    s->form_version = (int)json_integer_value(json_object_get(all, "form_version"));
}

/*
 * The row over the fields. A breach's row has only its metric as sla_breach_type
 * (fl__req_row_of knows no state): the other clock's breach before it makes it "both", as
 * issues record it; the projection makes the same choice in SQL.
 */
static int apply_row(fl_request_state_t *s, fl_arena_t *a, const json_t *row)
{
    json_t *all = fields_of(s);
    const char *m = json_string_value(json_object_get(row, "sla_breach_type"));
    const char *was = json_string_value(json_object_get(all, "sla_breach_type"));
    bool both = m != NULL && was != NULL && strcmp(was, m) != 0;
    json_object_update(all, (json_t *)row);
    if (both)
        json_object_set_new(all, "sla_breach_type", json_string("both"));
    sync_members(s, all);
    char *text = fl_json_dumps(all, FL_JSON_SORT_KEYS);
    json_decref(all);
    if (text == NULL)
        return FL_ECORRUPT;
    s->fields = fl_arena_strndup(a, text, strlen(text));
    free(text);
    return s->fields != NULL ? 0 : FL_ETOOBIG;
}

/* request.submitted: the chain, every step pending. */
static int chain_of(fl_request_state_t *s, fl_arena_t *a, const json_t *steps)
{
    size_t n = json_array_size(steps);

    if (n == 0)
        return 0;
    if (n > FL_REQ_MAX_STEPS || (s->steps = fl_arena_alloc(a, n * sizeof(*s->steps))) == NULL)
        return n > FL_REQ_MAX_STEPS ? FL_ECORRUPT : FL_ETOOBIG;
    memset(s->steps, 0, n * sizeof(*s->steps));
    for (size_t i = 0; i < n; i++) {
        const json_t *st = json_array_get(steps, i);
        s->steps[i].step_number = (int)(i + 1);
        copy_str(s->steps[i].group_id, sizeof(s->steps[i].group_id),
                 json_object_get(st, "approver_group_id"));
    }
    s->n_steps = n;
    return 0;
}

/* request.approved / .rejected: the decided step and the ones it skipped. */
static void decide_step(fl_request_state_t *s, const fl_event_t *ev, const json_t *data)
{
    long k = (long)json_integer_value(json_object_get(data, "step_number"));
    size_t i;
    json_t *v;

    if (k >= 1 && (size_t)k <= s->n_steps) {
        fl_req_step_t *st = &s->steps[k - 1];
        st->status =
            strcmp(ev->type, "request.approved") == 0 ? FL_REQ_STEP_APPROVED : FL_REQ_STEP_REJECTED;
        copy_str(st->approver_id, sizeof(st->approver_id), json_object_get(data, "approver_id"));
        copy_str(st->delegated_from, sizeof(st->delegated_from),
                 json_object_get(data, "delegated_from"));
        st->decision_at = ev->ts;
    }
    json_array_foreach(json_object_get(data, "skipped"), i, v)
    {
        k = (long)json_integer_value(v);
        if (k >= 1 && (size_t)k <= s->n_steps)
            s->steps[k - 1].status = FL_REQ_STEP_SKIPPED;
    }
}

/* A parent's request.created: its children, each with the status it was submitted to. */
static int children_of(fl_request_state_t *s, fl_arena_t *a, const json_t *children)
{
    size_t n = json_array_size(children);

    if (n == 0)
        return 0;
    if (n > FL_REQ_MAX_CHILDREN ||
        (s->children = fl_arena_alloc(a, n * sizeof(*s->children))) == NULL)
        return n > FL_REQ_MAX_CHILDREN ? FL_ECORRUPT : FL_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(children, i);
        int st = fl_req_status_parse(json_string_value(json_object_get(c, "status")));
        copy_str(s->children[i].id, sizeof(s->children[i].id), json_object_get(c, "id"));
        s->children[i].status = st >= 0 ? (fl_req_status_t)st : FL_REQ_NEW;
    }
    s->n_children = n;
    return 0;
}

/* The parent's child id now has status st. */
static void child_moved(fl_request_state_t *s, const char *id, fl_req_status_t st)
{
    for (size_t i = 0; id != NULL && i < s->n_children; i++) {
        if (strcmp(s->children[i].id, id) == 0)
            s->children[i].status = st;
    }
}

/* request.child_moved, and a parent's request.cancelled (children_cancelled). */
static void children_moved(fl_request_state_t *s, const fl_event_t *ev, const json_t *data)
{
    size_t i;
    json_t *v;

    if (strcmp(ev->type, "request.child_moved") == 0) {
        int st = fl_req_status_parse(json_string_value(json_object_get(data, "child_status")));
        if (st >= 0)
            child_moved(s, json_string_value(json_object_get(data, "child_id")),
                        (fl_req_status_t)st);
    }
    json_array_foreach(json_object_get(data, "children_cancelled"), i, v)
    {
        child_moved(s, json_string_value(v), FL_REQ_CANCELLED);
    }
}

static int request_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_request_state_t *s = state;
    json_t *data = NULL;
    int rc = ev->data_len > 0 ? fl_codec_to_json(ev->data, ev->data_len, &data) : 0;

    s->version = ev->sv;
    if (rc < 0 || data == NULL)
        return rc;
    if (strcmp(ev->type, "request.created") == 0) {
        s->exists = true;
        copy_str(s->id, sizeof(s->id), json_object_get(data, "id"));
        snprintf(s->number, sizeof(s->number), "%s", ev->num != NULL ? ev->num : "");
        s->created_at = ev->ts;
        rc = children_of(s, a, json_object_get(data, "children"));
    } else if (strcmp(ev->type, "request.submitted") == 0) {
        rc = chain_of(s, a, json_object_get(data, "steps"));
    } else if (strcmp(ev->type, "request.approved") == 0 ||
               strcmp(ev->type, "request.rejected") == 0) {
        decide_step(s, ev, data);
    } else if (strncmp(ev->type, "request.comment_", 16) == 0) {
        rc = fl__req_comment_fold(s, a, ev->type, data);
    }
    children_moved(s, ev, data);
    if (rc == 0)
        rc = fl__req_sla_fold(&s->sla, a, ev, data);
    if (rc == 0 && s->exists && strncmp(ev->type, "request.", 8) == 0) {
        json_t *row = fl__req_row_of(ev, data);
        s->updated_at = ev->ts;
        rc = apply_row(s, a, row);
        json_decref(row);
    }
    json_decref(data);
    return rc;
}

static void init_request(void *s)
{
    memset(s, 0, sizeof(fl_request_state_t));
}

const fl_agg_type_t fl_request_agg = {"request", sizeof(fl_request_state_t), init_request,
                                      request_fold};

bool fl_request_is_party(const fl_request_state_t *s, const char *user_id)
{
    return user_id != NULL && *user_id != '\0' &&
           (strcmp(s->requester_id, user_id) == 0 || strcmp(s->requested_for_id, user_id) == 0);
}

bool fl_request_is_parent(const fl_request_state_t *s)
{
    return s->bundle_id[0] != '\0' && s->parent_id[0] == '\0';
}

static bool is_final(fl_req_status_t st)
{
    return st == FL_REQ_COMPLETED || st == FL_REQ_CANCELLED || st == FL_REQ_REJECTED;
}

fl_req_status_t fl_request_bundle_status(const fl_req_status_t *children, size_t n)
{
    size_t count[FL_REQ_STATUS__N] = {0}, final = 0;

    for (size_t i = 0; i < n; i++) {
        if (children[i] < FL_REQ_STATUS__N)
            count[children[i]]++;
        final += is_final(children[i]) ? 1 : 0;
    }
    if (count[FL_REQ_PENDING_APPROVAL] > 0 || count[FL_REQ_NEW] > 0)
        return FL_REQ_PENDING_APPROVAL;
    if (final == n)
        return count[FL_REQ_COMPLETED] > 0   ? FL_REQ_COMPLETED
               : count[FL_REQ_REJECTED] == n ? FL_REQ_REJECTED
                                             : FL_REQ_CANCELLED;
    return count[FL_REQ_IN_PROGRESS] > 0 || count[FL_REQ_COMPLETED] > 0 ? FL_REQ_IN_PROGRESS
                                                                        : FL_REQ_APPROVED;
}

/* A parent's children as the API shows them (the read model adds request_number). */
static json_t *children_json(const fl_request_state_t *s)
{
    json_t *all = s->n_children > 0 ? fields_of(s) : NULL, *out = json_array(), *c;
    const json_t *kids = json_object_get(all, "children");

    for (size_t i = 0; i < s->n_children; i++) {
        c = json_pack("{s:s,s:s}", "id", s->children[i].id, "status",
                      fl_req_status_name(s->children[i].status));
        const json_t *k = json_array_get(kids, i);
        json_object_set(c, "catalog_item_id", json_object_get(k, "catalog_item_id"));
        json_object_set(c, "item_name", json_object_get(k, "item_name"));
        json_array_append_new(out, c);
    }
    json_decref(all);
    return out;
}

json_t *fl_request_to_json(const fl_request_state_t *s)
{
    json_t *j = fields_of(s);
    static const char *const times[] = {"started_at", "completed_at", "cancelled_at", "due_date"};
    json_t *breached = json_object_get(j, "sla_breached");

    for (size_t i = 0; fl__req_columns[i] != NULL; i++) {
        if (json_object_get(j, fl__req_columns[i]) == NULL)
            json_object_set_new(j, fl__req_columns[i], json_null());
    }
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        if (json_object_get(j, times[i]) == NULL)
            json_object_set_new(j, times[i], json_null());
    }
    json_object_set_new(j, "sla_breached", json_boolean(json_is_true(breached)));
    json_object_set_new(j, "children", children_json(s));
    json_object_set_new(j, "id", json_string(s->id));
    json_object_set_new(j, "request_number", json_string(s->number));
    json_object_set_new(j, "created_at", fl_json_time_or_null(s->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(s->updated_at));
    json_object_set_new(j, "version", json_integer((json_int_t)s->version));
    return j;
}

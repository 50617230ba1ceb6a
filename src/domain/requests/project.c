/*
 * Events -> SQL on the tenant schema's request tables
 * (schemas/tenant/0017_requests.sql). The row's columns an event sets come
 * from fl__req_row_of, the fold's own function, and PostgreSQL builds the
 * row from that JSON (jsonb_populate_record), so the column list below is
 * the only text that reaches the SQL; values are always parameters. Every
 * statement leaves the same rows when run again (upserts, plain sets, ids
 * derived from the event), so a replayed batch changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

#define COLS                                                                                       \
    "catalog_item_id, bundle_id, parent_id, item_name, requester_id, requested_for_id, "           \
    "assigned_to,"                                                                                 \
    " assigned_group, status, priority, form_data, form_version, approval_status, approval_type,"  \
    " approval_groups, current_approval_step, sla_policy_id, response_due_at, resolution_due_at,"  \
    " responded_at, sla_breached, due_date, completion_notes, started_at, completed_at,"           \
    " cancelled_at"

typedef struct stamp {
    const char *id;
    char ts[40], v[24];
} stamp_t;

static bool stamp_of(stamp_t *s, const fl_event_t *ev, const json_t *data)
{
    s->id = json_string_value(json_object_get(data, "id"));
    fl_time_format(ev->ts, s->ts, sizeof(s->ts));
    snprintf(s->v, sizeof(s->v), "%llu", (unsigned long long)ev->sv);
    return s->id != NULL && fl_uuid_is_valid(s->id);
}

/* JSON as text in the batch's arena (NULL when it cannot be written). */
static const char *text_of(fl_proj_out_t *out, const json_t *j)
{
    char *t = fl_json_dumps(j, 0);
    const char *copy = t != NULL ? fl_arena_strndup(fl_proj_arena(out), t, strlen(t)) : NULL;
    free(t);
    return copy;
}

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

/* A row's JSON text, emitted with emit (NULL text: FL_ETOOBIG). */
static int emit_json(fl_proj_out_t *out, const char *sql, json_t *row, const char *key)
{
    char *t = row != NULL ? fl_json_dumps(row, 0) : NULL;
    int rc = t == NULL     ? FL_ETOOBIG
             : key != NULL ? fl_proj_emit_row_keyed(out, sql, t, key)
                           : fl_proj_emit_row(out, sql, t, FL_PROJ_ROW_ANYWHERE);
    free(t);
    json_decref(row);
    return rc;
}

/*
 * A status move's history row (data.history_id names it). The history is a
 * table only these inserts write, its ids unique: its rows go anywhere.
 */
static int history(fl_proj_out_t *out, const stamp_t *s, const json_t *data)
{
    const char *hid = str(data, "history_id"), *to = str(data, "to");
    if (hid == NULL || !fl_uuid_is_valid(hid) || to == NULL)
        return 0;
    return emit_json(out,
                     "INSERT INTO request_status_history (id, request_id, from_status,"
                     " to_status, changed_by, reason, created_at) SELECT (x->>'id')::uuid,"
                     " (x->>'request_id')::uuid, x->>'from', x->>'to', (x->>'by')::uuid,"
                     " x->>'reason', (x->>'ts')::timestamptz FROM jsonb_array_elements($1::jsonb)"
                     " x ON CONFLICT (id) DO NOTHING",
                     json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s}", "id", hid, "request_id",
                               s->id, "from", str(data, "from"), "to", to, "by",
                               str(data, "changed_by"), "reason", str(data, "reason"), "ts", s->ts),
                     NULL);
}

/*
 * request.sla_warning / .sla_breached: a history row in the status the request
 * is in (keyed by the request, so it follows the request's own moves), dated
 * at the crossing, with event and details (the event's data). Its id is
 * derived from the request, the event and the metric: each is recorded once.
 */
static int sla_history(fl_proj_out_t *out, const fl_event_t *ev, const stamp_t *s,
                       const json_t *data)
{
    const char *metric = str(data, "metric"), *crossed = str(data, "crossed_at");
    if (metric == NULL || crossed == NULL)
        return 0;
    return emit_json(out,
                     "INSERT INTO request_status_history (id, request_id, from_status,"
                     " to_status, reason, created_at, event, details) SELECT md5((x->>'id') ||"
                     " ':' || (x->>'event') || ':' || (x->>'metric'))::uuid, r.id, r.status,"
                     " r.status, x->>'reason', (x->>'at')::timestamptz, x->>'event', x->'d' FROM"
                     " jsonb_array_elements($1::jsonb) x JOIN service_requests r ON r.id ="
                     " (x->>'id')::uuid ON CONFLICT (id) DO NOTHING",
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "id", s->id, "event", ev->type,
                               "metric", metric, "at", crossed, "reason",
                               strcmp(ev->type, "request.sla_breached") == 0
                                   ? (strcmp(metric, "response") == 0 ? "response SLA breached"
                                                                      : "resolution SLA breached")
                                   : (strcmp(metric, "response") == 0 ? "response SLA warning"
                                                                      : "resolution SLA warning"),
                               "d", data),
                     s->id);
}

/* request.submitted: one pending row per step (keyed by the request: decisions follow). */
static int chain(fl_proj_out_t *out, const stamp_t *s, const json_t *data)
{
    const json_t *steps = json_object_get(data, "steps");
    if (json_array_size(steps) == 0)
        return 0;
    return emit_json(out,
                     "INSERT INTO request_approvals (id, request_id, step_number,"
                     " approver_group_id, status, created_at) SELECT md5((x->>'id') || ':' ||"
                     " st.step_number)::uuid, (x->>'id')::uuid, st.step_number,"
                     " st.approver_group_id, 'pending', (x->>'ts')::timestamptz FROM"
                     " jsonb_array_elements($1::jsonb) x, jsonb_to_recordset(x->'steps') AS"
                     " st(step_number int, approver_group_id uuid) ON CONFLICT DO NOTHING",
                     json_pack("{s:s, s:O, s:s}", "id", s->id, "steps", steps, "ts", s->ts), s->id);
}

/* request.approved / .rejected: the decided step, then the steps it skipped. */
static int decision(fl_proj_out_t *out, const fl_event_t *ev, const stamp_t *s, const json_t *data)
{
    char step[24];
    snprintf(step, sizeof(step), "%lld",
             (long long)json_integer_value(json_object_get(data, "step_number")));
    const char *p[] = {s->id,
                       step,
                       strcmp(ev->type, "request.approved") == 0 ? "approved" : "rejected",
                       str(data, "approver_id"),
                       s->ts,
                       str(data, "comments"),
                       str(data, "delegated_from")};
    int rc = fl_proj_emit(out,
                          "UPDATE request_approvals SET status = $3, approver_id = $4::uuid,"
                          " decision_at = $5::timestamptz, comments = $6, delegated_from ="
                          " $7::uuid WHERE request_id = $1::uuid AND step_number = $2::int",
                          7, p);
    const char *q[] = {s->id, text_of(out, json_object_get(data, "skipped"))};
    if (rc == 0 && json_array_size(json_object_get(data, "skipped")) > 0)
        rc = fl_proj_emit(out,
                          "UPDATE request_approvals SET status = 'skipped' WHERE request_id ="
                          " $1::uuid AND step_number IN (SELECT"
                          " jsonb_array_elements_text($2::jsonb)::int)",
                          2, q);
    return rc;
}

static int comment(fl_proj_out_t *out, const stamp_t *s, const json_t *data)
{
    const json_t *internal = json_object_get(data, "is_internal");
    const char *p[] = {str(data, "comment_id"),
                       s->id,
                       str(data, "user_id"),
                       str(data, "body"),
                       json_is_true(internal) ? "true" : "false",
                       s->ts};
    if (p[0] == NULL || !fl_uuid_is_valid(p[0]) || p[3] == NULL)
        return 0;
    return fl_proj_emit(out,
                        "INSERT INTO request_comments (id, request_id, user_id, body, is_internal,"
                        " created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::boolean,"
                        " $6::timestamptz) ON CONFLICT (id) DO NOTHING",
                        6, p);
}

/*
 * request.comment_edited / .comment_deleted: a history row in the status the request is in
 * (keyed by the request, like sla_history), event the event's type, details {comment_id,
 * changed: the keys an edit set} but not the text, so the history keeps no copy of what a
 * deletion removed. Its id is derived from the request and the stream's version: one per event.
 */
static int comment_history(fl_proj_out_t *out, const fl_event_t *ev, const stamp_t *s,
                           const json_t *data)
{
    bool del = strcmp(ev->type, "request.comment_deleted") == 0;
    json_t *changed = json_array();

    for (size_t i = 0; !del && i < 2; i++) {
        const char *key = i == 0 ? "body" : "is_internal";
        if (json_object_get(data, key) != NULL)
            json_array_append_new(changed, json_string(key));
    }
    json_t *details =
        json_pack("{s:s, s:o}", "comment_id", str(data, "comment_id"), "changed", changed);
    if (del)
        json_object_del(details, "changed");
    return emit_json(out,
                     "INSERT INTO request_status_history (id, request_id, from_status,"
                     " to_status, changed_by, reason, created_at, event, details) SELECT"
                     " md5((x->>'id') || ':' || (x->>'v'))::uuid, r.id, r.status, r.status,"
                     " (x->>'by')::uuid, x->>'reason', (x->>'ts')::timestamptz, x->>'event',"
                     " x->'d' FROM jsonb_array_elements($1::jsonb) x JOIN service_requests r ON"
                     " r.id = (x->>'id')::uuid ON CONFLICT (id) DO NOTHING",
                     json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:o}", "id", s->id, "v", s->v, "by",
                               str(data, "changed_by"), "reason",
                               del ? "comment deleted" : "comment edited", "ts", s->ts, "event",
                               ev->type, "d", details),
                     s->id);
}

/*
 * request.created: the row (keyed by the request, so the inserts of a batch's
 * requests gather past each other's updates) and its creation's history row,
 * whose id is derived from the request's so that a replay adds none. The
 * row's keys are the columns, the defaults of the ones it may lack set
 * here: json_populate_recordset converts each value once, without a jsonb
 * array of the batch or per-row merges (40 % cheaper than jsonb_populate_record
 * over jsonb_array_elements; "SELECT (f(x)).*" would even call f per column).
 */
static int created(fl_proj_out_t *out, const stamp_t *s, const fl_event_t *ev, const json_t *data)
{
    json_t *row = fl__req_row_of(ev, data);
    json_object_set_new(row, "id", json_string(s->id));
    json_object_set_new(row, "request_number", json_string(ev->num != NULL ? ev->num : ""));
    if (json_object_get(row, "current_approval_step") == NULL)
        json_object_set_new(row, "current_approval_step", json_integer(0));
    if (json_object_get(row, "sla_breached") == NULL)
        json_object_set_new(row, "sla_breached", json_false());
    json_object_set_new(row, "created_at", json_string(s->ts));
    json_object_set_new(row, "updated_at", json_string(s->ts));
    json_object_set_new(row, "version", json_integer((json_int_t)ev->sv));
    int rc = emit_json(out,
                       "INSERT INTO service_requests (id, request_number, created_at, updated_at,"
                       " version, " COLS ") SELECT id, request_number, created_at, updated_at,"
                       " version, " COLS " FROM json_populate_recordset(NULL::service_requests,"
                       " $1::json) ON CONFLICT (id) DO NOTHING",
                       row, s->id);
    if (rc == 0)
        rc = emit_json(out,
                       "INSERT INTO request_status_history (id, request_id, from_status,"
                       " to_status, changed_by, created_at) SELECT md5((x->>'id') ||"
                       " ':new')::uuid, (x->>'id')::uuid, NULL, 'new', (x->>'by')::uuid,"
                       " (x->>'ts')::timestamptz FROM jsonb_array_elements($1::jsonb) x"
                       " ON CONFLICT (id) DO NOTHING",
                       json_pack("{s:s, s:s?, s:s}", "id", s->id, "by", str(data, "requester_id"),
                                 "ts", s->ts),
                       NULL);
    return rc;
}

static int on_event(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;
    if (!stamp_of(&s, ev, data))
        return 0; /* not an event this code can read: skipped */
    if (strcmp(ev->type, "request.created") == 0)
        return created(out, &s, ev, data);
    /* Keyed by the request: one statement takes a request once, in its events' order. */
    int rc = emit_json(out,
                       "UPDATE service_requests t SET (" COLS ") = (SELECT " COLS
                       " FROM jsonb_populate_record(t, x->'r')), updated_at ="
                       " (x->>'ts')::timestamptz, version = (x->>'v')::bigint FROM"
                       " jsonb_array_elements($1::jsonb) x WHERE t.id = (x->>'id')::uuid",
                       json_pack("{s:s, s:o, s:s, s:s}", "id", s.id, "r", fl__req_row_of(ev, data),
                                 "ts", s.ts, "v", s.v),
                       s.id);
    if (rc == 0)
        rc = history(out, &s, data);
    if (rc == 0 && strcmp(ev->type, "request.submitted") == 0)
        rc = chain(out, &s, data);
    if (rc == 0 && strcmp(ev->type, "request.comment_added") == 0)
        rc = comment(out, &s, data);
    if (rc == 0 && json_object_get(data, "step_number") != NULL)
        rc = decision(out, ev, &s, data);
    if (rc == 0 && strncmp(ev->type, "request.sla_", 12) == 0)
        rc = sla_history(out, ev, &s, data);
    return rc;
}

/*
 * An edit or deletion: the request's row and history as on_event, the comment's row (a plain
 * statement, so after the insert of its creation in the same batch), then the history row.
 */
static int on_comment_change(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;
    int rc = on_event(out, ev, data);
    const char *cid = str(data, "comment_id");
    if (rc != 0 || !stamp_of(&s, ev, data) || cid == NULL || !fl_uuid_is_valid(cid))
        return rc;
    const json_t *internal = json_object_get(data, "is_internal");
    const char *p[] = {cid, s.id, s.ts, str(data, "body"),
                       json_is_boolean(internal) ? (json_is_true(internal) ? "true" : "false")
                                                 : NULL};
    if (strcmp(ev->type, "request.comment_deleted") == 0)
        rc = fl_proj_emit(out,
                          "UPDATE request_comments SET deleted_at = $3::timestamptz"
                          " WHERE id = $1::uuid AND request_id = $2::uuid",
                          3, p);
    else
        rc = fl_proj_emit(out,
                          "UPDATE request_comments SET body = coalesce($4, body), is_internal ="
                          " coalesce($5::boolean, is_internal), edited_at = $3::timestamptz"
                          " WHERE id = $1::uuid AND request_id = $2::uuid",
                          5, p);
    return rc == 0 ? comment_history(out, ev, &s, data) : rc;
}

/*
 * request.sla_breached: the row and history as on_event, then sla_breach_type, which takes the
 * row's own value into account (the metric, or "both" once the other clock breached too, as the
 * fold decides it): keyed by the request, after its row's update. A replay sets the same value.
 */
static int on_breached(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;
    int rc = on_event(out, ev, data);
    const char *m = str(data, "metric");
    if (rc != 0 || !stamp_of(&s, ev, data) || m == NULL ||
        (strcmp(m, "response") != 0 && strcmp(m, "resolution") != 0))
        return rc;
    return emit_json(out,
                     "UPDATE service_requests t SET sla_breach_type = CASE WHEN t.sla_breach_type"
                     " IS NULL OR t.sla_breach_type = x->>'m' THEN x->>'m' ELSE 'both' END FROM"
                     " jsonb_array_elements($1::jsonb) x WHERE t.id = (x->>'id')::uuid",
                     json_pack("{s:s, s:s}", "id", s.id, "m", m), s.id);
}

const fl_proj_handler_t fl_requests_projections[] = {
    {"request.created", on_event},
    {"request.submitted", on_event},
    {"request.approved", on_event},
    {"request.rejected", on_event},
    {"request.assigned", on_event},
    {"request.started", on_event},
    {"request.completed", on_event},
    {"request.cancelled", on_event},
    {"request.reopened", on_event},
    {"request.updated", on_event},
    {"request.comment_added", on_event},
    {"request.comment_edited", on_comment_change},
    {"request.comment_deleted", on_comment_change},
    {"request.child_moved", on_event},
    {"request.progressed", on_event},
    {"request.sla_warning", on_event},
    {"request.sla_breached", on_breached},
    {NULL, NULL},
};

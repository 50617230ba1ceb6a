/*
 * sla:config -> the read model of schemas/tenant/0012_sla.sql: business_hours
 * with their schedule and holidays, sla_policies with their targets.
 *
 * An event's body is read back through the decoders the fold uses, so what
 * reaches the SQL is exactly what the write side holds (a body they refuse
 * is skipped, as the fold would refuse it), and rendered again as JSON: one
 * jsonb parameter that every statement of the event picks its values from.
 *
 * Each handler may run again on rows that already hold its result (a rebuild
 * over a live schema, a retried batch), so the parent row is an upsert and
 * the children are replaced whole. A new default first clears every other
 * live default of its kind rather than only the event's cleared_default:
 * that is the same row when the events are applied in order, and replaying
 * an old event over newer rows cannot trip the one-default unique index.
 * Deletion is soft: the row keeps its children and stays a target for the
 * foreign keys of policies and history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

/* Parameters of a _created/_updated statement: $1 id, $2 body, $3 time, $4 version, $5 created. */
typedef struct stmt {
    const char *sql;
    int nparams; /* the first n of the five */
} stmt_t;

static const stmt_t hours_put[] = {
    {"UPDATE business_hours SET is_default = false, version = $4, updated_at = $3::timestamptz"
     " WHERE is_default AND deleted_at IS NULL AND id <> $1::uuid"
     " AND ($2::jsonb->>'is_default')::boolean",
     4},
    {"INSERT INTO business_hours (id, name, timezone, is_default, created_at, updated_at,"
     " deleted_at, version) SELECT $1::uuid, b->>'name', b->>'timezone',"
     " (b->>'is_default')::boolean, $3::timestamptz, $3::timestamptz, NULL, $4"
     " FROM (SELECT $2::jsonb AS b) s ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
     " timezone = EXCLUDED.timezone, is_default = EXCLUDED.is_default, created_at = CASE WHEN"
     " $5::boolean THEN EXCLUDED.created_at ELSE business_hours.created_at END,"
     " updated_at = EXCLUDED.updated_at, deleted_at = NULL, version = EXCLUDED.version",
     5},
    {"DELETE FROM business_hours_schedule WHERE business_hours_id = $1::uuid", 1},
    {"INSERT INTO business_hours_schedule (business_hours_id, day_of_week, start_time, end_time)"
     " SELECT $1::uuid, (e->>'day_of_week')::int, (e->>'start_time')::time,"
     " (e->>'end_time')::time FROM jsonb_array_elements($2::jsonb->'schedule')"
     " WITH ORDINALITY AS x(e, n) ORDER BY n",
     2},
    {"DELETE FROM business_hours_holidays WHERE business_hours_id = $1::uuid", 1},
    {"INSERT INTO business_hours_holidays (business_hours_id, holiday_date, name)"
     " SELECT $1::uuid, (e->>'holiday_date')::date, e->>'name'"
     " FROM jsonb_array_elements($2::jsonb->'holidays') WITH ORDINALITY AS x(e, n) ORDER BY n",
     2},
};

static const stmt_t policy_put[] = {
    {"UPDATE sla_policies SET is_default = false, version = $4, updated_at = $3::timestamptz"
     " WHERE is_default AND deleted_at IS NULL AND id <> $1::uuid"
     " AND entity_type = $2::jsonb->>'entity_type' AND ($2::jsonb->>'is_default')::boolean",
     4},
    {"INSERT INTO sla_policies (id, name, description, entity_type, is_default, conditions,"
     " business_hours_id, created_at, updated_at, deleted_at, version) SELECT $1::uuid,"
     " b->>'name', b->>'description', b->>'entity_type', (b->>'is_default')::boolean,"
     " coalesce(b->'conditions', '{}'), (b->>'business_hours_id')::uuid, $3::timestamptz,"
     " $3::timestamptz, NULL, $4 FROM (SELECT $2::jsonb AS b) s ON CONFLICT (id) DO UPDATE SET"
     " name = EXCLUDED.name, description = EXCLUDED.description, entity_type ="
     " EXCLUDED.entity_type, is_default = EXCLUDED.is_default, conditions = EXCLUDED.conditions,"
     " business_hours_id = EXCLUDED.business_hours_id, created_at = CASE WHEN $5::boolean"
     " THEN EXCLUDED.created_at ELSE sla_policies.created_at END, updated_at ="
     " EXCLUDED.updated_at, deleted_at = NULL, version = EXCLUDED.version",
     5},
    {"DELETE FROM sla_targets WHERE policy_id = $1::uuid", 1},
    {"INSERT INTO sla_targets (policy_id, metric_type, priority, target_minutes, warning_percent,"
     " business_hours_only, created_at) SELECT $1::uuid, e->>'metric_type', e->>'priority',"
     " (e->>'target_minutes')::int, (e->>'warning_percent')::int,"
     " (e->>'business_hours_only')::boolean, $3::timestamptz"
     " FROM jsonb_array_elements($2::jsonb->'targets') WITH ORDINALITY AS x(e, n) ORDER BY n",
     3},
};

#define N(arr) (sizeof(arr) / sizeof((arr)[0]))

/* The event's id, when it is a UUID. */
static const char *id_of(const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "id"));

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* j (taken) as compact JSON text in the batch's arena; NULL when memory ran out. */
static const char *dump(fl_proj_out_t *out, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    const char *copy =
        text != NULL ? fl_arena_strndup(fl_proj_arena(out), text, strlen(text)) : NULL;

    free(text);
    json_decref(j);
    return copy;
}

/* The event's time and stream version as text, in the batch's arena. */
static void stamp(fl_proj_out_t *out, const fl_event_t *ev, const char **ts, const char **version)
{
    char buf[40];

    fl_time_format(ev->ts, buf, sizeof(buf));
    *ts = fl_arena_strndup(fl_proj_arena(out), buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ev->sv);
    *version = fl_arena_strndup(fl_proj_arena(out), buf, strlen(buf));
}

/* The statements of a put, with the canonical body (NULL: the event was skipped). */
static int emit_put(fl_proj_out_t *out, const fl_event_t *ev, const char *id, const char *body,
                    bool created, const stmt_t *stmts, size_t n)
{
    const char *p[5] = {id, body, NULL, NULL, created ? "true" : "false"};
    int rc = 0;

    if (body == NULL)
        return FL_ETOOBIG;
    stamp(out, ev, &p[2], &p[3]);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fl_proj_emit(out, stmts[i].sql, stmts[i].nparams, p);
    return rc;
}

static int hours_put_event(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data,
                           bool created)
{
    const char *id = id_of(data);
    fl_cal_def_t def;
    fl_decision_t d;
    int rc;

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_decision_init(&d);
    rc = fl_cal_decode(json_object_get(data, "body"), fl_proj_arena(out), &d, &def);
    fl_decision_release(&d);
    if (rc != 0)
        return 0;
    return emit_put(out, ev, id, dump(out, fl_cal_def_json(&def)), created, hours_put,
                    N(hours_put));
}

static int policy_put_event(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data,
                            bool created)
{
    const char *id = id_of(data);
    fl_sla_policy_t p;
    fl_decision_t d;
    int rc;

    if (id == NULL)
        return 0;
    fl_decision_init(&d);
    rc = fl_sla_policy_decode(json_object_get(data, "body"), NULL, fl_proj_arena(out), &d, &p);
    fl_decision_release(&d);
    if (rc != 0)
        return 0;
    return emit_put(out, ev, id, dump(out, fl_sla_policy_json(&p)), created, policy_put,
                    N(policy_put));
}

static int deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data, const char *sql)
{
    const char *p[3] = {id_of(data), NULL, NULL};

    if (p[0] == NULL)
        return 0;
    stamp(out, ev, &p[1], &p[2]);
    return fl_proj_emit(out, sql, 3, p);
}

static int on_hours_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return hours_put_event(out, ev, data, true);
}

static int on_hours_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return hours_put_event(out, ev, data, false);
}

static int on_hours_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return deleted(out, ev, data,
                   "UPDATE business_hours SET deleted_at = $2::timestamptz, updated_at ="
                   " $2::timestamptz, version = $3 WHERE id = $1::uuid");
}

static int on_policy_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return policy_put_event(out, ev, data, true);
}

static int on_policy_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return policy_put_event(out, ev, data, false);
}

static int on_policy_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return deleted(out, ev, data,
                   "UPDATE sla_policies SET deleted_at = $2::timestamptz, updated_at ="
                   " $2::timestamptz, version = $3 WHERE id = $1::uuid");
}

const fl_proj_handler_t fl_sla_config_projections[] = {
    {"sla.business_hours_created", on_hours_created},
    {"sla.business_hours_updated", on_hours_updated},
    {"sla.business_hours_deleted", on_hours_deleted},
    {"sla.policy_created", on_policy_created},
    {"sla.policy_updated", on_policy_updated},
    {"sla.policy_deleted", on_policy_deleted},
    {NULL, NULL},
};

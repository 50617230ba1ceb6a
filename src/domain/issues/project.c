/*
 * Events -> SQL on the tenant schema's issues and issue_status_history
 * tables (schemas/tenant/0010_issues.sql). Values are always parameters:
 * an event's fields travel as one jsonb parameter read back through
 * jsonb_populate_record(NULL::issues, ...), so each column gets its own
 * type; column names come from the field table only. Handlers may run
 * again on an equal row (rebuilds, retried batches): inserts are upserts,
 * history rows are keyed by the event's history_id.
 *
 * Every event sets the row's version (the stream version) and updated_at.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

#define TS_LEN  40
#define SQL_MAX 8192

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = json_string_value(json_object_get(data, key));

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* The compact JSON of v in the projector's arena, or NULL. */
static const char *dump(fl_proj_out_t *out, const json_t *v)
{
    const char *text = NULL;

    return fl__iss_value_text(fl_proj_arena(out), v, &text) < 0 ? NULL : text;
}

static char *sql_copy(fl_proj_out_t *out, const char *sql, size_t len)
{
    return fl_arena_strndup(fl_proj_arena(out), sql, len);
}

/*
 * One INSERT for every issue.created of a batch (fl_proj_emit_row): each
 * row is {id, num, d: the event's fields, ts, v}. A new issue's row is read
 * by nothing earlier in the batch, so gathering it is safe; the per-statement
 * cost is what dominated creating issues in bulk.
 */
/* The INSERT every issue.created shares: built once (its words come from the field table). */
static char created_sql[SQL_MAX];

static void build_created_sql(void)
{
    char *sql = created_sql;
    size_t n = 0;

    n += (size_t)snprintf(sql + n, SQL_MAX - n, "INSERT INTO issues (id, issue_number");
    for (int i = 0; i < FL_ISSUE_F__N; i++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", %s", fl_issue_field_name(i));
    for (size_t k = 0; fl__iss_sla_keys[k] != NULL; k++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", %s", fl__iss_sla_keys[k]);
    n += (size_t)snprintf(sql + n, SQL_MAX - n,
                          ", created_at, updated_at, version, deleted_at)"
                          " SELECT (x->>'id')::uuid, x->>'num'");
    for (int i = 0; i < FL_ISSUE_F__N; i++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", r.%s", fl_issue_field_name(i));
    for (size_t k = 0; fl__iss_sla_keys[k] != NULL; k++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", r.%s", fl__iss_sla_keys[k]);
    n += (size_t)snprintf(sql + n, SQL_MAX - n,
                          ", (x->>'ts')::timestamptz, (x->>'ts')::timestamptz, (x->>'v')::bigint,"
                          " NULL FROM jsonb_array_elements($1::jsonb) x,"
                          " jsonb_populate_record(NULL::issues, x->'d') r"
                          " ON CONFLICT (id) DO UPDATE SET issue_number = EXCLUDED.issue_number");
    for (int i = 0; i < FL_ISSUE_F__N; i++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", %s = EXCLUDED.%s", fl_issue_field_name(i),
                              fl_issue_field_name(i));
    for (size_t k = 0; fl__iss_sla_keys[k] != NULL; k++)
        n += (size_t)snprintf(sql + n, SQL_MAX - n, ", %s = EXCLUDED.%s", fl__iss_sla_keys[k],
                              fl__iss_sla_keys[k]);
    n += (size_t)snprintf(sql + n, SQL_MAX - n,
                          ", created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,"
                          " version = EXCLUDED.version, deleted_at = NULL");
    fl_assert(n < SQL_MAX); /* the words are all ours */
}

/*
 * One INSERT for every issue.created of a batch (fl_proj_emit_row): each
 * row is {id, num, d: the event's fields, ts, v}. A new issue's row is read
 * by nothing earlier in the batch, so gathering it is safe; the per-statement
 * cost is what dominated creating issues in bulk.
 */
static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], ver[24];
    json_t *row;
    char *text;
    int rc = FL_ETOOBIG;

    if (id == NULL)
        return 0;
    pthread_once(&once, build_created_sql);
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    row = json_pack("{s:s, s:s, s:O, s:s, s:s}", "id", id, "num",
                    ev->num != NULL && ev->num[0] != '\0' ? ev->num : id, "d", data, "ts", ts, "v",
                    ver);
    if (row != NULL && (text = fl_json_dumps(row, 0)) != NULL) {
        /* The SLA stamps ride in the same row. */
        rc = fl_proj_emit_row(out, created_sql, text, 0);
        free(text);
    }
    json_decref(row);
    return rc;
}

static int on_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *values;
    const json_t *changes = json_object_get(data, "changes");
    json_t *to = json_object();
    char sql[SQL_MAX], ts[TS_LEN], ver[24];
    size_t n = 0;
    char *q;

    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    n += (size_t)snprintf(sql + n, sizeof(sql) - n,
                          "UPDATE issues i SET updated_at = $3::timestamptz, version = $4::bigint");
    for (int i = 0; i < FL_ISSUE_F__N; i++) {
        const json_t *c = json_object_get(changes, fl_issue_field_name(i));
        if (c == NULL || i == FL_ISSUE_STATUS)
            continue;
        json_object_set(to, fl_issue_field_name(i), json_object_get(c, "to"));
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s = r.%s", fl_issue_field_name(i),
                              fl_issue_field_name(i));
    }
    n += (size_t)snprintf(sql + n, sizeof(sql) - n,
                          " FROM jsonb_populate_record(NULL::issues, $2::jsonb) r"
                          " WHERE i.id = $1::uuid");
    fl_assert(n < sizeof(sql));
    values = dump(out, to);
    json_decref(to);
    if (id == NULL || values == NULL)
        return 0;
    if ((q = sql_copy(out, sql, n)) == NULL)
        return FL_ETOOBIG;
    const char *p[] = {id, values, ts, ver};
    int rc = fl_proj_emit(out, q, 4, p);
    return rc < 0 ? rc : fl__iss_project_sla(out, data);
}

static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], ver[24];

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, ts, ver};
    return fl_proj_emit(out,
                        "UPDATE issues SET deleted_at = $2::timestamptz, updated_at = "
                        "$2::timestamptz, version = $3::bigint WHERE id = $1::uuid",
                        3, p);
}

/*
 * A status move: the row's status and the times it sets (first response on
 * the first move out of new, with its wall minutes; resolved_at, closed_at;
 * a reopen clears both), what its decision stamped (the SLA's columns; the
 * stamped wall minutes replace the ones computed here, which remain for
 * events decided before stamps existed), and the issue_status_history row.
 */
int fl__iss_project_move(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *hid = uuid_of(data, "history_id");
    const char *from = json_string_value(json_object_get(data, "from"));
    const char *to = json_string_value(json_object_get(data, "to"));
    const char *by = uuid_of(data, "changed_by");
    const char *reason = json_string_value(json_object_get(data, "reason"));
    const char *reopen = strcmp(ev->type, "issue.reopened") == 0 ? "t" : "f";
    char ts[TS_LEN], ver[24];
    int rc;

    if (id == NULL || hid == NULL || to == NULL || fl_issue_status_parse(to) < 0)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, to, ts, ver, reopen};
    rc = fl_proj_emit(
        out,
        "UPDATE issues SET status = $2::text, updated_at = $3::timestamptz, version = $4::bigint,"
        " first_response_at = CASE WHEN first_response_at IS NULL AND $2::text <> 'new'"
        " THEN $3::timestamptz ELSE first_response_at END,"
        " time_to_first_response = CASE WHEN first_response_at IS NULL AND $2::text <> 'new'"
        " THEN (extract(epoch FROM $3::timestamptz - created_at) / 60)::integer"
        " ELSE time_to_first_response END,"
        " resolved_at = CASE WHEN $2::text = 'resolved' THEN $3::timestamptz"
        " WHEN $5::boolean THEN NULL ELSE resolved_at END,"
        " time_to_resolution = CASE WHEN $2::text = 'resolved'"
        " THEN (extract(epoch FROM $3::timestamptz - created_at) / 60)::integer"
        " WHEN $5::boolean THEN NULL ELSE time_to_resolution END,"
        " closed_at = CASE WHEN $2::text = 'closed' THEN $3::timestamptz"
        " WHEN $5::boolean THEN NULL ELSE closed_at END"
        " WHERE id = $1::uuid",
        5, p);
    if (rc < 0 || (rc = fl__iss_project_sla(out, data)) < 0)
        return rc;
    const char *h[] = {hid, id, from, to, by, reason, ts};
    return fl_proj_emit(out,
                        "INSERT INTO issue_status_history (id, issue_id, from_status, to_status,"
                        " changed_by, reason, created_at) VALUES ($1::uuid, $2::uuid, $3, $4,"
                        " $5::uuid, $6, $7::timestamptz) ON CONFLICT (id) DO NOTHING",
                        7, h);
}

int fl__iss_project_sla(fl_proj_out_t *out, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *values;
    json_t *set = json_object();
    char sql[SQL_MAX];
    size_t n = 0;
    char *q;

    n += (size_t)snprintf(sql + n, sizeof(sql) - n, "UPDATE issues i SET ");
    for (size_t k = 0; fl__iss_sla_keys[k] != NULL; k++) {
        const char *key = fl__iss_sla_keys[k];
        if (json_object_get(data, key) == NULL)
            continue;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s = r.%s",
                              json_object_size(set) > 0 ? ", " : "", key, key);
        json_object_set(set, key, json_object_get(data, key));
    }
    n += (size_t)snprintf(sql + n, sizeof(sql) - n,
                          " FROM jsonb_populate_record(NULL::issues, $2::jsonb) r"
                          " WHERE i.id = $1::uuid");
    fl_assert(n < sizeof(sql));
    values = json_object_size(set) > 0 ? dump(out, set) : NULL;
    json_decref(set);
    if (id == NULL || values == NULL)
        return 0; /* nothing stamped (or the arena is spent: the handlers' rule) */
    if ((q = sql_copy(out, sql, n)) == NULL)
        return FL_ETOOBIG;
    const char *p[] = {id, values};
    return fl_proj_emit(out, q, 2, p);
}

/* The status moves of the actions are in project_actions.c. */
static int on_status_changed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return fl__iss_project_move(out, ev, data);
}

const fl_proj_handler_t fl_issues_projections[] = {
    {"issue.created", on_created},
    {"issue.updated", on_updated},
    {"issue.deleted", on_deleted},
    {"issue.status_changed", on_status_changed},
    {NULL, NULL},
};

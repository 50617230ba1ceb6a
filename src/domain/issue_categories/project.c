/*
 * Events -> SQL on the tenant schema's issue_categories table
 * (schemas/tenant/0011_issue_categories.sql). Values are always parameters.
 * Each handler may run again on an equal row (rebuild, retried batch), so
 * the insert is an upsert and updates set values. The children streams'
 * linked/unlinked events need no SQL: parent_id comes with created/updated.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS_LEN 40

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = json_string_value(json_object_get(data, key));

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* A JSON scalar as the text PostgreSQL casts (NULL for null), in the batch's arena. */
static const char *text_of(fl_proj_out_t *out, const json_t *v)
{
    char buf[32];

    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
    else
        return NULL;
    return fl_arena_strndup(fl_proj_arena(out), buf, strlen(buf));
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], v[24];

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id,
                       json_string_value(json_object_get(data, "name")),
                       text_of(out, json_object_get(data, "description")),
                       uuid_of(data, "parent_id"),
                       text_of(out, json_object_get(data, "sort_order")),
                       text_of(out, json_object_get(data, "is_active")),
                       ts,
                       v};
    return fl_proj_emit(out,
                        "INSERT INTO issue_categories (id, name, description, parent_id,"
                        " sort_order, is_active, created_at, updated_at, deleted_at, version)"
                        " VALUES ($1::uuid, $2, $3, $4::uuid, coalesce($5::int, 0),"
                        " coalesce($6::boolean, true), $7::timestamptz, $7::timestamptz, NULL, $8)"
                        " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description ="
                        " EXCLUDED.description, parent_id = EXCLUDED.parent_id, sort_order ="
                        " EXCLUDED.sort_order, is_active = EXCLUDED.is_active, created_at ="
                        " EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, deleted_at = NULL,"
                        " version = EXCLUDED.version",
                        8, p);
}

/* One statement per changed column; the column names come from this table only. */
static const char *const set_sql[][2] = {
    {"name", "UPDATE issue_categories SET name = $2 WHERE id = $1::uuid"},
    {"description", "UPDATE issue_categories SET description = $2 WHERE id = $1::uuid"},
    {"parent_id", "UPDATE issue_categories SET parent_id = $2::uuid WHERE id = $1::uuid"},
    {"sort_order", "UPDATE issue_categories SET sort_order = $2::int WHERE id = $1::uuid"},
    {"is_active", "UPDATE issue_categories SET is_active = $2::boolean WHERE id = $1::uuid"},
};

static int set_version(fl_proj_out_t *out, const fl_event_t *ev, const char *id)
{
    char ts[TS_LEN], v[24];

    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, v, ts};
    return fl_proj_emit(out,
                        "UPDATE issue_categories SET version = $2, updated_at = $3::timestamptz"
                        " WHERE id = $1::uuid",
                        3, p);
}

static int on_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    const json_t *ch = json_object_get(data, "changes");
    int rc = 0;

    if (id == NULL || !json_is_object(ch))
        return 0;
    for (size_t i = 0; rc == 0 && i < sizeof(set_sql) / sizeof(set_sql[0]); i++) {
        const json_t *c = json_object_get(ch, set_sql[i][0]);
        if (c == NULL)
            continue;
        const char *p[] = {id, text_of(out, json_object_get(c, "to"))};
        rc = fl_proj_emit(out, set_sql[i][1], 2, p);
    }
    return rc < 0 ? rc : set_version(out, ev, id);
}

/* Soft: the row stays, so issues that name the category keep a real target. */
static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN];
    int rc;

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, ts};
    rc = fl_proj_emit(
        out, "UPDATE issue_categories SET deleted_at = $2::timestamptz WHERE id = $1::uuid", 2, p);
    return rc < 0 ? rc : set_version(out, ev, id);
}

const fl_proj_handler_t fl_icats_projections[] = {
    {"issue_category.created", on_created},
    {"issue_category.updated", on_updated},
    {"issue_category.deleted", on_deleted},
    {NULL, NULL},
};

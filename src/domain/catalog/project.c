/*
 * Events -> SQL on the tenant schema's catalog tables
 * (schemas/tenant/0014_catalog.sql). Events carry the spec's column names,
 * so a row is built by PostgreSQL from the event's JSON
 * (jsonb_populate_record: a created event is the whole row, an updated
 * event's {column: to} overlays the current row); the column lists below are
 * the only words that reach the SQL. Values are always parameters. Each
 * statement gives the same row when run again (an upsert, plain sets, and
 * item counts recounted rather than incremented).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

#define CAT_COLS "name, description, icon, color, sort_order, parent_id, status"
#define ITEM_COLS                                                                                  \
    "category_id, name, short_desc, description, icon, image_url, form_schema,"                    \
    " fulfillment_type, fulfillment_config, fulfillment_group_id, approval_required,"              \
    " approval_type, approval_groups, sla_policy_id, default_priority, estimated_hours, cost,"     \
    " cost_type, cost_center, visible_to_groups, tags, sort_order"
#define BUNDLE_COLS "name, description, icon, status, discount_percent"

/* A created row: the event's fields, its time and version (and extra), as the table's record.
 * Run again on the same event it leaves the row as it is. The record is built in FROM:
 * "SELECT (f(x)).*" would call f once per column. */
#define UPSERT(table, extra)                                                                       \
    "INSERT INTO " table " SELECT r.* FROM jsonb_populate_record(NULL::" table ", $1::jsonb ||"    \
    " jsonb_build_object('created_at', $2::timestamptz, 'updated_at', $2::timestamptz,"            \
    " 'version', $3::bigint" extra ")) r ON CONFLICT (id) DO NOTHING"

#define OVERLAY(table, cols)                                                                       \
    "UPDATE " table " t SET (" cols ") = (SELECT " cols " FROM jsonb_populate_record(t,"           \
    " $2::jsonb)), updated_at = $3::timestamptz, version = $4::bigint WHERE id = $1::uuid"

#define STAMP(table, set)                                                                          \
    "UPDATE " table " SET " set "updated_at = $2::timestamptz, version = $3::bigint"               \
    " WHERE id = $1::uuid"

typedef struct table {
    const char *upsert, *overlay, *deleted;
} table_t;

static const table_t categories = {
    UPSERT("catalog_categories", ", 'item_count', 0"),
    OVERLAY("catalog_categories", CAT_COLS),
    STAMP("catalog_categories", "deleted_at = $2::timestamptz, "),
};
static const table_t items = {
    UPSERT("catalog_items", ", 'status', 'draft', 'form_version', 0"),
    OVERLAY("catalog_items", ITEM_COLS),
    NULL,
};
static const table_t bundles = {
    UPSERT("catalog_bundles", ""),
    OVERLAY("catalog_bundles", BUNDLE_COLS),
    STAMP("catalog_bundles", "deleted_at = $2::timestamptz, "),
};

typedef struct stamp {
    const char *id;
    char ts[40], v[24];
} stamp_t;

/* The event's entity id (data.<key>, a uuid) and its time and version as text. */
static bool stamp_of(stamp_t *s, const fl_event_t *ev, const json_t *data, const char *key)
{
    s->id = json_string_value(json_object_get(data, key));
    fl_time_format(ev->ts, s->ts, sizeof(s->ts));
    snprintf(s->v, sizeof(s->v), "%llu", (unsigned long long)ev->sv);
    return s->id != NULL && fl_uuid_is_valid(s->id);
}

/* The JSON as text in the batch's arena (NULL on failure). */
static const char *text_of(fl_proj_out_t *out, const json_t *j)
{
    char *t = fl_json_dumps(j, 0);
    const char *copy = t != NULL ? fl_arena_strndup(fl_proj_arena(out), t, strlen(t)) : NULL;

    free(t);
    return copy;
}

/* A bundle's items, replaced whole. */
static int bundle_items(fl_proj_out_t *out, const char *id, const json_t *list)
{
    const char *p[] = {id, text_of(out, list)};
    int rc = fl_proj_emit(out, "DELETE FROM catalog_bundle_items WHERE bundle_id = $1::uuid", 1, p);

    if (rc == 0 && json_is_array(list))
        rc = fl_proj_emit(out,
                          "INSERT INTO catalog_bundle_items (bundle_id, item_id, quantity,"
                          " sort_order) SELECT $1::uuid, x.item_id, x.quantity, x.sort_order"
                          " FROM jsonb_to_recordset($2::jsonb) AS x(item_id uuid, quantity int,"
                          " sort_order int) ON CONFLICT DO NOTHING",
                          2, p);
    return rc;
}

static int created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data, const table_t *t)
{
    stamp_t s;
    int rc;

    if (!stamp_of(&s, ev, data, "id"))
        return 0; /* not an event this code can read: skipped */
    json_t *row = json_deep_copy(data);
    json_object_del(row, "items");
    const char *p[] = {text_of(out, row), s.ts, s.v};
    json_decref(row);
    rc = fl_proj_emit(out, t->upsert, 3, p);
    if (rc == 0 && t == &bundles)
        rc = bundle_items(out, s.id, json_object_get(data, "items"));
    return rc;
}

static int updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data, const table_t *t)
{
    const json_t *ch = json_object_get(data, "changes"), *c;
    json_t *to = json_object();
    const char *key;
    stamp_t s;
    int rc;

    if (!stamp_of(&s, ev, data, "id") || !json_is_object(ch)) {
        json_decref(to);
        return 0;
    }
    json_object_foreach((json_t *)ch, key, c) json_object_set(to, key, json_object_get(c, "to"));
    const char *p[] = {s.id, text_of(out, to), s.ts, s.v};
    rc = fl_proj_emit(out, t->overlay, 4, p);
    if (rc == 0 && t == &bundles && json_object_get(to, "items") != NULL)
        rc = bundle_items(out, s.id, json_object_get(to, "items"));
    json_decref(to);
    return rc;
}

static int deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data, const table_t *t)
{
    stamp_t s;

    if (!stamp_of(&s, ev, data, "id"))
        return 0;
    const char *p[] = {s.id, s.ts, s.v};
    return fl_proj_emit(out, t->deleted, 3, p);
}

#define HANDLERS(name, table)                                                                      \
    static int name##_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)        \
    {                                                                                              \
        return created(out, ev, data, &table);                                                     \
    }                                                                                              \
    static int name##_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)        \
    {                                                                                              \
        return updated(out, ev, data, &table);                                                     \
    }

static int category_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return deleted(out, ev, data, &categories);
}

static int bundle_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return deleted(out, ev, data, &bundles);
}

HANDLERS(category, categories)
HANDLERS(item, items)
HANDLERS(bundle, bundles)

/* item_added / item_removed: the category's count of live items, recounted. */
static int item_filed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;

    if (!stamp_of(&s, ev, data, "category_id"))
        return 0;
    const char *p[] = {s.id, s.ts, s.v};
    return fl_proj_emit(out,
                        STAMP("catalog_categories",
                              "item_count = (SELECT count(*) FROM catalog_items i WHERE"
                              " i.category_id = $1::uuid AND i.status <> 'retired'), "),
                        3, p);
}

static int item_published(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;
    char n[24];
    int rc;

    if (!stamp_of(&s, ev, data, "id"))
        return 0;
    snprintf(n, sizeof(n), "%lld",
             (long long)json_integer_value(json_object_get(data, "form_version")));
    const char *p[] = {s.id, s.ts, s.v, n, text_of(out, json_object_get(data, "form_schema"))};
    rc = fl_proj_emit(out,
                      STAMP("catalog_items", "status = 'active', form_version = $4::int,"
                                             " form_schema = $5::jsonb, "),
                      5, p);
    if (rc == 0)
        rc = fl_proj_emit(out,
                          "INSERT INTO catalog_item_form_versions (item_id, version, form_schema,"
                          " published_at) VALUES ($1::uuid, $3::int, $4::jsonb, $2::timestamptz)"
                          " ON CONFLICT DO NOTHING",
                          4, (const char *const[]){p[0], p[1], p[3], p[4]});
    return rc;
}

static int item_retired(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    stamp_t s;

    if (!stamp_of(&s, ev, data, "id"))
        return 0;
    const char *p[] = {s.id, s.ts, s.v};
    return fl_proj_emit(out, STAMP("catalog_items", "status = 'retired', "), 3, p);
}

const fl_proj_handler_t fl_cat_projections[] = {
    {"catalog_category.created", category_created}, {"catalog_category.updated", category_updated},
    {"catalog_category.deleted", category_deleted}, {"catalog_category.item_added", item_filed},
    {"catalog_category.item_removed", item_filed},  {"catalog_item.created", item_created},
    {"catalog_item.cloned", item_created},          {"catalog_item.updated", item_updated},
    {"catalog_item.published", item_published},     {"catalog_item.retired", item_retired},
    {"catalog_bundle.created", bundle_created},     {"catalog_bundle.updated", bundle_updated},
    {"catalog_bundle.deleted", bundle_deleted},     {NULL, NULL},
};

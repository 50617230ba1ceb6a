/*
 * The read queries. One recursive statement walks the tree from the roots
 * (at most 32 levels, so even a cycle in the read model cannot run away),
 * giving each live category its depth, its path of names and a sort key
 * (per level: sort_order, lower(name), id), so rows come in tree order. The
 * words of the SQL are all below; values are parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define KEY                                                                                        \
    "(lpad((c.sort_order::bigint + 2147483648)::text, 10, '0') || ' ' || lower(c.name) || ' ' ||"  \
    " c.id::text) COLLATE \"C\""

#define WALK                                                                                       \
    "WITH RECURSIVE t AS (SELECT c.*, 1 AS depth, ARRAY[c.name::text] AS path, ARRAY[" KEY         \
    "] AS k, ARRAY[]::uuid[] AS anc, c.is_active AS eff FROM issue_categories c"                   \
    " WHERE c.parent_id IS NULL AND c.deleted_at IS NULL UNION ALL SELECT c.*, t.depth + 1,"       \
    " t.path || c.name::text, t.k || " KEY ", t.anc || t.id, t.eff AND c.is_active"                \
    " FROM issue_categories c JOIN t ON c.parent_id = t.id WHERE c.deleted_at IS NULL"             \
    " AND t.depth < 32) "

#define JSON                                                                                       \
    "json_build_object('id', t.id, 'name', t.name, 'description', t.description, 'parent_id',"     \
    " t.parent_id, 'sort_order', t.sort_order, 'is_active', t.is_active, 'depth', t.depth,"        \
    " 'path', to_json(t.path), 'created_at', " FL__ICATS_TS(                                       \
        "t.created_at") ", 'updated_at', " FL__ICATS_TS("t.updated_at") ", 'version', "            \
                                                                        "t.version)::text AS j"

enum { P_TREE, P_INCLUDE, P_ACTIVE, P_PARENT, P__N };
static const char *const names[P__N] = {"tree", "include_inactive", "is_active", "parent_id"};

static const char *boolean(const char *v, bool *out)
{
    *out = strcmp(v, "true") == 0;
    return *out || strcmp(v, "false") == 0 ? NULL : "must be true or false";
}

typedef struct lq {
    const char *v[P__N];
    bool tree, include, active;
} lq_t;

static void one(lq_t *q, const fl_http_param_t *p, fl_arena_t *a, fl_decision_t *d)
{
    int i = 0;
    const char *why = NULL;

    while (i < P__N && strcmp(names[i], p->name) != 0)
        i++;
    if (i == P__N) {
        const char *copy = fl_arena_strndup(a, p->name, strnlen(p->name, 200));
        fl_decision_field(d, copy != NULL ? copy : "?", "is not a known parameter");
        return;
    }
    if (q->v[i] != NULL) {
        fl_decision_field(d, names[i], "must be given once");
        return;
    }
    q->v[i] = p->value;
    if (i == P_TREE)
        why = boolean(p->value, &q->tree);
    else if (i == P_INCLUDE)
        why = boolean(p->value, &q->include);
    else if (i == P_ACTIVE)
        why = boolean(p->value, &q->active);
    else if (strcmp(p->value, "null") != 0 && !fl_uuid_is_valid(p->value))
        why = "must be a UUID or null";
    if (why != NULL)
        fl_decision_field(d, names[i], why);
}

int fl_icats_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                        fl_icats_query_t *out, fl_decision_t *d)
{
    lq_t q = {0};
    char sql[4096];
    size_t len;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        one(&q, &query[i], a, d);
    if (!fl_decision_failed(d) && q.v[P_ACTIVE] != NULL && !q.active && !q.include)
        fl_decision_field(d, "is_active", "false needs include_inactive=true");
    if (fl_decision_failed(d))
        return FL_EINVAL;
    out->tree = q.tree;
    len = (size_t)snprintf(sql, sizeof(sql), WALK "SELECT " JSON " FROM t WHERE true%s",
                           q.include ? "" : " AND t.eff");
    if (q.v[P_ACTIVE] != NULL) {
        out->params[out->nparams++] = q.active ? "true" : "false";
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND t.is_active = $%d::boolean",
                                out->nparams);
    }
    if (q.v[P_PARENT] != NULL && strcmp(q.v[P_PARENT], "null") == 0)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND t.parent_id IS NULL");
    else if (q.v[P_PARENT] != NULL) {
        out->params[out->nparams++] = q.v[P_PARENT];
        len += (size_t)snprintf(
            sql + len, sizeof(sql) - len,
            q.tree ? " AND $%d::uuid = ANY(t.anc)" : " AND t.parent_id = $%d::uuid", out->nparams);
    }
    len += (size_t)snprintf(sql + len, sizeof(sql) - len, " ORDER BY t.k");
    fl_assert(len < sizeof(sql));
    out->sql = fl_arena_strndup(a, sql, len);
    return out->sql == NULL ? FL_ETOOBIG : 0;
}

int fl_icats_get_query(const char *id, fl_icats_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id == NULL || !fl_uuid_is_valid(id))
        return FL_EINVAL;
    out->sql = WALK "SELECT " JSON " FROM t WHERE t.id = $1::uuid";
    out->params[0] = id;
    out->nparams = 1;
    return 0;
}

json_t *fl_icats_row_to_json(const fl_store_res_t *r, int row)
{
    return fl_json_row(r, row);
}

/*
 * Nesting rows that come in tree order: a stack holds the path to the last
 * row; a row's parent is on it unless filtered out, and then the row is a
 * top-level entry.
 */
static void nest(json_t *data, json_t *one, json_t **stack, int *depth)
{
    const char *parent = json_string_value(json_object_get(one, "parent_id"));
    int i = *depth - 1;

    while (i >= 0 && (parent == NULL ||
                      strcmp(json_string_value(json_object_get(stack[i], "id")), parent) != 0))
        i--;
    json_object_set_new(one, "children", json_array());
    json_array_append(i >= 0 ? json_object_get(stack[i], "children") : data, one);
    *depth = i + 1;
    if (*depth < 40)
        stack[(*depth)++] = one;
    json_decref(one);
}

json_t *fl_icats_rows_to_json(const fl_store_res_t *r, const fl_icats_query_t *q)
{
    int rows = fl_store_res_rows(r), depth = 0;
    json_t *data = json_array(), *stack[40];

    for (int i = 0; i < rows; i++) {
        json_t *one = fl_icats_row_to_json(r, i);
        if (one == NULL)
            continue;
        if (q->tree)
            nest(data, one, stack, &depth);
        else
            json_array_append_new(data, one);
    }
    return json_pack("{s:o,s:{s:i}}", "data", data, "meta", "total", rows);
}

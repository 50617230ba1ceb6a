/*
 * The categories' read side. A tenant's catalog has at most
 * FL_CAT_MAX_CATEGORIES live categories, so one statement reads them all
 * (in sibling order) and the tree is walked here, in C: depth, path, the
 * hidden subtrees left out, nesting. So a list and a single category
 * agree on depth and path by construction.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define MAX_LEVELS 32 /* even a cycle in the read model cannot run away */

static const char all_sql[] =
    "SELECT (to_jsonb(c) - 'deleted_at' || jsonb_build_object('created_at', " FL__CAT_TS(
        "c.created_at") ", 'updated_at', " FL__CAT_TS("c.updated_at") "))::text AS j"
                                                                      " FROM catalog_categories c"
                                                                      " WHERE c.deleted_at IS NULL"
                                                                      " ORDER BY c.sort_order,"
                                                                      " lower(c.name), c.id";

static bool boolean(const char *v, bool *out)
{
    *out = strcmp(v, "true") == 0;
    return *out || strcmp(v, "false") == 0;
}

int fl_cat_categories_query(const fl_http_param_t *query, size_t n, bool manager, fl_arena_t *a,
                            fl_cat_query_t *out, fl_decision_t *d)
{
    unsigned seen = 0;

    memset(out, 0, sizeof(*out));
    out->sql = all_sql;
    for (size_t i = 0; i < n; i++) {
        const char *k = query[i].name, *v = query[i].value;
        unsigned bit = strcmp(k, "tree") == 0             ? 1
                       : strcmp(k, "include_hidden") == 0 ? 2
                       : strcmp(k, "parent_id") == 0      ? 4
                                                          : 0;
        if (bit == 0)
            fl_decision_field(d, fl_arena_strndup(a, k, strnlen(k, 200)),
                              "is not a known parameter");
        else if (seen & bit)
            fl_decision_field(d, k, "must be given once");
        else if ((bit == 1 && !boolean(v, &out->tree)) ||
                 (bit == 2 && !boolean(v, &out->include_hidden)))
            fl_decision_field(d, k, "must be true or false");
        else if (bit == 4 && !fl_uuid_is_valid(v))
            fl_decision_field(d, k, "must be a UUID");
        else if (bit == 4)
            out->parent_id = v;
        seen |= bit;
    }
    if (!fl_decision_failed(d) && out->include_hidden && !manager)
        fl_decision_fail(d, 403, "include_hidden=true needs the catalog update permission", NULL);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

void fl_cat_category_get_query(fl_cat_query_t *out, bool include_hidden)
{
    memset(out, 0, sizeof(*out));
    out->sql = all_sql;
    out->include_hidden = include_hidden;
}

typedef struct walk {
    json_t *rows; /* every live category, in sibling order */
    const fl_cat_query_t *q;
    json_t *flat;     /* the output when not nesting */
    const char *want; /* find: this id */
    json_t *found;
    size_t total;
} walk_t;

/*
 * Visits the children of parent (NULL: the roots) in order: each gets depth and path; a hidden
 * one is skipped with its subtree unless asked for. into: where the rows go (the flat list, or
 * the parent's children); keep: false above q->parent_id (walked, not shown).
 */
static void visit(walk_t *w, const char *parent, int depth, const json_t *path, json_t *into,
                  bool keep)
{
    size_t i;
    json_t *row;

    json_array_foreach(w->rows, i, row)
    {
        const char *pid = json_string_value(json_object_get(row, "parent_id"));
        const char *id = json_string_value(json_object_get(row, "id"));
        if (depth > MAX_LEVELS || id == NULL || (parent == NULL ? pid != NULL : pid == NULL) ||
            (parent != NULL && strcmp(pid, parent) != 0))
            continue;
        if (!w->q->include_hidden &&
            strcmp(json_string_value(json_object_get(row, "status")), "active") != 0)
            continue;
        json_t *one = json_deep_copy(row), *p = json_copy((json_t *)path);
        json_array_append(p, json_object_get(row, "name"));
        json_object_set_new(one, "depth", json_integer(depth));
        json_object_set(one, "path", p);
        bool show = keep || (w->q->parent_id != NULL &&
                             strcmp(pid != NULL ? pid : "", w->q->parent_id) == 0);
        if (w->want != NULL && strcmp(id, w->want) == 0)
            w->found = json_incref(one);
        if (show && w->q->tree)
            json_object_set_new(one, "children", json_array());
        if (show) {
            json_array_append(w->q->tree ? into : w->flat, one);
            w->total++;
        }
        visit(w, id, depth + 1, p, show && w->q->tree ? json_object_get(one, "children") : into,
              show);
        json_decref(p);
        json_decref(one);
    }
}

static void walk_all(walk_t *w, const fl_store_res_t *r)
{
    json_t *path = json_array();

    w->rows = json_array();
    w->flat = json_array();
    for (int i = 0; i < fl_store_res_rows(r); i++) {
        json_t *one = fl_json_row(r, i);
        if (one != NULL)
            json_array_append_new(w->rows, one);
    }
    visit(w, NULL, 1, path, w->flat, w->q->parent_id == NULL);
    json_decref(path);
    json_decref(w->rows);
}

json_t *fl_cat_categories_json(const fl_store_res_t *r, const fl_cat_query_t *q)
{
    walk_t w = {.q = q};

    walk_all(&w, r);
    return json_pack("{s:o,s:{s:I}}", "data", w.flat, "meta", "total", (json_int_t)w.total);
}

json_t *fl_cat_category_find(const fl_store_res_t *r, const fl_cat_query_t *q, const char *id)
{
    fl_cat_query_t flat = *q;
    walk_t w = {.q = &flat, .want = id};

    flat.tree = false;
    flat.parent_id = NULL;
    walk_all(&w, r);
    json_decref(w.flat);
    return w.found;
}

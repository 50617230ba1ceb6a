/*
 * Commands -> events for catalog categories. Pure: time is ctx->now, memory
 * ctx->a. The whole tree is one aggregate (catalog_tree), so places, cycles,
 * depths and sibling names are checked in memory, and every command that
 * changes the tree expects the tree's version: of two concurrent moves that
 * would make a cycle together, the second fails on the version.
 *
 *   from     command   to       events
 *   (none)   create    live     catalog_category.created + .placed (tree)
 *   live     update    live     catalog_category.updated [+ .placed: moved or renamed]
 *   live     delete    deleted  catalog_category.deleted + .removed (tree)
 *
 * Every other pair is 404: a deleted category is gone for the API.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

#define NOT_FOUND "category not found"

static int64_t tree_version(const fl_cat_tree_t *t)
{
    return t != NULL && t->version > 0 ? (int64_t)t->version : FL_LOG_NO_STREAM;
}

/* Levels from the root down to id (a root is 1); 0 for none; past the cap stops counting. */
static int depth_of(const fl_cat_tree_t *t, const char *id)
{
    int n = 0;

    for (const fl_cat_node_t *c = fl_cat_tree_find(t, id); c != NULL && n <= 2 * FL_CAT_MAX_DEPTH;
         c = fl_cat_tree_find(t, c->parent_id))
        n++;
    return n;
}

/* Levels of id's subtree (1 for a leaf). */
static int height_of(const fl_cat_tree_t *t, const char *id, int level)
{
    int best = 0;

    for (size_t i = 0; level <= FL_CAT_MAX_DEPTH && i < t->count; i++) {
        if (strcmp(t->n[i].parent_id, id) == 0) {
            int h = height_of(t, t->n[i].id, level + 1);
            best = h > best ? h : best;
        }
    }
    return best + 1;
}

/* True when anc is id or one of id's ancestors. */
static bool is_ancestor(const fl_cat_tree_t *t, const char *anc, const char *id)
{
    int n = 0;

    for (const fl_cat_node_t *c = fl_cat_tree_find(t, id); c != NULL && n++ <= 2 * FL_CAT_MAX_DEPTH;
         c = fl_cat_tree_find(t, c->parent_id)) {
        if (strcmp(c->id, anc) == 0)
            return true;
    }
    return false;
}

/* The new place under parent (NULL: a root) of self (NULL for a create). */
static int check_place(const fl_cat_tree_t *t, const char *self, const char *parent,
                       fl_decision_t *d)
{
    int height = self != NULL ? height_of(t, self, 1) : 1;

    if (parent == NULL)
        return 0;
    if (fl_cat_tree_find(t, parent) == NULL)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id", "no such category");
    if (self != NULL && is_ancestor(t, self, parent))
        return fl_decision_refuse(d, 409, "a category cannot be its own ancestor", "parent_id",
                                  "a category cannot be its own ancestor");
    if (depth_of(t, parent) + height > FL_CAT_MAX_DEPTH)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id",
                                  "categories nest at most 5 levels deep");
    return 0;
}

/* 409 when a sibling under parent other than self has name (ASCII case folded). */
static int check_name(const fl_cat_tree_t *t, const char *self, const char *parent,
                      const char *name, fl_decision_t *d)
{
    for (size_t i = 0; t != NULL && i < t->count; i++) {
        const fl_cat_node_t *n = &t->n[i];
        if (strcmp(n->parent_id, parent != NULL ? parent : "") == 0 && n->name != NULL &&
            strcasecmp(n->name, name) == 0 && (self == NULL || strcmp(n->id, self) != 0))
            return fl_decision_refuse(d, 409, "name in use", "name",
                                      "a sibling category has this name");
    }
    return 0;
}

static json_t *placed(const char *id, const char *parent, const char *name)
{
    return json_pack("{s:s,s:o,s:s}", "category_id", id, "parent_id", fl_json_str_or_null(parent),
                     "name", name);
}

int fl_cat_decide_category_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                                  const fl_cat_tree_t *tree, fl_decision_t *d)
{
    const char *parent = json_string_value(json_object_get(v, "parent_id"));
    const char *name = json_string_value(json_object_get(v, "name"));
    char *id;
    int rc;

    if (check_place(tree, NULL, parent, d) < 0 || check_name(tree, NULL, parent, name, d) < 0)
        return FL_EINVAL;
    if (tree != NULL && tree->count >= FL_CAT_MAX_CATEGORIES)
        return fl_decision_refuse(d, 409, "too many categories", NULL, NULL);
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    json_t *data = json_deep_copy(v);
    json_object_set_new(data, "id", json_string(id));
    rc = fl_decision_emit_at(d, ctx, fl_cat_category_stream(ctx->a, id), FL_LOG_NO_STREAM,
                             "catalog_category.created", data);
    if (rc == 0)
        rc = fl_decision_emit_at(d, ctx, FL_CAT_TREE_STREAM, tree_version(tree),
                                 "catalog_category.placed", placed(id, parent, name));
    d->location = fl_arena_concat(ctx->a, "/api/v1/catalog/categories/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

int fl_cat_decide_category_update(const fl_cmd_ctx_t *ctx, const fl_cat_category_t *s,
                                  int64_t expected, const json_t *v, const fl_cat_tree_t *tree,
                                  fl_decision_t *d)
{
    if (fl__cat_check_live(&s->e, NOT_FOUND, d) < 0)
        return FL_EINVAL;
    json_t *ch = fl__cat_changes(&s->e, v), *after = fl__cat_merged(&s->e, v);
    const char *parent = json_string_value(json_object_get(after, "parent_id"));
    const char *name = json_string_value(json_object_get(after, "name"));
    bool moved = json_object_get(ch, "parent_id") != NULL;
    bool renamed = json_object_get(ch, "name") != NULL;
    int rc = 0;

    if (json_object_size(ch) > 0 &&
        ((moved && check_place(tree, s->e.id, parent, d) < 0) ||
         ((moved || renamed) && check_name(tree, s->e.id, parent, name, d) < 0)))
        rc = FL_EINVAL;
    if (rc == 0 && json_object_size(ch) > 0)
        rc = fl_decision_emit_at(d, ctx, fl_cat_category_stream(ctx->a, s->e.id),
                                 fl__cat_expected(&s->e, expected), "catalog_category.updated",
                                 json_pack("{s:s,s:O}", "id", s->e.id, "changes", ch));
    if (rc == 0 && (moved || renamed))
        rc = fl_decision_emit_at(d, ctx, FL_CAT_TREE_STREAM, tree_version(tree),
                                 "catalog_category.placed", placed(s->e.id, parent, name));
    json_decref(ch);
    json_decref(after);
    return rc;
}

/* "has children: A, B" or "has 3 live items", in the arena. */
static const char *children_of(const fl_cmd_ctx_t *ctx, const fl_cat_tree_t *t, const char *id)
{
    char *list = fl_arena_alloc(ctx->a, 1024);
    size_t len = 0;

    for (size_t i = 0; list != NULL && t != NULL && i < t->count && len < 900; i++) {
        if (strcmp(t->n[i].parent_id, id) == 0)
            len += (size_t)snprintf(
                list + len, 1024 - len, "%s%s",
                len > 0 ? ", " : "has children: ", t->n[i].name != NULL ? t->n[i].name : "?");
    }
    return len > 0 ? list : NULL;
}

int fl_cat_decide_category_delete(const fl_cmd_ctx_t *ctx, const fl_cat_category_t *s,
                                  int64_t expected, const fl_cat_tree_t *tree, fl_decision_t *d)
{
    char msg[64];
    const char *children;
    int rc;

    if (fl__cat_check_live(&s->e, NOT_FOUND, d) < 0)
        return FL_EINVAL;
    if ((children = children_of(ctx, tree, s->e.id)) != NULL)
        return fl_decision_refuse(d, 409, "the category has children", "children", children);
    if (s->n_items > 0) {
        snprintf(msg, sizeof(msg), "has %zu live items", s->n_items);
        return fl_decision_refuse(d, 409, "the category has items", "items",
                                  fl_arena_strndup(ctx->a, msg, strlen(msg)));
    }
    json_t *name = fl_cat_field(&s->e, "name"), *parent = fl_cat_field(&s->e, "parent_id");
    rc = fl_decision_emit_at(
        d, ctx, fl_cat_category_stream(ctx->a, s->e.id), fl__cat_expected(&s->e, expected),
        "catalog_category.deleted",
        json_pack("{s:s,s:o,s:o}", "id", s->e.id, "name", name, "parent_id", parent));
    if (rc == 0)
        rc = fl_decision_emit_at(d, ctx, FL_CAT_TREE_STREAM, tree_version(tree),
                                 "catalog_category.removed",
                                 json_pack("{s:s}", "category_id", s->e.id));
    return rc;
}

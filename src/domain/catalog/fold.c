/*
 * The folds: a category's, an item's and a bundle's stream into their
 * states, and catalog_tree into the tree. Unknown event types are skipped,
 * so later versions may add events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

char *fl_cat_category_stream(fl_arena_t *a, const char *id)
{
    return fl_arena_concat(a, "catalog_category:", id);
}

char *fl_cat_item_stream(fl_arena_t *a, const char *id)
{
    return fl_arena_concat(a, "catalog_item:", id);
}

char *fl_cat_bundle_stream(fl_arena_t *a, const char *id)
{
    return fl_arena_concat(a, "catalog_bundle:", id);
}

static void copy_id(char dst[FL_UUID_LEN + 1], const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
}

/* Grows an arena array of n elements of size to hold one more. */
static void *grow(fl_arena_t *a, void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    size_t c = *cap == 0 ? 8 : 2 * *cap;
    void *q = fl_arena_alloc(a, c * size);
    if (q != NULL && n > 0)
        memcpy(q, p, n * size);
    if (q != NULL)
        *cap = c;
    return q;
}

/* <kind>.created / .cloned / .updated / .deleted into e; true when type was one of them. */
static int entity_event(fl_cat_entity_t *e, fl_arena_t *a, const char *kind, const fl_event_t *ev,
                        const json_t *data)
{
    size_t k = strlen(kind);
    const char *verb =
        strncmp(ev->type, kind, k) == 0 && ev->type[k] == '.' ? ev->type + k + 1 : "";

    e->updated_at = ev->ts;
    e->version = ev->sv;
    if (strcmp(verb, "created") == 0 || strcmp(verb, "cloned") == 0) {
        copy_id(e->id, json_object_get(data, "id"));
        e->exists = true;
        e->created_at = ev->ts;
        return fl__cat_apply_fields(e, a, data, false);
    }
    if (strcmp(verb, "updated") == 0)
        return fl__cat_apply_fields(e, a, json_object_get(data, "changes"), true);
    if (strcmp(verb, "deleted") == 0) {
        e->deleted = true;
        e->deleted_at = ev->ts;
    }
    return 0;
}

/* item_added / item_removed: the category's live items. */
static int file_item(fl_cat_category_t *s, fl_arena_t *a, const json_t *data, bool add)
{
    const char *id = json_string_value(json_object_get(data, "item_id"));
    size_t i = 0;

    while (id != NULL && i < s->n_items && strcmp(s->items[i], id) != 0)
        i++;
    if (id == NULL || (add && i < s->n_items) || (!add && i == s->n_items))
        return 0;
    if (!add) {
        memmove(&s->items[i], &s->items[i + 1], (s->n_items - i - 1) * sizeof(s->items[0]));
        s->n_items--;
        return 0;
    }
    if ((s->items = grow(a, s->items, s->n_items, &s->cap_items, sizeof(s->items[0]))) == NULL)
        return FL_ETOOBIG;
    copy_id(s->items[s->n_items++], json_object_get(data, "item_id"));
    return 0;
}

static int category_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_cat_category_t *s = state;
    int rc;
    json_t *data = fl__cat_event_json(ev, &rc);

    if (rc < 0)
        return rc;
    if (strcmp(ev->type, "catalog_category.item_added") == 0)
        rc = file_item(s, a, data, true);
    else if (strcmp(ev->type, "catalog_category.item_removed") == 0)
        rc = file_item(s, a, data, false);
    if (rc == 0)
        rc = entity_event(&s->e, a, "catalog_category", ev, data);
    json_decref(data);
    return rc;
}

/* published: the next frozen form; the item is active from now on. */
static int publish(fl_cat_item_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    char *text = json_dumps(json_object_get(data, "form_schema"), JSON_COMPACT | JSON_SORT_KEYS);
    int v = (int)json_integer_value(json_object_get(data, "form_version"));
    int rc = text != NULL && v == (int)s->n_versions + 1 ? 0 : FL_ECORRUPT;

    if (rc == 0)
        s->versions = grow(a, s->versions, s->n_versions, &s->cap_versions, sizeof(*s->versions));
    if (rc == 0 && s->versions == NULL)
        rc = FL_ETOOBIG;
    if (rc == 0) {
        s->versions[s->n_versions++] =
            (fl_cat_form_version_t){.version = v,
                                    .schema = fl_arena_strndup(a, text, strlen(text)),
                                    .published_at = ev->ts};
        s->form_version = v;
        s->status = FL_CAT_ACTIVE;
    }
    free(text);
    return rc;
}

static int item_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_cat_item_t *s = state;
    int rc;
    json_t *data = fl__cat_event_json(ev, &rc);

    if (rc < 0)
        return rc;
    if (strcmp(ev->type, "catalog_item.published") == 0)
        rc = publish(s, a, ev, data);
    else if (strcmp(ev->type, "catalog_item.retired") == 0)
        s->status = FL_CAT_RETIRED;
    if (rc == 0)
        rc = entity_event(&s->e, a, "catalog_item", ev, data);
    if (rc == 0)
        rc = fl__cat_item_info(s, a);
    json_decref(data);
    return rc;
}

static int bundle_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_cat_bundle_t *s = state;
    int rc;
    json_t *data = fl__cat_event_json(ev, &rc);

    if (rc == 0)
        rc = entity_event(&s->e, a, "catalog_bundle", ev, data);
    json_decref(data);
    return rc;
}

const fl_cat_node_t *fl_cat_tree_find(const fl_cat_tree_t *t, const char *id)
{
    for (size_t i = 0; t != NULL && id != NULL && i < t->count; i++) {
        if (strcmp(t->n[i].id, id) == 0)
            return &t->n[i];
    }
    return NULL;
}

/* placed adds the category or moves or renames it; removed takes it out. */
static int tree_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_cat_tree_t *t = state;
    int rc;
    json_t *data = fl__cat_event_json(ev, &rc);
    const char *id = json_string_value(json_object_get(data, "category_id"));
    fl_cat_node_t *n = (fl_cat_node_t *)fl_cat_tree_find(t, id);
    bool placed = strcmp(ev->type, "catalog_category.placed") == 0;

    t->version = ev->sv;
    if (rc == 0 && id != NULL && placed && n == NULL) {
        if ((t->n = grow(a, t->n, t->count, &t->cap, sizeof(*t->n))) == NULL)
            rc = FL_ETOOBIG;
        else
            copy_id((n = &t->n[t->count++])->id, json_object_get(data, "category_id"));
    }
    if (rc == 0 && n != NULL && placed) {
        copy_id(n->parent_id, json_object_get(data, "parent_id"));
        const char *name = json_string_value(json_object_get(data, "name"));
        n->name = name != NULL ? fl_arena_strndup(a, name, strlen(name)) : NULL;
    } else if (rc == 0 && n != NULL && strcmp(ev->type, "catalog_category.removed") == 0) {
        memmove(n, n + 1, (size_t)(t->n + t->count - n - 1) * sizeof(*n));
        t->count--;
    }
    json_decref(data);
    return rc;
}

static void init_category(void *s)
{
    memset(s, 0, sizeof(fl_cat_category_t));
}

static void init_item(void *s)
{
    memset(s, 0, sizeof(fl_cat_item_t));
}

static void init_bundle(void *s)
{
    memset(s, 0, sizeof(fl_cat_bundle_t));
}

static void init_tree(void *s)
{
    memset(s, 0, sizeof(fl_cat_tree_t));
}

const fl_agg_type_t fl_cat_category_agg = {"catalog_category", sizeof(fl_cat_category_t),
                                           init_category, category_fold};
const fl_agg_type_t fl_cat_item_agg = {"catalog_item", sizeof(fl_cat_item_t), init_item, item_fold};
const fl_agg_type_t fl_cat_bundle_agg = {"catalog_bundle", sizeof(fl_cat_bundle_t), init_bundle,
                                         bundle_fold};
const fl_agg_type_t fl_cat_tree_agg = {"catalog_tree", sizeof(fl_cat_tree_t), init_tree, tree_fold};

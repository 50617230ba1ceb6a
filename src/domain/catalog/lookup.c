/*
 * For the requests module: an item's state as a request needs it, and the
 * tenant's compiled forms. A published form version never changes (the log
 * keeps it, an edit publishes the next one), so compiling it once per
 * (item, version) is exact; the cache only bounds memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

/* The stream of a uuid (any case), lowercased, into buf; false when id is not a uuid. */
static bool item_stream(const char *id, char *buf, size_t n)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return false;
    snprintf(buf, n, "catalog_item:%s", id);
    for (char *p = buf; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return true;
}

static const char *str_in(fl_arena_t *a, const json_t *all, const char *key)
{
    const char *s = json_string_value(json_object_get(all, key));

    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

/* An array of strings into the arena; NULL for null (n 0). */
static const char **list_in(fl_arena_t *a, const json_t *all, const char *key, size_t *n)
{
    const json_t *arr = json_object_get(all, key);
    const char **out = NULL;

    *n = 0;
    if (!json_is_array(arr))
        return NULL;
    out = fl_arena_alloc(a, (json_array_size(arr) + 1) * sizeof(*out));
    for (size_t i = 0; out != NULL && i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s != NULL)
            out[(*n)++] = fl_arena_strndup(a, s, strlen(s));
    }
    return out;
}

int fl__cat_item_info(fl_cat_item_t *s, fl_arena_t *a)
{
    json_t *all = s->e.exists && s->e.fields != NULL ? json_loads(s->e.fields, 0, NULL) : NULL;
    fl_catalog_item_info_t *i = &s->info;

    memset(i, 0, sizeof(*i));
    if (all == NULL)
        return 0; /* not created yet (a lookup answers "no such item") */
    *i = (fl_catalog_item_info_t){
        .exists = true,
        .id = s->e.id,
        .name = str_in(a, all, "name"),
        .category_id = str_in(a, all, "category_id"),
        .approval_required = json_is_true(json_object_get(all, "approval_required")),
        .approval_type = str_in(a, all, "approval_type"),
        .sla_policy_id = str_in(a, all, "sla_policy_id"),
        .default_priority = str_in(a, all, "default_priority"),
        .fulfillment_type = str_in(a, all, "fulfillment_type"),
        .fulfillment_group_id = str_in(a, all, "fulfillment_group_id"),
    };
    i->approval_groups = list_in(a, all, "approval_groups", &i->n_approval_groups);
    i->visible_to_groups = list_in(a, all, "visible_to_groups", &i->n_visible_to_groups);
    json_decref(all);
    return 0;
}

static const char *dup_or_null(fl_arena_t *a, const char *s)
{
    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

/* n strings into a; NULL stays NULL (everyone, for visible_to_groups). */
static const char **dup_list(fl_arena_t *a, const char *const *list, size_t n)
{
    const char **out = list != NULL ? fl_arena_alloc(a, (n + 1) * sizeof(*out)) : NULL;

    for (size_t i = 0; out != NULL && i < n; i++)
        out[i] = dup_or_null(a, list[i]);
    return out;
}

int fl_catalog_item_lookup(fl_agg_cache_t *cache, const char *item_id, fl_arena_t *a,
                           fl_catalog_item_info_t *out)
{
    char stream[64];
    const void *state;
    uint64_t v;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!item_stream(item_id, stream, sizeof(stream)))
        return 0;
    if ((rc = fl_agg_load(cache, &fl_cat_item_agg, stream, &state, &v)) < 0)
        return rc;
    const fl_cat_item_t *s = state;
    const fl_catalog_item_info_t *i = &s->info;
    if (!s->e.exists || !i->exists)
        return 0;
    *out = (fl_catalog_item_info_t){
        .exists = true,
        .version = v,
        .id = dup_or_null(a, i->id),
        .name = dup_or_null(a, i->name),
        .status = s->status,
        .category_id = dup_or_null(a, i->category_id),
        .approval_required = i->approval_required,
        .approval_type = dup_or_null(a, i->approval_type),
        .approval_groups = dup_list(a, i->approval_groups, i->n_approval_groups),
        .n_approval_groups = i->n_approval_groups,
        .sla_policy_id = dup_or_null(a, i->sla_policy_id),
        .default_priority = dup_or_null(a, i->default_priority),
        .fulfillment_type = dup_or_null(a, i->fulfillment_type),
        .fulfillment_group_id = dup_or_null(a, i->fulfillment_group_id),
        .visible_to_groups = dup_list(a, i->visible_to_groups, i->n_visible_to_groups),
        .n_visible_to_groups = i->n_visible_to_groups,
        .form_version = s->form_version,
    };
    return 0;
}

/* ------------------------------------------------------------ compiled forms */

typedef struct form_entry {
    char item_id[FL_UUID_LEN + 1];
    int version;
    uint64_t used; /* tick of the last hit; 0: free */
    fl_form_t *form;
} form_entry_t;

struct fl_catalog_forms {
    form_entry_t *e;
    size_t cap;
    uint64_t tick;
};

int fl_catalog_forms_init(fl_catalog_forms_t **out, size_t capacity)
{
    fl_catalog_forms_t *f = calloc(1, sizeof(*f));

    if (f == NULL || (f->e = calloc(capacity > 0 ? capacity : 1, sizeof(*f->e))) == NULL)
        fl_oom();
    f->cap = capacity > 0 ? capacity : 1;
    *out = f;
    return 0;
}

void fl_catalog_forms_free(fl_catalog_forms_t *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->cap; i++)
        fl_form_free(f->e[i].form);
    free(f->e);
    free(f);
}

/* The kept entry of (id, version), or the slot to fill (free, else least recently used). */
static form_entry_t *slot(fl_catalog_forms_t *f, const char *id, int version, bool *hit)
{
    form_entry_t *victim = &f->e[0];

    for (size_t i = 0; i < f->cap; i++) {
        form_entry_t *x = &f->e[i];
        if (x->used != 0 && x->version == version && strcmp(x->item_id, id) == 0) {
            *hit = true;
            return x;
        }
        if (x->used < victim->used)
            victim = x;
    }
    *hit = false;
    return victim;
}

/* Compiles version of s; errors are dropped (a logged schema was checked when saved). */
static int compile(const fl_cat_item_t *s, int version, fl_form_t **out)
{
    fl_arena_t a;
    fl_decision_t d;
    json_t *schema = json_loads(s->versions[version - 1].schema, JSON_DECODE_ANY, NULL);
    int rc;

    fl_arena_init(&a, 0);
    fl_decision_init(&d);
    fl_form_errors_t e = {.a = &a, .d = &d, .base = "form_schema"};
    rc = schema != NULL && fl_form_compile(schema, &e, out) == 0 ? 0 : FL_ECORRUPT;
    json_decref(schema);
    fl_decision_release(&d);
    fl_arena_free(&a);
    return rc;
}

int fl_catalog_form(fl_catalog_forms_t *f, fl_agg_cache_t *cache, const char *item_id, int version,
                    const fl_form_t **out)
{
    char stream[64];
    const void *state;
    uint64_t v;
    bool hit;
    int rc;

    *out = NULL;
    if (!item_stream(item_id, stream, sizeof(stream)))
        return FL_ENOTFOUND;
    form_entry_t *x = slot(f, stream + strlen("catalog_item:"), version, &hit);
    if (!hit) {
        if ((rc = fl_agg_load(cache, &fl_cat_item_agg, stream, &state, &v)) < 0)
            return rc;
        const fl_cat_item_t *s = state;
        fl_form_t *form = NULL;
        if (!s->e.exists || version < 1 || version > (int)s->n_versions)
            return FL_ENOTFOUND;
        if ((rc = compile(s, version, &form)) < 0)
            return rc;
        fl_form_free(x->form);
        snprintf(x->item_id, sizeof(x->item_id), "%s", s->e.id);
        x->version = version;
        x->form = form;
    }
    x->used = ++f->tick;
    *out = x->form;
    return 0;
}

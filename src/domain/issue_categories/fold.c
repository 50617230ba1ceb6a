/*
 * The folds: a category's stream -> fl_icat_state_t, a children stream ->
 * fl_icat_children_t; and what the rest of the module shares (stream names,
 * the reference check other modules call, the state's JSON). Unknown event
 * types are skipped, so later versions may add events.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

char *fl_icats_stream(fl_arena_t *a, const char *id)
{
    return fl_arena_concat(a, "issue_category:", id);
}

char *fl_icats_children_stream(fl_arena_t *a, const char *parent_id)
{
    return fl_arena_concat(a, "issue_category_children:",
                           parent_id != NULL && *parent_id != '\0' ? parent_id : "root");
}

static void copy_id(char dst[FL_UUID_LEN + 1], const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
}

static const char *dup_or_null(fl_arena_t *a, const json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

/* Sets the fields data holds (each value at data.<field>, or data.<field>.to when changes). */
static void set_fields(fl_icat_state_t *s, fl_arena_t *a, const json_t *data, bool changes)
{
    static const char *const names[] = {"name", "description", "parent_id", "sort_order",
                                        "is_active"};

    for (int i = 0; i < 5; i++) {
        const json_t *v = json_object_get(data, names[i]);
        if (v == NULL)
            continue;
        if (changes)
            v = json_object_get(v, "to");
        if (i == 0)
            s->name = dup_or_null(a, v);
        else if (i == 1)
            s->description = dup_or_null(a, v);
        else if (i == 2)
            copy_id(s->parent_id, v);
        else if (i == 3)
            s->sort_order = (long)json_integer_value(v);
        else
            s->is_active = json_is_true(v);
    }
}

static int icat_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_icat_state_t *s = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "issue_category.created") == 0) {
        copy_id(s->id, json_object_get(data, "id"));
        s->exists = true;
        s->created_at = ev->ts;
        set_fields(s, a, data, false);
    } else if (strcmp(ev->type, "issue_category.updated") == 0) {
        set_fields(s, a, json_object_get(data, "changes"), true);
    } else if (strcmp(ev->type, "issue_category.deleted") == 0) {
        s->deleted = true;
        s->deleted_at = ev->ts;
    }
    s->updated_at = ev->ts;
    s->version = ev->sv;
    json_decref(data);
    return 0;
}

static void icat_init(void *state)
{
    memset(state, 0, sizeof(fl_icat_state_t));
}

const fl_agg_type_t fl_icat_agg = {
    .name = "issue_category",
    .state_size = sizeof(fl_icat_state_t),
    .init = icat_init,
    .fold = icat_fold,
};

/* linked adds the child or renames it; unlinked removes it. */
static int link_child(fl_icat_children_t *s, fl_arena_t *a, const json_t *data, bool add)
{
    const char *id = json_string_value(json_object_get(data, "issue_category_id"));
    size_t i = 0;

    while (id != NULL && i < s->n && strcmp(s->c[i].id, id) != 0)
        i++;
    if (id == NULL || (!add && i == s->n))
        return 0;
    if (!add) {
        memmove(&s->c[i], &s->c[i + 1], (s->n - i - 1) * sizeof(s->c[0]));
        s->n--;
        return 0;
    }
    if (i == s->n && s->n == s->cap) {
        size_t cap = s->cap == 0 ? 8 : 2 * s->cap;
        fl_icat_child_t *c = fl_arena_alloc(a, cap * sizeof(*c));
        if (c == NULL)
            return FL_ETOOBIG;
        if (s->n > 0)
            memcpy(c, s->c, s->n * sizeof(*c));
        s->c = c;
        s->cap = cap;
    }
    if (i == s->n)
        copy_id(s->c[s->n++].id, json_object_get(data, "issue_category_id"));
    s->c[i].name = dup_or_null(a, json_object_get(data, "name"));
    return 0;
}

static int children_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_icat_children_t *s = state;
    json_t *data = NULL;
    int rc = 0;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "issue_category.linked") == 0)
        rc = link_child(s, a, data, true);
    else if (strcmp(ev->type, "issue_category.unlinked") == 0)
        rc = link_child(s, a, data, false);
    s->version = ev->sv;
    json_decref(data);
    return rc;
}

static void children_init(void *state)
{
    memset(state, 0, sizeof(fl_icat_children_t));
}

const fl_agg_type_t fl_icat_children_agg = {
    .name = "issue_category_children",
    .state_size = sizeof(fl_icat_children_t),
    .init = children_init,
    .fold = children_fold,
};

int fl_icats_check_ref(fl_agg_cache_t *cache, const char *category_id, fl_icat_ref_t *out,
                       uint64_t *version)
{
    char stream[64];
    const void *state;
    uint64_t v = 0;
    int rc;

    *out = FL_ICAT_REF_UNKNOWN;
    if (version != NULL)
        *version = 0;
    if (category_id == NULL || !fl_uuid_is_valid(category_id))
        return 0;
    snprintf(stream, sizeof(stream), "issue_category:%s", category_id);
    for (char *p = stream; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    if ((rc = fl_agg_load(cache, &fl_icat_agg, stream, &state, &v)) < 0)
        return rc;
    const fl_icat_state_t *s = state;
    if (version != NULL)
        *version = v;
    if (s->exists)
        *out = s->deleted     ? FL_ICAT_REF_DELETED
               : s->is_active ? FL_ICAT_REF_OK
                              : FL_ICAT_REF_INACTIVE;
    return 0;
}

const char *fl_icat_ref_message(fl_icat_ref_t r)
{
    switch (r) {
    case FL_ICAT_REF_OK:
        return NULL;
    case FL_ICAT_REF_UNKNOWN:
        return "no such category";
    case FL_ICAT_REF_DELETED:
        return "the category was deleted";
    case FL_ICAT_REF_INACTIVE:
        return "the category is inactive";
    }
    return "no such category";
}

json_t *fl_icat_to_json(const fl_icat_state_t *s)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:I,s:b,s:o,s:o,s:I}", "id", s->id, "name",
                     fl_json_str_or_null(s->name), "description",
                     fl_json_str_or_null(s->description), "parent_id",
                     fl_json_str_or_null(s->parent_id[0] != '\0' ? s->parent_id : NULL),
                     "sort_order", (json_int_t)s->sort_order, "is_active", s->is_active,
                     "created_at", fl_json_time_or_null(s->created_at), "updated_at",
                     fl_json_time_or_null(s->updated_at), "version", (json_int_t)s->version);
}

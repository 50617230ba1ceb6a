/*
 * What categories, items and bundles share: an entity's fields kept as JSON
 * text (the fold's arena cannot hold jansson's reference-counted values, so
 * the text is parsed when needed), their changes, refusals and emits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

static json_t *fields_of(const fl_cat_entity_t *e)
{
    json_t *j = e->fields != NULL ? json_loads(e->fields, 0, NULL) : NULL;

    return j != NULL ? j : json_object();
}

json_t *fl_cat_field(const fl_cat_entity_t *e, const char *name)
{
    json_t *all = fields_of(e), *v = json_object_get(all, name);

    v = v != NULL ? json_incref(v) : json_null();
    json_decref(all);
    return v;
}

json_t *fl__cat_changes(const fl_cat_entity_t *e, const json_t *v)
{
    json_t *now = fields_of(e), *ch = json_object(), *to;
    const char *key;

    json_object_foreach((json_t *)v, key, to)
    {
        json_t *from = json_object_get(now, key);
        if (from == NULL)
            from = json_null();
        if (!json_equal(from, to))
            json_object_set_new(ch, key, json_pack("{s:O,s:O}", "from", from, "to", to));
    }
    json_decref(now);
    return ch;
}

json_t *fl__cat_merged(const fl_cat_entity_t *e, const json_t *v)
{
    json_t *all = fields_of(e);

    json_object_update(all, (json_t *)v);
    return all;
}

int fl__cat_check_live(const fl_cat_entity_t *e, const char *what, fl_decision_t *d)
{
    if (e != NULL && e->exists && !e->deleted)
        return 0;
    return fl_decision_refuse(d, 404, what, NULL, NULL);
}

int64_t fl__cat_expected(const fl_cat_entity_t *e, int64_t expected)
{
    return expected == FL_LOG_ANY ? (int64_t)e->version : expected;
}

json_t *fl__cat_event_json(const fl_event_t *ev, int *rc)
{
    json_t *data = NULL;

    *rc = ev->data_len > 0 ? fl_codec_to_json(ev->data, ev->data_len, &data) : 0;
    return *rc == 0 ? data : NULL;
}

int fl__cat_apply_fields(fl_cat_entity_t *e, fl_arena_t *a, const json_t *data, bool changes)
{
    json_t *all = changes ? fields_of(e) : json_deep_copy(data), *v;
    const char *key;
    char *text;

    if (changes) {
        json_object_foreach((json_t *)data, key, v)
            json_object_set(all, key, json_object_get(v, "to"));
    } else {
        json_object_del(all, "id");
        json_object_del(all, "source_id");
    }
    text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    if (text == NULL)
        return FL_ECORRUPT;
    e->fields = fl_arena_strndup(a, text, strlen(text));
    free(text);
    return e->fields != NULL ? 0 : FL_ETOOBIG;
}

json_t *fl__cat_entity_json(const fl_cat_entity_t *e)
{
    json_t *j = fields_of(e);

    json_object_set_new(j, "id", json_string(e->id));
    json_object_set_new(j, "created_at", fl_json_time_or_null(e->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(e->updated_at));
    json_object_set_new(j, "version", json_integer((json_int_t)e->version));
    return j;
}

json_t *fl__cat_decimal_json(const json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? json_real(strtod(s, NULL)) : json_null();
}

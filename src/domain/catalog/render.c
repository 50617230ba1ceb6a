/*
 * The entities as a client sees them from the write side (responses to
 * writes, ?as_of=), with the same members as the read model's rows
 * (query.c): money as numbers, an item's status and form version, a
 * bundle's items with their names and the discounted total.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const status_names[FL_CAT_STATUS__N] = {"draft", "active", "retired"};

const char *fl_cat_status_name(fl_cat_status_t s)
{
    return (unsigned)s < FL_CAT_STATUS__N ? status_names[s] : "";
}

json_t *fl_cat_category_to_json(const fl_cat_category_t *s)
{
    json_t *j = fl__cat_entity_json(&s->e);

    json_object_set_new(j, "item_count", json_integer((json_int_t)s->n_items));
    return j;
}

json_t *fl_cat_item_to_json(const fl_cat_item_t *s, int form_version)
{
    json_t *j = fl__cat_entity_json(&s->e);

    if (form_version < 0 || form_version > (int)s->n_versions) {
        json_decref(j);
        return NULL;
    }
    if (form_version > 0) {
        json_t *schema = json_loads(s->versions[form_version - 1].schema, JSON_DECODE_ANY, NULL);
        json_object_set_new(j, "form_schema", schema != NULL ? schema : json_array());
    }
    json_object_set_new(j, "status", json_string(fl_cat_status_name(s->status)));
    json_object_set_new(j, "form_version",
                        json_integer(form_version > 0 ? form_version : s->form_version));
    json_object_set_new(j, "cost", fl__cat_decimal_json(json_object_get(j, "cost")));
    return j;
}

json_t *fl_cat_bundle_to_json(const fl_cat_bundle_t *s, const fl_cat_item_t *const *items)
{
    json_t *j = fl__cat_entity_json(&s->e), *entry;
    json_t *list = json_object_get(j, "items");
    const char *pct = json_string_value(json_object_get(j, "discount_percent"));
    double total = 0, discount = pct != NULL ? strtod(pct, NULL) : 0;
    size_t i;

    json_array_foreach(list, i, entry)
    {
        const fl_cat_item_t *it = items != NULL ? items[i] : NULL;
        json_t *name = it != NULL ? fl_cat_field(&it->e, "name") : json_null();
        json_t *cost = it != NULL ? fl_cat_field(&it->e, "cost") : json_null();
        json_t *num = fl__cat_decimal_json(cost);
        total +=
            json_real_value(num) * (double)json_integer_value(json_object_get(entry, "quantity"));
        json_object_set_new(entry, "name", name);
        json_object_set_new(entry, "cost", num);
        json_decref(cost);
    }
    json_object_set_new(j, "discount_percent", json_real(discount));
    json_object_set_new(j, "total_cost", json_real(round(total * (100.0 - discount)) / 100.0));
    return j;
}

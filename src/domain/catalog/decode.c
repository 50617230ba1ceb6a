/*
 * JSON bodies -> normalised values, driven by the field tables (fields.c).
 * Every problem of a body is collected, so a client learns all of them at
 * once; each is named by the body's key (tags[2], items[1].quantity,
 * form_schema.fields[3].label). The values are a new JSON object: the body
 * itself is freed by the caller.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    const char *field; /* the name errors go under */
} dec_t;

static void bad(dec_t *c, const char *message)
{
    fl_decision_field(c->d, c->field, message);
}

/* A string of 1..max characters: single line unless lines; blank allowed when blank_ok. */
static json_t *string_of(dec_t *c, const json_t *v, long max, bool lines, bool blank_ok)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    const char *why = s == NULL          ? "must be a string"
                      : strlen(s) != len ? "must not contain NUL"
                      : len > 4 * (size_t)max || fl_utf8_chars(s) > (size_t)max ? "is too long"
                      : !blank_ok && s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank"
                      : fl_text_has_control(s, len, lines) ? "must not contain control characters"
                                                           : NULL;
    if (why == NULL)
        return json_stringn(s, len);
    bad(c, why);
    return NULL;
}

static json_t *uuid_of(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);
    char low[FL_UUID_LEN + 1];

    if (s == NULL || strlen(s) != FL_UUID_LEN || !fl_uuid_is_valid(s)) {
        bad(c, "must be a UUID");
        return NULL;
    }
    for (size_t i = 0; i <= FL_UUID_LEN; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    return json_string(low);
}

/* "name[i]" (or "name[i].key") in the arena. */
static const char *item_path(fl_arena_t *a, const char *name, size_t i, const char *key)
{
    size_t n = strlen(name) + (key != NULL ? strlen(key) : 0) + 26;
    char *s = fl_arena_alloc(a, n);

    if (s != NULL)
        snprintf(s, n, "%s[%zu]%s%s", name, i, key != NULL ? "." : "", key != NULL ? key : "");
    return s != NULL ? s : name;
}

/* An array of distinct elements, each read by one (uuids or tags). */
static json_t *array_of(dec_t *c, const json_t *v, size_t max, bool tags)
{
    const char *name = c->field;
    json_t *out = json_array(), *x;
    size_t i;

    if (!json_is_array(v) || json_array_size(v) > max) {
        bad(c, !json_is_array(v) ? "must be an array" : "has too many entries");
        json_decref(out);
        return NULL;
    }
    json_array_foreach(v, i, x)
    {
        c->field = item_path(c->a, name, i, NULL);
        json_t *one = tags ? string_of(c, x, 50, false, false) : uuid_of(c, x);
        for (size_t k = 0; one != NULL && k < json_array_size(out); k++) {
            if (json_equal(json_array_get(out, k), one)) {
                bad(c, "is given twice");
                json_decref(one);
                one = NULL;
            }
        }
        if (one != NULL)
            json_array_append_new(out, one);
    }
    c->field = name;
    if (json_array_size(out) == json_array_size(v))
        return out;
    json_decref(out);
    return NULL;
}

static json_t *int_of(dec_t *c, const json_t *v, long lo, long hi)
{
    char msg[80];
    json_int_t n = json_integer_value(v);

    if (json_is_integer(v) && n >= lo && n <= hi)
        return json_integer(n);
    snprintf(msg, sizeof(msg), "must be an integer from %ld to %ld", lo, hi);
    bad(c, fl_arena_strndup(c->a, msg, strlen(msg)));
    return NULL;
}

/* A number (or a numeric string) from lo to hi with at most two decimal places: "12.50". */
static json_t *decimal_of(dec_t *c, const json_t *v, long lo, long hi)
{
    char buf[128], *end = NULL;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    const char *s = json_string_value(v);

    if (s != NULL && strlen(s) > 0 && strlen(s) < 20 && strspn(s, "0123456789.-") == strlen(s))
        x = strtod(s, &end);
    if (s != NULL && (end == NULL || *end != '\0'))
        x = NAN;
    double cents = round(x * 100.0);
    if (isnan(x) || x < (double)lo || x > (double)hi || fabs(cents - x * 100.0) > 1e-6) {
        snprintf(buf, sizeof(buf), "must be a number from %ld to %ld with at most 2 decimals", lo,
                 hi);
        bad(c, fl_arena_strndup(c->a, buf, strlen(buf)));
        return NULL;
    }
    snprintf(buf, sizeof(buf), "%.2f", cents / 100.0);
    return json_string(buf);
}

static json_t *enum_of(dec_t *c, const json_t *v, const char *const *values)
{
    char msg[200];
    size_t len = (size_t)snprintf(msg, sizeof(msg), "must be one of");

    for (const char *const *e = values; *e != NULL; e++) {
        if (json_is_string(v) && strcmp(json_string_value(v), *e) == 0)
            return json_string(*e);
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s %s", e == values ? "" : ",", *e);
    }
    bad(c, fl_arena_strndup(c->a, msg, strnlen(msg, sizeof(msg))));
    return NULL;
}

static json_t *color_of(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = s != NULL ? strlen(s) : 0;

    if (s == NULL || s[0] != '#' || (len != 4 && len != 7) ||
        strspn(s + 1, "0123456789abcdefABCDEF") != len - 1) {
        bad(c, "must be a hex colour, #rgb or #rrggbb");
        return NULL;
    }
    char low[8];
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    return json_string(low);
}

static json_t *url_of(dec_t *c, const json_t *v)
{
    json_t *s = string_of(c, v, 2000, false, false);
    const char *t = json_string_value(s);

    if (t == NULL)
        return NULL;
    if ((strncmp(t, "https://", 8) == 0 || strncmp(t, "http://", 7) == 0) &&
        strchr(t, ' ') == NULL && strlen(t) > 8)
        return s;
    json_decref(s);
    bad(c, "must be an http:// or https:// URL");
    return NULL;
}

static json_t *object_of(dec_t *c, const json_t *v)
{
    char *text = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
    const char *why = !json_is_object(v)                ? "must be a JSON object"
                      : text == NULL                    ? "cannot be encoded"
                      : strlen(text) > 16384            ? "must be at most 16384 bytes as JSON"
                      : strstr(text, "\\u0000") != NULL ? "must not contain NUL characters"
                                                        : NULL;
    free(text);
    if (why == NULL)
        return json_deep_copy(v);
    bad(c, why);
    return NULL;
}

static json_t *form_of(dec_t *c, const json_t *v)
{
    fl_form_errors_t e = {.a = c->a, .d = c->d, .base = c->field};

    return fl_form_schema_check(v, &e) == 0 ? json_deep_copy(v) : NULL;
}

/* One bundle entry {item_id, quantity (1..100, default 1), sort_order (default its index)}. */
static json_t *entry_value(dec_t *c, const char *key, const json_t *x)
{
    if (strcmp(key, "item_id") == 0)
        return uuid_of(c, x);
    if (strcmp(key, "quantity") == 0)
        return int_of(c, x, 1, 100);
    if (strcmp(key, "sort_order") == 0)
        return int_of(c, x, -2147483647, 2147483647);
    bad(c, "is not a known field");
    return NULL;
}

static json_t *bundle_entry(dec_t *c, const json_t *v, size_t i)
{
    const char *base = c->field, *key;
    json_t *out = json_pack("{s:n,s:i,s:i}", "item_id", "quantity", 1, "sort_order", (int)i), *x;
    bool ok = json_is_object(v);

    c->field = item_path(c->a, base, i, NULL);
    if (!ok)
        bad(c, "must be an object {item_id, quantity, sort_order}");
    json_object_foreach((json_t *)v, key, x)
    {
        c->field = item_path(c->a, base, i, key);
        json_t *one = entry_value(c, key, x);
        ok = ok && one != NULL;
        if (one != NULL)
            json_object_set_new(out, key, one);
    }
    c->field = item_path(c->a, base, i, "item_id");
    if (ok && json_is_null(json_object_get(out, "item_id"))) {
        bad(c, "is required");
        ok = false;
    }
    c->field = base;
    if (!ok)
        json_decref(out);
    return ok ? out : NULL;
}

static json_t *bundle_items(dec_t *c, const json_t *v)
{
    json_t *out = json_array(), *x;
    size_t i;
    bool shape =
             json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= FL_CAT_MAX_BUNDLE,
         ok = shape;

    if (!shape)
        bad(c, "must be an array of 1 to 50 items");
    json_array_foreach(v, i, x)
    {
        json_t *one = shape ? bundle_entry(c, x, i) : NULL;
        const json_t *id = json_object_get(one, "item_id");
        for (size_t k = 0; one != NULL && k < json_array_size(out); k++) {
            if (json_equal(json_object_get(json_array_get(out, k), "item_id"), id)) {
                fl_decision_field(c->d, item_path(c->a, c->field, i, "item_id"),
                                  "names an item already in the bundle");
                json_decref(one);
                one = NULL;
            }
        }
        ok = ok && one != NULL;
        if (one != NULL)
            json_array_append_new(out, one);
    }
    if (!ok)
        json_decref(out);
    return ok ? out : NULL;
}

/* The value of field f from v (null handled by the caller), or NULL after an error. */
static json_t *value_of(dec_t *c, const fl__cat_field_t *f, const json_t *v)
{
    switch (f->kind) {
    case FL__CAT_NAME:
        return string_of(c, v, f->hi, false, false);
    case FL__CAT_LINE:
        return string_of(c, v, f->hi, false, true);
    case FL__CAT_TEXT:
        return string_of(c, v, f->hi, true, true);
    case FL__CAT_ENUM:
        return enum_of(c, v, f->values);
    case FL__CAT_UUID:
        return uuid_of(c, v);
    case FL__CAT_UUIDS:
        return array_of(c, v, FL_CAT_MAX_GROUPS, false);
    case FL__CAT_BOOL:
        if (json_is_boolean(v))
            return json_boolean(json_is_true(v));
        bad(c, "must be true or false");
        return NULL;
    case FL__CAT_INT:
        return int_of(c, v, f->lo, f->hi);
    case FL__CAT_DECIMAL:
        return decimal_of(c, v, f->lo, f->hi);
    case FL__CAT_TAGS:
        return array_of(c, v, 20, true);
    case FL__CAT_OBJECT:
        return object_of(c, v);
    case FL__CAT_COLOR:
        return color_of(c, v);
    case FL__CAT_URL:
        return url_of(c, v);
    case FL__CAT_FORM:
        return form_of(c, v);
    case FL__CAT_ITEMS:
        return bundle_items(c, v);
    }
    return NULL;
}

static const fl__cat_field_t *field_named(const fl__cat_table_t *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->f[i].name, key) == 0)
            return &t->f[i];
    }
    return NULL;
}

/* Fields absent from a create's body: the default, null, or "is required" (NAME and ITEMS). */
static void fill_defaults(dec_t *c, const fl__cat_table_t *t, const json_t *body, json_t *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const fl__cat_field_t *f = &t->f[i];
        if (json_object_get(body, f->name) != NULL)
            continue;
        if (f->kind == FL__CAT_NAME || f->kind == FL__CAT_ITEMS)
            fl_decision_field(c->d, f->name, "is required");
        else
            json_object_set_new(out, f->name,
                                f->dflt != NULL ? json_loads(f->dflt, JSON_DECODE_ANY, NULL)
                                                : json_null());
    }
}

static int decode(const fl__cat_table_t *t, const json_t *body, bool create, fl_arena_t *a,
                  json_t **out, fl_decision_t *d)
{
    dec_t c = {.a = a, .d = d};
    const char *key;
    json_t *v, *vals = json_object();

    *out = NULL;
    if (!json_is_object(body)) {
        json_decref(vals);
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        const fl__cat_field_t *f = field_named(t, key);
        c.field = f != NULL ? f->name : fl_arena_strndup(a, key, strnlen(key, 200));
        if (f == NULL)
            bad(&c, "is not a known field");
        else if (json_is_null(v) && !f->nullable)
            bad(&c, "must not be null");
        else if (json_is_null(v))
            json_object_set_new(vals, f->name, json_null());
        else {
            json_t *one = value_of(&c, f, v);
            if (one != NULL)
                json_object_set_new(vals, f->name, one);
        }
    }
    if (create)
        fill_defaults(&c, t, body, vals);
    if (fl_decision_failed(d)) {
        json_decref(vals);
        return FL_EINVAL;
    }
    *out = vals;
    return 0;
}

int fl_cat_decode_category(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                           fl_decision_t *d)
{
    return decode(&fl__cat_category_fields, body, create, a, out, d);
}

int fl_cat_decode_item(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                       fl_decision_t *d)
{
    return decode(&fl__cat_item_fields, body, create, a, out, d);
}

int fl_cat_decode_bundle(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                         fl_decision_t *d)
{
    return decode(&fl__cat_bundle_fields, body, create, a, out, d);
}

int fl_cat_decode_clone(const json_t *body, fl_arena_t *a, const char **name, fl_decision_t *d)
{
    dec_t c = {.a = a, .d = d, .field = "name"};
    const char *key;
    json_t *v;

    *name = NULL;
    if (body != NULL && !json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        json_t *one = strcmp(key, "name") == 0 ? string_of(&c, v, 255, false, false) : NULL;
        if (strcmp(key, "name") != 0)
            fl_decision_field(d, fl_arena_strndup(a, key, strnlen(key, 200)),
                              "is not a known field");
        if (one != NULL)
            *name = fl_arena_strndup(a, json_string_value(one), json_string_length(one));
        json_decref(one);
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

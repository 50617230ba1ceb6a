/*
 * JSON bodies -> values, driven by the field tables (fields.c). Every
 * problem of a body is collected, so the client learns all of them at once;
 * the field named is the body's key (tags[2] for an item). Values are copied
 * into the request's arena as canonical text: the body is freed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    const fl__app_field_t *f;
} dec_t;

/* "name[i]" in the arena, for an item's error. */
static const char *item_name(fl_arena_t *a, const char *name, size_t i)
{
    char *s = fl_arena_alloc(a, strlen(name) + 24);

    if (s == NULL)
        return name;
    snprintf(s, strlen(name) + 24, "%s[%zu]", name, i);
    return s;
}

/* Why a string of at most max characters is refused, or NULL. */
static const char *text_problem(const json_t *v, unsigned max, bool lines, bool blank_ok)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (s == NULL)
        return "must be a string";
    if (strlen(s) != len)
        return "must not contain NUL";
    if (len > 4 * (size_t)max || fl_utf8_chars(s) > max)
        return "is too long";
    if (!blank_ok && s[strspn(s, " \t\r\n")] == '\0')
        return "must not be blank";
    if (fl_text_has_control(s, len, lines))
        return "must not contain control characters";
    return NULL;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* An array of distinct strings, sorted, as JSON text. */
static const char *dec_list(dec_t *c, const json_t *v)
{
    size_t n = json_array_size(v), k = 0, i;
    const char **items;
    json_t *x, *out;
    const char *text = NULL, *why;

    if (!json_is_array(v) || n > c->f->max) {
        fl_decision_field(c->d, c->f->name,
                          !json_is_array(v) ? "must be an array of strings" : "has too many items");
        return NULL;
    }
    if ((items = fl_arena_alloc(c->a, (n + 1) * sizeof(*items))) == NULL) {
        fl_decision_field(c->d, c->f->name, "is too long");
        return NULL;
    }
    json_array_foreach(v, i, x)
    {
        if ((why = text_problem(x, c->f->item_max, false, false)) != NULL)
            fl_decision_field(c->d, item_name(c->a, c->f->name, i), why);
        else
            items[k++] = json_string_value(x);
    }
    if (k < n)
        return NULL;
    qsort(items, k, sizeof(*items), cmp_str);
    out = json_array();
    for (i = 0; i < k; i++) {
        if (i == 0 || strcmp(items[i], items[i - 1]) != 0)
            json_array_append_new(out, json_string(items[i]));
    }
    if (fl__app_value_text(c->a, out, &text) < 0)
        fl_decision_field(c->d, c->f->name, "is too long");
    json_decref(out);
    return text;
}

/* Any object, as compact JSON; PostgreSQL's jsonb refuses \u0000, so it is refused here. */
static const char *dec_object(dec_t *c, const json_t *v)
{
    const char *text = NULL;

    if (!json_is_object(v))
        fl_decision_field(c->d, c->f->name, "must be a JSON object");
    else if (fl__app_value_text(c->a, v, &text) < 0 || strlen(text) > FL_APPS_META_MAX)
        fl_decision_field(c->d, c->f->name, "must be at most 16384 bytes as JSON");
    else if (strstr(text, "\\u0000") != NULL)
        fl_decision_field(c->d, c->f->name, "must not contain NUL characters");
    else
        return text;
    return NULL;
}

static const char *dec_enum(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);

    for (const char *const *e = c->f->values; s != NULL && *e != NULL; e++) {
        if (strcmp(s, *e) == 0)
            return *e;
    }
    fl_decision_field(c->d, c->f->name, c->f->msg);
    return NULL;
}

/* A uuid, kept lowercased so that equal ids compare equal as strings. */
static const char *dec_uuid(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);
    char *copy;

    if (s == NULL || strlen(s) != FL_UUID_LEN || !fl_uuid_is_valid(s)) {
        fl_decision_field(c->d, c->f->name, "must be a UUID");
        return NULL;
    }
    copy = fl_arena_strndup(c->a, s, FL_UUID_LEN);
    for (char *p = copy; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return copy;
}

static const char *dec_value(dec_t *c, const json_t *v)
{
    const fl__app_field_t *f = c->f;
    const char *why;

    switch (f->kind) {
    case FL__APP_ENUM:
        return dec_enum(c, v);
    case FL__APP_UUID:
        return dec_uuid(c, v);
    case FL__APP_LIST:
        return dec_list(c, v);
    case FL__APP_OBJECT:
        return dec_object(c, v);
    case FL__APP_LINE:
    case FL__APP_TEXT:
        break;
    }
    why = text_problem(v, f->max, f->kind == FL__APP_TEXT, !f->required);
    if (why == NULL)
        return fl_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    fl_decision_field(c->d, f->name, why);
    return NULL;
}

static void dec_one(dec_t *c, const fl__app_table_t *t, fl_app_values_t *out, const char *key,
                    const json_t *v)
{
    int i = 0;

    while (i < t->n && strcmp(t->f[i].name, key) != 0)
        i++;
    if (i == t->n) {
        const char *copy = fl_arena_strndup(c->a, key, strnlen(key, 200));
        fl_decision_field(c->d, copy != NULL ? copy : "?", "is not a known field");
        return;
    }
    c->f = &t->f[i];
    out->set |= 1u << i;
    if (json_is_null(v) && !c->f->nullable)
        fl_decision_field(c->d, c->f->name, "must not be null");
    else if (!json_is_null(v))
        out->v[i] = dec_value(c, v);
}

static int decode(const fl__app_table_t *t, bool create, const json_t *body, fl_arena_t *a,
                  fl_app_values_t *out, fl_decision_t *d)
{
    dec_t c = {a, d, NULL};
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_one(&c, t, out, key, v);
    for (int i = 0; create && i < t->n; i++) {
        if ((out->set & (1u << i)) || (!t->f[i].required && t->f[i].dflt == NULL))
            continue;
        if (t->f[i].required)
            fl_decision_field(d, t->f[i].name, "is required");
        out->set |= 1u << i;
        out->v[i] = t->f[i].dflt;
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_apps_decode_create(const json_t *body, fl_arena_t *a, fl_app_values_t *out, fl_decision_t *d)
{
    return decode(&fl__app_table, true, body, a, out, d);
}

int fl_apps_decode_update(const json_t *body, fl_arena_t *a, fl_app_values_t *out, fl_decision_t *d)
{
    return decode(&fl__app_table, false, body, a, out, d);
}

int fl_apps_decode_env_create(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                              fl_decision_t *d)
{
    return decode(&fl__env_table, true, body, a, out, d);
}

int fl_apps_decode_env_update(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                              fl_decision_t *d)
{
    return decode(&fl__env_table, false, body, a, out, d);
}

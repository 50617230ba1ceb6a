/*
 * Issue bodies -> values, driven by the field table (fields.c). Every
 * problem is collected so the client learns all of them at once; values
 * are copied into the request's arena as canonical text (the body is freed
 * first). On create, a missing priority comes from impact x urgency.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    const fl__iss_field_t *f;
} dec_t;

const char *fl__iss_text_problem(const json_t *v, unsigned max, bool lines, bool blank_ok)
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

/* An array of strings or objects, compact JSON with sorted keys; jsonb refuses \u0000. */
static const char *dec_array(dec_t *c, const json_t *v)
{
    size_t i;
    json_t *x;
    char *dump;
    const char *text = NULL;

    if (!json_is_array(v)) {
        fl_decision_field(c->d, c->f->name, "must be an array");
        return NULL;
    }
    if (json_array_size(v) > c->f->max) {
        fl_decision_field(c->d, c->f->name, "has too many items");
        return NULL;
    }
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) && !json_is_object(x)) {
            fl_decision_field(c->d, c->f->name, "items must be strings or objects");
            return NULL;
        }
    }
    dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    if (dump == NULL || strlen(dump) > FL_ISSUES_REFS_BYTES)
        fl_decision_field(c->d, c->f->name, "must be at most 16384 bytes as JSON");
    else if (strstr(dump, "\\u0000") != NULL)
        fl_decision_field(c->d, c->f->name, "must not contain NUL characters");
    else if ((text = fl_arena_strndup(c->a, dump, strlen(dump))) == NULL)
        fl_decision_field(c->d, c->f->name, "is too long");
    free(dump);
    return text;
}

static const char *dec_value(dec_t *c, const json_t *v)
{
    const char *why;

    switch (c->f->kind) {
    case FL__ISS_ENUM:
        return dec_enum(c, v);
    case FL__ISS_UUID:
        return dec_uuid(c, v);
    case FL__ISS_ARRAY:
        return dec_array(c, v);
    case FL__ISS_LINE:
    case FL__ISS_TEXT:
        break;
    }
    why = fl__iss_text_problem(v, c->f->max, c->f->kind == FL__ISS_TEXT, !c->f->required);
    if (why == NULL)
        return fl_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    fl_decision_field(c->d, c->f->name, why);
    return NULL;
}

static void dec_one(dec_t *c, bool create, fl_issue_values_t *out, const char *key, const json_t *v)
{
    const fl__iss_table_t *t = &fl__iss_table;
    int i = 0;

    while (i < t->n && strcmp(t->f[i].name, key) != 0)
        i++;
    if (i == t->n) {
        const char *copy = fl_arena_strndup(c->a, key, strnlen(key, 200));
        fl_decision_field(c->d, copy != NULL ? copy : "?", "is not a known field");
        return;
    }
    c->f = &t->f[i];
    if (create && i == FL_ISSUE_STATUS) {
        fl_decision_field(c->d, c->f->name, "is not set on create: an issue starts new");
        return;
    }
    out->set |= 1u << i;
    if (json_is_null(v) && !c->f->nullable)
        fl_decision_field(c->d, c->f->name, "must not be null");
    else if (!json_is_null(v))
        out->v[i] = dec_value(c, v);
}

static int decode(bool create, const json_t *body, fl_arena_t *a, fl_issue_values_t *out,
                  fl_decision_t *d)
{
    const fl__iss_table_t *t = &fl__iss_table;
    dec_t c = {a, d, NULL};
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_one(&c, create, out, key, v);
    for (int i = 0; create && i < t->n; i++) {
        if ((out->set & (1u << i)) || (!t->f[i].required && t->f[i].dflt == NULL))
            continue;
        if (t->f[i].required)
            fl_decision_field(d, t->f[i].name, "is required");
        out->set |= 1u << i;
        out->v[i] = t->f[i].dflt;
    }
    if (create && !fl_decision_failed(d) && !(out->set & (1u << FL_ISSUE_PRIORITY))) {
        out->set |= 1u << FL_ISSUE_PRIORITY;
        out->v[FL_ISSUE_PRIORITY] =
            fl_issue_priority_of(out->v[FL_ISSUE_IMPACT], out->v[FL_ISSUE_URGENCY]);
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_issues_decode_create(const json_t *body, fl_arena_t *a, fl_issue_values_t *out,
                            fl_decision_t *d)
{
    return decode(true, body, a, out, d);
}

int fl_issues_decode_update(const json_t *body, fl_arena_t *a, fl_issue_values_t *out,
                            fl_decision_t *d)
{
    return decode(false, body, a, out, d);
}

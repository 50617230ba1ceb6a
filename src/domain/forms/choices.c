/*
 * Lists in a schema: the options of choice fields ({value, label}, values unique, kept sorted
 * so that membership is a binary search) and a file field's allowed_types.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct entry {
    const char *value;
    size_t idx;
} entry_t;

static int entry_cmp(const void *x, const void *y)
{
    const entry_t *a = x, *b = y;
    int c = strcmp(a->value, b->value);

    return c != 0 ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* options[k]: {value, label}; its value in *out, NULL when the option is refused. */
static void read_option(fl__form_cc_t *cc, size_t i, size_t k, const json_t *o, entry_t *out)
{
    const char *key;
    const json_t *v;
    bool ok = true;

    out->value = NULL;
    out->idx = k;
    if (!json_is_object(o)) {
        fl__form_err(cc->e, "must be an object {value, label}", ".fields[%zu].options[%zu]", i, k);
        return;
    }
    json_object_foreach((json_t *)o, key, v)
    {
        bool value = strcmp(key, "value") == 0, label = strcmp(key, "label") == 0;
        if (!value && !label) {
            fl__form_err(cc->e, "is not a part of an option", ".fields[%zu].options[%zu].%.*s", i,
                         k, fl__form_cut(key), key);
            ok = false;
        } else if (!fl__form_text_ok(v, value ? FL_FORM_OPTION_MAX : FL_FORM_LABEL_MAX, false)) {
            fl__form_err(cc->e,
                         value ? "must be text of 1 to 255 characters"
                               : "must be text of 1 to 500 characters",
                         ".fields[%zu].options[%zu].%s", i, k, key);
            ok = false;
        }
    }
    for (int m = 0; m < 2; m++) {
        const char *need = m == 0 ? "value" : "label";
        if (json_object_get(o, need) == NULL) {
            fl__form_err(cc->e, "is required", ".fields[%zu].options[%zu].%s", i, k, need);
            ok = false;
        }
    }
    if (ok)
        out->value = json_string_value(json_object_get(o, "value"));
}

/* Sorted entries: a value met twice is an error on its later option. */
static bool unique(fl__form_cc_t *cc, size_t i, entry_t *ents, size_t n)
{
    bool ok = true;

    qsort(ents, n, sizeof(*ents), entry_cmp);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(ents[k - 1].value, ents[k].value) != 0)
            continue;
        fl__form_err(cc->e,
                     fl__form_msg(cc->e, "is already the value of options[%zu]", ents[k - 1].idx),
                     ".fields[%zu].options[%zu].value", i, ents[k].idx);
        ok = false;
    }
    return ok;
}

void fl__form_options_read(fl__form_cc_t *cc, size_t i, const json_t *v)
{
    fl__form_field_t *fl = &cc->f->fields[i];
    size_t n = json_array_size(v), ok = 0;
    entry_t *ents;

    if (!json_is_array(v) || n == 0 || n > FL_FORM_MAX_OPTIONS) {
        fl__form_err(cc->e, "must be an array of 1 to 500 options", ".fields[%zu].options", i);
        return;
    }
    if ((ents = malloc(n * sizeof(*ents))) == NULL)
        fl_oom();
    for (size_t k = 0; k < n; k++) {
        read_option(cc, i, k, json_array_get(v, k), &ents[ok]);
        ok += ents[ok].value != NULL;
    }
    if (ok == n && unique(cc, i, ents, n)) {
        fl->opts = fl_arena_alloc(&cc->f->arena, n * sizeof(*fl->opts));
        fl_assert(fl->opts != NULL);
        for (size_t k = 0; k < n; k++)
            fl->opts[k] = fl_arena_strndup(&cc->f->arena, ents[k].value, strlen(ents[k].value));
        fl->n_opts = n;
    }
    free(ents);
}

/* An extension: 1 to 16 letters or digits, stored lowercase in out (17 bytes). */
static bool extension(const json_t *v, char *out)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (s == NULL || len == 0 || len > 16)
        return false;
    for (size_t k = 0; k < len; k++) {
        char c = (char)(s[k] | 0x20);
        if (!(c >= 'a' && c <= 'z') && !(s[k] >= '0' && s[k] <= '9'))
            return false;
        out[k] = s[k] >= '0' && s[k] <= '9' ? s[k] : c;
    }
    out[len] = '\0';
    return true;
}

void fl__form_types_read(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = &cc->f->fields[i];
    size_t n = json_array_size(v);
    char ext[17];

    if (!json_is_array(v) || n == 0 || n > FL_FORM_MAX_TYPES) {
        fl__form_err(cc->e, "must be an array of 1 to 50 file extensions",
                     ".fields[%zu].validation.%s", i, key);
        return;
    }
    fl->types = fl_arena_alloc(&cc->f->arena, n * sizeof(*fl->types));
    fl_assert(fl->types != NULL);
    for (size_t k = 0; k < n; k++) {
        bool dup = false;
        if (!extension(json_array_get(v, k), ext)) {
            fl__form_err(cc->e,
                         "must be a file extension such as \"pdf\" (1 to 16 letters or digits)",
                         ".fields[%zu].validation.%s[%zu]", i, key, k);
            continue;
        }
        for (size_t m = 0; m < fl->n_types && !dup; m++)
            dup = strcmp(fl->types[m], ext) == 0;
        if (dup)
            fl__form_err(cc->e, "is listed twice", ".fields[%zu].validation.%s[%zu]", i, key, k);
        else
            fl->types[fl->n_types++] = fl_arena_strndup(&cc->f->arena, ext, strlen(ext));
    }
}

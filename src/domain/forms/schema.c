/*
 * Reading a form schema: the envelope {version, fields, sections, conditional_logic}, each
 * field's id, type and common keys, the index by id, and sections. The type-specific options
 * are in rules.c, conditional logic in cond.c. Every problem is collected with its path;
 * compiling fails when there was any.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const type_names[FL_FORM_TYPE__N] = {
    "text",
    "textarea",
    "number",
    "select",
    "multi_select",
    "radio",
    "checkbox",
    "checkbox_group",
    "date",
    "datetime",
    "file",
    "user_picker",
    "group_picker",
    "application_picker",
    "environment_picker",
    "rich_text",
};

const char *fl_form_type_name(fl_form_type_t t)
{
    return (unsigned)t < FL_FORM_TYPE__N ? type_names[t] : "";
}

static int type_parse(const char *s)
{
    for (int t = 0; t < FL_FORM_TYPE__N; t++) {
        if (strcmp(s, type_names[t]) == 0)
            return t;
    }
    return -1;
}

/* Letters, digits, '_' and '-', starting with a letter: safe in paths and as JSON keys. */
static bool id_ok(const char *s, size_t len)
{
    if (len == 0 || len > FL_FORM_ID_MAX || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') && c != '_' &&
            c != '-')
            return false;
    }
    return true;
}

static const char id_rule[] = "must be 1 to 64 letters, digits, '_' or '-', starting with a letter";

static uint32_t id_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int fl_form_field_index(const fl_form_t *f, const char *id, size_t len)
{
    size_t slot = id_hash(id, len) & f->index_mask;

    for (;; slot = (slot + 1) & f->index_mask) {
        int k = f->index[slot];
        if (k == 0)
            return -1;
        const char *have = f->fields[k - 1].id;
        if (strncmp(have, id, len) == 0 && have[len] == '\0')
            return k - 1;
    }
}

/* Adds field i under its id; the index of the field that already has it, or -1. */
static int index_add(fl_form_t *f, size_t i)
{
    const char *id = f->fields[i].id;
    size_t len = strlen(id);
    int have = fl_form_field_index(f, id, len);
    size_t slot = id_hash(id, len) & f->index_mask;

    if (have >= 0)
        return have;
    while (f->index[slot] != 0)
        slot = (slot + 1) & f->index_mask;
    f->index[slot] = (int)i + 1;
    return -1;
}

/* The id and type of fields[i], then its place in the index. */
static void read_head(fl__form_cc_t *cc, size_t i, const json_t *jf)
{
    fl__form_field_t *fl = &cc->f->fields[i];
    const json_t *id = json_object_get(jf, "id"), *type = json_object_get(jf, "type");
    int t, dup;

    fl->type = FL_FORM_TYPE__N;
    if (id == NULL || !json_is_string(id) || !id_ok(json_string_value(id), json_string_length(id)))
        fl__form_err(cc->e, id == NULL ? "is required" : id_rule, ".fields[%zu].id", i);
    else
        fl->id = fl_arena_strndup(&cc->f->arena, json_string_value(id), json_string_length(id));
    t = type != NULL && json_is_string(type) ? type_parse(json_string_value(type)) : -1;
    if (t < 0)
        fl__form_err(cc->e, type == NULL ? "is required" : "is not a field type of the spec",
                     ".fields[%zu].type", i);
    else
        fl->type = (fl_form_type_t)t;
    if (t >= FL_FORM_FILE && t <= FL_FORM_ENVIRONMENT_PICKER)
        cc->f->needs |= FL__FORM_BIT(t); /* the callbacks fl_form_validate will need */
    if (fl->id == NULL)
        return;
    dup = index_add(cc->f, i);
    if (dup >= 0)
        fl__form_err(cc->e, fl__form_msg(cc->e, "is already the id of fields[%d]", dup),
                     ".fields[%zu].id", i);
}

static int alloc_fields(fl_form_t *f, size_t n)
{
    size_t slots = 8;

    while (slots < 2 * n)
        slots *= 2;
    f->fields = fl_arena_alloc(&f->arena, (n > 0 ? n : 1) * sizeof(*f->fields));
    f->index = fl_arena_alloc(&f->arena, slots * sizeof(*f->index));
    f->order = fl_arena_alloc(&f->arena, (n > 0 ? n : 1) * sizeof(*f->order));
    if (f->fields == NULL || f->index == NULL || f->order == NULL)
        return FL_ETOOBIG;
    memset(f->fields, 0, (n > 0 ? n : 1) * sizeof(*f->fields));
    memset(f->index, 0, slots * sizeof(*f->index));
    f->index_mask = slots - 1;
    f->n_fields = n;
    for (size_t i = 0; i < n; i++) {
        f->fields[i].first_rule = -1;
        f->fields[i].app_field = -1;
        f->fields[i].allow_self = true;
        f->order[i] = (int)i;
    }
    return 0;
}

/* Two passes: ids and types first, so that every reference can be resolved in the second. */
static void read_fields(fl__form_cc_t *cc, const json_t *fields)
{
    size_t n = json_array_size(fields);

    if (n > FL_FORM_MAX_FIELDS) {
        fl__form_err(cc->e, "a form has at most 200 fields", ".fields");
        n = 0;
    }
    fl_assert(alloc_fields(cc->f, n) == 0);
    cc->fields = fields;
    for (size_t i = 0; i < n; i++) {
        const json_t *jf = json_array_get(fields, i);
        if (!json_is_object(jf))
            fl__form_err(cc->e, "must be an object", ".fields[%zu]", i);
        else
            read_head(cc, i, jf);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *jf = json_array_get(fields, i);
        if (json_is_object(jf) && cc->f->fields[i].type != FL_FORM_TYPE__N)
            fl__form_field_read(cc, i, jf);
    }
}

/* sections[k].fields: existing fields, each in one section at most (in[] holds k + 1). */
static void read_section_fields(fl__form_cc_t *cc, size_t k, const json_t *v, int *in)
{
    size_t j;
    const json_t *id;

    if (!json_is_array(v) || json_array_size(v) > FL_FORM_MAX_FIELDS) {
        fl__form_err(cc->e, "must be an array of field ids", ".sections[%zu].fields", k);
        return;
    }
    json_array_foreach(v, j, id)
    {
        int i = json_is_string(id)
                    ? fl_form_field_index(cc->f, json_string_value(id), json_string_length(id))
                    : -1;
        if (i < 0)
            fl__form_err(cc->e, "is not the id of a field", ".sections[%zu].fields[%zu]", k, j);
        else if (in[i] != 0)
            fl__form_err(cc->e, fl__form_msg(cc->e, "is already in sections[%d]", in[i] - 1),
                         ".sections[%zu].fields[%zu]", k, j);
        else
            in[i] = (int)k + 1;
    }
}

bool fl__form_text_ok(const json_t *v, size_t max, bool lines)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), n;

    if (s == NULL || fl_text_has_control(s, len, lines))
        return false;
    n = fl__form_chars(s, len);
    return n >= 1 && n <= max;
}

static void read_section(fl__form_cc_t *cc, size_t k, const json_t *s, const char **ids, int *in)
{
    const char *key;
    const json_t *v;

    if (!json_is_object(s)) {
        fl__form_err(cc->e, "must be an object", ".sections[%zu]", k);
        return;
    }
    json_object_foreach((json_t *)s, key, v)
    {
        if (strcmp(key, "id") == 0) {
            ids[k] = json_string_value(v);
            if (!json_is_string(v) || !id_ok(ids[k], json_string_length(v)))
                fl__form_err(cc->e, id_rule, ".sections[%zu].id", k);
            for (size_t j = 0; ids[k] != NULL && j < k; j++) {
                if (ids[j] != NULL && strcmp(ids[j], ids[k]) == 0)
                    fl__form_err(cc->e,
                                 fl__form_msg(cc->e, "is already the id of sections[%zu]", j),
                                 ".sections[%zu].id", k);
            }
        } else if (strcmp(key, "title") == 0 || strcmp(key, "description") == 0) {
            bool title = key[0] == 't';
            if (!fl__form_text_ok(v, title ? FL_FORM_LABEL_MAX : FL_FORM_HELP_MAX, !title))
                fl__form_err(cc->e,
                             title ? "must be text of 1 to 500 characters"
                                   : "must be text of 1 to 2000 characters",
                             ".sections[%zu].%s", k, key);
        } else if (strcmp(key, "fields") == 0) {
            read_section_fields(cc, k, v, in);
        } else {
            fl__form_err(cc->e, "is not a part of a section", ".sections[%zu].%.*s", k,
                         fl__form_cut(key), key);
        }
    }
}

static void read_sections(fl__form_cc_t *cc, const json_t *sections)
{
    size_t n = json_array_size(sections);
    const char *ids[FL_FORM_MAX_SECTIONS] = {0};
    int in[FL_FORM_MAX_FIELDS] = {0};

    if (sections == NULL)
        return;
    if (!json_is_array(sections) || n > FL_FORM_MAX_SECTIONS) {
        fl__form_err(cc->e, "must be an array of at most 50 sections", ".sections");
        return;
    }
    for (size_t k = 0; k < n; k++)
        read_section(cc, k, json_array_get(sections, k), ids, in);
}

/* "1.0": digits, a dot, digits. */
static bool version_ok(const json_t *v)
{
    const char *s = json_string_value(v), *dot = s != NULL ? strchr(s, '.') : NULL;
    size_t len = json_string_length(v);

    if (dot == NULL || dot == s || dot[1] == '\0' || len > 16)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s + i != dot && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    }
    return true;
}

/* The envelope; a bare array is the field list alone (the column's default is '[]'). */
static const json_t *read_top(fl__form_cc_t *cc, const json_t *schema, const json_t **sections,
                              const json_t **rules)
{
    const char *key;
    const json_t *v, *fields = NULL;

    if (json_is_array(schema))
        return schema;
    if (!json_is_object(schema)) {
        fl__form_err(cc->e, "must be an object {version, fields, sections, conditional_logic}",
                     "%s", "");
        return NULL;
    }
    json_object_foreach((json_t *)schema, key, v)
    {
        if (strcmp(key, "version") == 0 && !version_ok(v))
            fl__form_err(cc->e, "must be a version such as \"1.0\"", ".version");
        else if (strcmp(key, "fields") == 0)
            fields = v;
        else if (strcmp(key, "sections") == 0)
            *sections = v;
        else if (strcmp(key, "conditional_logic") == 0)
            *rules = v;
        else if (strcmp(key, "version") != 0)
            fl__form_err(cc->e, "is not a part of a form schema", ".%.*s", fl__form_cut(key), key);
    }
    if (fields == NULL || !json_is_array(fields)) {
        fl__form_err(cc->e, fields == NULL ? "is required" : "must be an array", ".fields");
        return NULL;
    }
    return fields;
}

int fl_form_compile(const json_t *schema, fl_form_errors_t *e, fl_form_t **out)
{
    fl__form_cc_t cc = {.e = e};
    const json_t *fields, *sections = NULL, *rules = NULL;
    size_t before = e->n;

    if (out != NULL)
        *out = NULL;
    cc.f = calloc(1, sizeof(*cc.f));
    if (cc.f == NULL)
        fl_oom();
    fl_arena_init(&cc.f->arena, 0);
    fields = read_top(&cc, schema, &sections, &rules);
    if (fields != NULL)
        read_fields(&cc, fields);
    else
        fl_assert(alloc_fields(cc.f, 0) == 0);
    read_sections(&cc, sections);
    fl__form_rules_read(&cc, rules);
    if (e->n != before || out == NULL) {
        fl_form_free(cc.f);
        return e->n != before ? FL_EINVAL : 0;
    }
    *out = cc.f;
    return 0;
}

int fl_form_schema_check(const json_t *schema, fl_form_errors_t *e)
{
    return fl_form_compile(schema, e, NULL);
}

void fl_form_free(fl_form_t *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_fields; i++) {
        pcre2_code_free(f->fields[i].re);
        json_decref(f->fields[i].dflt);
    }
    for (size_t r = 0; r < f->n_rules; r++)
        json_decref(f->rules[r].value);
    pcre2_match_context_free(f->mctx);
    fl_arena_free(&f->arena);
    free(f);
}

size_t fl_form_n_fields(const fl_form_t *f)
{
    return f->n_fields;
}

const char *fl_form_field_id(const fl_form_t *f, size_t i)
{
    return i < f->n_fields ? f->fields[i].id : NULL;
}

fl_form_type_t fl_form_field_type(const fl_form_t *f, size_t i)
{
    return i < f->n_fields ? f->fields[i].type : FL_FORM_TYPE__N;
}

/*
 * A field's keys and its validation options, each allowed only on the types the spec gives it
 * (a pattern on a number field is an error, not ignored), then the checks across keys: bounds
 * in order, counts within the options, the default a valid value of the field.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define B(t)     FL__FORM_BIT(FL_FORM_##t)
#define ALL      ((1u << FL_FORM_TYPE__N) - 1)
#define TEXTS    (B(TEXT) | B(TEXTAREA) | B(RICH_TEXT))
#define CHOICES  (B(SELECT) | B(MULTI_SELECT) | B(RADIO) | B(CHECKBOX_GROUP))
#define DEFAULTS (TEXTS | B(NUMBER) | CHOICES | B(CHECKBOX))

typedef void (*key_fn)(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v);

typedef struct key {
    const char *name;
    unsigned types;
    key_fn fn;
} fkey_t;

static fl__form_field_t *field(fl__form_cc_t *cc, size_t i)
{
    return &cc->f->fields[i];
}

static void bad_key(fl__form_cc_t *cc, size_t i, const char *key, const char *message)
{
    fl__form_err(cc->e, message, ".fields[%zu].%s", i, key);
}

static void bad_rule(fl__form_cc_t *cc, size_t i, const char *key, const char *message)
{
    fl__form_err(cc->e, message, ".fields[%zu].validation.%s", i, key);
}

/* ------------------------------------------------------------------ field keys */

static void k_text(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    bool label = strcmp(key, "label") == 0 || strcmp(key, "placeholder") == 0;

    if (!fl__form_text_ok(v, label ? FL_FORM_LABEL_MAX : FL_FORM_HELP_MAX, !label))
        bad_key(cc, i, key,
                label ? "must be text of 1 to 500 characters"
                      : "must be text of 1 to 2000 characters");
}

static void k_required(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    if (!json_is_boolean(v))
        bad_key(cc, i, key, "must be true or false");
    field(cc, i)->required = json_is_true(v);
}

static void k_default(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    (void)cc, (void)i, (void)key, (void)v; /* checked once the field is complete */
}

static void k_options(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    (void)key;
    fl__form_options_read(cc, i, v);
}

static void k_validation(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    (void)key;
    fl__form_validation_read(cc, i, v);
}

static void k_picker(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_picker_option(cc, i, key, v);
}

static const fkey_t field_keys[] = {
    {"id", ALL, NULL},
    {"type", ALL, NULL},
    {"label", ALL, k_text},
    {"placeholder", ALL, k_text},
    {"help_text", ALL, k_text},
    {"description", ALL, k_text},
    {"required", ALL, k_required},
    {"default", DEFAULTS, k_default},
    {"options", CHOICES, k_options},
    {"validation", ALL, k_validation},
    {"allow_self", B(USER_PICKER), k_picker},
    {"filter_by_group", B(USER_PICKER), k_picker},
    {"filter_by_type", B(GROUP_PICKER), k_picker},
    {"filter", B(APPLICATION_PICKER), k_picker},
    {"requires_application_field", B(ENVIRONMENT_PICKER), k_picker},
    {NULL, 0, NULL},
};

/* Looks key up in table and calls its function; an unknown key or one of another type is an
 * error naming it. what: "a field", "validation". */
static void dispatch(fl__form_cc_t *cc, size_t i, const fkey_t *table, const char *key,
                     const json_t *v, bool validation)
{
    fl_form_type_t t = field(cc, i)->type;
    const fkey_t *k = table;
    void (*bad)(fl__form_cc_t *, size_t, const char *, const char *) =
        validation ? bad_rule : bad_key;

    while (k->name != NULL && strcmp(k->name, key) != 0)
        k++;
    if (k->name == NULL) {
        fl__form_err(cc->e, validation ? "is not a validation option" : "is not a part of a field",
                     validation ? ".fields[%zu].validation.%.*s" : ".fields[%zu].%.*s", i,
                     fl__form_cut(key), key);
        return;
    }
    if (!(k->types & FL__FORM_BIT(t))) {
        bad(cc, i, k->name,
            fl__form_msg(cc->e, "is not an option of %s fields", fl_form_type_name(t)));
        return;
    }
    if (k->fn != NULL)
        k->fn(cc, i, k->name, v);
}

void fl__form_field_read(fl__form_cc_t *cc, size_t i, const json_t *jf)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)jf, key, v) dispatch(cc, i, field_keys, key, v, false);
    if (json_object_get(jf, "label") == NULL)
        bad_key(cc, i, "label", "is required");
    fl__form_field_finish(cc, i, jf);
}

/* ------------------------------------------------------------------ validation options */

/* The longest value a text type takes, and max_length's ceiling. */
static size_t text_ceiling(fl_form_type_t t)
{
    return t == FL_FORM_TEXT       ? FL_FORM_TEXT_MAX
           : t == FL_FORM_TEXTAREA ? FL_FORM_TEXTAREA_MAX
                                   : FL_FORM_RICH_TEXT_MAX;
}

static bool count(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v, long lo, long hi,
                  size_t *out)
{
    json_int_t n = json_integer_value(v);

    if (!json_is_integer(v) || n < lo || n > hi) {
        bad_rule(cc, i, key, fl__form_msg(cc->e, "must be an integer from %ld to %ld", lo, hi));
        return false;
    }
    *out = (size_t)n;
    return true;
}

static void v_length(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);
    bool min = strcmp(key, "min_length") == 0;

    count(cc, i, key, v, min ? 0 : 1, (long)text_ceiling(fl->type),
          min ? &fl->min_len : &fl->max_len);
}

static void v_pattern(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), at;
    int err;
    PCRE2_UCHAR msg[120];

    if (s == NULL || len == 0 || len > FL_FORM_PATTERN_MAX || strlen(s) != len) {
        bad_rule(cc, i, key, "must be a regular expression of 1 to 1000 bytes");
        return;
    }
    /* The whole value must match (as HTML's pattern attribute), in UTF-8 code points; \C
     * could split a character, so it is refused. */
    fl->re = pcre2_compile((PCRE2_SPTR)s, len,
                           PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NEVER_BACKSLASH_C,
                           &err, &at, NULL);
    if (fl->re == NULL) {
        pcre2_get_error_message(err, msg, sizeof(msg));
        bad_rule(cc, i, key,
                 fl__form_msg(cc->e, "is not a valid regular expression: %s at offset %zu",
                              (const char *)msg, at));
        return;
    }
    fl->jit = pcre2_jit_compile(fl->re, PCRE2_JIT_COMPLETE) == 0;
    if (cc->f->mctx == NULL && (cc->f->mctx = pcre2_match_context_create(NULL)) == NULL)
        fl_oom();
    /* A pattern that backtracks without end ((a+)+$) gives up instead of holding the loop. */
    pcre2_set_match_limit(cc->f->mctx, 1000000);
    pcre2_set_depth_limit(cc->f->mctx, 10000);
    pcre2_set_heap_limit(cc->f->mctx, 4096);
}

static void v_number(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);
    double x = json_number_value(v);

    bool step = strcmp(key, "step") == 0;

    if (!json_is_number(v) || (step && x <= 0)) {
        bad_rule(cc, i, key, step ? "must be a number above 0" : "must be a number");
        return;
    }
    if (strcmp(key, "min") == 0)
        fl->has_min = true, fl->min = x;
    else if (strcmp(key, "max") == 0)
        fl->has_max = true, fl->max = x;
    else
        fl->has_step = step, fl->step = x;
}

static void v_selections(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);
    bool min = strcmp(key, "min_selected") == 0;

    count(cc, i, key, v, min ? 0 : 1, FL_FORM_MAX_OPTIONS, min ? &fl->min_sel : &fl->max_sel);
}

/* "today", "+Nd" / "-Nd" (days from today), or a date "2026-12-31". */
static bool bound_parse(const json_t *v, fl__form_bound_t *b)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    long n = 0;

    if (s == NULL)
        return false;
    if (strcmp(s, "today") == 0) {
        *b = (fl__form_bound_t){true, true, 0};
        return true;
    }
    if ((s[0] == '+' || s[0] == '-') && len >= 3 && len <= 7 && s[len - 1] == 'd') {
        for (size_t k = 1; k + 1 < len; k++) {
            if (s[k] < '0' || s[k] > '9')
                return false;
            n = n * 10 + (s[k] - '0');
        }
        if (n > FL_FORM_DATE_RANGE_DAYS)
            return false;
        *b = (fl__form_bound_t){true, true, (int32_t)(s[0] == '-' ? -n : n)};
        return true;
    }
    b->set = fl__form_parse_date(s, len, &b->days);
    b->relative = false;
    return b->set;
}

static void v_date(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);

    if (!bound_parse(v, strcmp(key, "min_date") == 0 ? &fl->min_date : &fl->max_date))
        bad_rule(cc, i, key,
                 "must be \"today\", \"+Nd\" or \"-Nd\" (N days from today, at most 36600) or a "
                 "date \"YYYY-MM-DD\"");
}

static void v_files(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = field(cc, i);
    double mb = json_number_value(v);

    if (strcmp(key, "max_files") == 0) {
        count(cc, i, key, v, 1, FL_FORM_MAX_FILES, &fl->max_files);
        return;
    }
    if (!json_is_number(v) || mb <= 0 || mb > FL_FORM_MAX_SIZE_MB) {
        bad_rule(cc, i, key, "must be a number above 0 and at most 100");
        return;
    }
    fl->max_bytes = (int64_t)(mb * 1048576.0);
}

static const fkey_t validation_keys[] = {
    {"min_length", B(TEXT) | B(TEXTAREA), v_length},
    {"max_length", TEXTS, v_length},
    {"pattern", B(TEXT), v_pattern},
    {"min", B(NUMBER), v_number},
    {"max", B(NUMBER), v_number},
    {"step", B(NUMBER), v_number},
    {"max_selections", B(MULTI_SELECT), v_selections},
    {"min_selected", B(CHECKBOX_GROUP), v_selections},
    {"max_selected", B(CHECKBOX_GROUP), v_selections},
    {"min_date", B(DATE) | B(DATETIME), v_date},
    {"max_date", B(DATE) | B(DATETIME), v_date},
    {"max_files", B(FILE), v_files},
    {"max_size_mb", B(FILE), v_files},
    {"allowed_types", B(FILE), fl__form_types_read},
    {NULL, 0, NULL},
};

void fl__form_validation_read(fl__form_cc_t *cc, size_t i, const json_t *v)
{
    const char *key;
    const json_t *x;

    if (!json_is_object(v)) {
        bad_key(cc, i, "validation", "must be an object");
        return;
    }
    json_object_foreach((json_t *)v, key, x) dispatch(cc, i, validation_keys, key, x, true);
}

/* ------------------------------------------------------------------ across keys */

static void finish_counts(fl__form_cc_t *cc, size_t i)
{
    fl__form_field_t *fl = field(cc, i);

    if (fl->type == FL_FORM_MULTI_SELECT && fl->max_sel > fl->n_opts && fl->opts != NULL)
        bad_rule(cc, i, "max_selections", "must not exceed the number of options");
    if (fl->type != FL_FORM_CHECKBOX_GROUP || fl->opts == NULL)
        return;
    if (fl->min_sel > fl->n_opts)
        bad_rule(cc, i, "min_selected", "must not exceed the number of options");
    if (fl->max_sel > fl->n_opts)
        bad_rule(cc, i, "max_selected", "must not exceed the number of options");
    if (fl->max_sel != 0 && fl->min_sel > fl->max_sel)
        bad_rule(cc, i, "min_selected", "must not exceed max_selected");
}

static void finish_bounds(fl__form_cc_t *cc, size_t i)
{
    fl__form_field_t *fl = field(cc, i);

    if (fl->max_len == 0)
        fl->max_len = text_ceiling(fl->type);
    if ((TEXTS & FL__FORM_BIT(fl->type)) && fl->min_len > fl->max_len)
        bad_rule(cc, i, "min_length", "must not exceed max_length");
    if (fl->has_min && fl->has_max && fl->min > fl->max)
        bad_rule(cc, i, "min", "must not exceed max");
    if (fl->min_date.set && fl->max_date.set && fl->min_date.relative == fl->max_date.relative &&
        fl->min_date.days > fl->max_date.days)
        bad_rule(cc, i, "min_date", "must not be after max_date");
    if (fl->type == FL_FORM_FILE && fl->max_files == 0)
        fl->max_files = FL_FORM_MAX_FILES;
    if (fl->type == FL_FORM_FILE && fl->max_bytes == 0)
        fl->max_bytes = (int64_t)FL_FORM_MAX_SIZE_MB * 1048576;
}

/*
 * The default is checked as a submitted value would be (it is one when the requester leaves
 * the field out), with its errors moved under ".default". Only then is it copied: a value that
 * passed is flat (a scalar or an array of strings), so the copy cannot recurse deeply.
 */
static void finish_default(fl__form_cc_t *cc, size_t i, const json_t *v)
{
    fl_decision_t d;
    fl_form_errors_t e2 = {.a = cc->e->a, .d = &d, .base = ""};
    json_t *norm = NULL;

    fl_decision_init(&d);
    fl__form_value_check(cc->f, i, v, NULL, NULL, 0, &e2, &norm);
    json_decref(norm);
    for (size_t k = 0; k < d.problem.n_errors; k++)
        bad_key(cc, i, "default", d.errors[k].message);
    if (e2.n == 0 && (field(cc, i)->dflt = json_deep_copy(v)) == NULL)
        fl_oom();
}

void fl__form_field_finish(fl__form_cc_t *cc, size_t i, const json_t *jf)
{
    fl__form_field_t *fl = field(cc, i);
    const json_t *dflt = json_object_get(jf, "default");
    size_t before = cc->e->n;

    if ((CHOICES & FL__FORM_BIT(fl->type)) && fl->opts == NULL &&
        json_object_get(jf, "options") == NULL)
        bad_key(cc, i, "options",
                fl__form_msg(cc->e, "is required for %s fields", fl_form_type_name(fl->type)));
    finish_counts(cc, i);
    finish_bounds(cc, i);
    if (dflt != NULL && (DEFAULTS & FL__FORM_BIT(fl->type)) && cc->e->n == before &&
        !json_is_null(dflt))
        finish_default(cc, i, dflt);
}

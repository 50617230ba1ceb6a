/*
 * Form data against a compiled form, in three passes over the fields:
 *   1. every submitted key must name a field (null is no answer); absent answers take the
 *      field's default;
 *   2. visibility, in the order cond.c computed: a field whose rules do not all hold is hidden
 *      and its answer dropped, so fields shown depending on it see no answer;
 *   3. each visible field: required ones must have an answer, every answer passes its rules.
 * Empty answers (a blank string, an empty array) to optional fields are dropped as well.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define B(t)   FL__FORM_BIT(FL_FORM_##t)
#define ARRAYS (B(MULTI_SELECT) | B(CHECKBOX_GROUP) | B(FILE))

/* A form with pickers or files needs their callbacks: without them it cannot be checked. */
static void check_refs(const fl_form_t *f, const fl_form_refs_t *r)
{
    if (f->needs == 0)
        return;
    fl_assert(r != NULL);
    fl_assert(!(f->needs & B(USER_PICKER)) || r->user != NULL);
    fl_assert(!(f->needs & B(GROUP_PICKER)) || r->group != NULL);
    fl_assert(!(f->needs & B(APPLICATION_PICKER)) || r->application != NULL);
    fl_assert(!(f->needs & B(ENVIRONMENT_PICKER)) || r->environment != NULL);
    fl_assert(!(f->needs & B(FILE)) || r->attachment != NULL);
}

static void collect(const fl_form_t *f, const json_t *data, const json_t **vals,
                    fl_form_errors_t *e)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)data, key, v)
    {
        int i = fl_form_field_index(f, key, strlen(key));
        if (i < 0)
            fl__form_err(e, "is not a field of this form", ".%.*s", fl__form_cut(key), key);
        else if (!json_is_null(v))
            vals[i] = v;
    }
    for (size_t i = 0; i < f->n_fields; i++) {
        if (vals[i] == NULL)
            vals[i] = f->fields[i].dflt;
    }
}

static void visibility(const fl_form_t *f, const json_t **vals, bool *hidden)
{
    for (size_t n = 0; n < f->n_fields; n++) {
        int i = f->order[n];
        for (int k = f->fields[i].first_rule; k >= 0 && !hidden[i]; k = f->rules[k].next) {
            const fl__form_rule_t *r = &f->rules[k];
            hidden[i] = !fl__form_rule_holds(f, r, vals[r->source]);
        }
        if (hidden[i])
            vals[i] = NULL;
    }
}

/* A blank string or an empty array, where the field takes a string or an array. */
static bool no_answer(const fl__form_field_t *fl, const json_t *v)
{
    if (json_is_array(v))
        return json_array_size(v) == 0 && (ARRAYS & FL__FORM_BIT(fl->type));
    return json_is_string(v) && fl__form_is_empty(v) && !(ARRAYS & FL__FORM_BIT(fl->type));
}

/* Field i: its answer checked and added to res, or why it is missing. */
static int check_field(const fl_form_t *f, size_t i, const json_t **vals,
                       const fl_form_refs_t *refs, fl_time_t now, fl_form_errors_t *e, json_t *res)
{
    const fl__form_field_t *fl = &f->fields[i];
    const json_t *v = vals[i];
    json_t *norm = NULL;
    int rc;

    if (v == NULL || no_answer(fl, v)) {
        if (fl->required)
            fl__form_value_err(e, f, i, "is required");
        return 0;
    }
    /* A default was checked when the form was compiled; the answer gets a copy of it. */
    if (v == fl->dflt) {
        if (json_object_set_new(res, fl->id, json_deep_copy(v)) != 0)
            fl_oom();
        return 0;
    }
    rc = fl__form_value_check(f, i, v, vals, refs, now, e, &norm);
    if (norm != NULL && json_object_set_new(res, fl->id, norm) != 0)
        fl_oom();
    return rc;
}

int fl_form_validate(const fl_form_t *f, const json_t *form_data, const fl_form_refs_t *refs,
                     fl_time_t now, fl_form_errors_t *e, json_t **out)
{
    const json_t *vals[FL_FORM_MAX_FIELDS] = {0};
    bool hidden[FL_FORM_MAX_FIELDS] = {0};
    size_t before = e->n;
    json_t *res;
    int rc = 0;

    if (out != NULL)
        *out = NULL;
    check_refs(f, refs);
    if (!json_is_object(form_data)) {
        fl__form_err(e, "must be an object keyed by field id", "%s", "");
        return FL_EINVAL;
    }
    collect(f, form_data, vals, e);
    visibility(f, vals, hidden);
    if ((res = json_object()) == NULL)
        fl_oom();
    for (size_t i = 0; i < f->n_fields && rc == 0; i++)
        rc = hidden[i] ? 0 : check_field(f, i, vals, refs, now, e, res);
    if (rc == 0 && e->n != before)
        rc = FL_EINVAL;
    if (rc == 0 && out != NULL)
        *out = res;
    else
        json_decref(res);
    return rc;
}

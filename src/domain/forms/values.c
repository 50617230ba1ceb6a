/*
 * One submitted value against its field: the JSON type the field takes, then its rules.
 * Lengths count UTF-8 code points; patterns must match the whole value; a step counts from
 * min (or 0); dates are "YYYY-MM-DD", datetimes RFC 3339 with a zone, both bounded by the day.
 * Pickers and files go on to refs.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static void bad(fl_form_errors_t *e, const fl_form_t *f, size_t i, const char *message)
{
    fl__form_value_err(e, f, i, message);
}

/* 1 on a match, 0 when none, -1 when PCRE2 gave up (its match or depth limit). */
static int matches(const fl_form_t *f, const fl__form_field_t *fl, const char *s, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int rc;

    if (md == NULL)
        fl_oom();
    /* jansson's strings are valid UTF-8 (it checks them when it parses or builds one). */
    if (fl->jit)
        rc = pcre2_jit_match(fl->re, (PCRE2_SPTR)s, len, 0, 0, md, f->mctx);
    else
        rc = pcre2_match(fl->re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, md, f->mctx);
    pcre2_match_data_free(md);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static void check_text(const fl_form_t *f, size_t i, const json_t *v, fl_form_errors_t *e)
{
    const fl__form_field_t *fl = &f->fields[i];
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), n;
    int m;

    if (s == NULL) {
        bad(e, f, i, "must be a string");
        return;
    }
    if (fl_text_has_control(s, len, fl->type != FL_FORM_TEXT)) {
        bad(e, f, i,
            fl->type == FL_FORM_TEXT ? "must be one line without control characters"
                                     : "must not hold control characters but tabs and newlines");
        return;
    }
    n = fl__form_chars(s, len);
    if (n < fl->min_len)
        bad(e, f, i, fl__form_msg(e, "must be at least %zu characters", fl->min_len));
    else if (n > fl->max_len)
        bad(e, f, i, fl__form_msg(e, "must be at most %zu characters", fl->max_len));
    else if (fl->re != NULL && (m = matches(f, fl, s, len)) != 1)
        bad(e, f, i,
            m == 0 ? "does not match the field's pattern"
                   : "could not be checked against the field's pattern (too complex)");
}

/* x is min (or 0) plus a whole number of steps, allowing for binary fractions (0.1). */
static bool on_step(const fl__form_field_t *fl, double x)
{
    double q = (x - (fl->has_min ? fl->min : 0)) / fl->step;

    return fabs(q - nearbyint(q)) <= 1e-9 * fmax(1.0, fabs(q));
}

static void check_number(const fl_form_t *f, size_t i, const json_t *v, fl_form_errors_t *e)
{
    const fl__form_field_t *fl = &f->fields[i];
    double x = json_number_value(v);

    if (!json_is_number(v))
        bad(e, f, i, "must be a number");
    else if (fl->has_min && x < fl->min)
        bad(e, f, i, fl__form_msg(e, "must be at least %.15g", fl->min));
    else if (fl->has_max && x > fl->max)
        bad(e, f, i, fl__form_msg(e, "must be at most %.15g", fl->max));
    else if (fl->has_step && !on_step(fl, x))
        bad(e, f, i,
            fl->has_min
                ? fl__form_msg(e, "must be %.15g plus a multiple of %.15g", fl->min, fl->step)
                : fl__form_msg(e, "must be a multiple of %.15g", fl->step));
}

static void check_choice(const fl_form_t *f, size_t i, const json_t *v, fl_form_errors_t *e)
{
    if (!json_is_string(v) || fl__form_option_find(&f->fields[i], json_string_value(v)) < 0)
        bad(e, f, i, "must be one of the field's options");
}

/* An array of distinct options; its size within the field's counts. */
static void check_choices(const fl_form_t *f, size_t i, const json_t *v, fl_form_errors_t *e)
{
    const fl__form_field_t *fl = &f->fields[i];
    unsigned char seen[FL_FORM_MAX_OPTIONS] = {0};
    size_t n = json_array_size(v), k;
    const json_t *x;

    if (!json_is_array(v) || n > fl->n_opts) {
        bad(e, f, i,
            json_is_array(v) ? "holds more values than the field has options"
                             : "must be an array of the field's options");
        return;
    }
    json_array_foreach(v, k, x)
    {
        int o = json_is_string(x) ? fl__form_option_find(fl, json_string_value(x)) : -1;
        if (o < 0 || seen[o])
            fl__form_err(e, o < 0 ? "must be one of the field's options" : "is selected twice",
                         ".%s[%zu]", fl->id, k);
        else
            seen[o] = 1;
    }
    if (fl->max_sel != 0 && n > fl->max_sel)
        bad(e, f, i, fl__form_msg(e, "allows at most %zu selections", fl->max_sel));
    else if (n < fl->min_sel)
        bad(e, f, i, fl__form_msg(e, "needs at least %zu selections", fl->min_sel));
}

/* Days since 1970-01-01 as "YYYY-MM-DD" (Howard Hinnant's civil_from_days). */
static void day_format(int32_t z, char out[40])
{
    int era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    snprintf(out, 40, "%04d-%02d-%02d", y + (m <= 2), m, d);
}

static int32_t bound_day(const fl__form_bound_t *b, fl_time_t now)
{
    return b->relative ? fl__form_day_of(now) + b->days : b->days;
}

static void check_date(const fl_form_t *f, size_t i, const json_t *v, fl_time_t now,
                       fl_form_errors_t *e)
{
    const fl__form_field_t *fl = &f->fields[i];
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    int32_t day = 0;
    fl_time_t t;
    char when[40];

    if (fl->type == FL_FORM_DATE ? !fl__form_parse_date(s, s != NULL ? len : 0, &day)
                                 : s == NULL || !fl__form_parse_datetime(s, len, &t)) {
        bad(e, f, i,
            fl->type == FL_FORM_DATE
                ? "must be a date \"YYYY-MM-DD\""
                : "must be a date and time \"YYYY-MM-DDTHH:MM:SSZ\" (RFC 3339)");
        return;
    }
    if (fl->type == FL_FORM_DATETIME)
        day = fl__form_day_of(t);
    if (fl->min_date.set && day < bound_day(&fl->min_date, now)) {
        day_format(bound_day(&fl->min_date, now), when);
        bad(e, f, i, fl__form_msg(e, "must not be before %s", when));
    } else if (fl->max_date.set && day > bound_day(&fl->max_date, now)) {
        day_format(bound_day(&fl->max_date, now), when);
        bad(e, f, i, fl__form_msg(e, "must not be after %s", when));
    }
}

static void check_checkbox(const fl_form_t *f, size_t i, const json_t *v, fl_form_errors_t *e)
{
    if (!json_is_boolean(v))
        bad(e, f, i, "must be true or false");
    else if (f->fields[i].required && json_is_false(v))
        bad(e, f, i, "must be checked");
}

int fl__form_value_check(const fl_form_t *f, size_t i, const json_t *v, const json_t **vals,
                         const fl_form_refs_t *refs, fl_time_t now, fl_form_errors_t *e,
                         json_t **norm)
{
    switch (f->fields[i].type) {
    case FL_FORM_TEXT:
    case FL_FORM_TEXTAREA:
    case FL_FORM_RICH_TEXT:
        check_text(f, i, v, e);
        break;
    case FL_FORM_NUMBER:
        check_number(f, i, v, e);
        break;
    case FL_FORM_SELECT:
    case FL_FORM_RADIO:
        check_choice(f, i, v, e);
        break;
    case FL_FORM_MULTI_SELECT:
    case FL_FORM_CHECKBOX_GROUP:
        check_choices(f, i, v, e);
        break;
    case FL_FORM_CHECKBOX:
        check_checkbox(f, i, v, e);
        break;
    case FL_FORM_DATE:
    case FL_FORM_DATETIME:
        check_date(f, i, v, now, e);
        break;
    default:
        return fl__form_ref_check(f, i, v, vals, refs, e, norm);
    }
    *norm = json_incref((json_t *)v);
    return 0;
}

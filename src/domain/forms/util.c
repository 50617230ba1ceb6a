/*
 * What every file of the forms module shares: errors named by a path under the caller's base,
 * dates, option lookup, character counts and emptiness.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

bool fl__form_full(const fl_form_errors_t *e)
{
    return e->d->problem.n_errors >= FL_DECISION_MAX_ERRORS;
}

/* vsnprintf into the arena; NULL when it does not fit the arena's budget. */
__attribute__((format(printf, 3, 0))) static char *vformat(fl_arena_t *a, const char *prefix,
                                                           const char *fmt, va_list ap)
{
    size_t plen = strlen(prefix);
    va_list aq;
    int n;
    char *s;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0 || (s = fl_arena_alloc(a, plen + (size_t)n + 1)) == NULL)
        return NULL;
    memcpy(s, prefix, plen);
    vsnprintf(s + plen, (size_t)n + 1, fmt, ap);
    /* With an empty base, ".fields[0]" reads "fields[0]". */
    if (plen == 0 && s[0] == '.')
        memmove(s, s + 1, (size_t)n);
    return s;
}

void fl__form_err(fl_form_errors_t *e, const char *message, const char *fmt, ...)
{
    va_list ap;
    char *path;

    e->n++;
    if (fl__form_full(e)) {
        fl_decision_field(e->d, e->base, message); /* sets the status; the list is full */
        return;
    }
    va_start(ap, fmt);
    path = vformat(e->a, e->base, fmt, ap);
    va_end(ap);
    fl_decision_field(e->d, path != NULL ? path : e->base, message);
}

const char *fl__form_msg(fl_form_errors_t *e, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (fl__form_full(e))
        return "is invalid";
    va_start(ap, fmt);
    s = vformat(e->a, "", fmt, ap);
    va_end(ap);
    return s != NULL ? s : "is invalid";
}

void fl__form_value_err(fl_form_errors_t *e, const fl_form_t *f, size_t i, const char *message)
{
    fl__form_err(e, message, ".%s", f->fields[i].id);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's). */
static int32_t days_from_civil(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool fl__form_parse_date(const char *s, size_t len, int32_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    bool leap;

    if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return false;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

bool fl__form_parse_datetime(const char *s, size_t len, fl_time_t *t)
{
    int32_t day;

    /* fl_time_parse also takes a bare date, a space or a 't' and plain µs: a form does not. */
    if (len < 20 || len > 40 || s[10] != 'T' || strlen(s) != len ||
        !fl__form_parse_date(s, 10, &day))
        return false;
    return fl_time_parse(s, t) == 0;
}

int32_t fl__form_day_of(fl_time_t t)
{
    int64_t day = 86400 * INT64_C(1000000);

    return (int32_t)(t >= 0 ? t / day : -((-t + day - 1) / day));
}

int fl__form_option_find(const fl__form_field_t *fl, const char *value)
{
    size_t lo = 0, hi = fl->n_opts;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(value, fl->opts[mid]);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

size_t fl__form_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

int fl__form_cut(const char *key)
{
    size_t n = strnlen(key, 101);

    if (n <= 100)
        return (int)n;
    n = 100;
    while (n > 0 && ((unsigned char)key[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    }
    return true;
}

bool fl__form_is_empty(const json_t *v)
{
    if (v == NULL || json_is_null(v) || json_is_false(v))
        return true;
    if (json_is_string(v))
        return blank(json_string_value(v), json_string_length(v));
    return json_is_array(v) && json_array_size(v) == 0;
}

json_t *fl__form_uuid_norm(const json_t *v)
{
    const char *s = json_string_value(v);
    char low[FL_UUID_LEN + 1];
    size_t i;

    for (i = 0; s[i] != '\0' && !(s[i] >= 'A' && s[i] <= 'F'); i++)
        ;
    if (s[i] == '\0')
        return json_incref((json_t *)v);
    for (i = 0; i < FL_UUID_LEN; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    low[FL_UUID_LEN] = '\0';
    return json_string(low);
}

/*
 * A business-hours body -> fl_cal_def_t, in the spec's column names
 * (business_hours, business_hours_schedule, business_hours_holidays):
 *
 *   {"name": "Office", "timezone": "Europe/Berlin", "is_default": false,
 *    "schedule": [{"day_of_week": 1, "start_time": "09:00", "end_time": "12:00"}, ...],
 *    "holidays": [{"holiday_date": "2026-12-25", "name": "Christmas"}]}
 *
 * day_of_week 0 is Sunday. Every problem is collected and names its field
 * ("schedule[3].end_time"); strings are copied into the arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define SCHEDULE_MAX (7 * FL_CAL_DAY_SPANS)

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_cal_def_t *def;
} dec_t;

/* "base[i]" or "base[i].key", in the arena. */
static const char *field_at(fl_arena_t *a, const char *base, size_t i, const char *key)
{
    size_t len = strlen(base) + (key != NULL ? strlen(key) : 0) + 26;
    char *f = fl_arena_alloc(a, len);

    if (f == NULL)
        return base;
    if (key != NULL)
        snprintf(f, len, "%s[%zu].%s", base, i, key);
    else
        snprintf(f, len, "%s[%zu]", base, i);
    return f;
}

static const char *msg_at(fl_arena_t *a, const char *what, const char *base, size_t i)
{
    size_t len = strlen(what) + strlen(base) + 26;
    char *m = fl_arena_alloc(a, len);

    if (m == NULL)
        return what;
    snprintf(m, len, "%s %s[%zu]", what, base, i);
    return m;
}

static void unknown_keys(dec_t *c, const json_t *obj, const char *const *known, const char *base,
                         size_t i)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        size_t k = 0;

        while (known[k] != NULL && strcmp(known[k], key) != 0)
            k++;
        if (known[k] == NULL)
            fl_decision_field(c->d,
                              base != NULL ? field_at(c->a, base, i, key)
                                           : fl_arena_strndup(c->a, key, strlen(key)),
                              "is not a known field");
    }
}

/* A name: a non-blank string without control characters, at most 255 characters. */
static const char *want_name(dec_t *c, const char *field, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (s == NULL)
        fl_decision_field(c->d, field, "must be a string");
    else if (strlen(s) != len || fl_text_has_control(s, len, false))
        fl_decision_field(c->d, field, "must not contain control characters");
    else if (s[strspn(s, " \t")] == '\0')
        fl_decision_field(c->d, field, "must not be blank");
    else if (len > 4 * FL_CAL_NAME_MAX || fl_utf8_chars(s) > FL_CAL_NAME_MAX)
        fl_decision_field(c->d, field, "must be at most 255 characters");
    else
        return fl_arena_strndup(c->a, s, len);
    return NULL;
}

static void dec_timezone(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);

    if (s == NULL)
        fl_decision_field(c->d, "timezone", "must be a string");
    else if (strlen(s) != json_string_length(v) || !fl_cal_zone_is_valid(s))
        fl_decision_field(c->d, "timezone", "is not a known time zone (IANA name)");
    else
        c->def->timezone = fl_arena_strndup(c->a, s, strlen(s));
}

/* Two digits in [0, max]. */
static int two_digits(const char *s, int max)
{
    int v;

    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    v = (s[0] - '0') * 10 + (s[1] - '0');
    return v <= max ? v : -1;
}

/* "HH:MM" or "HH:MM:00" -> minutes of the day; "24:00" only when end. -1 when bad. */
static int parse_clock(const char *s, bool end)
{
    size_t len = strlen(s);
    int h, m;

    if ((len != 5 && len != 8) || s[2] != ':' || (len == 8 && strcmp(s + 5, ":00") != 0))
        return -1;
    h = two_digits(s, 24);
    m = two_digits(s + 3, 59);
    if (h < 0 || m < 0 || (h == 24 && (m != 0 || !end)))
        return -1;
    return h * 60 + m;
}

static int want_clock(dec_t *c, const json_t *obj, size_t i, const char *key, bool end)
{
    const json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    int min = s != NULL && strlen(s) == json_string_length(v) ? parse_clock(s, end) : -1;

    if (v == NULL)
        fl_decision_field(c->d, field_at(c->a, "schedule", i, key), "is required");
    else if (min < 0)
        fl_decision_field(c->d, field_at(c->a, "schedule", i, key),
                          end ? "must be a time HH:MM from 00:01 to 24:00"
                              : "must be a time HH:MM from 00:00 to 23:59");
    return v == NULL ? -1 : min;
}

/* One schedule entry: day_of_week, start_time < end_time. The day, or -1. */
static int dec_entry(dec_t *c, const json_t *e, size_t i, fl_cal_span_t *span)
{
    static const char *const known[] = {"day_of_week", "start_time", "end_time", NULL};
    const json_t *dow = json_object_get(e, "day_of_week");
    int start, end;

    if (!json_is_object(e)) {
        fl_decision_field(c->d, field_at(c->a, "schedule", i, NULL), "must be an object");
        return -1;
    }
    unknown_keys(c, e, known, "schedule", i);
    if (!json_is_integer(dow) || json_integer_value(dow) < 0 || json_integer_value(dow) > 6)
        fl_decision_field(c->d, field_at(c->a, "schedule", i, "day_of_week"),
                          dow == NULL ? "is required" : "must be an integer from 0 (Sunday) to 6");
    start = want_clock(c, e, i, "start_time", false);
    end = want_clock(c, e, i, "end_time", true);
    if (start >= 0 && end >= 0 && start >= end)
        fl_decision_field(c->d, field_at(c->a, "schedule", i, "end_time"),
                          "must be after start_time");
    if (start < 0 || end < 0 || start >= end || !json_is_integer(dow) ||
        json_integer_value(dow) < 0 || json_integer_value(dow) > 6)
        return -1;
    span->start = (uint16_t)start;
    span->end = (uint16_t)end;
    return (int)json_integer_value(dow);
}

typedef struct slot {
    int day;
    fl_cal_span_t span;
    size_t index; /* in the body */
} slot_t;

static int cmp_slot(const void *x, const void *y)
{
    const slot_t *a = x, *b = y;

    if (a->day != b->day)
        return a->day - b->day;
    return (a->span.start > b->span.start) - (a->span.start < b->span.start);
}

/* Sorted by day and start; an overlap or a ninth interval in a day is named. */
static void place_slots(dec_t *c, slot_t *slots, size_t n)
{
    qsort(slots, n, sizeof(*slots), cmp_slot);
    for (size_t k = 0; k < n; k++) {
        const slot_t *s = &slots[k];
        int w = s->day;

        if (k > 0 && slots[k - 1].day == w && s->span.start < slots[k - 1].span.end) {
            fl_decision_field(c->d, field_at(c->a, "schedule", s->index, NULL),
                              msg_at(c->a, "overlaps", "schedule", slots[k - 1].index));
        } else if (c->def->n_spans[w] == FL_CAL_DAY_SPANS) {
            fl_decision_field(c->d, field_at(c->a, "schedule", s->index, NULL),
                              "is more than 8 intervals in a day");
        } else {
            c->def->spans[w][c->def->n_spans[w]++] = s->span;
        }
    }
}

static void dec_schedule(dec_t *c, const json_t *v)
{
    slot_t slots[SCHEDULE_MAX];
    size_t n = 0, i;
    json_t *e;

    if (!json_is_array(v)) {
        fl_decision_field(c->d, "schedule",
                          "must be an array of {day_of_week, start_time, end_time}");
        return;
    }
    if (json_array_size(v) == 0 || json_array_size(v) > SCHEDULE_MAX) {
        fl_decision_field(c->d, "schedule",
                          json_array_size(v) == 0 ? "must hold at least one interval"
                                                  : "must hold at most 56 intervals");
        return;
    }
    json_array_foreach(v, i, e)
    {
        slots[n].day = dec_entry(c, e, i, &slots[n].span);
        slots[n].index = i;
        if (slots[n].day >= 0)
            n++;
    }
    place_slots(c, slots, n); /* overlaps among the good entries are named too */
}

/* "YYYY-MM-DD" from 1970 to 2999 -> days since the epoch, or INT64_MIN. */
static int64_t parse_date(const char *s)
{
    int y, m, d, yy, mm, dd;
    int64_t days;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || two_digits(s, 99) < 0 ||
        two_digits(s + 2, 99) < 0)
        return INT64_MIN;
    y = two_digits(s, 99) * 100 + two_digits(s + 2, 99);
    m = two_digits(s + 5, 12);
    d = two_digits(s + 8, 31);
    if (y < 1970 || y > 2999 || m < 1 || d < 1)
        return INT64_MIN;
    days = fl_cal_days_from_civil(y, m, d);
    fl_cal_civil_from_days(days, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d ? days : INT64_MIN;
}

static int cmp_holiday(const void *x, const void *y)
{
    const fl_cal_holiday_t *a = x, *b = y;

    return (a->day > b->day) - (a->day < b->day);
}

/* One holiday into def (unless it repeats an earlier one, which is named). */
static void dec_holiday(dec_t *c, const json_t *e, size_t i)
{
    static const char *const known[] = {"holiday_date", "name", NULL};
    const json_t *date = json_object_get(e, "holiday_date");
    const json_t *name = json_object_get(e, "name");
    const char *s = json_string_value(date);
    int64_t day = s != NULL && strlen(s) == json_string_length(date) ? parse_date(s) : INT64_MIN;
    fl_cal_holiday_t *h = &c->def->holidays[c->def->n_holidays];

    if (!json_is_object(e)) {
        fl_decision_field(c->d, field_at(c->a, "holidays", i, NULL), "must be an object");
        return;
    }
    unknown_keys(c, e, known, "holidays", i);
    h->name = name != NULL && !json_is_null(name)
                  ? want_name(c, field_at(c->a, "holidays", i, "name"), name)
                  : NULL;
    if (day == INT64_MIN) {
        fl_decision_field(c->d, field_at(c->a, "holidays", i, "holiday_date"),
                          date == NULL ? "is required"
                                       : "must be a date YYYY-MM-DD (1970 to 2999)");
        return;
    }
    for (size_t k = 0; k < c->def->n_holidays; k++) {
        if (c->def->holidays[k].day == day) {
            fl_decision_field(c->d, field_at(c->a, "holidays", i, "holiday_date"),
                              msg_at(c->a, "repeats", "holidays", k));
            return;
        }
    }
    h->day = (int32_t)day;
    c->def->n_holidays++;
}

static void dec_holidays(dec_t *c, const json_t *v)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v)) {
        fl_decision_field(c->d, "holidays", "must be an array of {holiday_date, name}");
        return;
    }
    if (json_array_size(v) > FL_CAL_HOLIDAYS_MAX) {
        fl_decision_field(c->d, "holidays", "must hold at most 1000 dates");
        return;
    }
    c->def->holidays = fl_arena_alloc(c->a, (json_array_size(v) + 1) * sizeof(fl_cal_holiday_t));
    if (c->def->holidays == NULL) {
        fl_decision_field(c->d, "holidays", "is too big");
        return;
    }
    json_array_foreach(v, i, e) dec_holiday(c, e, i);
    qsort(c->def->holidays, c->def->n_holidays, sizeof(fl_cal_holiday_t), cmp_holiday);
}

int fl_cal_decode(const json_t *body, fl_arena_t *a, fl_decision_t *d, fl_cal_def_t *def)
{
    static const char *const known[] = {"name",     "timezone", "is_default",
                                        "schedule", "holidays", NULL};
    dec_t c = {a, d, def};
    const json_t *v;

    memset(def, 0, sizeof(*def));
    def->name = "Default";
    def->timezone = "UTC";
    if (!json_is_object(body)) {
        fl_decision_field(d, "body", "must be a JSON object");
        return FL_EINVAL;
    }
    unknown_keys(&c, body, known, NULL, 0);
    if ((v = json_object_get(body, "name")) != NULL)
        def->name = want_name(&c, "name", v);
    if ((v = json_object_get(body, "timezone")) != NULL)
        dec_timezone(&c, v);
    if ((v = json_object_get(body, "is_default")) != NULL && !json_is_boolean(v))
        fl_decision_field(d, "is_default", "must be true or false");
    def->is_default = json_is_true(v);
    if ((v = json_object_get(body, "schedule")) != NULL)
        dec_schedule(&c, v);
    else
        fl_decision_field(d, "schedule", "is required");
    if ((v = json_object_get(body, "holidays")) != NULL && !json_is_null(v))
        dec_holidays(&c, v);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

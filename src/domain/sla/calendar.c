/*
 * Business-time arithmetic. Time is walked a local day at a time: a day's
 * opening intervals are turned into UTC instants (zone.c) and consumed
 * whole, never minute by minute. Where the remaining span covers whole
 * weeks without holidays and without a change of UTC offset, each such week
 * holds exactly week_us of business time and is skipped in one step, so the
 * cost of a call grows with the holidays and offset changes it crosses, not
 * with the length of the span.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define US      INT64_C(1000000)
#define DAY_US  (FL__DAY_S * US)
#define WEEK_US (7 * DAY_US)

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
int64_t fl_cal_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void fl_cal_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

static bool spans_ok(const fl_cal_def_t *def)
{
    for (int w = 0; w < 7; w++) {
        if (def->n_spans[w] > FL_CAL_DAY_SPANS)
            return false;
        for (size_t i = 0; i < def->n_spans[w]; i++) {
            const fl_cal_span_t *s = &def->spans[w][i];

            if (s->start >= s->end || s->end > 1440)
                return false;
            if (i > 0 && s->start < def->spans[w][i - 1].end)
                return false;
        }
    }
    return true;
}

int fl_cal_new(const fl_cal_def_t *def, fl_cal_t **out)
{
    fl_cal_t *cal;
    int64_t minutes = 0;

    *out = NULL;
    if (!spans_ok(def) || def->n_holidays > FL_CAL_HOLIDAYS_MAX)
        return FL_EINVAL;
    cal = calloc(1, sizeof(*cal));
    if (cal == NULL)
        abort();
    if (fl__zone_init(&cal->zone, def->timezone != NULL ? def->timezone : "UTC") != 0) {
        free(cal);
        return FL_EINVAL;
    }
    memcpy(cal->spans, def->spans, sizeof(cal->spans));
    memcpy(cal->n_spans, def->n_spans, sizeof(cal->n_spans));
    for (int w = 0; w < 7; w++)
        for (size_t i = 0; i < cal->n_spans[w]; i++)
            minutes += cal->spans[w][i].end - cal->spans[w][i].start;
    cal->week_us = minutes * 60 * US;
    cal->holidays = malloc((def->n_holidays + 1) * sizeof(*cal->holidays));
    if (cal->holidays == NULL)
        abort();
    for (size_t i = 0; i < def->n_holidays; i++)
        cal->holidays[i] = def->holidays[i].day;
    cal->n_holidays = def->n_holidays;
    qsort(cal->holidays, cal->n_holidays, sizeof(*cal->holidays), cmp_day);
    *out = cal;
    if (minutes == 0) {
        fl_cal_free(cal);
        *out = NULL;
        return FL_EINVAL;
    }
    return 0;
}

fl_cal_t *fl_cal_new_24x7(void)
{
    fl_cal_t *cal = calloc(1, sizeof(*cal));

    if (cal == NULL)
        abort();
    cal->always = true;
    cal->week_us = WEEK_US;
    return cal;
}

void fl_cal_free(fl_cal_t *cal)
{
    if (cal == NULL)
        return;
    fl__zone_free(&cal->zone);
    free(cal->holidays);
    free(cal);
}

/* The index of the first holiday >= day. */
static size_t holiday_from(const fl_cal_t *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n_holidays;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_holiday(const fl_cal_t *cal, int64_t day)
{
    size_t i = holiday_from(cal, day);

    return i < cal->n_holidays && cal->holidays[i] == day;
}

static int64_t local_day(fl_cal_t *cal, fl_time_t t)
{
    int64_t s = floor_div(t, US);

    return floor_div(s + fl__zone_offset(&cal->zone, s), FL__DAY_S);
}

static fl_time_t day_start(fl_cal_t *cal, int64_t day)
{
    return fl__zone_to_utc(&cal->zone, day * FL__DAY_S) * US;
}

/* The opening intervals of a local day as UTC µs [start, end); a gap may empty one. */
static size_t day_spans(fl_cal_t *cal, int64_t day, fl_time_t out[][2])
{
    int w = (int)(day + 4 - floor_div(day + 4, 7) * 7); /* 0 = Sunday; 1970-01-01 a Thursday */
    size_t n = 0;

    if (is_holiday(cal, day))
        return 0;
    for (size_t i = 0; i < cal->n_spans[w]; i++) {
        int64_t base = day * FL__DAY_S;
        fl_time_t s = fl__zone_to_utc(&cal->zone, base + cal->spans[w][i].start * 60) * US;
        fl_time_t e = fl__zone_to_utc(&cal->zone, base + cal->spans[w][i].end * 60) * US;

        if (s < e) {
            out[n][0] = s;
            out[n][1] = e;
            n++;
        }
    }
    return n;
}

/*
 * How many whole weeks from local day `day` (which starts at UTC µs ds) hold
 * no holiday and lie clear of every offset change: each holds week_us.
 */
static int64_t plain_weeks(fl_cal_t *cal, int64_t day, fl_time_t ds)
{
    size_t h = holiday_from(cal, day);
    int64_t days = h < cal->n_holidays ? cal->holidays[h] - day : INT64_MAX;
    int64_t known;
    int64_t s = floor_div(ds, US);
    int64_t change = fl__zone_next_change(&cal->zone, s, &known);
    int64_t limit = (change < known ? change : known) - 2 * FL__DAY_S;
    int64_t zdays = limit > s ? (limit - s) / FL__DAY_S : 0;

    if (zdays < days)
        days = zdays;
    return days / 7;
}

static bool in_range(fl_time_t t)
{
    return t >= FL_CAL_TIME_MIN && t < FL_CAL_TIME_MAX;
}

int fl_cal_add(fl_cal_t *cal, fl_time_t start, int64_t minutes, fl_time_t *out)
{
    fl_time_t sp[FL_CAL_DAY_SPANS][2];
    int64_t rem, day;

    if (minutes < 0 || minutes > FL_CAL_TIME_MAX / (60 * US) || !in_range(start))
        return FL_EINVAL;
    rem = minutes * 60 * US;
    if (rem == 0 || cal->always) {
        *out = start + rem;
        return in_range(*out) ? 0 : FL_EINVAL;
    }
    for (day = local_day(cal, start) - 1;; day++) {
        fl_time_t ds = day_start(cal, day);
        int64_t n;

        if (ds >= FL_CAL_TIME_MAX)
            return FL_EINVAL;
        if (ds >= start && rem > cal->week_us) {
            n = plain_weeks(cal, day, ds);
            if (n > (rem - 1) / cal->week_us)
                n = (rem - 1) / cal->week_us;
            if (n > 0) {
                rem -= n * cal->week_us;
                day += 7 * n - 1;
                continue;
            }
        }
        for (size_t i = 0, k = day_spans(cal, day, sp); i < k; i++) {
            fl_time_t s = sp[i][0] > start ? sp[i][0] : start;

            if (sp[i][1] <= s)
                continue;
            if (rem <= sp[i][1] - s) {
                *out = s + rem;
                return 0;
            }
            rem -= sp[i][1] - s;
        }
    }
}

static fl_time_t clamp(fl_time_t t)
{
    return t < FL_CAL_TIME_MIN ? FL_CAL_TIME_MIN : t >= FL_CAL_TIME_MAX ? FL_CAL_TIME_MAX - 1 : t;
}

int64_t fl_cal_elapsed(fl_cal_t *cal, fl_time_t from, fl_time_t to)
{
    fl_time_t sp[FL_CAL_DAY_SPANS][2];
    int64_t acc = 0;

    from = clamp(from);
    to = clamp(to);
    if (to <= from)
        return 0;
    if (cal->always)
        return to - from;
    for (int64_t day = local_day(cal, from) - 1;; day++) {
        fl_time_t ds = day_start(cal, day);
        int64_t n;

        if (ds >= to)
            return acc;
        if (ds >= from && to - ds >= WEEK_US) {
            n = plain_weeks(cal, day, ds);
            if (n > (to - ds) / WEEK_US)
                n = (to - ds) / WEEK_US;
            if (n > 0) {
                acc += n * cal->week_us;
                day += 7 * n - 1;
                continue;
            }
        }
        for (size_t i = 0, k = day_spans(cal, day, sp); i < k; i++) {
            fl_time_t s = sp[i][0] > from ? sp[i][0] : from;
            fl_time_t e = sp[i][1] < to ? sp[i][1] : to;

            if (e > s)
                acc += e - s;
        }
    }
}

/*
 * The open period that ends after t, as [*s, *e) (touching intervals joined
 * when join), looked for over `days` local days; false when there is none.
 */
static bool period_after(fl_cal_t *cal, fl_time_t t, int64_t days, bool join, fl_time_t *s,
                         fl_time_t *e)
{
    fl_time_t sp[FL_CAL_DAY_SPANS][2];
    int64_t first = local_day(cal, t) - 1;
    bool found = false;

    *s = *e = 0;
    for (int64_t day = first; day < first + days; day++) {
        if (day_start(cal, day) >= FL_CAL_TIME_MAX)
            break;
        for (size_t i = 0, k = day_spans(cal, day, sp); i < k; i++) {
            if (sp[i][1] <= t)
                continue;
            if (found && sp[i][0] != *e)
                return true;
            if (!found)
                *s = sp[i][0];
            *e = sp[i][1];
            found = true;
            if (!join)
                return true;
        }
    }
    return false; /* none, or still open at the end of the search */
}

/* Days within which every calendar with some opening opens: holidays stretch it. */
static int64_t search_days(const fl_cal_t *cal)
{
    return 7 * ((int64_t)cal->n_holidays + 2) + 2;
}

fl_time_t fl_cal_next_open(fl_cal_t *cal, fl_time_t t)
{
    fl_time_t s, e;

    if (cal->always || !in_range(t))
        return t;
    if (!period_after(cal, t, search_days(cal), false, &s, &e))
        return FL_CAL_NEVER;
    return s > t ? s : t;
}

bool fl_cal_is_open(fl_cal_t *cal, fl_time_t t)
{
    return cal->always || (in_range(t) && fl_cal_next_open(cal, t) == t);
}

fl_time_t fl_cal_next_close(fl_cal_t *cal, fl_time_t t)
{
    fl_time_t s, e;

    if (cal->always || !in_range(t))
        return FL_CAL_NEVER;
    if (!period_after(cal, t, 366 + search_days(cal), true, &s, &e))
        return FL_CAL_NEVER;
    return e;
}

/*
 * A property test: random calendars (zones with changes, several intervals
 * a day, holidays) and random starts, compared with a slow reference that
 * walks minute by minute and asks libical directly for the wall clock.
 * The reference reads the schedule as the wall clock shows it, which is the
 * library's model wherever no interval starts or ends inside a repeated or
 * skipped hour (those rules have their own tests), so boundaries are drawn
 * from 00:00 and 03:00-24:00.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "cal_test.h"

#define MAX_HOLIDAYS 12

typedef struct ref {
    const char *tz;
    int spans[7][3][2]; /* minutes of the day */
    int n[7];
    int64_t holidays[MAX_HOLIDAYS];
    int n_holidays;
    int week_minutes;
} ref_t;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 0x2545F4914F6CDD1Du) % n;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Is the wall clock at instant u inside an interval of a working day? */
static bool ref_open(const ref_t *r, icaltimezone *z, fl_time_t u)
{
    int64_t s = floordiv(u, 1000000);
    struct icaltimetype tt =
        icaltime_from_timet_with_zone((time_t)s, 0, icaltimezone_get_utc_timezone());
    int dst = 0;
    int64_t l = s + icaltimezone_get_utc_offset_of_utc_time(z, &tt, &dst);
    int64_t day = floordiv(l, 86400);
    int w = (int)(day + 4 - floordiv(day + 4, 7) * 7);
    int m = (int)((l - day * 86400) / 60);

    for (int i = 0; i < r->n_holidays; i++)
        if (r->holidays[i] == day)
            return false;
    for (int i = 0; i < r->n[w]; i++)
        if (r->spans[w][i][0] <= m && m < r->spans[w][i][1])
            return true;
    return false;
}

static fl_time_t ref_add(const ref_t *r, icaltimezone *z, fl_time_t u, int64_t minutes)
{
    int64_t rem = minutes * TC_MIN;

    while (rem > 0) {
        fl_time_t next = (floordiv(u, TC_MIN) + 1) * TC_MIN;

        if (ref_open(r, z, u)) {
            int64_t take = next - u < rem ? next - u : rem;

            rem -= take;
            u += take;
        } else {
            u = next;
        }
    }
    return u;
}

static int64_t ref_elapsed(const ref_t *r, icaltimezone *z, fl_time_t from, fl_time_t to)
{
    int64_t acc = 0;

    while (from < to) {
        fl_time_t next = (floordiv(from, TC_MIN) + 1) * TC_MIN;

        if (next > to)
            next = to;
        if (ref_open(r, z, from))
            acc += next - from;
        from = next;
    }
    return acc;
}

static int boundary(void)
{
    return rnd(8) == 0 ? 0 : 180 + (int)rnd(1261); /* 00:00, or 03:00 to 24:00 */
}

/* A random day: up to 3 sorted, disjoint intervals. */
static void random_day(ref_t *r, int w)
{
    int cuts[6], k = 2 * (int)rnd(4);

    for (int i = 0; i < k; i++)
        cuts[i] = boundary();
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
            int t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    r->n[w] = 0;
    for (int i = 0; i + 1 < k; i += 2) {
        if (cuts[i] < cuts[i + 1] && (r->n[w] == 0 || cuts[i] >= r->spans[w][r->n[w] - 1][1])) {
            r->spans[w][r->n[w]][0] = cuts[i];
            r->spans[w][r->n[w]][1] = cuts[i + 1];
            r->week_minutes += cuts[i + 1] - cuts[i];
            r->n[w]++;
        }
    }
}

static void random_ref(ref_t *r)
{
    static const char *zones[] = {"America/New_York", "Europe/Berlin",    "UTC",
                                  "Asia/Kolkata",     "Australia/Sydney", "Australia/Lord_Howe"};

    memset(r, 0, sizeof(*r));
    r->tz = zones[rnd(6)];
    while (r->week_minutes == 0)
        for (int w = 0; w < 7; w++)
            random_day(r, w);
    r->n_holidays = (int)rnd(MAX_HOLIDAYS + 1);
    for (int i = 0; i < r->n_holidays; i++)
        r->holidays[i] = fl_cal_days_from_civil(2026, 1, 1) + (int64_t)rnd(500);
}

/* The same calendar for the library, through its JSON body. */
static fl_cal_t *build(const ref_t *r)
{
    char json[8192];
    size_t n =
        (size_t)snprintf(json, sizeof(json), "{\"timezone\": \"%s\", \"schedule\": [", r->tz);
    const char *sep = "";

    for (int w = 0; w < 7; w++)
        for (int i = 0; i < r->n[w]; i++, sep = ",")
            n += (size_t)snprintf(json + n, sizeof(json) - n,
                                  "%s{\"day_of_week\": %d, \"start_time\": \"%02d:%02d\", "
                                  "\"end_time\": \"%02d:%02d\"}",
                                  sep, w, r->spans[w][i][0] / 60, r->spans[w][i][0] % 60,
                                  r->spans[w][i][1] / 60, r->spans[w][i][1] % 60);
    n += (size_t)snprintf(json + n, sizeof(json) - n, "], \"holidays\": [");
    for (int i = 0; i < r->n_holidays; i++) {
        int y, m, d;

        fl_cal_civil_from_days(r->holidays[i], &y, &m, &d);
        n += (size_t)snprintf(json + n, sizeof(json) - n,
                              "%s{\"holiday_date\": \"%04d-%02d-%02d\"}", i ? "," : "", y, m, d);
    }
    snprintf(json + n, sizeof(json) - n, "]}");
    /* the same date twice is refused: keep the reference's list free of repeats */
    return tc_cal(json);
}

static void dedupe_holidays(ref_t *r)
{
    int out = 0;

    for (int i = 0; i < r->n_holidays; i++) {
        bool seen = false;

        for (int j = 0; j < out; j++)
            seen = seen || r->holidays[j] == r->holidays[i];
        if (!seen)
            r->holidays[out++] = r->holidays[i];
    }
    r->n_holidays = out;
}

static fl_time_t random_start(void)
{
    return tc_t("2026-01-01T00:00:00Z") + (int64_t)rnd((uint64_t)500 * 86400 * 1000000);
}

START_TEST(add_and_elapsed_match_the_minute_by_minute_reference)
{
    for (int round = 0; round < 150; round++) {
        ref_t r;
        fl_cal_t *cal;
        icaltimezone *z;

        random_ref(&r);
        dedupe_holidays(&r);
        cal = build(&r);
        z = icaltimezone_get_builtin_timezone(r.tz);
        for (int k = 0; k < 4; k++) {
            fl_time_t start = k == 0 ? floordiv(random_start(), TC_MIN) * TC_MIN : random_start();
            int64_t m = (int64_t)rnd((uint64_t)r.week_minutes * (k == 3 ? 12 : 3) + 2);
            fl_time_t got = 0, want = ref_add(&r, z, start, m);
            fl_time_t to = start + (int64_t)rnd((uint64_t)30 * 86400 * 1000000);

            ck_assert_int_eq(fl_cal_add(cal, start, m, &got), 0);
            ck_assert_msg(got == want, "round %d %s: add(%lld, %lld) = %lld, reference %lld", round,
                          r.tz, (long long)start, (long long)m, (long long)got, (long long)want);
            ck_assert_int_eq(fl_cal_elapsed(cal, start, got), m * TC_MIN);
            ck_assert_int_eq(fl_cal_elapsed(cal, start, to), ref_elapsed(&r, z, start, to));
            ck_assert_int_eq(fl_cal_is_open(cal, to), ref_open(&r, z, to));
        }
        fl_cal_free(cal);
    }
}
END_TEST

START_TEST(one_hundred_thousand_minutes_match_the_reference)
{
    static const char *zones[] = {"America/New_York", "Europe/Berlin"};

    for (int i = 0; i < 2; i++) {
        ref_t r;
        fl_cal_t *cal;
        icaltimezone *z;
        fl_time_t start = tc_t("2026-02-27T15:45:30Z"), got = 0;

        memset(&r, 0, sizeof(r));
        r.tz = zones[i];
        for (int w = 1; w <= 5; w++) {
            r.spans[w][0][0] = 9 * 60, r.spans[w][0][1] = 12 * 60;
            r.spans[w][1][0] = 13 * 60, r.spans[w][1][1] = 17 * 60 + 30;
            r.n[w] = 2;
        }
        r.holidays[0] = fl_cal_days_from_civil(2026, 12, 25);
        r.holidays[1] = fl_cal_days_from_civil(2027, 1, 1);
        r.n_holidays = 2;
        cal = build(&r);
        z = icaltimezone_get_builtin_timezone(r.tz);
        ck_assert_int_eq(fl_cal_add(cal, start, 100000, &got), 0);
        ck_assert_int_eq(got, ref_add(&r, z, start, 100000));
        ck_assert_int_eq(fl_cal_elapsed(cal, start, got), 100000 * TC_MIN);
        fl_cal_free(cal);
    }
}
END_TEST

TCase *cal_property_tcase(void)
{
    TCase *tc = tcase_create("property");

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, add_and_elapsed_match_the_minute_by_minute_reference);
    tcase_add_test(tc, one_hundred_thousand_minutes_match_the_reference);
    return tc;
}

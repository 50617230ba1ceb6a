/*
 * Changes of UTC offset: America/New_York (2026-03-08 02:00 -> 03:00,
 * 2026-11-01 02:00 -> 01:00) and Europe/Berlin (2026-03-29 02:00 -> 03:00,
 * 2026-10-25 03:00 -> 02:00), all Sundays. A local time in a gap maps to the
 * change itself; a repeated local time to its first occurrence.
 */
#include <stdio.h>

#include "cal_test.h"

/* Monday to Friday 09:00-17:00 in tz. */
static fl_cal_t *office(const char *tz)
{
    char json[1024];
    int n = snprintf(json, sizeof(json), "{\"timezone\": \"%s\", \"schedule\": [", tz);

    for (int d = 1; d <= 5; d++)
        n += snprintf(json + n, sizeof(json) - (size_t)n,
                      "%s{\"day_of_week\": %d, \"start_time\": \"09:00\", \"end_time\": \"17:00\"}",
                      d > 1 ? "," : "", d);
    snprintf(json + n, sizeof(json) - (size_t)n, "]}");
    return tc_cal(json);
}

/* Sundays only, from start to end, in tz. */
static fl_cal_t *sundays(const char *tz, const char *start, const char *end)
{
    char json[256];

    snprintf(json, sizeof(json),
             "{\"timezone\": \"%s\", \"schedule\": [{\"day_of_week\": 0, \"start_time\": \"%s\","
             " \"end_time\": \"%s\"}]}",
             tz, start, end);
    return tc_cal(json);
}

static int64_t minutes(fl_cal_t *cal, const char *from, const char *to)
{
    return fl_cal_elapsed(cal, tc_t(from), tc_t(to)) / TC_MIN;
}

START_TEST(new_york_office_hours_follow_the_wall_clock)
{
    fl_cal_t *cal = office("America/New_York");

    /* Friday 16:00 EST + 2 h = Monday 10:00 EDT */
    tc_assert_time(tc_add(cal, "2026-03-06T21:00:00Z", 120), "2026-03-09T14:00:00Z");
    ck_assert_int_eq(minutes(cal, "2026-03-06T21:00:00Z", "2026-03-09T14:00:00Z"), 120);
    /* Friday 16:00 EDT + 2 h = Monday 10:00 EST */
    tc_assert_time(tc_add(cal, "2026-10-30T20:00:00Z", 120), "2026-11-02T15:00:00Z");
    ck_assert_int_eq(minutes(cal, "2026-10-30T20:00:00Z", "2026-11-02T15:00:00Z"), 120);
    /* 20 whole weeks from January (EST) end on a Friday in May (EDT) */
    tc_assert_time(tc_add(cal, "2026-01-05T14:00:00Z", 20 * 2400), "2026-05-22T21:00:00Z");
    ck_assert_int_eq(minutes(cal, "2026-01-05T14:00:00Z", "2026-05-22T21:00:00Z"), 20 * 2400);
    ck_assert(fl_cal_is_open(cal, tc_t("2026-03-09T13:00:00Z")));  /* 09:00 EDT */
    ck_assert(!fl_cal_is_open(cal, tc_t("2026-03-06T13:30:00Z"))); /* 08:30 EST */
    fl_cal_free(cal);
}
END_TEST

START_TEST(berlin_office_hours_follow_the_wall_clock)
{
    fl_cal_t *cal = office("Europe/Berlin");

    /* Friday 16:00 CET + 2 h = Monday 10:00 CEST */
    tc_assert_time(tc_add(cal, "2026-03-27T15:00:00Z", 120), "2026-03-30T08:00:00Z");
    /* Friday 16:00 CEST + 2 h = Monday 10:00 CET */
    tc_assert_time(tc_add(cal, "2026-10-23T14:00:00Z", 120), "2026-10-26T09:00:00Z");
    ck_assert_int_eq(minutes(cal, "2026-10-23T14:00:00Z", "2026-10-26T09:00:00Z"), 120);
    ck_assert_int_eq(minutes(cal, "2026-03-23T00:00:00Z", "2026-04-06T00:00:00Z"), 2 * 2400);
    fl_cal_free(cal);
}
END_TEST

START_TEST(a_whole_day_lasts_23_or_25_hours_on_a_change)
{
    fl_cal_t *ny = sundays("America/New_York", "00:00", "24:00");
    fl_cal_t *be = sundays("Europe/Berlin", "00:00", "24:00");

    ck_assert_int_eq(minutes(ny, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"), 23 * 60);
    ck_assert_int_eq(minutes(ny, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"), 25 * 60);
    ck_assert_int_eq(minutes(ny, "2026-03-14T00:00:00Z", "2026-03-17T00:00:00Z"), 24 * 60);
    ck_assert_int_eq(minutes(be, "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"), 23 * 60);
    ck_assert_int_eq(minutes(be, "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z"), 25 * 60);
    /* midnight EST + 23 h = midnight EDT; one minute more goes to the next Sunday */
    tc_assert_time(tc_add(ny, "2026-03-08T05:00:00Z", 23 * 60), "2026-03-09T04:00:00Z");
    tc_assert_time(tc_add(ny, "2026-03-08T05:00:00Z", 23 * 60 + 1), "2026-03-15T04:01:00Z");
    tc_assert_time(tc_add(be, "2026-10-24T22:00:00Z", 25 * 60), "2026-10-25T23:00:00Z");
    fl_cal_free(ny);
    fl_cal_free(be);
}
END_TEST

START_TEST(a_local_time_in_the_gap_maps_to_the_change)
{
    fl_cal_t *half = sundays("America/New_York", "02:30", "03:30");
    fl_cal_t *gone = sundays("America/New_York", "02:10", "02:50");

    /* 02:30 does not exist on 2026-03-08: the interval opens at 03:00 EDT = 07:00Z */
    ck_assert_int_eq(minutes(half, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"), 30);
    ck_assert_int_eq(fl_cal_next_open(half, tc_t("2026-03-08T05:00:00Z")),
                     tc_t("2026-03-08T07:00:00Z"));
    ck_assert_int_eq(minutes(half, "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z"), 60);
    /* an interval wholly inside the gap vanishes that day */
    ck_assert_int_eq(minutes(gone, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"), 0);
    tc_assert_time(tc_add(gone, "2026-03-08T05:00:00Z", 1), "2026-03-15T06:11:00Z");
    fl_cal_free(half);
    fl_cal_free(gone);
}
END_TEST

START_TEST(a_repeated_local_time_maps_to_its_first_occurrence)
{
    fl_cal_t *hour = sundays("America/New_York", "01:00", "02:00");
    fl_cal_t *part = sundays("America/New_York", "01:30", "01:45");
    fl_cal_t *be = sundays("Europe/Berlin", "02:30", "04:00");

    /* 01:00 EDT (05:00Z) to 02:00 EST (07:00Z): both occurrences of the hour */
    ck_assert_int_eq(minutes(hour, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), 120);
    ck_assert_int_eq(fl_cal_next_open(hour, tc_t("2026-11-01T00:00:00Z")),
                     tc_t("2026-11-01T05:00:00Z"));
    ck_assert_int_eq(fl_cal_next_close(hour, tc_t("2026-11-01T05:00:00Z")),
                     tc_t("2026-11-01T07:00:00Z"));
    /* 01:30-01:45 only in its first occurrence (EDT) */
    ck_assert_int_eq(minutes(part, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), 15);
    ck_assert(fl_cal_is_open(part, tc_t("2026-11-01T05:30:00Z")));
    ck_assert(!fl_cal_is_open(part, tc_t("2026-11-01T06:30:00Z")));
    /* Berlin: 02:30 CEST (00:30Z) to 04:00 CET (03:00Z) */
    ck_assert_int_eq(minutes(be, "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z"), 150);
    tc_assert_time(tc_add(be, "2026-10-24T12:00:00Z", 1), "2026-10-25T00:31:00Z");
    fl_cal_free(hour);
    fl_cal_free(part);
    fl_cal_free(be);
}
END_TEST

START_TEST(half_hour_offsets_and_far_years_work)
{
    fl_cal_t *in = office("Asia/Kolkata");
    fl_cal_t *ny = office("America/New_York");

    /* 09:00 IST = 03:30Z */
    tc_assert_time(tc_add(in, "2026-03-02T00:00:00Z", 1), "2026-03-02T03:31:00Z");
    /* 2099-03-09 is a Monday after the change of 2099-03-08: 09:00 EDT */
    tc_assert_time(tc_add(ny, "2099-03-09T00:00:00Z", 1), "2099-03-09T13:01:00Z");
    fl_cal_free(in);
    fl_cal_free(ny);
}
END_TEST

TCase *cal_dst_tcase(void)
{
    TCase *tc = tcase_create("dst");

    tcase_add_test(tc, new_york_office_hours_follow_the_wall_clock);
    tcase_add_test(tc, berlin_office_hours_follow_the_wall_clock);
    tcase_add_test(tc, a_whole_day_lasts_23_or_25_hours_on_a_change);
    tcase_add_test(tc, a_local_time_in_the_gap_maps_to_the_change);
    tcase_add_test(tc, a_repeated_local_time_maps_to_its_first_occurrence);
    tcase_add_test(tc, half_hour_offsets_and_far_years_work);
    return tc;
}

/*
 * Business-time arithmetic in UTC: nights, lunch breaks, weekends, holidays,
 * 24:00 ends, zero minutes, starts inside and outside hours, helpers.
 * 2026-03-02 is a Monday; 2026-03-04 (Wednesday) is a holiday.
 */
#include "cal_test.h"
#include "firelater/err.h"

static const char *office =
    "{\"name\": \"Office\", \"timezone\": \"UTC\", \"schedule\": ["
    "{\"day_of_week\": 1, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 1, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 2, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 2, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 3, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 3, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 4, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 4, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 5, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 5, \"start_time\": \"13:00\", \"end_time\": \"17:30\"}],"
    "\"holidays\": [{\"holiday_date\": \"2026-03-04\", \"name\": \"Off\"}]}";

START_TEST(minutes_inside_one_interval_keep_the_seconds)
{
    fl_cal_t *cal = tc_cal(office);

    tc_assert_time(tc_add(cal, "2026-03-02T09:00:30Z", 1), "2026-03-02T09:01:30Z");
    tc_assert_time(tc_add(cal, "2026-03-02T09:00:00.000007Z", 60), "2026-03-02T10:00:00.000007Z");
    tc_assert_time(tc_add(cal, "2026-03-02T10:00:00Z", 120), "2026-03-02T12:00:00Z");
    fl_cal_free(cal);
}
END_TEST

START_TEST(a_count_crosses_lunch_night_weekend_and_holiday)
{
    fl_cal_t *cal = tc_cal(office);

    tc_assert_time(tc_add(cal, "2026-03-02T10:00:00Z", 121), "2026-03-02T13:01:00Z");
    tc_assert_time(tc_add(cal, "2026-03-02T12:30:00Z", 30), "2026-03-02T13:30:00Z");
    tc_assert_time(tc_add(cal, "2026-03-02T17:00:00Z", 60), "2026-03-03T09:30:00Z");
    tc_assert_time(tc_add(cal, "2026-03-06T17:00:00Z", 60), "2026-03-09T09:30:00Z");
    tc_assert_time(tc_add(cal, "2026-03-03T17:00:00Z", 60), "2026-03-05T09:30:00Z");
    /* a whole week of 4 working days (the holiday) and then some */
    tc_assert_time(tc_add(cal, "2026-03-02T00:00:00Z", 4 * 450 + 1), "2026-03-09T09:01:00Z");
    fl_cal_free(cal);
}
END_TEST

START_TEST(a_start_outside_hours_counts_from_the_next_opening)
{
    fl_cal_t *cal = tc_cal(office);

    tc_assert_time(tc_add(cal, "2026-03-02T06:00:00Z", 1), "2026-03-02T09:01:00Z");
    tc_assert_time(tc_add(cal, "2026-03-07T11:11:11Z", 30), "2026-03-09T09:30:00Z");
    tc_assert_time(tc_add(cal, "2026-03-04T10:00:00Z", 180), "2026-03-05T12:00:00Z");
    fl_cal_free(cal);
}
END_TEST

START_TEST(zero_minutes_is_the_start_itself)
{
    fl_cal_t *cal = tc_cal(office);

    tc_assert_time(tc_add(cal, "2026-03-02T06:00:00Z", 0), "2026-03-02T06:00:00Z");
    tc_assert_time(tc_add(cal, "2026-03-02T10:00:00Z", 0), "2026-03-02T10:00:00Z");
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-02T10:00:00Z"), tc_t("2026-03-02T10:00:00Z")), 0);
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-02T11:00:00Z"), tc_t("2026-03-02T10:00:00Z")), 0);
    fl_cal_free(cal);
}
END_TEST

START_TEST(elapsed_counts_only_business_time)
{
    fl_cal_t *cal = tc_cal(office);

    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-02T08:00:00Z"), tc_t("2026-03-02T18:00:00Z")),
        450 * TC_MIN);
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-02T11:59:30Z"), tc_t("2026-03-02T13:00:30Z")), TC_MIN);
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-02T00:00:00Z"), tc_t("2026-03-09T00:00:00Z")),
        4 * 450 * TC_MIN);
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-09T00:00:00Z"), tc_t("2026-05-04T00:00:00Z")),
        8 * 5 * 450 * TC_MIN);
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-03T17:00:00Z"), tc_t("2026-03-05T09:30:00Z")),
        60 * TC_MIN);
    fl_cal_free(cal);
}
END_TEST

START_TEST(an_interval_may_end_at_midnight_and_join_the_next_day)
{
    fl_cal_t *cal =
        tc_cal("{\"schedule\": ["
               "{\"day_of_week\": 6, \"start_time\": \"20:00\", \"end_time\": \"24:00\"},"
               "{\"day_of_week\": 0, \"start_time\": \"00:00\", \"end_time\": \"02:00\"}]}");

    tc_assert_time(tc_add(cal, "2026-03-07T23:00:00Z", 120), "2026-03-08T01:00:00Z");
    tc_assert_time(tc_add(cal, "2026-03-07T20:00:00Z", 240), "2026-03-08T00:00:00Z");
    tc_assert_time(tc_add(cal, "2026-03-07T20:00:00Z", 361), "2026-03-14T20:01:00Z");
    ck_assert_int_eq(
        fl_cal_elapsed(cal, tc_t("2026-03-07T00:00:00Z"), tc_t("2026-03-09T00:00:00Z")),
        360 * TC_MIN);
    ck_assert_int_eq(fl_cal_next_close(cal, tc_t("2026-03-07T21:00:00Z")),
                     tc_t("2026-03-08T02:00:00Z"));
    ck_assert(fl_cal_is_open(cal, tc_t("2026-03-08T00:00:00Z")));
    fl_cal_free(cal);
}
END_TEST

START_TEST(open_and_next_opening_and_closing)
{
    fl_cal_t *cal = tc_cal(office);

    ck_assert(!fl_cal_is_open(cal, tc_t("2026-03-02T12:00:00Z")));
    ck_assert(fl_cal_is_open(cal, tc_t("2026-03-02T13:00:00Z")));
    ck_assert(fl_cal_is_open(cal, tc_t("2026-03-02T11:59:59.999999Z")));
    ck_assert(!fl_cal_is_open(cal, tc_t("2026-03-04T10:00:00Z")));
    ck_assert_int_eq(fl_cal_next_open(cal, tc_t("2026-03-02T12:15:00Z")),
                     tc_t("2026-03-02T13:00:00Z"));
    ck_assert_int_eq(fl_cal_next_open(cal, tc_t("2026-03-06T18:00:00Z")),
                     tc_t("2026-03-09T09:00:00Z"));
    ck_assert_int_eq(fl_cal_next_open(cal, tc_t("2026-03-03T17:45:00Z")),
                     tc_t("2026-03-05T09:00:00Z"));
    ck_assert_int_eq(fl_cal_next_open(cal, tc_t("2026-03-02T10:00:00Z")),
                     tc_t("2026-03-02T10:00:00Z"));
    ck_assert_int_eq(fl_cal_next_close(cal, tc_t("2026-03-02T10:00:00Z")),
                     tc_t("2026-03-02T12:00:00Z"));
    ck_assert_int_eq(fl_cal_next_close(cal, tc_t("2026-03-02T12:00:00Z")),
                     tc_t("2026-03-02T17:30:00Z"));
    fl_cal_free(cal);
}
END_TEST

START_TEST(round_the_clock_is_plain_time)
{
    fl_cal_t *cal = fl_cal_new_24x7();
    fl_time_t t = tc_t("2026-03-08T01:02:03.456789Z");

    tc_assert_time(tc_add(cal, "2026-03-08T01:02:03.456789Z", 90), "2026-03-08T02:32:03.456789Z");
    ck_assert_int_eq(fl_cal_elapsed(cal, t, t + 7 * TC_MIN), 7 * TC_MIN);
    ck_assert(fl_cal_is_open(cal, t));
    ck_assert_int_eq(fl_cal_next_open(cal, t), t);
    ck_assert_int_eq(fl_cal_next_close(cal, t), FL_CAL_NEVER);
    fl_cal_free(cal);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    fl_cal_t *cal = tc_cal(office);
    fl_time_t out = 0;

    ck_assert_int_eq(fl_cal_add(cal, tc_t("2026-03-02T10:00:00Z"), -1, &out), FL_EINVAL);
    ck_assert_int_eq(fl_cal_add(cal, -1, 10, &out), FL_EINVAL);
    ck_assert_int_eq(fl_cal_add(cal, FL_CAL_TIME_MAX, 10, &out), FL_EINVAL);
    ck_assert_int_eq(fl_cal_add(cal, tc_t("2026-03-02T10:00:00Z"), INT64_MAX, &out), FL_EINVAL);
    ck_assert_int_eq(fl_cal_add(cal, tc_t("2999-12-31T10:00:00Z"), 100000, &out), FL_EINVAL);
    fl_cal_free(cal);
}
END_TEST

START_TEST(large_counts_skip_weeks_exactly)
{
    fl_cal_t *cal = tc_cal(office);
    fl_time_t from = tc_t("2026-03-02T10:17:42.5Z");
    fl_time_t out = 0;

    for (int64_t m = 100000; m < 100000 + 3000; m += 97) {
        ck_assert_int_eq(fl_cal_add(cal, from, m, &out), 0);
        ck_assert_int_eq(fl_cal_elapsed(cal, from, out), m * TC_MIN);
        ck_assert(fl_cal_is_open(cal, out - 1));
    }
    /* exactly two whole weeks end at a closing, not at the next opening */
    tc_assert_time(tc_add(cal, "2026-03-09T09:00:00Z", 2 * 5 * 450), "2026-03-20T17:30:00Z");
    tc_assert_time(tc_add(cal, "2026-03-08T00:00:00Z", 2 * 5 * 450), "2026-03-20T17:30:00Z");
    /* 2026-03-09 + 40 weeks of 5 * 450 minutes ends on Friday 2026-12-11 at 17:30 */
    tc_assert_time(tc_add(cal, "2026-03-09T09:00:00Z", 40 * 5 * 450), "2026-12-11T17:30:00Z");
    fl_cal_free(cal);
}
END_TEST

TCase *cal_arith_tcase(void)
{
    TCase *tc = tcase_create("arithmetic");

    tcase_add_test(tc, minutes_inside_one_interval_keep_the_seconds);
    tcase_add_test(tc, a_count_crosses_lunch_night_weekend_and_holiday);
    tcase_add_test(tc, a_start_outside_hours_counts_from_the_next_opening);
    tcase_add_test(tc, zero_minutes_is_the_start_itself);
    tcase_add_test(tc, elapsed_counts_only_business_time);
    tcase_add_test(tc, an_interval_may_end_at_midnight_and_join_the_next_day);
    tcase_add_test(tc, open_and_next_opening_and_closing);
    tcase_add_test(tc, round_the_clock_is_plain_time);
    tcase_add_test(tc, bad_arguments_are_refused);
    tcase_add_test(tc, large_counts_skip_weeks_exactly);
    return tc;
}

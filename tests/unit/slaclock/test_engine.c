/*
 * The engine's rules, to the µs, on the UTC office calendar (Mon-Fri
 * 09:00-12:00, 13:00-17:30; 2026-03-02 is a Monday). Response targets:
 * critical 60 min, high 120, medium 240, low 480; resolution four times
 * that; warnings at 80 %.
 */
#include "firelater/err.h"
#include "slaclock_test.h"

#define F(kind_, at_) ((fl_slaclock_fact_t){.at = sc_t(at_), .kind = FL_SLAF_##kind_})
#define START(at_, p)                                                                              \
    ((fl_slaclock_fact_t){.at = sc_t(at_), .kind = FL_SLAF_START, .priority = FL_SLA_##p})
#define PRIO(at_, p)                                                                               \
    ((fl_slaclock_fact_t){.at = sc_t(at_), .kind = FL_SLAF_PRIORITY, .priority = FL_SLA_##p})
#define REC(kind_, m, at_)                                                                         \
    ((fl_slaclock_fact_t){.at = sc_t(at_), .kind = FL_SLAF_##kind_, .metric = FL_SLA_##m})
#define N(a) (sizeof(a) / sizeof(*(a)))

static fl_cal_t *cal;
static fl_slaclock_policy_t pol;
static fl_slaclock_t out[FL_SLA_METRICS];

static void setup(void)
{
    cal = sc_office();
    sc_policy(&pol, cal);
}

static void teardown(void)
{
    fl_cal_free(cal);
}

static void eval(const fl_slaclock_fact_t *f, size_t n, const char *now)
{
    ck_assert_int_eq(fl_slaclock_eval(&pol, f, n, sc_t(now), out), 0);
}

START_TEST(warning_at_80_percent_of_60_business_minutes)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              REC(WARNED, RESPONSE, "2026-03-02T09:48:00Z")};
    fl_slaclock_t *r = &out[FL_SLA_RESPONSE];

    eval(f, 1, "2026-03-02T09:10:00Z");
    ck_assert_int_eq(r->status, FL_SLAS_RUNNING);
    ck_assert_int_eq(r->elapsed_us, 10 * SC_MIN);
    ck_assert_int_eq(r->target_us, 60 * SC_MIN);
    ck_assert_int_eq(r->warn_us, 48 * SC_MIN);
    sc_assert_time(r->warn_at, "2026-03-02T09:48:00Z");
    sc_assert_time(r->breach_at, "2026-03-02T10:00:00Z");
    sc_assert_time(r->next_due, "2026-03-02T09:48:00Z");
    ck_assert(!r->due_is_breach);
    /* Resolution: 240 min, warning at 192 min, across lunch. */
    sc_assert_time(out[FL_SLA_RESOLUTION].warn_at, "2026-03-02T13:12:00Z");
    sc_assert_time(out[FL_SLA_RESOLUTION].breach_at, "2026-03-02T14:00:00Z");
    sc_assert_time(fl_slaclock_next_due(out), "2026-03-02T09:48:00Z");

    /* Late: still due with the crossing instant; once recorded, the breach is next. */
    eval(f, 1, "2026-03-02T09:50:00Z");
    sc_assert_time(r->next_due, "2026-03-02T09:48:00Z");
    eval(f, 2, "2026-03-02T09:50:00Z");
    ck_assert(r->warned);
    sc_assert_time(r->warned_at, "2026-03-02T09:48:00Z");
    sc_assert_time(r->next_due, "2026-03-02T10:00:00Z");
    ck_assert(r->due_is_breach);
}
END_TEST

START_TEST(a_count_crosses_the_night_and_the_weekend)
{
    fl_slaclock_fact_t f[] = {START("2026-03-06T17:00:00Z", CRITICAL)}; /* Friday */

    eval(f, N(f), "2026-03-07T12:00:00Z");
    ck_assert_int_eq(out[0].elapsed_us, 30 * SC_MIN);
    sc_assert_time(out[0].warn_at, "2026-03-09T09:18:00Z");
    sc_assert_time(out[0].breach_at, "2026-03-09T09:30:00Z");
    sc_assert_time(out[0].next_due, "2026-03-09T09:18:00Z");
}
END_TEST

START_TEST(a_pause_stops_the_count_and_has_no_future_crossing)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              F(PAUSE, "2026-03-02T09:20:00Z"), F(RESUME, "2026-03-02T10:00:00Z")};

    eval(f, 2, "2026-03-02T09:30:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_PAUSED);
    ck_assert_int_eq(out[1].status, FL_SLAS_PAUSED);
    ck_assert_int_eq(out[0].elapsed_us, 20 * SC_MIN);
    sc_assert_time(out[0].warn_at, NULL);
    sc_assert_time(out[0].breach_at, NULL);
    sc_assert_time(fl_slaclock_next_due(out), NULL);
    eval(f, 3, "2026-03-02T10:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_RUNNING);
    sc_assert_time(out[0].warn_at, "2026-03-02T10:28:00Z");
    sc_assert_time(out[0].breach_at, "2026-03-02T10:40:00Z");
    /* Facts after now are ignored. */
    eval(f, 3, "2026-03-02T09:59:59Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_PAUSED);
}
END_TEST

START_TEST(retargeting_down_puts_the_breach_in_the_past)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", LOW),
                              PRIO("2026-03-02T11:00:00Z", CRITICAL),
                              REC(WARNED, RESPONSE, "2026-03-02T09:48:00Z"),
                              REC(BREACHED, RESPONSE, "2026-03-02T10:00:00Z")};

    eval(f, 1, "2026-03-02T10:59:00Z");
    sc_assert_time(out[0].breach_at, "2026-03-03T09:30:00Z"); /* 480 min: 180 + 270 + 30 */
    eval(f, 2, "2026-03-02T11:00:00Z");
    ck_assert_int_eq(out[0].target_us, 60 * SC_MIN);
    sc_assert_time(out[0].warn_at, "2026-03-02T09:48:00Z");
    sc_assert_time(out[0].breach_at, "2026-03-02T10:00:00Z");
    sc_assert_time(out[0].next_due, "2026-03-02T09:48:00Z");
    eval(f, 3, "2026-03-02T11:00:00Z");
    sc_assert_time(out[0].next_due, "2026-03-02T10:00:00Z");
    eval(f, 4, "2026-03-02T11:00:00Z");
    ck_assert(out[0].breached);
    sc_assert_time(out[0].next_due, NULL); /* exactly once */
}
END_TEST

START_TEST(retargeting_up_after_a_breach_fires_nothing_again)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              REC(BREACHED, RESPONSE, "2026-03-02T10:00:00Z"),
                              PRIO("2026-03-02T10:30:00Z", MEDIUM)};

    eval(f, N(f), "2026-03-02T10:30:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_RUNNING);
    sc_assert_time(out[0].warn_at, "2026-03-02T13:12:00Z");
    sc_assert_time(out[0].breach_at, "2026-03-02T14:00:00Z");
    /* The warning would cross after the recorded breach: never due; the breach is recorded. */
    sc_assert_time(out[0].next_due, NULL);
}
END_TEST

START_TEST(a_first_response_stops_the_response_clock)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              F(RESPOND, "2026-03-02T09:30:00.000001Z")};

    eval(f, N(f), "2026-03-02T12:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_MET);
    ck_assert_int_eq(out[0].elapsed_us, 30 * SC_MIN + 1);
    sc_assert_time(out[0].warn_at, NULL);
    sc_assert_time(out[0].next_due, NULL);
    ck_assert_int_eq(out[1].status, FL_SLAS_RUNNING);
    ck_assert_int_eq(out[1].elapsed_us, 180 * SC_MIN);
}
END_TEST

START_TEST(a_late_response_while_down_fires_both_with_their_instants)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              F(RESPOND, "2026-03-02T10:30:00Z"),
                              REC(WARNED, RESPONSE, "2026-03-02T09:48:00Z")};

    eval(f, 2, "2026-03-02T11:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_BREACHED);
    ck_assert_int_eq(out[0].elapsed_us, 90 * SC_MIN);
    sc_assert_time(out[0].next_due, "2026-03-02T09:48:00Z");
    eval(f, 3, "2026-03-02T11:00:00Z");
    sc_assert_time(out[0].next_due, "2026-03-02T10:00:00Z");
    ck_assert(out[0].due_is_breach);
}
END_TEST

START_TEST(a_response_at_the_breach_instant_is_a_breach)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL),
                              F(RESPOND, "2026-03-02T10:00:00Z")};

    eval(f, N(f), "2026-03-02T10:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_BREACHED);
    f[1].at -= 1;
    eval(f, N(f), "2026-03-02T10:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_MET);
    sc_assert_time(out[0].breach_at, NULL);
}
END_TEST

START_TEST(reopen_counts_on_from_where_resolution_stopped)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", CRITICAL), /* resolution: 240 min */
                              F(RESOLVE, "2026-03-02T10:00:00Z"),
                              F(REOPEN, "2026-03-03T09:00:00Z")};

    eval(f, 2, "2026-03-02T15:00:00Z");
    ck_assert_int_eq(out[1].status, FL_SLAS_MET);
    ck_assert_int_eq(out[1].elapsed_us, 60 * SC_MIN);
    ck_assert_int_eq(out[0].status, FL_SLAS_BREACHED); /* resolving without a response stops it */
    sc_assert_time(out[1].next_due, NULL);
    eval(f, 3, "2026-03-03T09:30:00Z");
    ck_assert_int_eq(out[1].status, FL_SLAS_RUNNING);
    ck_assert_int_eq(out[1].elapsed_us, 90 * SC_MIN);
    sc_assert_time(out[1].warn_at, "2026-03-03T11:12:00Z");
    sc_assert_time(out[1].breach_at, "2026-03-03T12:00:00Z");
    /* The response clock does not restart. */
    ck_assert_int_eq(out[0].status, FL_SLAS_BREACHED);
}
END_TEST

START_TEST(crossings_are_exact_to_the_microsecond)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T11:59:40.000007Z", CRITICAL)};

    pol.targets[0][0] = (fl_slaclock_target_t){1, 50, true};
    eval(f, N(f), "2026-03-02T11:59:50Z");
    ck_assert_int_eq(out[0].elapsed_us, 9999993);
    sc_assert_time(out[0].warn_at, "2026-03-02T13:00:10.000007Z");
    sc_assert_time(out[0].breach_at, "2026-03-02T13:00:40.000007Z");
    ck_assert_int_eq(fl_cal_elapsed(cal, f[0].at, out[0].breach_at), SC_MIN);
}
END_TEST

START_TEST(no_target_means_no_clock)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", HIGH)};

    pol.targets[1][FL_SLA_HIGH].has_target = false;
    pol.targets[0][FL_SLA_HIGH].warning_percent = 0;
    eval(f, N(f), "2026-03-02T09:00:00Z");
    ck_assert_int_eq(out[1].status, FL_SLAS_NONE);
    sc_assert_time(out[1].next_due, NULL);
    ck_assert_int_eq(out[0].warn_us, 0);
    sc_assert_time(out[0].warn_at, NULL);
    sc_assert_time(out[0].next_due, "2026-03-02T11:00:00Z");
    eval(f, 0, "2026-03-02T09:00:00Z");
    ck_assert_int_eq(out[0].status, FL_SLAS_NONE);
}
END_TEST

START_TEST(bad_facts_are_refused)
{
    fl_slaclock_fact_t f[] = {START("2026-03-02T09:00:00Z", HIGH)};

    f[0].priority = FL_SLA_PRIORITIES;
    ck_assert_int_eq(fl_slaclock_eval(&pol, f, 1, f[0].at, out), FL_EINVAL);
    f[0].priority = 0;
    f[0].kind = 99;
    ck_assert_int_eq(fl_slaclock_eval(&pol, f, 1, f[0].at, out), FL_EINVAL);
    f[0] = REC(WARNED, RESPONSE, "2026-03-02T09:00:00Z");
    f[0].metric = 2;
    ck_assert_int_eq(fl_slaclock_eval(&pol, f, 1, f[0].at, out), FL_EINVAL);
}
END_TEST

TCase *sc_engine_tcase(void)
{
    TCase *tc = tcase_create("engine");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, warning_at_80_percent_of_60_business_minutes);
    tcase_add_test(tc, a_count_crosses_the_night_and_the_weekend);
    tcase_add_test(tc, a_pause_stops_the_count_and_has_no_future_crossing);
    tcase_add_test(tc, retargeting_down_puts_the_breach_in_the_past);
    tcase_add_test(tc, retargeting_up_after_a_breach_fires_nothing_again);
    tcase_add_test(tc, a_first_response_stops_the_response_clock);
    tcase_add_test(tc, a_late_response_while_down_fires_both_with_their_instants);
    tcase_add_test(tc, a_response_at_the_breach_instant_is_a_breach);
    tcase_add_test(tc, reopen_counts_on_from_where_resolution_stopped);
    tcase_add_test(tc, crossings_are_exact_to_the_microsecond);
    tcase_add_test(tc, no_target_means_no_clock);
    tcase_add_test(tc, bad_facts_are_refused);
    return tc;
}

/*
 * The selector over a hand-built config: overlapping conditions (most
 * conditions win, ties to the earliest created), defaults per entity type,
 * deleted policies, targets and calendars.
 */
#include <string.h>

#include "slacfg_test.h"

#define PRIO(x) (uint8_t)(1u << FL_SLA_##x)
#define BIT(i)  (uint8_t)(1u << (i))

static fl_sla_policy_t pol(const char *id, fl_sla_entity_t et, bool dflt, uint8_t prio,
                           uint8_t tier, uint8_t type, int64_t seq)
{
    fl_sla_policy_t p = {.id = id,
                         .name = id,
                         .entity_type = et,
                         .is_default = dflt,
                         .conditions = {prio, tier, type},
                         .created_seq = seq};

    return p;
}

static const char *sel(const fl_sla_config_t *c, const char *et, const char *prio, const char *tier,
                       const char *type)
{
    const fl_sla_policy_t *p = fl_sla_select(c, et, prio, tier, type);

    return p != NULL ? p->id : "none";
}

START_TEST(most_conditions_win_and_ties_go_to_the_earliest)
{
    fl_sla_policy_t ps[] = {
        pol("issue-default", FL_SLA_ISSUE, true, 0, 0, 0, 1),
        pol("critical", FL_SLA_ISSUE, false, PRIO(CRITICAL), 0, 0, 2),
        pol("critical-p1", FL_SLA_ISSUE, false, PRIO(CRITICAL) | PRIO(HIGH), BIT(0), 0, 3),
        pol("p1-problem", FL_SLA_ISSUE, false, 0, BIT(0), BIT(1), 4),
        pol("p1-late", FL_SLA_ISSUE, false, 0, BIT(0), 0, 6),
        pol("p1-early", FL_SLA_ISSUE, false, 0, BIT(0), 0, 5),
        pol("request-critical", FL_SLA_REQUEST, false, PRIO(CRITICAL), 0, 0, 7),
    };
    fl_sla_config_t c = {.policies = ps, .n_policies = 7};

    /* critical, P1, issue: critical-p1 (2 conditions) beats critical and p1-* (1). */
    ck_assert_str_eq(sel(&c, "issue", "critical", "P1", "issue"), "critical-p1");
    /* critical, P1, problem: critical-p1 and p1-problem have 2 each: the earlier (seq 3). */
    ck_assert_str_eq(sel(&c, "issue", "critical", "P1", "problem"), "critical-p1");
    ck_assert_str_eq(sel(&c, "issue", "low", "P1", "problem"), "p1-problem");
    /* Two one-condition policies: the earliest created, not the first in the array. */
    ck_assert_str_eq(sel(&c, "issue", "low", "P1", "question"), "p1-early");
    ck_assert_str_eq(sel(&c, "issue", "critical", "P3", NULL), "critical");
    /* Nothing matches: the default; unknown values match no condition. */
    ck_assert_str_eq(sel(&c, "issue", "low", "P4", "issue"), "issue-default");
    ck_assert_str_eq(sel(&c, "issue", NULL, NULL, NULL), "issue-default");
    ck_assert_str_eq(sel(&c, "issue", "CRITICAL", "p1", NULL), "issue-default");
    /* Entity types are separate. */
    ck_assert_str_eq(sel(&c, "request", "critical", NULL, NULL), "request-critical");
    ck_assert_str_eq(sel(&c, "request", "high", NULL, NULL), "none");
    ck_assert_str_eq(sel(&c, "change", "critical", NULL, NULL), "none");
    ck_assert_str_eq(sel(&c, "incident", "critical", NULL, NULL), "none");
    ck_assert_str_eq(sel(NULL, "issue", "critical", NULL, NULL), "none");
}
END_TEST

START_TEST(deleted_policies_are_never_chosen)
{
    fl_sla_policy_t ps[] = {
        pol("old-default", FL_SLA_ISSUE, true, 0, 0, 0, 1),
        pol("critical", FL_SLA_ISSUE, false, PRIO(CRITICAL), 0, 0, 2),
        pol("critical-p1", FL_SLA_ISSUE, false, PRIO(CRITICAL), BIT(0), 0, 3),
        pol("new-default", FL_SLA_ISSUE, true, 0, 0, 0, 4),
    };
    fl_sla_config_t c = {.policies = ps, .n_policies = 4};

    ps[0].deleted = true;
    ps[2].deleted = true;
    ck_assert_str_eq(sel(&c, "issue", "critical", "P1", NULL), "critical");
    ck_assert_str_eq(sel(&c, "issue", "high", "P1", NULL), "new-default");
    ps[1].deleted = true;
    ps[3].deleted = true;
    ck_assert_str_eq(sel(&c, "issue", "critical", "P1", NULL), "none");
}
END_TEST

START_TEST(a_non_default_policy_without_conditions_is_never_selected)
{
    fl_sla_policy_t ps[] = {
        pol("default", FL_SLA_CHANGE, true, 0, 0, 0, 1),
        pol("catch-all", FL_SLA_CHANGE, false, 0, 0, 0, 2),
        pol("low", FL_SLA_CHANGE, false, PRIO(LOW), 0, 0, 3),
    };
    fl_sla_config_t c = {.policies = ps, .n_policies = 3};

    ck_assert_str_eq(sel(&c, "change", "low", NULL, NULL), "low");
    ck_assert_str_eq(sel(&c, "change", "high", NULL, NULL), "default");
    ps[0].deleted = true;
    ck_assert_str_eq(sel(&c, "change", "high", NULL, NULL), "none");
}
END_TEST

START_TEST(targets_are_found_by_metric_and_priority)
{
    fl_sla_policy_t p = pol("p", FL_SLA_ISSUE, false, 0, 0, 0, 1);

    p.targets[0] = (fl_sla_target_t){FL_SLA_RESPONSE, FL_SLA_HIGH, 30, 80, true};
    p.targets[1] = (fl_sla_target_t){FL_SLA_RESOLUTION, FL_SLA_HIGH, 480, 75, false};
    p.n_targets = 2;
    ck_assert_int_eq(fl_sla_target(&p, "response_time", "high")->target_minutes, 30);
    ck_assert_int_eq(fl_sla_target(&p, "resolution_time", "high")->warning_percent, 75);
    ck_assert_ptr_null(fl_sla_target(&p, "response_time", "low"));
    ck_assert_ptr_null(fl_sla_target(&p, "uptime", "high"));
    ck_assert_ptr_null(fl_sla_target(NULL, "response_time", "high"));
}
END_TEST

START_TEST(calendars_are_the_policys_hours_or_round_the_clock)
{
    fl_sla_business_hours_t hours[2] = {{.id = "bh-1"}, {.id = "bh-gone", .deleted = true}};
    fl_sla_policy_t ps[3] = {pol("office", FL_SLA_ISSUE, false, 0, 0, 0, 1),
                             pol("none", FL_SLA_ISSUE, false, 0, 0, 0, 2),
                             pol("gone", FL_SLA_ISSUE, false, 0, 0, 0, 3)};
    fl_sla_config_t c = {.hours = hours, .n_hours = 2, .policies = ps, .n_policies = 3};
    fl_sla_target_t bho = {FL_SLA_RESPONSE, FL_SLA_HIGH, 60, 80, true};
    fl_sla_target_t all = {FL_SLA_RESOLUTION, FL_SLA_HIGH, 60, 80, false};
    fl_time_t mon_8 = (fl_time_t)1796630400 * 1000000; /* 2026-12-07 08:00 UTC, a Monday */
    fl_time_t out;

    hours[0].def.name = "Office";
    hours[0].def.timezone = "UTC";
    hours[0].def.spans[1][0] = (fl_cal_span_t){9 * 60, 17 * 60};
    hours[0].def.n_spans[1] = 1;
    ps[0].business_hours_id = "bh-1";
    ps[2].business_hours_id = "bh-gone";
    ck_assert_ptr_null(fl_sla_calendar(&c, &ps[0], &bho));
    ck_assert_int_eq(fl_sla_config_build(&c), 0);
    ck_assert_ptr_nonnull(c.cal_24x7);
    ck_assert_ptr_eq(fl_sla_calendar(&c, &ps[0], &bho), hours[0].cal);
    ck_assert_ptr_eq(fl_sla_calendar(&c, &ps[0], &all), c.cal_24x7);
    ck_assert_ptr_eq(fl_sla_calendar(&c, &ps[1], &bho), c.cal_24x7);
    ck_assert_ptr_eq(fl_sla_calendar(&c, &ps[2], &bho), c.cal_24x7);
    /* 60 business minutes from Monday 08:00 run out at 10:00; round the clock at 09:00. */
    ck_assert_int_eq(fl_cal_add(fl_sla_calendar(&c, &ps[0], &bho), mon_8, 60, &out), 0);
    ck_assert_int_eq((out - mon_8) / 60000000, 120);
    ck_assert_int_eq(fl_cal_add(fl_sla_calendar(&c, &ps[0], &all), mon_8, 60, &out), 0);
    ck_assert_int_eq((out - mon_8) / 60000000, 60);
    fl_sla_config_free_calendars(&c);
    ck_assert_ptr_null(c.cal_24x7);
    ck_assert_ptr_null(ps[0].cal);
}
END_TEST

TCase *slacfg_select_tcase(void)
{
    TCase *tc = tcase_create("select");

    tcase_add_test(tc, most_conditions_win_and_ties_go_to_the_earliest);
    tcase_add_test(tc, deleted_policies_are_never_chosen);
    tcase_add_test(tc, a_non_default_policy_without_conditions_is_never_selected);
    tcase_add_test(tc, targets_are_found_by_metric_and_priority);
    tcase_add_test(tc, calendars_are_the_policys_hours_or_round_the_clock);
    return tc;
}

/*
 * The reports' query parameters and statements: defaults, the range rules,
 * every refusal named, and the values bound (never spliced into the SQL).
 */
#include <check.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/reports.h"
#include "util.h"

#define DAY ((fl_time_t)86400 * 1000000)
#define NOW ((fl_time_t)1796515200 * 1000000) /* 2026-12-06T00:00:00Z */

static fl_arena_t arena;
static fl_decision_t d;
static fl_report_query_t q;

static void setup(void)
{
    fl_arena_init(&arena, 1 << 20);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* Builds kind's statement from "k=v" pairs (NULL-terminated). */
static int build(fl_report_kind_t kind, const char *const *kv)
{
    fl_http_param_t p[16];
    size_t n = 0;

    for (; kv[n] != NULL; n++) {
        char *eq = strchr(kv[n], '='), *name = fl_arena_alloc(&arena, 64);
        memcpy(name, kv[n], (size_t)(eq - kv[n]));
        name[eq - kv[n]] = '\0';
        p[n] = (fl_http_param_t){name, eq + 1};
    }
    return fl_report_query(kind, p, n, NOW, &arena, &q, &d);
}

/* The field the first error names, or "". */
static const char *first_field(void)
{
    return d.problem.n_errors > 0 && d.problem.errors[0].field != NULL ? d.problem.errors[0].field
                                                                       : "";
}

START_TEST(defaults_are_the_last_30_days_ungrouped)
{
    const char *none[] = {NULL};
    ck_assert_int_eq(build(FL_REPORT_ISSUE_TRENDS, none), 0);
    ck_assert(q.to == NOW && q.from == NOW - 30 * DAY);
    ck_assert_str_eq(q.group_by, "none");
    ck_assert_str_eq(q.interval, "day");
    ck_assert_int_eq(q.nparams, 6);
    ck_assert_str_eq(q.params[0], "2026-11-06T00:00:00.000000Z");
    ck_assert_ptr_null(q.params[2]);
    ck_assert_str_eq(q.params[5], "day");
    ck_assert_ptr_nonnull(strstr(q.sql, "generate_series"));
}
END_TEST

START_TEST(values_are_bound_never_spliced)
{
    const char *kv[] = {"application_id=0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11", "priority=high",
                        "group_by=application", NULL};
    ck_assert_int_eq(build(FL_REPORT_ISSUE_MTTR, kv), 0);
    ck_assert_int_eq(q.nparams, 5);
    ck_assert_str_eq(q.params[2], "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11");
    ck_assert_str_eq(q.params[4], "high");
    ck_assert_ptr_null(strstr(q.sql, "0b9ef6e4"));
    ck_assert_ptr_nonnull(strstr(q.sql, "GROUP BY i.key"));
    ck_assert_ptr_nonnull(strstr(q.sql, "resolved_at >= $1"));
}
END_TEST

START_TEST(sla_performance_counts_issues_under_a_policy)
{
    const char *kv[] = {"from=2026-01-01", "to=2026-02-01T12:00:00+01:00", NULL};
    ck_assert_int_eq(build(FL_REPORT_SLA_PERFORMANCE, kv), 0);
    ck_assert_ptr_nonnull(strstr(q.sql, "sla_policy_id IS NOT NULL"));
    ck_assert_ptr_null(strstr(q.sql, "GROUP BY"));
    ck_assert_str_eq(q.params[1], "2026-02-01T11:00:00.000000Z");
}
END_TEST

/* Each refused query and the parameter its first error names. */
static const struct {
    fl_report_kind_t kind;
    const char *kv[3];
    const char *field;
} refused[] = {
    {FL_REPORT_ISSUE_TRENDS, {"from=2026-02-01", "to=2026-01-01", NULL}, "to"},
    {FL_REPORT_ISSUE_TRENDS, {"from=2026-01-01", "to=2026-01-01", NULL}, "to"},
    {FL_REPORT_ISSUE_TRENDS, {"from=2020-01-01", "to=2026-01-01", NULL}, "from"},
    {FL_REPORT_ISSUE_TRENDS, {"interval=hour", NULL}, "interval"},
    {FL_REPORT_ISSUE_TRENDS, {"from=yesterday", NULL}, "from"},
    {FL_REPORT_ISSUE_TRENDS, {"to=1796515200", NULL}, "to"},
    {FL_REPORT_ISSUE_MTTR, {"interval=day", NULL}, "interval"},
    {FL_REPORT_ISSUE_MTTR, {"group_by=team", NULL}, "group_by"},
    {FL_REPORT_ISSUE_MTTR, {"assigned_group=x", NULL}, "assigned_group"},
    {FL_REPORT_SLA_PERFORMANCE, {"priority=urgent", NULL}, "priority"},
    {FL_REPORT_SLA_PERFORMANCE, {"page=2", NULL}, "page"},
    {FL_REPORT_SLA_PERFORMANCE, {"group_by=priority", "group_by=group"}, "group_by"},
};

START_TEST(bad_parameters_are_named)
{
    ck_assert_int_eq(build(refused[_i].kind, refused[_i].kv), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert_str_eq(first_field(), refused[_i].field);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reports");
    TCase *tc = tcase_create("query");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_are_the_last_30_days_ungrouped);
    tcase_add_test(tc, values_are_bound_never_spliced);
    tcase_add_test(tc, sla_performance_counts_issues_under_a_policy);
    tcase_add_loop_test(tc, bad_parameters_are_named, 0, sizeof(refused) / sizeof(refused[0]));
    suite_add_tcase(s, tc);
    return tu_run(s);
}

/*
 * The issues suite (src/domain/issues/): the status machine over every
 * ordered pair of statuses, the 16 cells of the impact x urgency matrix
 * and its defaults, the reopen window's edges.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"
#include "issues_test.h"
#include "util.h"

/* The machine as the README documents it: from, to, event. */
static const struct {
    fl_issue_status_t from, to;
    const char *event;
} allowed[] = {
    {FL_ISSUE_NEW, FL_ISSUE_ASSIGNED, "issue.assigned"},
    {FL_ISSUE_ASSIGNED, FL_ISSUE_IN_PROGRESS, "issue.status_changed"},
    {FL_ISSUE_IN_PROGRESS, FL_ISSUE_PENDING, "issue.status_changed"},
    {FL_ISSUE_PENDING, FL_ISSUE_IN_PROGRESS, "issue.status_changed"},
    {FL_ISSUE_IN_PROGRESS, FL_ISSUE_RESOLVED, "issue.resolved"},
    {FL_ISSUE_PENDING, FL_ISSUE_RESOLVED, "issue.resolved"},
    {FL_ISSUE_RESOLVED, FL_ISSUE_CLOSED, "issue.closed"},
    {FL_ISSUE_RESOLVED, FL_ISSUE_IN_PROGRESS, "issue.reopened"},
    {FL_ISSUE_CLOSED, FL_ISSUE_IN_PROGRESS, "issue.reopened"},
};

static const char *expected_event(int from, int to)
{
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        if ((int)allowed[i].from == from && (int)allowed[i].to == to)
            return allowed[i].event;
    }
    return NULL;
}

START_TEST(every_status_pair)
{
    int n_allowed = 0;

    for (int from = 0; from < FL_ISSUE_STATUS__N; from++) {
        for (int to = 0; to < FL_ISSUE_STATUS__N; to++) {
            const char *want = expected_event(from, to);
            const char *got = fl_issue_transition_event(from, to);
            fl_arena_t a;
            fl_decision_t d;
            int rc;

            fl_arena_init(&a, 0);
            fl_decision_init(&d);
            rc = fl_issue_check_transition(from, to, &a, &d);
            if (want != NULL) {
                ck_assert_ptr_nonnull(got);
                ck_assert_str_eq(got, want);
                ck_assert_int_eq(rc, 0);
                ck_assert_int_eq(d.status, 0);
                n_allowed++;
            } else {
                ck_assert_msg(got == NULL, "%s -> %s should not exist", fl_issue_status_name(from),
                              fl_issue_status_name(to));
                ck_assert_int_eq(rc, FL_EINVAL);
                ck_assert_int_eq(d.status, 409);
                ck_assert_ptr_nonnull(d.problem.detail);
                ck_assert_msg(strstr(d.problem.detail, fl_issue_status_name(from)) != NULL,
                              "detail \"%s\" names the current status", d.problem.detail);
                ck_assert_int_eq(d.problem.n_errors, 1);
                ck_assert_str_eq(d.errors[0].field, "status");
            }
            fl_decision_release(&d);
            fl_arena_free(&a);
        }
    }
    ck_assert_int_eq(n_allowed, (int)(sizeof allowed / sizeof allowed[0]));
}
END_TEST

START_TEST(out_of_range_statuses)
{
    ck_assert_ptr_null(fl_issue_transition_event(-1, FL_ISSUE_NEW));
    ck_assert_ptr_null(fl_issue_transition_event(FL_ISSUE_NEW, FL_ISSUE_STATUS__N));
    ck_assert_str_eq(fl_issue_status_name(FL_ISSUE_STATUS__N), "");
}
END_TEST

START_TEST(status_names_round_trip)
{
    for (int s = 0; s < FL_ISSUE_STATUS__N; s++)
        ck_assert_int_eq(fl_issue_status_parse(fl_issue_status_name(s)), s);
    ck_assert_int_eq(fl_issue_status_parse("open"), -1);
    ck_assert_int_eq(fl_issue_status_parse("New"), -1);
    ck_assert_int_eq(fl_issue_status_parse(""), -1);
    ck_assert_int_eq(fl_issue_status_parse(NULL), -1);
}
END_TEST

START_TEST(priority_matrix_all_cells)
{
    static const char *const impacts[] = {"widespread", "significant", "moderate", "minor"};
    static const char *const urgencies[] = {"immediate", "high", "medium", "low"};
    static const char *const want[4][4] = {
        {"critical", "critical", "high", "medium"},
        {"critical", "high", "high", "medium"},
        {"high", "medium", "medium", "low"},
        {"medium", "medium", "low", "low"},
    };

    for (int i = 0; i < 4; i++) {
        for (int u = 0; u < 4; u++) {
            const char *got = fl_issue_priority_of(impacts[i], urgencies[u]);
            ck_assert_msg(got != NULL && strcmp(got, want[i][u]) == 0, "%s x %s: %s, want %s",
                          impacts[i], urgencies[u], got != NULL ? got : "NULL", want[i][u]);
        }
    }
}
END_TEST

START_TEST(priority_defaults_and_bad_values)
{
    ck_assert_str_eq(fl_issue_priority_of(NULL, NULL), "medium");
    ck_assert_str_eq(fl_issue_priority_of("widespread", NULL), "high");
    ck_assert_str_eq(fl_issue_priority_of("minor", NULL), "low");
    ck_assert_str_eq(fl_issue_priority_of(NULL, "immediate"), "high");
    ck_assert_str_eq(fl_issue_priority_of(NULL, "low"), "low");
    ck_assert_ptr_null(fl_issue_priority_of("huge", "low"));
    ck_assert_ptr_null(fl_issue_priority_of("minor", "whenever"));
    ck_assert_ptr_null(fl_issue_priority_of("Minor", "low"));
}
END_TEST

START_TEST(reopen_window)
{
    const fl_time_t day = (fl_time_t)86400 * 1000000;
    const fl_time_t t = 1700000000 * (fl_time_t)1000000;

    ck_assert(fl_issue_reopen_allowed(t, t, 7));
    ck_assert(fl_issue_reopen_allowed(t, t + 7 * day, 7));
    ck_assert(!fl_issue_reopen_allowed(t, t + 7 * day + 1, 7));
    ck_assert(!fl_issue_reopen_allowed(t, t - 1, 7));
    ck_assert(!fl_issue_reopen_allowed(0, t, 7));
    ck_assert(fl_issue_reopen_allowed(t, t, 0));
    ck_assert(!fl_issue_reopen_allowed(t, t + 1, 0));
    ck_assert(!fl_issue_reopen_allowed(t, t, -1));
}
END_TEST

TCase *issues_rules_tcase(void)
{
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, every_status_pair);
    tcase_add_test(tc, out_of_range_statuses);
    tcase_add_test(tc, status_names_round_trip);
    tcase_add_test(tc, priority_matrix_all_cells);
    tcase_add_test(tc, priority_defaults_and_bad_values);
    tcase_add_test(tc, reopen_window);
    return tc;
}

/*
 * The status machine: every ordered pair of statuses, against the table of
 * src/domain/requests/README.md. A move that exists has its event; every
 * other pair is 409 naming the current status.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "requests_test.h"
#include "util.h"

/* The README's table: from, to, event. */
static const struct {
    fl_req_status_t from, to;
    const char *event;
} table[] = {
    {FL_REQ_NEW, FL_REQ_PENDING_APPROVAL, "request.submitted"},
    {FL_REQ_NEW, FL_REQ_APPROVED, "request.submitted"},
    {FL_REQ_PENDING_APPROVAL, FL_REQ_APPROVED, "request.approved"},
    {FL_REQ_PENDING_APPROVAL, FL_REQ_REJECTED, "request.rejected"},
    {FL_REQ_PENDING_APPROVAL, FL_REQ_CANCELLED, "request.cancelled"},
    {FL_REQ_APPROVED, FL_REQ_IN_PROGRESS, "request.started"},
    {FL_REQ_APPROVED, FL_REQ_CANCELLED, "request.cancelled"},
    {FL_REQ_IN_PROGRESS, FL_REQ_COMPLETED, "request.completed"},
    {FL_REQ_IN_PROGRESS, FL_REQ_CANCELLED, "request.cancelled"},
    {FL_REQ_COMPLETED, FL_REQ_IN_PROGRESS, "request.reopened"},
};

static const char *expected(int from, int to)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if ((int)table[i].from == from && (int)table[i].to == to)
            return table[i].event;
    }
    return NULL;
}

START_TEST(every_pair)
{
    fl_arena_t a;
    fl_arena_init(&a, 0);
    for (int from = 0; from < FL_REQ_STATUS__N; from++) {
        for (int to = 0; to < FL_REQ_STATUS__N; to++) {
            fl_decision_t d;
            char want[128];
            const char *ev = fl_req_transition_event(from, to), *exp = expected(from, to);
            fl_decision_init(&d);
            int rc = fl_req_check_transition(from, to, &a, &d);
            if (exp != NULL) {
                ck_assert_str_eq(ev, exp);
                ck_assert_int_eq(rc, 0);
            } else {
                ck_assert_ptr_null(ev);
                ck_assert_int_eq(rc, FL_EINVAL);
                ck_assert_int_eq(d.status, 409);
                snprintf(want, sizeof(want), "the request is %s and cannot become %s",
                         fl_req_status_name(from), fl_req_status_name(to));
                ck_assert_str_eq(d.problem.detail, want);
                ck_assert(tu_has_error(&d, "status"));
            }
            fl_decision_release(&d);
        }
    }
    fl_arena_free(&a);
}
END_TEST

START_TEST(names)
{
    for (int s = 0; s < FL_REQ_STATUS__N; s++)
        ck_assert_int_eq(fl_req_status_parse(fl_req_status_name(s)), s);
    ck_assert_int_eq(fl_req_status_parse("open"), -1);
    ck_assert_int_eq(fl_req_status_parse(NULL), -1);
    ck_assert_str_eq(fl_req_status_name(FL_REQ_STATUS__N), "");
    ck_assert_ptr_null(fl_req_transition_event(FL_REQ_STATUS__N, FL_REQ_NEW));
    ck_assert_str_eq(fl_req_step_status_name(FL_REQ_STEP_SKIPPED), "skipped");
}
END_TEST

TCase *requests_machine_tcase(void)
{
    TCase *tc = tcase_create("machine");
    tcase_add_test(tc, every_pair);
    tcase_add_test(tc, names);
    return tc;
}

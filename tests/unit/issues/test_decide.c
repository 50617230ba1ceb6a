/*
 * Deciding and folding an issue: creation numbered ISS with the reporter
 * defaulting to the caller, references (reporter, application, its
 * environment), updates recording only real changes, PUT status moves only
 * along issue.status_changed, the fold's status and times, soft delete.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"
#include "issues_test.h"
#include "util.h"

#define ME  "00000000-0000-4000-8000-0000000000a1"
#define APP "00000000-0000-4000-8000-0000000000c1"
#define ENV "00000000-0000-4000-8000-0000000000e1"

static fl_arena_t arena;
static fl_decision_t d;
static fl_issue_state_t iss;
static fl_user_state_t me;
static fl_issue_refs_t refs;
static fl_cmd_ctx_t ctx;

static void fold(fl_time_t ts)
{
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], iss.version + 1, ts);
        ev.num = d.events[i].number != NULL ? "ISS-00001" : "";
        ck_assert_int_eq(fl_issue_agg.fold(&iss, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
}

static fl_issue_values_t values(const char *text, bool create)
{
    fl_issue_values_t v;
    json_t *j = tu_json(text);
    fl_decision_t dd;

    fl_decision_init(&dd);
    ck_assert_int_eq(create ? fl_issues_decode_create(j, &arena, &v, &dd)
                            : fl_issues_decode_update(j, &arena, &v, &dd),
                     0);
    json_decref(j);
    fl_decision_release(&dd);
    return v;
}

static void setup(void)
{
    fl_issue_values_t v;

    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 1000000);
    ctx.actor_id = ME;
    memset(&me, 0, sizeof(me));
    me.exists = true;
    me.status = FL_USER_ACTIVE;
    memcpy(me.id, ME, sizeof(ME));
    refs = (fl_issue_refs_t){&me, NULL};
    v = values("{\"title\":\"Payroll is down\",\"impact\":\"significant\"}", true);
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "issue.created");
    ck_assert_str_eq(d.events[0].number, "ISS");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), FL_LOG_NO_STREAM);
    ck_assert_ptr_nonnull(strstr(d.location, "/api/v1/issues/"));
    fl_issue_agg.init(&iss);
    fold(1000000);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

START_TEST(created_folds)
{
    ck_assert(iss.exists && !iss.deleted);
    ck_assert_str_eq(iss.number, "ISS-00001");
    ck_assert_str_eq(iss.v[FL_ISSUE_STATUS], "new");
    ck_assert_str_eq(iss.v[FL_ISSUE_PRIORITY], "high");
    ck_assert_str_eq(iss.v[FL_ISSUE_REPORTER_ID], ME);
    ck_assert_str_eq(iss.v[FL_ISSUE_EXTERNAL_REFS], "[]");
    ck_assert_int_eq(iss.first_response_at, 0);
    ck_assert_uint_eq(iss.version, 1);
}
END_TEST

START_TEST(reporter_must_be_active)
{
    fl_issue_values_t v = values("{\"title\":\"t\"}", true);

    me.status = FL_USER_INACTIVE;
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert_str_eq(d.errors[0].field, "reporter_id");
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.reporter = NULL;
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), FL_EINVAL);
    ck_assert_str_eq(d.errors[0].field, "reporter_id");
}
END_TEST

START_TEST(environment_of_the_application)
{
    static fl_app_state_t app;
    static fl_app_env_t env;
    fl_issue_values_t v = values(
        "{\"title\":\"t\",\"application_id\":\"" APP "\",\"environment_id\":\"" ENV "\"}", true);

    memset(&app, 0, sizeof(app));
    app.exists = true;
    memcpy(app.id, APP, sizeof(APP));
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), FL_EINVAL);
    ck_assert_str_eq(d.errors[0].field, "application_id");
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.application = &app;
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), FL_EINVAL);
    ck_assert_str_eq(d.errors[0].field, "environment_id");
    fl_decision_release(&d);
    fl_decision_init(&d);
    memcpy(env.id, ENV, sizeof(ENV));
    app.envs = &env;
    app.n_envs = 1;
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), 0);
    fl_decision_release(&d);
    fl_decision_init(&d);
    app.deleted = true;
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), FL_EINVAL);
    ck_assert_str_eq(d.errors[0].field, "application_id");
}
END_TEST

START_TEST(update_records_real_changes)
{
    fl_issue_values_t v = values("{\"title\":\"Payroll is down\",\"severity\":\"S2\"}", false);

    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "issue.updated");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), 1);
    fold(2000000);
    ck_assert_str_eq(iss.v[FL_ISSUE_SEVERITY], "S2");
    v = values("{\"title\":\"Payroll is down\"}", false);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_int_eq(d.n_events, 0);
}
END_TEST

START_TEST(put_status_only_along_status_changed)
{
    fl_issue_values_t v = values("{\"status\":\"in_progress\"}", false);

    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_ptr_nonnull(strstr(d.problem.detail, "new"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    v = values("{\"status\":\"assigned\"}", false);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_str_eq(d.errors[0].message, "use POST /issues/{id}/assign");
}
END_TEST

START_TEST(fold_moves_and_first_response)
{
    static const struct {
        const char *type, *from, *to;
    } moves[] = {
        {"issue.assigned", "new", "assigned"},
        {"issue.status_changed", "assigned", "in_progress"},
        {"issue.resolved", "in_progress", "resolved"},
        {"issue.reopened", "resolved", "in_progress"},
    };
    fl_issue_values_t v;

    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(fl_decision_emit(&d, &ctx, fl_issues_stream(&arena, iss.id), moves[i].type,
                                          json_pack("{s:s,s:s,s:s}", "id", iss.id, "from",
                                                    moves[i].from, "to", moves[i].to),
                                          NULL),
                         0);
        fold(2000000 + (fl_time_t)i);
        ck_assert_str_eq(iss.v[FL_ISSUE_STATUS], moves[i].to);
        if (i == 2)
            ck_assert_int_eq(iss.resolved_at, 2000002);
    }
    ck_assert_int_eq(iss.first_response_at, 2000000);
    ck_assert_int_eq(iss.resolved_at, 0);
    v = values("{\"status\":\"pending\"}", false);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "issue.status_changed");
    fold(3000000);
    ck_assert_str_eq(iss.v[FL_ISSUE_STATUS], "pending");
}
END_TEST

START_TEST(delete_then_404)
{
    fl_issue_values_t v = values("{\"severity\":\"S1\"}", false);

    ck_assert_int_eq(fl_issues_decide_delete(&ctx, &iss, 1, &d), 0);
    ck_assert_str_eq(d.events[0].type, "issue.deleted");
    fold(2000000);
    ck_assert(iss.deleted);
    ck_assert_int_eq(fl_issues_decide_delete(&ctx, &iss, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(unknown_issue_404)
{
    fl_issue_state_t none;
    fl_issue_values_t v = values("{\"severity\":\"S1\"}", false);

    fl_issue_agg.init(&none);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &none, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

TCase *issues_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created_folds);
    tcase_add_test(tc, reporter_must_be_active);
    tcase_add_test(tc, environment_of_the_application);
    tcase_add_test(tc, update_records_real_changes);
    tcase_add_test(tc, put_status_only_along_status_changed);
    tcase_add_test(tc, fold_moves_and_first_response);
    tcase_add_test(tc, delete_then_404);
    tcase_add_test(tc, unknown_issue_404);
    return tc;
}

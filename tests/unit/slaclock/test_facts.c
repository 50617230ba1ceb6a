/*
 * Issue events -> SLA facts (src/domain/sla/facts.c): each event type, the
 * first-response rules, pauses, resolve and reopen, recorded crossings, and
 * an end-to-end fold whose facts the engine evaluates.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/slafacts.h"
#include "slaclock_test.h"

#define REPORTER "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11"
#define AGENT    "5a1c8e2f-7d44-4f0e-9c1b-2e6f3a9d8b70"

static fl_slafacts_t f;

/* Folds (type, JSON data, actor) at time at. */
static int ev(const char *type, const char *at, const char *json, const char *actor)
{
    json_t *data = json_loads(json, 0, NULL);
    fl_event_t e = {.type = type, .ts = sc_t(at), .actor = actor != NULL ? actor : ""};
    int rc;

    ck_assert_msg(data != NULL, "bad test JSON %s", json);
    rc = fl_slafacts_fold(&f, &e, data);
    json_decref(data);
    return rc;
}

static void created(const char *priority)
{
    char json[200];

    fl_slafacts_init(&f);
    snprintf(json, sizeof(json), "{\"priority\": \"%s\", \"reporter_id\": \"" REPORTER "\"}",
             priority);
    ck_assert_int_eq(ev("issue.created", "2026-03-02T09:00:00Z", json, "user:" REPORTER), 0);
}

static void assert_kinds(const fl_slaclock_kind_t *want, size_t n)
{
    ck_assert_uint_eq(f.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(f.facts[i].kind == want[i], "fact %zu: kind %d, want %d", i, f.facts[i].kind,
                      want[i]);
}

START_TEST(created_starts_with_its_priority)
{
    created("high");
    ck_assert_uint_eq(f.n, 1);
    ck_assert_int_eq(f.facts[0].kind, FL_SLAF_START);
    ck_assert_int_eq(f.facts[0].priority, FL_SLA_HIGH);
    ck_assert_str_eq(f.reporter, REPORTER);
    ck_assert_str_eq(f.status, "new");
    created("urgent"); /* unknown: the default priority */
    ck_assert_int_eq(f.facts[0].priority, FL_SLA_MEDIUM);
}
END_TEST

START_TEST(a_priority_change_retargets)
{
    created("low");
    ck_assert_int_eq(ev("issue.updated", "2026-03-02T09:10:00Z",
                        "{\"changes\": {\"priority\": {\"from\": \"low\", \"to\": \"critical\"}}}",
                        NULL),
                     0);
    ck_assert_int_eq(ev("issue.updated", "2026-03-02T09:11:00Z",
                        "{\"changes\": {\"title\": {\"from\": \"a\", \"to\": \"b\"}}}", NULL),
                     0);
    ck_assert_uint_eq(f.n, 2);
    ck_assert_int_eq(f.facts[1].kind, FL_SLAF_PRIORITY);
    ck_assert_int_eq(f.facts[1].priority, FL_SLA_CRITICAL);
}
END_TEST

START_TEST(the_first_move_out_of_new_responds_once)
{
    static const fl_slaclock_kind_t want[] = {FL_SLAF_START, FL_SLAF_RESPOND};

    created("high");
    ck_assert_int_eq(ev("issue.assigned", "2026-03-02T09:05:00Z", "{}", NULL), 0);
    ck_assert_int_eq(ev("issue.status_changed", "2026-03-02T09:06:00Z",
                        "{\"from\": \"assigned\", \"to\": \"in_progress\"}", NULL),
                     0);
    assert_kinds(want, 2);
    sc_assert_time(f.responded_at, "2026-03-02T09:05:00Z");
    ck_assert_str_eq(f.status, "in_progress");
}
END_TEST

START_TEST(a_public_comment_by_another_responds)
{
    created("high");
    ck_assert_int_eq(ev("issue.comment_added", "2026-03-02T09:01:00Z",
                        "{\"is_internal\": false, \"user_id\": \"" REPORTER "\"}", NULL),
                     0);
    ck_assert_int_eq(ev("issue.comment_added", "2026-03-02T09:02:00Z",
                        "{\"is_internal\": true, \"user_id\": \"" AGENT "\"}", NULL),
                     0);
    ck_assert(!f.responded); /* the reporter's own, and an internal note, do not count */
    ck_assert_int_eq(
        ev("issue.comment_added", "2026-03-02T09:03:00Z", "{\"content\": \"x\"}", "user:" AGENT),
        0);
    ck_assert(f.responded);
    sc_assert_time(f.responded_at, "2026-03-02T09:03:00Z");
    ck_assert_int_eq(ev("issue.assigned", "2026-03-02T09:04:00Z", "{}", NULL), 0);
    ck_assert_uint_eq(f.n, 2); /* no second response */
}
END_TEST

START_TEST(pending_pauses_resolve_and_reopen)
{
    static const fl_slaclock_kind_t want[] = {FL_SLAF_START,  FL_SLAF_RESPOND, FL_SLAF_PAUSE,
                                              FL_SLAF_RESUME, FL_SLAF_RESOLVE, FL_SLAF_REOPEN,
                                              FL_SLAF_RESOLVE};

    created("high");
    ck_assert_int_eq(ev("issue.status_changed", "2026-03-02T09:10:00Z",
                        "{\"from\": \"new\", \"to\": \"pending\"}", NULL),
                     0);
    ck_assert_int_eq(ev("issue.updated", "2026-03-02T09:20:00Z",
                        "{\"changes\": {\"status\": {\"from\": \"pending\", \"to\": "
                        "\"in_progress\"}}}",
                        NULL),
                     0);
    ck_assert_int_eq(ev("issue.resolved", "2026-03-02T10:00:00Z", "{}", NULL), 0);
    ck_assert_int_eq(ev("issue.closed", "2026-03-02T10:30:00Z", "{}", NULL), 0);
    ck_assert_int_eq(ev("issue.reopened", "2026-03-02T11:00:00Z", "{}", NULL), 0);
    ck_assert_int_eq(ev("issue.resolved", "2026-03-02T11:30:00Z", "{}", NULL), 0);
    assert_kinds(want, 7);
    ck_assert_str_eq(f.status, "resolved");
}
END_TEST

START_TEST(recorded_crossings_carry_their_instant)
{
    created("high");
    ck_assert_int_eq(ev("issue.sla_warning", "2026-03-02T10:40:00Z",
                        "{\"metric\": \"response\", \"crossed_at\": \"2026-03-02T10:36:00Z\"}",
                        "system"),
                     0);
    ck_assert_int_eq(ev("issue.sla_breached", "2026-03-02T11:00:00Z",
                        "{\"metric\": \"resolution\", \"crossed_at\": \"2026-03-02T10:59:00Z\"}",
                        "system"),
                     0);
    ck_assert_int_eq(ev("issue.sla_breached", "2026-03-02T11:00:00Z",
                        "{\"metric\": \"uptime\", \"crossed_at\": \"2026-03-02T10:59:00Z\"}",
                        "system"),
                     0);
    ck_assert_uint_eq(f.n, 3);
    ck_assert_int_eq(f.facts[1].kind, FL_SLAF_WARNED);
    ck_assert_int_eq(f.facts[1].metric, FL_SLA_RESPONSE);
    sc_assert_time(f.facts[1].at, "2026-03-02T10:36:00Z");
    ck_assert_int_eq(f.facts[2].kind, FL_SLAF_BREACHED);
    ck_assert_int_eq(f.facts[2].metric, FL_SLA_RESOLUTION);
}
END_TEST

START_TEST(too_many_facts_is_an_error_not_an_overflow)
{
    int rc = 0;

    created("high");
    for (int i = 0; i < 200 && rc == 0; i++)
        rc = ev("issue.status_changed", "2026-03-02T09:10:00Z",
                i % 2 == 0 ? "{\"to\": \"pending\"}" : "{\"to\": \"in_progress\"}", NULL);
    ck_assert_int_eq(rc, FL_ETOOBIG);
    ck_assert_uint_eq(f.n, FL_SLAFACTS_MAX);
}
END_TEST

START_TEST(folded_facts_drive_the_engine)
{
    fl_cal_t *cal = sc_office();
    fl_slaclock_policy_t pol;
    fl_slaclock_t out[FL_SLA_METRICS];

    sc_policy(&pol, cal);
    created("critical"); /* response 60 business minutes */
    ck_assert_int_eq(
        ev("issue.status_changed", "2026-03-02T09:30:00Z", "{\"to\": \"pending\"}", NULL), 0);
    ck_assert_int_eq(fl_slaclock_eval(&pol, f.facts, f.n, sc_t("2026-03-02T09:40:00Z"), out), 0);
    ck_assert_int_eq(out[FL_SLA_RESPONSE].status, FL_SLAS_MET); /* moving out of new responded */
    ck_assert_int_eq(out[FL_SLA_RESOLUTION].status, FL_SLAS_PAUSED);
    ck_assert_int_eq(
        ev("issue.status_changed", "2026-03-02T10:00:00Z", "{\"to\": \"in_progress\"}", NULL), 0);
    ck_assert_int_eq(fl_slaclock_eval(&pol, f.facts, f.n, sc_t("2026-03-02T10:00:00Z"), out), 0);
    /* 240 business minutes, 30 used before the pause: 210 more from 10:00, over lunch. */
    sc_assert_time(out[FL_SLA_RESOLUTION].breach_at, "2026-03-02T14:30:00Z");
    fl_cal_free(cal);
}
END_TEST

TCase *sc_facts_tcase(void)
{
    TCase *tc = tcase_create("facts");

    tcase_add_test(tc, created_starts_with_its_priority);
    tcase_add_test(tc, a_priority_change_retargets);
    tcase_add_test(tc, the_first_move_out_of_new_responds_once);
    tcase_add_test(tc, a_public_comment_by_another_responds);
    tcase_add_test(tc, pending_pauses_resolve_and_reopen);
    tcase_add_test(tc, recorded_crossings_carry_their_instant);
    tcase_add_test(tc, too_many_facts_is_an_error_not_an_overflow);
    tcase_add_test(tc, folded_facts_drive_the_engine);
    return tc;
}

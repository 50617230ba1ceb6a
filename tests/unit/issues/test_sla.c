/*
 * The SLA stamped into an issue's events (fl_issues_decide_sla), on a New
 * York office calendar (Monday to Friday, 09:00-17:00; the clocks change on
 * Sunday 2026-03-08): an issue created at 16:30 on Friday 2026-03-06 is due
 * across the weekend and the change, a response stops its clock with its
 * wall and business minutes, pending pauses (due date null) and resuming
 * moves the due date on, a priority change re-targets from the start (into
 * the past), resolving stamps the minutes and a reopen clears them. Each
 * stamp equals what the timers' own fold of the same events evaluates to.
 */
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/issues.h"
#include "issues_test.h"
#include "util.h"

#define ME     "00000000-0000-4000-8000-0000000000a1"
#define ANN    "00000000-0000-4000-8000-0000000000a2"
#define HOURS  "00000000-0000-4000-8000-00000000d001"
#define POLICY "00000000-0000-4000-8000-00000000d002"

static fl_arena_t arena, cfg_arena;
static fl_sla_config_t cfg;
static fl_issue_sla_env_t env;
static fl_decision_t d;
static fl_issue_state_t iss;
static fl_user_state_t me, ann;
static fl_cmd_ctx_t ctx;

static void config_event(const char *type, const char *json, int64_t seq)
{
    tu_sla_event(&cfg, &cfg_arena, type, json, seq);
}

/* The office and a default policy: high 60 / 240, critical 15 / 60 business minutes. */
static void office(void)
{
    fl_arena_init(&cfg_arena, 0);
    memset(&cfg, 0, sizeof(cfg));
    config_event("sla.business_hours_created",
                 "{\"id\":\"" HOURS "\",\"cleared_default\":null,\"body\":{\"name\":\"NY\","
                 "\"timezone\":\"America/New_York\",\"schedule\":["
                 "{\"day_of_week\":1,\"start_time\":\"09:00\",\"end_time\":\"17:00\"},"
                 "{\"day_of_week\":2,\"start_time\":\"09:00\",\"end_time\":\"17:00\"},"
                 "{\"day_of_week\":3,\"start_time\":\"09:00\",\"end_time\":\"17:00\"},"
                 "{\"day_of_week\":4,\"start_time\":\"09:00\",\"end_time\":\"17:00\"},"
                 "{\"day_of_week\":5,\"start_time\":\"09:00\",\"end_time\":\"17:00\"}]}}",
                 1);
    config_event("sla.policy_created",
                 "{\"id\":\"" POLICY "\",\"cleared_default\":null,\"body\":{\"name\":\"Office\","
                 "\"entity_type\":\"issue\",\"is_default\":true,\"business_hours_id\":\"" HOURS
                 "\",\"targets\":["
                 "{\"metric_type\":\"response_time\",\"priority\":\"high\",\"target_minutes\":60},"
                 "{\"metric_type\":\"resolution_time\",\"priority\":\"high\","
                 "\"target_minutes\":240},"
                 "{\"metric_type\":\"response_time\",\"priority\":\"critical\","
                 "\"target_minutes\":15},"
                 "{\"metric_type\":\"resolution_time\",\"priority\":\"critical\","
                 "\"target_minutes\":60}]}}",
                 2);
    ck_assert_int_eq(fl_sla_config_build(&cfg), 0);
    env = (fl_issue_sla_env_t){.config = &cfg, .tier = NULL};
}

static void user(fl_user_state_t *u, const char *id)
{
    memset(u, 0, sizeof(*u));
    u->exists = true;
    u->status = FL_USER_ACTIVE;
    memcpy(u->id, id, FL_UUID_LEN + 1);
}

/* Stamps the decision made at ctx.now and folds it with that ts; the last event's data. */
static json_t *stamp_and_fold(bool create)
{
    json_t *last;

    ck_assert(!fl_decision_failed(&d));
    ck_assert_int_eq(fl_issues_decide_sla(&ctx, create ? NULL : &iss, &env, &d), 0);
    ck_assert_uint_gt(d.n_events, 0);
    last = tu_event_data(&d, d.n_events - 1);
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], iss.version + 1, ctx.now);
        ev.num = d.events[i].number != NULL ? "ISS-00001" : "";
        ck_assert_int_eq(fl_issue_agg.fold(&iss, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
    return last;
}

static json_t *create(const char *when, const char *body)
{
    fl_issue_values_t v;
    fl_issue_refs_t refs = {&me, NULL};
    json_t *j = tu_json(body);

    ctx.now = tu_time(when);
    ck_assert_int_eq(fl_issues_decode_create(j, &arena, &v, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &refs, &d), 0);
    fl_issue_agg.init(&iss);
    return stamp_and_fold(true);
}

static json_t *update(const char *when, const char *body)
{
    fl_issue_values_t v;
    fl_issue_refs_t refs = {NULL, NULL};
    json_t *j = tu_json(body);

    ctx.now = tu_time(when);
    ck_assert_int_eq(fl_issues_decode_update(j, &arena, &v, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), 0);
    return stamp_and_fold(false);
}

static json_t *action(const char *when, fl_issue_action_kind_t kind, const char *body)
{
    fl_issue_action_t cmd;
    fl_issue_action_refs_t refs = {.user = &ann, .user_may_work = true, .reopen_days = 7};
    json_t *j = body != NULL ? tu_json(body) : NULL;

    ctx.now = tu_time(when);
    ck_assert_int_eq(fl_issues_decode_action(kind, j, &arena, &cmd, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_issues_decide_action(&ctx, &iss, FL_LOG_ANY, &cmd, &refs, &d), 0);
    return stamp_and_fold(false);
}

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 0);
    ctx.actor_id = ME;
    user(&me, ME);
    user(&ann, ANN);
    office();
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_sla_config_free_calendars(&cfg);
    fl_arena_free(&cfg_arena);
    fl_arena_free(&arena);
}

static long long num(const json_t *data, const char *key)
{
    const json_t *v = json_object_get(data, key);

    ck_assert_msg(json_is_integer(v), "%s is not a number", key);
    return (long long)json_integer_value(v);
}

/* What the timers' fold of the same events says: metric m's crossing of its target at now. */
static fl_time_t timers_breach_at(int m)
{
    fl_sla_issue_attrs_t attrs = {.priority = iss.v[FL_ISSUE_PRIORITY], .issue_type = NULL};
    fl_slaclock_t out[FL_SLA_METRICS];
    int rc;

    ck_assert_ptr_nonnull(
        fl_sla_issue_clocks(&cfg, &attrs, iss.sla.facts, iss.sla.n_facts, ctx.now, out, &rc));
    ck_assert_int_eq(rc, 0);
    return out[m].breach_at;
}

START_TEST(due_dates_cross_the_weekend_and_the_clock_change)
{
    json_t *e = create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}");

    ck_assert_str_eq(tu_str(e, "sla_policy_id"), POLICY);
    /* 30 minutes on Friday, the rest on Monday in EDT (UTC-4) */
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T13:30:00.000000Z");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T16:30:00.000000Z");
    ck_assert_str_eq(tu_str(e, "time_to_first_response"), "absent");
    ck_assert_int_eq(iss.sla.response_due, tu_time("2026-03-09T13:30:00Z"));
    ck_assert_int_eq(iss.sla.response_due, timers_breach_at(FL_SLA_RESPONSE));
    ck_assert_int_eq(iss.sla.resolution_due, timers_breach_at(FL_SLA_RESOLUTION));
    ck_assert_str_eq(iss.sla.policy_id, POLICY);
    json_decref(e);
    json_t *j = fl_issue_to_json(&iss);
    ck_assert_str_eq(tu_str(j, "response_due_at"), "2026-03-09T13:30:00.000000Z");
    ck_assert_str_eq(tu_str(j, "business_time_to_first_response"), "null");
    json_decref(j);
}
END_TEST

START_TEST(a_response_stamps_its_minutes_and_keeps_its_due_date)
{
    json_decref(create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}"));
    /* Monday 09:10 EDT: 30 + 10 business minutes; 2 days 15 h 40 min on the wall */
    json_t *e =
        action("2026-03-09T13:10:00Z", FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}");
    ck_assert_int_eq(num(e, "business_time_to_first_response"), 40);
    ck_assert_int_eq(num(e, "time_to_first_response"), 3820);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "absent"); /* stopped: kept */
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T16:30:00.000000Z");
    json_decref(e);
    json_t *j = fl_issue_to_json(&iss);
    ck_assert_str_eq(tu_str(j, "response_due_at"), "2026-03-09T13:30:00.000000Z");
    ck_assert_int_eq(num(j, "business_time_to_first_response"), 40);
    ck_assert_int_eq(num(j, "time_to_first_response"), 3820);
    json_decref(j);
    /* a move without facts (assigned -> in_progress) stamps nothing */
    e = update("2026-03-09T13:20:00Z", "{\"status\":\"in_progress\"}");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "absent");
    json_decref(e);
}
END_TEST

START_TEST(pending_pauses_and_resuming_moves_the_due_date_on)
{
    json_decref(create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}"));
    json_decref(
        action("2026-03-09T13:10:00Z", FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}"));
    json_decref(update("2026-03-09T13:20:00Z", "{\"status\":\"in_progress\"}"));
    /* pending at 10:00 EDT, 90 business minutes in: the due date is unknown while paused */
    json_t *e = update("2026-03-09T14:00:00Z", "{\"status\":\"pending\"}");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "null");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), POLICY);
    json_decref(e);
    ck_assert_int_eq(iss.sla.resolution_due, 0);
    /* resumed at 14:00 EDT: 150 minutes left, due at 16:30 EDT */
    e = update("2026-03-09T18:00:00Z", "{\"status\":\"in_progress\"}");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T20:30:00.000000Z");
    json_decref(e);
    ck_assert_int_eq(iss.sla.resolution_due, timers_breach_at(FL_SLA_RESOLUTION));
    /* resolved at 15:00 EDT: 30 + 60 + 60 business minutes, 69 h 30 min on the wall */
    e = action("2026-03-09T19:00:00Z", FL_ISSUE_ACT_RESOLVE,
               "{\"resolution_code\":\"fixed\",\"resolution_notes\":\"restarted\"}");
    ck_assert_int_eq(num(e, "business_time_to_resolution"), 150);
    ck_assert_int_eq(num(e, "time_to_resolution"), 4170);
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "absent");
    json_decref(e);
    ck_assert_int_eq(iss.sla.resolution_due, tu_time("2026-03-09T20:30:00Z"));
    /* reopened: the resolution's minutes are cleared, its clock counts on from 150 */
    e = action("2026-03-09T19:30:00Z", FL_ISSUE_ACT_REOPEN, NULL);
    ck_assert_str_eq(tu_str(e, "business_time_to_resolution"), "null");
    ck_assert_str_eq(tu_str(e, "time_to_resolution"), "null");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T21:00:00.000000Z");
    json_decref(e);
    json_t *j = fl_issue_to_json(&iss);
    ck_assert_str_eq(tu_str(j, "time_to_resolution"), "null");
    ck_assert_int_eq(num(j, "business_time_to_first_response"), 40);
    json_decref(j);
}
END_TEST

START_TEST(a_priority_change_retargets_from_the_start)
{
    json_decref(create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}"));
    /* critical on Monday 09:20 EDT: 15 and 60 minutes from the start */
    json_t *e = update("2026-03-09T13:20:00Z", "{\"priority\":\"critical\"}");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-06T21:45:00.000000Z"); /* past */
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T13:30:00.000000Z");
    json_decref(e);
    ck_assert_int_eq(iss.sla.response_due, timers_breach_at(FL_SLA_RESPONSE));
    /* back to high: the later targets again */
    e = update("2026-03-09T13:25:00Z", "{\"priority\":\"high\"}");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T13:30:00.000000Z");
    json_decref(e);
    /* low has no target: no due dates, the policy still applies */
    e = update("2026-03-09T13:26:00Z", "{\"priority\":\"low\"}");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), POLICY);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "null");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "null");
    json_decref(e);
    /* ... and a response then has wall minutes but no business ones */
    e = action("2026-03-09T13:40:00Z", FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}");
    ck_assert_str_eq(tu_str(e, "business_time_to_first_response"), "null");
    ck_assert_int_eq(num(e, "time_to_first_response"), 3850);
    json_decref(e);
}
END_TEST

/* A public comment by ANN at ctx.now, stamped and folded; its event's data. */
static json_t *comment(const char *content)
{
    fl_issue_note_cmd_t cmd;
    json_t *j = json_pack("{s:s}", "content", content);

    ctx.actor = "user:" ANN;
    ctx.actor_id = ANN;
    ck_assert_int_eq(fl_issues_decode_comment(j, true, &arena, &cmd, &d), 0);
    json_decref(j);
    ck_assert_int_eq(
        fl_issues_decide_comment(&ctx, &iss, NULL, &cmd, (fl_issue_note_who_t){false, false}, &d),
        0);
    return stamp_and_fold(false);
}

START_TEST(a_public_comment_by_someone_else_is_the_first_response)
{
    json_decref(create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}"));
    ctx.now = tu_time("2026-03-09T13:05:00Z");
    json_t *e = comment("looking");
    ck_assert_int_eq(num(e, "business_time_to_first_response"), 35);
    ck_assert_int_eq(num(e, "time_to_first_response"), 3815);
    json_decref(e);
    /* a second comment is no response: nothing stamped */
    e = comment("still looking");
    ck_assert_str_eq(tu_str(e, "business_time_to_first_response"), "absent");
    json_decref(e);
}
END_TEST

START_TEST(without_a_policy_only_wall_minutes)
{
    fl_sla_config_t none = {0};

    fl_sla_config_build(&none);
    env.config = &none;
    json_t *e = create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "null");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "null");
    json_decref(e);
    e = action("2026-03-06T22:00:00Z", FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}");
    ck_assert_int_eq(num(e, "time_to_first_response"), 30);
    ck_assert_str_eq(tu_str(e, "business_time_to_first_response"), "null");
    json_decref(e);
    /* a configuration that cannot be read: no SLA stamps at all, wall minutes still */
    env.config = NULL;
    json_decref(update("2026-03-06T22:10:00Z", "{\"status\":\"in_progress\"}"));
    e = action("2026-03-06T22:30:00Z", FL_ISSUE_ACT_RESOLVE,
               "{\"resolution_code\":\"fixed\",\"resolution_notes\":\"restarted\"}");
    ck_assert_int_eq(num(e, "time_to_resolution"), 60);
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "absent");
    ck_assert_str_eq(tu_str(e, "business_time_to_resolution"), "absent");
    json_decref(e);
    fl_sla_config_free_calendars(&none);
}
END_TEST

START_TEST(a_refused_decision_is_left_alone)
{
    fl_issue_values_t v;
    fl_issue_refs_t refs = {NULL, NULL};
    json_t *j = tu_json("{\"priority\":\"critical\"}");

    json_decref(create("2026-03-06T21:30:00Z", "{\"title\":\"Payroll\",\"priority\":\"high\"}"));
    ck_assert_int_eq(fl_issues_decode_update(j, &arena, &v, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_issues_decide_update(&ctx, &iss, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    fl_decision_fail(&d, 409, "no", NULL);
    ck_assert_int_eq(fl_issues_decide_sla(&ctx, &iss, &env, &d), 0);
    json_t *e = tu_event_data(&d, 0);
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "absent");
    json_decref(e);
}
END_TEST

TCase *issues_sla_tcase(void)
{
    TCase *tc = tcase_create("sla");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, due_dates_cross_the_weekend_and_the_clock_change);
    tcase_add_test(tc, a_response_stamps_its_minutes_and_keeps_its_due_date);
    tcase_add_test(tc, pending_pauses_and_resuming_moves_the_due_date_on);
    tcase_add_test(tc, a_priority_change_retargets_from_the_start);
    tcase_add_test(tc, a_public_comment_by_someone_else_is_the_first_response);
    tcase_add_test(tc, without_a_policy_only_wall_minutes);
    tcase_add_test(tc, a_refused_decision_is_left_alone);
    return tc;
}

/*
 * Request SLA clocks (src/domain/requests/sla.c, README "SLA"): the facts the
 * shared fold gives for request events, the policy a request gets (the one
 * its item names when it is a live request policy, else the default; none
 * for a bundle's parent), and the stamps of its decisions on a Berlin office
 * calendar (Monday to Friday, 08:00-16:00, UTC+1 in early March): due dates
 * across the weekend, an approval that pauses the clocks from the start
 * (due dates null) and resumes them, the first fulfilment move as the
 * response, completion, reopen and a priority change through PUT. Each stamp
 * equals what the timers' evaluation of the same facts gives. The clock a
 * breach names is recorded (sla_breach_type: "both" once both breached).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/requests.h"
#include "firelater/slafacts.h"
#include "internal.h" /* the projector's batch */
#include "requests_test.h"
#include "util.h"

#define RITA   "00000000-0000-4000-8000-0000000000a1"
#define ANN    "00000000-0000-4000-8000-0000000000a3"
#define BOB    "00000000-0000-4000-8000-0000000000a4"
#define ITEM   "00000000-0000-4000-8000-0000000000c1"
#define G1     "00000000-0000-4000-8000-0000000000b1"
#define HOURS  "00000000-0000-4000-8000-00000000e001"
#define OFFICE "00000000-0000-4000-8000-00000000e002" /* the default request policy */
#define VIP    "00000000-0000-4000-8000-00000000e003" /* a request policy an item may name */
#define ISSUES "00000000-0000-4000-8000-00000000e004" /* an issue policy */

static fl_arena_t arena, cfg_arena;
static fl_sla_config_t cfg;
static fl_decision_t d;
static fl_request_state_t req;
static fl_cmd_ctx_t ctx;
static fl_user_state_t rita, ann;

/* ------------------------------------------------------------------ facts */

static fl_slafacts_t f;

/* Folds a request event (type, JSON data) at time when. */
static void fact(const char *type, const char *when, const char *json)
{
    json_t *data = tu_json(json);
    fl_event_t e = {.type = type, .ts = tu_time(when), .actor = "user:" ANN};

    ck_assert_int_eq(fl_slafacts_fold(&f, &e, data), 0);
    json_decref(data);
}

static void kinds_are(const fl_slaclock_kind_t *want, size_t n)
{
    ck_assert_uint_eq(f.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(f.facts[i].kind == want[i], "fact %zu: kind %d, want %d", i, f.facts[i].kind,
                      want[i]);
}

START_TEST(request_events_give_their_facts)
{
    static const fl_slaclock_kind_t want[] = {
        FL_SLAF_START,   FL_SLAF_PAUSE,  FL_SLAF_PRIORITY, FL_SLAF_RESUME, FL_SLAF_RESPOND,
        FL_SLAF_RESOLVE, FL_SLAF_REOPEN, FL_SLAF_RESOLVE,  FL_SLAF_WARNED, FL_SLAF_BREACHED,
    };

    fl_slafacts_init(&f);
    fact("request.created", "2026-03-02T09:00:00Z",
         "{\"id\":\"x\",\"status\":\"new\",\"priority\":\"high\",\"requester_id\":\"" RITA "\"}");
    ck_assert_int_eq(f.facts[0].priority, FL_SLA_HIGH);
    /* leaving new is no response; pending_approval pauses */
    fact("request.submitted", "2026-03-02T09:00:00Z",
         "{\"from\":\"new\",\"to\":\"pending_approval\"}");
    fact("request.updated", "2026-03-02T09:10:00Z",
         "{\"changes\":{\"priority\":{\"from\":\"high\",\"to\":\"critical\"}}}");
    /* a step approved without completing the chain moves nothing */
    fact("request.approved", "2026-03-02T09:20:00Z", "{\"step_number\":1}");
    ck_assert_uint_eq(f.n, 3);
    fact("request.approved", "2026-03-02T09:30:00Z",
         "{\"step_number\":2,\"from\":\"pending_approval\",\"to\":\"approved\"}");
    /* a comment by the fulfilment team is no response; the first assign is */
    fact("request.comment_added", "2026-03-02T09:35:00Z",
         "{\"user_id\":\"" ANN "\",\"is_internal\":false}");
    fact("request.assigned", "2026-03-02T09:40:00Z", "{\"assigned_to\":\"" ANN "\"}");
    fact("request.started", "2026-03-02T09:50:00Z",
         "{\"from\":\"approved\",\"to\":\"in_progress\"}"); /* responded already */
    fact("request.completed", "2026-03-02T10:00:00Z",
         "{\"from\":\"in_progress\",\"to\":\"completed\"}");
    fact("request.reopened", "2026-03-02T10:10:00Z",
         "{\"from\":\"completed\",\"to\":\"in_progress\"}");
    fact("request.cancelled", "2026-03-02T10:20:00Z",
         "{\"from\":\"in_progress\",\"to\":\"cancelled\"}");
    fact("request.sla_warning", "2026-03-02T10:30:00Z",
         "{\"metric\":\"response\",\"crossed_at\":\"2026-03-02T09:24:00Z\"}");
    fact("request.sla_breached", "2026-03-02T10:31:00Z",
         "{\"metric\":\"resolution\",\"crossed_at\":\"2026-03-02T10:15:00Z\"}");
    kinds_are(want, sizeof(want) / sizeof(want[0]));
    ck_assert_int_eq(f.facts[2].priority, FL_SLA_CRITICAL);
    ck_assert_int_eq(f.responded_at, tu_time("2026-03-02T09:40:00Z"));
    ck_assert_int_eq(f.facts[8].at, tu_time("2026-03-02T09:24:00Z"));
    ck_assert_int_eq(f.facts[9].metric, FL_SLA_RESOLUTION);
    ck_assert_str_eq(f.status, "cancelled");
}
END_TEST

START_TEST(start_first_responds_and_a_rejection_resolves)
{
    static const fl_slaclock_kind_t started[] = {FL_SLAF_START, FL_SLAF_RESPOND};
    static const fl_slaclock_kind_t rejected[] = {FL_SLAF_START, FL_SLAF_PAUSE, FL_SLAF_RESUME,
                                                  FL_SLAF_RESOLVE};

    fl_slafacts_init(&f);
    fact("request.created", "2026-03-02T09:00:00Z", "{\"status\":\"new\"}");
    fact("request.submitted", "2026-03-02T09:00:00Z", "{\"from\":\"new\",\"to\":\"approved\"}");
    fact("request.started", "2026-03-02T09:05:00Z",
         "{\"from\":\"approved\",\"to\":\"in_progress\"}");
    fact("request.assigned", "2026-03-02T09:06:00Z", "{\"assigned_to\":\"" ANN "\"}");
    kinds_are(started, 2);
    ck_assert_int_eq(f.facts[0].priority, FL_SLA_MEDIUM); /* no priority: medium */
    fl_slafacts_init(&f);
    fact("request.created", "2026-03-02T09:00:00Z", "{\"status\":\"new\"}");
    fact("request.submitted", "2026-03-02T09:00:00Z",
         "{\"from\":\"new\",\"to\":\"pending_approval\"}");
    fact("request.rejected", "2026-03-02T09:05:00Z",
         "{\"from\":\"pending_approval\",\"to\":\"rejected\"}");
    kinds_are(rejected, 4);
    /* the streams the timers track: issue:, request:, and no other */
    ck_assert_ptr_eq(fl_slafacts_entity_of_stream("request:" ITEM), &fl_slafacts_request);
    ck_assert_ptr_eq(fl_slafacts_entity_of_stream("issue:" ITEM), &fl_slafacts_issue);
    ck_assert_ptr_null(fl_slafacts_entity_of_stream("request:"));
    ck_assert_ptr_null(fl_slafacts_entity_of_stream("catalog_item:" ITEM));
}
END_TEST

/* ----------------------------------------------------------------- stamps */

static void config_event(const char *type, const char *json, int64_t seq)
{
    tu_sla_event(&cfg, &cfg_arena, type, json, seq);
}

/* One policy: entity, default or not, high response / resolution minutes, on the office. */
static void policy(const char *id, const char *entity, bool is_default, int resp, int res,
                   int64_t seq)
{
    char json[1024];

    snprintf(json, sizeof(json),
             "{\"id\":\"%s\",\"cleared_default\":null,\"body\":{\"name\":\"%s\","
             "\"entity_type\":\"%s\",\"is_default\":%s,\"business_hours_id\":\"" HOURS "\","
             "\"targets\":[{\"metric_type\":\"response_time\",\"priority\":\"high\","
             "\"target_minutes\":%d},{\"metric_type\":\"resolution_time\","
             "\"priority\":\"high\",\"target_minutes\":%d}]}}",
             id, id, entity, is_default ? "true" : "false", resp, res);
    config_event("sla.policy_created", json, seq);
}

static void office(void)
{
    fl_arena_init(&cfg_arena, 0);
    memset(&cfg, 0, sizeof(cfg));
    config_event("sla.business_hours_created",
                 "{\"id\":\"" HOURS "\",\"cleared_default\":null,\"body\":{\"name\":\"Berlin\","
                 "\"timezone\":\"Europe/Berlin\",\"schedule\":["
                 "{\"day_of_week\":1,\"start_time\":\"08:00\",\"end_time\":\"16:00\"},"
                 "{\"day_of_week\":2,\"start_time\":\"08:00\",\"end_time\":\"16:00\"},"
                 "{\"day_of_week\":3,\"start_time\":\"08:00\",\"end_time\":\"16:00\"},"
                 "{\"day_of_week\":4,\"start_time\":\"08:00\",\"end_time\":\"16:00\"},"
                 "{\"day_of_week\":5,\"start_time\":\"08:00\",\"end_time\":\"16:00\"}]}}",
                 1);
    policy(OFFICE, "request", true, 60, 240, 2);
    policy(VIP, "request", false, 30, 120, 3);
    policy(ISSUES, "issue", true, 5, 10, 4);
    ck_assert_int_eq(fl_sla_config_build(&cfg), 0);
}

/* Stamps the decision made at ctx.now and folds it with that ts; the data of event i (-1: the
 * last). */
static json_t *stamp_and_fold(int i)
{
    const fl_request_state_t *known = &req;
    json_t *data;

    ck_assert(!fl_decision_failed(&d));
    ck_assert_int_eq(fl_requests_decide_sla(&ctx, &known, req.exists ? 1 : 0, &cfg, &d), 0);
    data = tu_event_data(&d, i < 0 ? d.n_events - 1 : (size_t)i);
    for (size_t k = 0; k < d.n_events; k++) {
        fl_event_t ev = tu_event_of(&d.events[k], req.version + 1, ctx.now);
        ev.num = d.events[k].number != NULL ? "REQ-00001" : "";
        ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
    return data;
}

/* A request for the item (naming policy_id; approval by G1 or none), by RITA, at when. */
static json_t *submit(const char *when, const char *policy_id, bool approval, int event)
{
    static const char *groups[] = {G1};
    fl_catalog_item_info_t it = {.exists = true,
                                 .version = 2,
                                 .id = ITEM,
                                 .name = "Laptop",
                                 .status = FL_CAT_ACTIVE,
                                 .approval_required = approval,
                                 .approval_type = "sequential",
                                 .approval_groups = groups,
                                 .n_approval_groups = 1,
                                 .default_priority = "high",
                                 .sla_policy_id = policy_id,
                                 .form_version = 1};
    json_t *form = tu_json("{}");
    fl_req_create_refs_t refs = {&it, true, form, &rita};
    fl_req_create_cmd_t cmd = {.catalog_item_id = ITEM};

    memset(&req, 0, sizeof(req));
    ctx.now = tu_time(when);
    ctx.actor_id = RITA;
    ck_assert_int_eq(fl_requests_decide_create(&ctx, &cmd, &refs, &d), 0);
    json_decref(form);
    return stamp_and_fold(event);
}

static json_t *act(const char *when, fl_req_action_kind_t kind, const char *text)
{
    fl_req_decider_t deciders[1] = {{.may = true}};
    fl_req_action_t cmd = {.kind = kind, .text = text};
    fl_req_action_refs_t refs = {.deciders = deciders, .user = &ann, .user_may_work = true};

    if (kind == FL_REQ_ACT_ASSIGN)
        cmd.assigned_to = ANN;
    ctx.now = tu_time(when);
    ctx.actor_id = BOB;
    ck_assert_int_eq(fl_requests_decide_action(&ctx, &req, FL_LOG_ANY, &cmd, &refs, &d), 0);
    return stamp_and_fold(-1);
}

/* What the timers evaluate for the request's facts at ctx.now: metric m's crossing. */
static fl_time_t timers_breach_at(int m)
{
    fl_slaclock_t out[FL_SLA_METRICS];
    int rc;

    ck_assert_ptr_nonnull(fl_sla_entity_clocks(&cfg, &fl_slafacts_request, req.sla.attr, NULL,
                                               req.sla.facts, req.sla.n_facts, ctx.now, out, &rc));
    ck_assert_int_eq(rc, 0);
    return out[m].breach_at;
}

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 0);
    memset(&rita, 0, sizeof(rita));
    rita.exists = true;
    rita.status = FL_USER_ACTIVE;
    memcpy(rita.id, RITA, FL_UUID_LEN + 1);
    ann = rita;
    memcpy(ann.id, ANN, FL_UUID_LEN + 1);
    office();
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_sla_config_free_calendars(&cfg);
    fl_arena_free(&cfg_arena);
    fl_arena_free(&arena);
}

START_TEST(the_items_policy_and_due_dates_across_the_weekend)
{
    /* Friday 15:30 in Berlin, no approval: VIP's 30 minutes end at Friday's closing, its 120
     * are 30 on Friday and 90 on Monday */
    json_t *e = submit("2026-03-06T14:30:00Z", VIP, false, 0);
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), VIP);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-06T15:00:00.000000Z");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T08:30:00.000000Z");
    ck_assert_str_eq(tu_str(e, "responded_at"), "absent");
    json_decref(e);
    ck_assert_int_eq(tu_time("2026-03-09T08:30:00Z"), timers_breach_at(FL_SLA_RESOLUTION));
    json_t *j = fl_request_to_json(&req);
    ck_assert_str_eq(tu_str(j, "sla_policy_id"), VIP);
    ck_assert_str_eq(tu_str(j, "response_due_at"), "2026-03-06T15:00:00.000000Z");
    ck_assert_str_eq(tu_str(j, "responded_at"), "null");
    ck_assert(json_is_false(json_object_get(j, "sla_breached")));
    json_decref(j);
    /* started on Monday 09:00: the response (late), stamped with its instant */
    e = act("2026-03-09T08:00:00Z", FL_REQ_ACT_START, NULL);
    ck_assert_str_eq(tu_str(e, "responded_at"), "2026-03-09T08:00:00.000000Z");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "absent"); /* stopped: kept */
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T08:30:00.000000Z");
    json_decref(e);
    /* an assign after the start responds no more: nothing to stamp */
    e = act("2026-03-09T08:05:00Z", FL_REQ_ACT_ASSIGN, NULL);
    ck_assert_str_eq(tu_str(e, "responded_at"), "absent");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "absent");
    json_decref(e);
    j = fl_request_to_json(&req);
    ck_assert_str_eq(tu_str(j, "responded_at"), "2026-03-09T08:00:00.000000Z");
    ck_assert_str_eq(tu_str(j, "response_due_at"), "2026-03-06T15:00:00.000000Z");
    json_decref(j);
}
END_TEST

START_TEST(an_unknown_or_issue_policy_falls_back_to_the_default)
{
    json_t *e = submit("2026-03-06T14:30:00Z", ISSUES, false, 0);
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), OFFICE);
    /* 60 minutes: 30 on Friday, 30 on Monday from 08:00 */
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T07:30:00.000000Z");
    json_decref(e);
    e = submit("2026-03-06T14:30:00Z", NULL, false, 0);
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), OFFICE);
    json_decref(e);
    /* a bundle's parent has no catalog item, and no clocks */
    fl_sla_request_attrs_t parent = {.priority = "high", .policy_id = VIP};
    ck_assert_ptr_null(fl_sla_request_policy(&cfg, &parent));
    parent.catalog_item_id = ITEM;
    ck_assert_ptr_nonnull(fl_sla_request_policy(&cfg, &parent));
}
END_TEST

START_TEST(an_approval_pauses_from_the_start_and_resumes)
{
    /* created (running: 30 + 30 and 30 + 210 minutes), then submitted into pending_approval
     * in the same decision: paused, the due dates unknown */
    json_t *e = submit("2026-03-06T14:30:00Z", NULL, true, 0);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T07:30:00.000000Z");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T10:30:00.000000Z");
    json_decref(e);
    ck_assert_int_eq(req.status, FL_REQ_PENDING_APPROVAL);
    json_t *j = fl_request_to_json(&req);
    ck_assert_str_eq(tu_str(j, "response_due_at"), "null");
    ck_assert_str_eq(tu_str(j, "resolution_due_at"), "null");
    ck_assert_str_eq(tu_str(j, "sla_policy_id"), OFFICE);
    json_decref(j);
    /* approved on Monday 10:00 Berlin: nothing elapsed, 60 and 240 minutes from now */
    e = act("2026-03-09T09:00:00Z", FL_REQ_ACT_APPROVE, "ok");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T10:00:00.000000Z");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T13:00:00.000000Z");
    json_decref(e);
    ck_assert_int_eq(tu_time("2026-03-09T10:00:00Z"), timers_breach_at(FL_SLA_RESPONSE));
    /* assigned at 10:20: the response */
    e = act("2026-03-09T09:20:00Z", FL_REQ_ACT_ASSIGN, NULL);
    ck_assert_str_eq(tu_str(e, "responded_at"), "2026-03-09T09:20:00.000000Z");
    ck_assert_str_eq(tu_str(e, "response_due_at"), "absent");
    json_decref(e);
    json_decref(act("2026-03-09T09:30:00Z", FL_REQ_ACT_START, NULL));
    /* completed at 13:00 (180 minutes in), reopened at 13:30: 60 minutes left */
    e = act("2026-03-09T12:00:00Z", FL_REQ_ACT_COMPLETE, "done");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "absent");
    json_decref(e);
    e = act("2026-03-09T12:30:00Z", FL_REQ_ACT_REOPEN, "again");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "2026-03-09T13:30:00.000000Z");
    json_decref(e);
    ck_assert_int_eq(tu_time("2026-03-09T13:30:00Z"), timers_breach_at(FL_SLA_RESOLUTION));
}
END_TEST

START_TEST(a_priority_change_through_put_retargets)
{
    json_decref(submit("2026-03-06T14:30:00Z", NULL, false, 0));
    fl_req_update_cmd_t cmd = {.set = FL_REQ_UPD_PRIORITY, .priority = "low"};
    ctx.now = tu_time("2026-03-09T07:10:00Z");
    ck_assert_int_eq(fl_requests_decide_update(&ctx, &req, FL_LOG_ANY, &cmd, NULL, &d), 0);
    json_t *e = stamp_and_fold(-1); /* low has no target: no due dates, the policy stays */
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), OFFICE);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "null");
    ck_assert_str_eq(tu_str(e, "resolution_due_at"), "null");
    json_decref(e);
    cmd.priority = "high";
    ctx.now = tu_time("2026-03-09T07:20:00Z");
    ck_assert_int_eq(fl_requests_decide_update(&ctx, &req, FL_LOG_ANY, &cmd, NULL, &d), 0);
    e = stamp_and_fold(-1);
    ck_assert_str_eq(tu_str(e, "response_due_at"), "2026-03-09T07:30:00.000000Z");
    json_decref(e);
    /* without a configuration only responded_at is stamped */
    const fl_request_state_t *known = &req;
    ctx.now = tu_time("2026-03-09T07:25:00Z");
    fl_req_action_t start = {.kind = FL_REQ_ACT_START};
    fl_req_action_refs_t refs = {0};
    ck_assert_int_eq(fl_requests_decide_action(&ctx, &req, FL_LOG_ANY, &start, &refs, &d), 0);
    ck_assert_int_eq(fl_requests_decide_sla(&ctx, &known, 1, NULL, &d), 0);
    e = tu_event_data(&d, 0);
    ck_assert_str_eq(tu_str(e, "responded_at"), "2026-03-09T07:25:00.000000Z");
    ck_assert_str_eq(tu_str(e, "sla_policy_id"), "absent");
    json_decref(e);
}
END_TEST

/* The timers' request.sla_breached of metric m, folded onto req. */
static void breached(const char *m)
{
    char data[256];
    snprintf(data, sizeof(data),
             "{\"id\":\"%s\",\"metric\":\"%s\",\"crossed_at\":"
             "\"2026-03-09T09:00:00.000000Z\"}",
             req.id, m);
    fl_log_new_t e = tu_ev(&arena, "request:x", "request.sla_breached", data);
    fl_event_t ev = tu_event_of(&e, req.version + 1, tu_time("2026-03-09T09:00:01Z"));
    ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
}

static const char *breach_type(void)
{
    static char out[16];
    json_t *j = fl_request_to_json(&req);
    snprintf(out, sizeof(out), "%s", tu_str(j, "sla_breach_type"));
    json_decref(j);
    return out;
}

START_TEST(the_breached_clock_is_recorded)
{
    json_decref(submit("2026-03-06T14:30:00Z", VIP, false, 0));
    ck_assert_str_eq(breach_type(), "null");
    breached("response");
    ck_assert_str_eq(breach_type(), "response");
    breached("response"); /* the same clock again (a replay): unchanged */
    ck_assert_str_eq(breach_type(), "response");
    breached("resolution");
    ck_assert_str_eq(breach_type(), "both");
    breached("response");
    ck_assert_str_eq(breach_type(), "both");
    json_t *j = fl_request_to_json(&req);
    ck_assert(json_is_true(json_object_get(j, "sla_breached")));
    json_decref(j);
    /* resolution first, and a metric this build does not know changes nothing */
    json_decref(submit("2026-03-06T14:30:00Z", VIP, false, 0));
    breached("resolution");
    breached("uptime");
    ck_assert_str_eq(breach_type(), "resolution");
}
END_TEST

/* The projection chooses as the fold does: in SQL, from the row's value. */
START_TEST(the_projection_records_the_breached_clock)
{
    fl_proj_out_t out;
    json_t *data = tu_json("{\"id\":\"" RITA "\",\"metric\":\"resolution\","
                           "\"crossed_at\":\"2026-03-09T09:00:00.000000Z\"}");
    fl_event_t ev = {.pos = 1,
                     .ts = 1764072000000000LL,
                     .type = "request.sla_breached",
                     .v = 1,
                     .sv = 7,
                     .actor = "system"};
    const fl_proj_handler_t *h = fl_requests_projections;

    fl__proj_out_init(&out);
    while (h->type != NULL && strcmp(h->type, ev.type) != 0)
        h++;
    ck_assert_ptr_nonnull(h->fn);
    ck_assert_int_eq(h->fn(&out, &ev, data), 0);
    ck_assert_int_eq(out.n, 3); /* the row, its history, sla_breach_type */
    ck_assert_ptr_nonnull(strstr(out.stmts[2].sql, "SET sla_breach_type = CASE WHEN"));
    ck_assert_ptr_nonnull(strstr(out.stmts[2].sql, "ELSE 'both' END"));
    fl__proj_out_seal(&out);
    json_t *rows = tu_json(out.stmts[2].params[0]);
    ck_assert_str_eq(tu_str(json_array_get(rows, 0), "m"), "resolution");
    json_decref(rows);
    json_decref(data);
    fl__proj_out_free(&out);
}
END_TEST

/* fl_decision_restamp's arg in the test below: which events it saw, which it stamps. */
typedef struct seen {
    int steps, stamps;
    const char *types[4];
} seen_t;

static int count_step(void *arg, const fl_log_new_t *e, const json_t *data, bool *stamp)
{
    seen_t *x = arg;
    x->types[x->steps++] = e->type;
    *stamp = json_object_get(data, "stamp_me") != NULL;
    return strcmp(e->type, "t.fail") == 0 ? FL_ECORRUPT : 0;
}

static void add_stamp(void *arg, json_t *data)
{
    seen_t *x = arg;
    json_object_set_new(data, "stamped", json_integer(++x->stamps));
}

/* The shared loop of both stamp paths: only the stream's events with data, in order; only
 * those step asks for, and only objects, are stamped and encoded again; step's error stops it. */
START_TEST(restamp_rewrites_only_what_step_asks_for)
{
    seen_t x = {0};
    d.events[0] = tu_ev(&arena, "request:a", "t.one", "{\"stamp_me\":1}");
    d.events[1] = tu_ev(&arena, "request:b", "t.other", "{\"stamp_me\":1}");
    d.events[2] = tu_ev(&arena, "request:a", "t.two", "{\"x\":1}");
    d.events[3] = (fl_log_new_t){.stream = "request:a", .type = "t.empty"};
    d.events[4] = tu_ev(&arena, "request:a", "t.three", "{\"stamp_me\":2}");
    d.n_events = 5;
    const uint8_t *other = d.events[1].data, *two = d.events[2].data;
    ck_assert_int_eq(fl_decision_restamp(&d, &ctx, "request:a", count_step, add_stamp, &x), 0);
    ck_assert_int_eq(x.steps, 3);
    ck_assert_str_eq(x.types[0], "t.one");
    ck_assert_str_eq(x.types[1], "t.two");
    ck_assert_str_eq(x.types[2], "t.three");
    ck_assert_int_eq(x.stamps, 2);
    json_t *j = tu_event_data(&d, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "stamped")), 1);
    json_decref(j);
    j = tu_event_data(&d, 4);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "stamped")), 2);
    json_decref(j);
    ck_assert_ptr_eq(d.events[1].data, other); /* another stream: untouched */
    ck_assert_ptr_eq(d.events[2].data, two);   /* not asked for: untouched */
    d.events[2] = tu_ev(&arena, "request:a", "t.fail", "{\"x\":1}");
    x = (seen_t){0};
    ck_assert_int_eq(fl_decision_restamp(&d, &ctx, "request:a", count_step, add_stamp, &x),
                     FL_ECORRUPT);
    ck_assert_int_eq(x.steps, 2); /* stopped at the failing step */
    d.n_events = 0;
}
END_TEST

TCase *requests_sla_tcase(void)
{
    TCase *tc = tcase_create("sla");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, request_events_give_their_facts);
    tcase_add_test(tc, start_first_responds_and_a_rejection_resolves);
    tcase_add_test(tc, the_items_policy_and_due_dates_across_the_weekend);
    tcase_add_test(tc, an_unknown_or_issue_policy_falls_back_to_the_default);
    tcase_add_test(tc, an_approval_pauses_from_the_start_and_resumes);
    tcase_add_test(tc, a_priority_change_through_put_retargets);
    tcase_add_test(tc, the_breached_clock_is_recorded);
    tcase_add_test(tc, the_projection_records_the_breached_clock);
    tcase_add_test(tc, restamp_rewrites_only_what_step_asks_for);
    return tc;
}

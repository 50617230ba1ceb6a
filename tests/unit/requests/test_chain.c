/*
 * Submission and approval chains, decided and folded: sequential opens its
 * steps in order, parallel needs every group, any ends at the first
 * approval and skips the rest; a rejection ends the request and skips what
 * was left. The requester and the person a request is for never decide; a
 * user decides one step of a chain at most; only who may decide an open
 * step decides it. Then the fulfilment moves and their 409s.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "requests_test.h"
#include "util.h"

#define RITA "00000000-0000-4000-8000-0000000000a1"
#define PAUL "00000000-0000-4000-8000-0000000000a2"
#define ANN  "00000000-0000-4000-8000-0000000000a3"
#define BOB  "00000000-0000-4000-8000-0000000000a4"
#define ITEM "00000000-0000-4000-8000-0000000000c1"
#define G1   "00000000-0000-4000-8000-0000000000b1"
#define G2   "00000000-0000-4000-8000-0000000000b2"
#define G3   "00000000-0000-4000-8000-0000000000b3"

static fl_arena_t arena;
static fl_decision_t d;
static fl_request_state_t req;
static fl_cmd_ctx_t ctx;
static fl_req_decider_t deciders[3];
static fl_time_t now = 1000000;

static void fold(void)
{
    ck_assert(!fl_decision_failed(&d));
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], req.version + 1, now);
        ev.num = d.events[i].number != NULL ? "REQ-00001" : "";
        ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
}

/* A request for item with the chain type over G1, G2, G3 (NULL: no approval), by RITA for
 * `for_id`. */
static void submit(const char *type, const char *for_id)
{
    static const char *groups[] = {G1, G2, G3};
    fl_catalog_item_info_t it = {.exists = true,
                                 .version = 2,
                                 .id = ITEM,
                                 .name = "Laptop",
                                 .status = FL_CAT_ACTIVE,
                                 .approval_required = type != NULL,
                                 .approval_type = type != NULL ? type : "sequential",
                                 .approval_groups = groups,
                                 .n_approval_groups = 3,
                                 .default_priority = "high",
                                 .form_version = 1};
    fl_user_state_t who = {.exists = true, .status = FL_USER_ACTIVE};
    json_t *form = tu_json("{\"field_1\":\"x\"}");
    fl_req_create_refs_t refs = {&it, true, form, &who};
    fl_req_create_cmd_t cmd = {.catalog_item_id = ITEM};

    memcpy(who.id, for_id, FL_UUID_LEN + 1);
    memset(&req, 0, sizeof(req));
    ctx.actor_id = RITA;
    ck_assert_int_eq(fl_requests_decide_create(&ctx, &cmd, &refs, &d), 0);
    ck_assert_int_eq(d.n_events, 2);
    ck_assert_int_eq(tu_expect_of(&d, "catalog_item:" ITEM), 2);
    fold();
    json_decref(form);
}

/* actor decides (approve or reject with comments); the status of the decision (0: events). */
static int decide(const char *actor, fl_req_action_kind_t kind, bool m1, bool m2, bool m3)
{
    fl_req_action_t cmd = {.kind = kind, .text = "ok"};
    fl_req_action_refs_t refs = {.deciders = deciders};
    deciders[0].may = m1;
    deciders[1].may = m2;
    deciders[2].may = m3;
    ctx.actor_id = actor;
    fl_requests_decide_action(&ctx, &req, FL_LOG_ANY, &cmd, &refs, &d);
    if (fl_decision_failed(&d)) {
        int st = d.status;
        fl_decision_release(&d);
        fl_decision_init(&d);
        return st;
    }
    fold();
    return 0;
}

static void steps_are(const char *a, const char *b, const char *c)
{
    ck_assert_int_eq(req.n_steps, 3);
    ck_assert_str_eq(fl_req_step_status_name(req.steps[0].status), a);
    ck_assert_str_eq(fl_req_step_status_name(req.steps[1].status), b);
    ck_assert_str_eq(fl_req_step_status_name(req.steps[2].status), c);
}

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, now);
    memset(deciders, 0, sizeof(deciders));
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

START_TEST(submit_without_approval)
{
    submit(NULL, PAUL);
    ck_assert_int_eq(req.status, FL_REQ_APPROVED);
    ck_assert_int_eq(req.n_steps, 0);
    ck_assert_str_eq(req.number, "REQ-00001");
    ck_assert_str_eq(req.requester_id, RITA);
    ck_assert_str_eq(req.requested_for_id, PAUL);
    ck_assert(fl_request_is_party(&req, PAUL) && fl_request_is_party(&req, RITA));
    json_t *j = fl_request_to_json(&req);
    ck_assert_str_eq(json_string_value(json_object_get(j, "priority")), "high");
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "approved");
    ck_assert(json_is_null(json_object_get(j, "approval_type")));
    json_decref(j);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, true, true), 409);
}
END_TEST

START_TEST(sequential_in_order)
{
    submit("sequential", RITA);
    ck_assert_int_eq(req.status, FL_REQ_PENDING_APPROVAL);
    ck_assert_uint_eq(fl_request_open_steps(&req), 1);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, false, true, true), 403); /* not step 1 */
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, false, false), 0);
    steps_are("approved", "pending", "pending");
    ck_assert_str_eq(req.steps[0].approver_id, ANN);
    ck_assert_uint_eq(fl_request_open_steps(&req), 2);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, true, true), 409); /* twice */
    ck_assert_int_eq(decide(BOB, FL_REQ_ACT_APPROVE, false, true, false), 0);
    ck_assert_int_eq(req.status, FL_REQ_PENDING_APPROVAL);
    ck_assert_int_eq(decide(PAUL, FL_REQ_ACT_APPROVE, false, false, true), 0);
    steps_are("approved", "approved", "approved");
    ck_assert_int_eq(req.status, FL_REQ_APPROVED);
    ck_assert_uint_eq(fl_request_open_steps(&req), 0);
}
END_TEST

START_TEST(parallel_needs_every_group)
{
    submit("parallel", RITA);
    ck_assert_uint_eq(fl_request_open_steps(&req), 7);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, false, false, true), 0);
    steps_are("pending", "pending", "approved");
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, true, true), 409);
    ck_assert_int_eq(decide(BOB, FL_REQ_ACT_APPROVE, true, false, false), 0);
    ck_assert_int_eq(req.status, FL_REQ_PENDING_APPROVAL);
    ck_assert_int_eq(decide(PAUL, FL_REQ_ACT_APPROVE, false, false, false), 403);
    ck_assert_int_eq(decide(PAUL, FL_REQ_ACT_APPROVE, true, true, false), 0); /* step 2 */
    steps_are("approved", "approved", "approved");
    ck_assert_int_eq(req.status, FL_REQ_APPROVED);
}
END_TEST

START_TEST(any_ends_at_first)
{
    submit("any", RITA);
    ck_assert_int_eq(decide(BOB, FL_REQ_ACT_APPROVE, false, true, false), 0);
    steps_are("skipped", "approved", "skipped");
    ck_assert_int_eq(req.status, FL_REQ_APPROVED);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, true, true), 409);
}
END_TEST

START_TEST(rejection_ends_it)
{
    submit("parallel", RITA);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_APPROVE, true, false, false), 0);
    ck_assert_int_eq(decide(BOB, FL_REQ_ACT_REJECT, false, false, true), 0);
    steps_are("approved", "skipped", "rejected");
    ck_assert_int_eq(req.status, FL_REQ_REJECTED);
    ck_assert_int_eq(decide(PAUL, FL_REQ_ACT_APPROVE, true, true, true), 409);
    submit("sequential", RITA);
    ck_assert_int_eq(decide(ANN, FL_REQ_ACT_REJECT, true, false, false), 0);
    steps_are("rejected", "skipped", "skipped");
}
END_TEST

START_TEST(separation_of_duties)
{
    submit("any", PAUL);
    ck_assert_int_eq(decide(RITA, FL_REQ_ACT_APPROVE, true, true, true), 403);
    ck_assert_int_eq(decide(PAUL, FL_REQ_ACT_REJECT, true, true, true), 403);
    ck_assert_int_eq(req.status, FL_REQ_PENDING_APPROVAL);
    steps_are("pending", "pending", "pending");
}
END_TEST

/* The action's status: 0 when decided (and folded). */
static int act(fl_req_action_kind_t kind, const char *text)
{
    fl_req_action_t cmd = {.kind = kind, .text = text};
    fl_req_action_refs_t refs = {0};
    ctx.actor_id = BOB;
    fl_requests_decide_action(&ctx, &req, FL_LOG_ANY, &cmd, &refs, &d);
    int st = fl_decision_failed(&d) ? d.status : 0;
    if (st != 0) {
        fl_decision_release(&d);
        fl_decision_init(&d);
        return st;
    }
    fold();
    return 0;
}

START_TEST(fulfilment_moves)
{
    submit(NULL, RITA);
    ck_assert_int_eq(act(FL_REQ_ACT_COMPLETE, "n"), 409);
    ck_assert_int_eq(act(FL_REQ_ACT_REOPEN, "r"), 409);
    ck_assert_int_eq(act(FL_REQ_ACT_START, NULL), 0);
    ck_assert_int_eq(req.status, FL_REQ_IN_PROGRESS);
    ck_assert_int_eq(act(FL_REQ_ACT_START, NULL), 409);
    ck_assert_int_eq(act(FL_REQ_ACT_COMPLETE, "done"), 0);
    ck_assert_int_eq(req.status, FL_REQ_COMPLETED);
    ck_assert_int_eq(act(FL_REQ_ACT_START, NULL), 409); /* a reopen, not a start */
    ck_assert_int_eq(act(FL_REQ_ACT_CANCEL, NULL), 409);
    ck_assert_int_eq(act(FL_REQ_ACT_REOPEN, "again"), 0);
    ck_assert_int_eq(req.status, FL_REQ_IN_PROGRESS);
    ck_assert_int_eq(act(FL_REQ_ACT_CANCEL, NULL), 0);
    ck_assert_int_eq(req.status, FL_REQ_CANCELLED);
    for (int k = FL_REQ_ACT_APPROVE; k <= FL_REQ_ACT_REOPEN; k++) /* cancelled: nothing moves */
        ck_assert_int_eq(act((fl_req_action_kind_t)k, "x"), 409);
}
END_TEST

TCase *requests_chain_tcase(void)
{
    TCase *tc = tcase_create("chain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, submit_without_approval);
    tcase_add_test(tc, sequential_in_order);
    tcase_add_test(tc, parallel_needs_every_group);
    tcase_add_test(tc, any_ends_at_first);
    tcase_add_test(tc, rejection_ends_it);
    tcase_add_test(tc, separation_of_duties);
    tcase_add_test(tc, fulfilment_moves);
    return tc;
}

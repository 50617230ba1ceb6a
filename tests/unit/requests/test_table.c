/*
 * Every command in every status: the outcome of each action on a request
 * resting in each status (README "Lifecycle", the command table), decided
 * on a request brought there by the commands themselves. 0: accepted.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "requests_test.h"
#include "util.h"

#define RITA "00000000-0000-4000-8000-0000000000a1"
#define ANN  "00000000-0000-4000-8000-0000000000a3"
#define ITEM "00000000-0000-4000-8000-0000000000c1"
#define G1   "00000000-0000-4000-8000-0000000000b1"

enum { N_ACTIONS = FL_REQ_ACT_REOPEN + 1 };

/* expected[status][action]: approve reject assign reassign start complete cancel reopen */
static const int expected[FL_REQ_STATUS__N][N_ACTIONS] = {
    [FL_REQ_PENDING_APPROVAL] = {0, 0, 409, 409, 409, 409, 0, 409},
    [FL_REQ_APPROVED] = {409, 409, 0, 409, 0, 409, 0, 409},
    [FL_REQ_IN_PROGRESS] = {409, 409, 0, 409, 409, 0, 0, 409},
    [FL_REQ_COMPLETED] = {409, 409, 409, 409, 409, 409, 409, 0},
    [FL_REQ_CANCELLED] = {409, 409, 409, 409, 409, 409, 409, 409},
    [FL_REQ_REJECTED] = {409, 409, 409, 409, 409, 409, 409, 409},
};

static fl_arena_t arena;
static fl_request_state_t req;
static fl_cmd_ctx_t ctx;
static fl_group_state_t group;
static const fl_req_decider_t deciders[1] = {{true, NULL}};

/* Decides kind on req as ANN; folds the events when fold is set. The status (0: accepted). */
static int run(fl_req_action_kind_t kind, bool fold)
{
    fl_decision_t d;
    fl_req_action_t cmd = {.kind = kind, .text = "why", .assigned_group = G1};
    fl_req_action_refs_t refs = {.deciders = deciders, .group = &group};
    fl_decision_init(&d);
    ctx.actor_id = ANN;
    fl_requests_decide_action(&ctx, &req, FL_LOG_ANY, &cmd, &refs, &d);
    int st = fl_decision_failed(&d) ? d.status : 0;
    for (size_t i = 0; fold && st == 0 && i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], req.version + 1, 1000000);
        ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    return st;
}

/* A request brought to status s. */
static void bring_to(fl_req_status_t s)
{
    static const char *groups[] = {G1};
    bool approval = s == FL_REQ_PENDING_APPROVAL || s == FL_REQ_REJECTED;
    fl_catalog_item_info_t it = {.exists = true,
                                 .id = ITEM,
                                 .status = FL_CAT_ACTIVE,
                                 .approval_required = approval,
                                 .approval_type = "sequential",
                                 .approval_groups = groups,
                                 .n_approval_groups = 1,
                                 .default_priority = "low",
                                 .form_version = 1};
    fl_user_state_t who = {.exists = true, .status = FL_USER_ACTIVE, .id = RITA};
    json_t *form = json_object();
    fl_req_create_refs_t refs = {&it, true, form, &who};
    fl_req_create_cmd_t cmd = {.catalog_item_id = ITEM};
    fl_decision_t d;

    memset(&req, 0, sizeof(req));
    fl_decision_init(&d);
    ctx.actor_id = RITA;
    ck_assert_int_eq(fl_requests_decide_create(&ctx, &cmd, &refs, &d), 0);
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], req.version + 1, 1000000);
        ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    json_decref(form);
    if (s == FL_REQ_REJECTED)
        ck_assert_int_eq(run(FL_REQ_ACT_REJECT, true), 0);
    if (s == FL_REQ_IN_PROGRESS || s == FL_REQ_COMPLETED)
        ck_assert_int_eq(run(FL_REQ_ACT_START, true), 0);
    if (s == FL_REQ_COMPLETED)
        ck_assert_int_eq(run(FL_REQ_ACT_COMPLETE, true), 0);
    if (s == FL_REQ_CANCELLED)
        ck_assert_int_eq(run(FL_REQ_ACT_CANCEL, true), 0);
    ck_assert_int_eq(req.status, s);
}

START_TEST(every_action_in_every_status)
{
    fl_arena_init(&arena, 0);
    ctx = tu_ctx(&arena, 1000000);
    memset(&group, 0, sizeof(group));
    group.exists = true;
    for (int s = FL_REQ_PENDING_APPROVAL; s < FL_REQ_STATUS__N; s++) {
        for (int k = 0; k < N_ACTIONS; k++) {
            bring_to((fl_req_status_t)s);
            int got = run((fl_req_action_kind_t)k, false);
            ck_assert_msg(got == expected[s][k], "%s, action %d: %d, expected %d",
                          fl_req_status_name(s), k, got, expected[s][k]);
        }
    }
    fl_arena_free(&arena);
}
END_TEST

TCase *requests_table_tcase(void)
{
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, every_action_in_every_status);
    return tc;
}

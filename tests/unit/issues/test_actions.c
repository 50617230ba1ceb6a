/*
 * The issue's actions, comments, work logs and links, decided and folded:
 * assign moves a new issue, reassign keeps the status, escalation goes to
 * the manager or the first lead who may work, resolve and close along the
 * machine, reopen within its window, notes only by their author (or a
 * moderator), internal comments never by requesters, links once.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"
#include "issues_test.h"
#include "util.h"

#define ME    "00000000-0000-4000-8000-0000000000a1"
#define ANN   "00000000-0000-4000-8000-0000000000a2"
#define BOSS  "00000000-0000-4000-8000-0000000000a3"
#define GROUP "00000000-0000-4000-8000-0000000000b1"
#define OTHER "00000000-0000-4000-8000-0000000000f1"
#define DAY   (86400LL * 1000000)

static fl_arena_t arena;
static fl_decision_t d;
static fl_issue_state_t iss;
static fl_user_state_t me, ann, boss;
static fl_group_state_t group;
static fl_issue_action_refs_t refs;
static fl_cmd_ctx_t ctx;
static fl_time_t now;

static void fold(void)
{
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], iss.version + 1, now);
        ev.num = d.events[i].number != NULL ? "ISS-00001" : "";
        ck_assert_int_eq(fl_issue_agg.fold(&iss, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
}

static void user(fl_user_state_t *u, const char *id)
{
    memset(u, 0, sizeof(*u));
    u->exists = true;
    u->status = FL_USER_ACTIVE;
    memcpy(u->id, id, FL_UUID_LEN + 1);
}

/* Decodes body for kind and decides it; returns the decision's status (0: events). */
static int run(fl_issue_action_kind_t kind, const char *body)
{
    fl_issue_action_t cmd;
    json_t *j = body != NULL ? tu_json(body) : NULL;
    int rc = fl_issues_decode_action(kind, j, &arena, &cmd, &d);

    json_decref(j);
    if (rc == 0)
        fl_issues_decide_action(&ctx, &iss, FL_LOG_ANY, &cmd, &refs, &d);
    return fl_decision_failed(&d) ? d.status : 0;
}

static void setup(void)
{
    fl_issue_values_t v = {0};
    fl_issue_refs_t crefs;

    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    now = 1000000;
    ctx = tu_ctx(&arena, now);
    ctx.actor_id = ME;
    user(&me, ME);
    user(&ann, ANN);
    user(&boss, BOSS);
    memset(&group, 0, sizeof(group));
    group.exists = true;
    memcpy(group.id, GROUP, sizeof(GROUP));
    v.set = 1u << FL_ISSUE_TITLE;
    v.v[FL_ISSUE_TITLE] = "down";
    crefs = (fl_issue_refs_t){&me, NULL};
    ck_assert_int_eq(fl_issues_decide_create(&ctx, &v, &crefs, &d), 0);
    fl_issue_agg.init(&iss);
    fold();
    refs = (fl_issue_action_refs_t){.user = &ann,
                                    .user_may_work = true,
                                    .group = &group,
                                    .user_in_group = true,
                                    .reopen_days = 7};
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

START_TEST(assign_moves_a_new_issue_and_records_the_assignee)
{
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN,
                         "{\"assigned_to\":\"" ANN "\",\"assigned_group\":\"" GROUP
                         "\",\"reason\":\"shift\"}"),
                     0);
    ck_assert_str_eq(d.events[0].type, "issue.assigned");
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "from")), "new");
    ck_assert_str_eq(json_string_value(json_object_get(data, "to")), "assigned");
    ck_assert_ptr_nonnull(json_object_get(data, "history_id"));
    ck_assert(json_is_null(json_object_get(json_object_get(data, "previous"), "assigned_to")));
    json_decref(data);
    fold();
    ck_assert_str_eq(iss.v[FL_ISSUE_STATUS], "assigned");
    ck_assert_str_eq(iss.assigned_to, ANN);
    ck_assert_str_eq(iss.assigned_group, GROUP);
    ck_assert_int_ne(iss.first_response_at, 0);
    /* assigned: assign is refused, reassign keeps the status and writes no history */
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}"), 409);
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.user = &boss;
    ck_assert_int_eq(run(FL_ISSUE_ACT_REASSIGN, "{\"assigned_to\":\"" BOSS "\"}"), 0);
    data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "to")), "assigned");
    ck_assert_ptr_null(json_object_get(data, "history_id"));
    json_decref(data);
    fold();
    ck_assert_str_eq(iss.assigned_to, BOSS);
    ck_assert_ptr_null(iss.assigned_group);
    /* the same assignment again: nothing */
    ck_assert_int_eq(run(FL_ISSUE_ACT_REASSIGN, "{\"assigned_to\":\"" BOSS "\"}"), 0);
    ck_assert_int_eq(d.n_events, 0);
}
END_TEST

START_TEST(the_assignee_is_checked)
{
    ck_assert_int_eq(run(FL_ISSUE_ACT_REASSIGN, "{\"assigned_to\":\"" ANN "\"}"), 409);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN, "{}"), 422);
    ck_assert(tu_has_error(&d, "assigned_to"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.user_may_work = false;
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}"), 422);
    ck_assert(tu_has_error(&d, "assigned_to"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.user_may_work = true;
    refs.user_in_group = false;
    ck_assert_int_eq(
        run(FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\",\"assigned_group\":\"" GROUP "\"}"),
        422);
    fl_decision_release(&d);
    fl_decision_init(&d);
    group.deleted = true;
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN, "{\"assigned_group\":\"" GROUP "\"}"), 422);
    ck_assert(tu_has_error(&d, "assigned_group"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ann.status = FL_USER_INACTIVE;
    ck_assert_int_eq(run(FL_ISSUE_ACT_ASSIGN, "{\"assigned_to\":\"" ANN "\"}"), 422);
}
END_TEST

START_TEST(escalation_goes_to_the_manager_or_the_first_lead_who_may_work)
{
    const fl_user_state_t *cands[] = {&boss, &ann};
    bool work[] = {false, true};

    refs.candidates = cands;
    refs.candidates_may_work = work;
    refs.n_candidates = 2;
    ck_assert_int_eq(run(FL_ISSUE_ACT_ESCALATE, "{\"reason\":\"x\"}"), 422); /* no group */
    ck_assert(tu_has_error(&d, "assigned_group"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(run(FL_ISSUE_ACT_ESCALATE, "{\"assigned_group\":\"" GROUP "\"}"), 422);
    ck_assert(tu_has_error(&d, "reason"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    for (int level = 1; level <= FL_ISSUES_ESCALATION_MAX; level++) {
        ck_assert_int_eq(
            run(FL_ISSUE_ACT_ESCALATE, "{\"reason\":\"late\",\"assigned_group\":\"" GROUP "\"}"),
            0);
        ck_assert_str_eq(d.events[0].type, "issue.escalated");
        fold();
        ck_assert_int_eq(iss.escalation_level, level);
        ck_assert_str_eq(iss.assigned_to, ANN); /* the manager may not work issues */
        ck_assert_str_eq(iss.assigned_group, GROUP);
    }
    ck_assert_int_eq(run(FL_ISSUE_ACT_ESCALATE, "{\"reason\":\"more\"}"), 409);
}
END_TEST

START_TEST(resolve_close_reopen_along_the_machine_and_the_window)
{
    ck_assert_int_eq(run(FL_ISSUE_ACT_RESOLVE, "{\"resolution_code\":\"fixed\"}"), 422);
    ck_assert(tu_has_error(&d, "resolution_notes"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(
        run(FL_ISSUE_ACT_RESOLVE, "{\"resolution_code\":\"fixed\",\"resolution_notes\":\"n\"}"),
        409); /* new -> resolved is no move */
    fl_decision_release(&d);
    fl_decision_init(&d);
    iss.v[FL_ISSUE_STATUS] = "in_progress";
    ck_assert_int_eq(
        run(FL_ISSUE_ACT_RESOLVE, "{\"resolution_code\":\"fixed\",\"resolution_notes\":\"n\"}"), 0);
    ck_assert_str_eq(d.events[0].type, "issue.resolved");
    fold();
    ck_assert_str_eq(iss.resolution_code, "fixed");
    ck_assert_str_eq(iss.resolved_by, ME);
    ck_assert_int_eq(run(FL_ISSUE_ACT_CLOSE, NULL), 0);
    ck_assert_str_eq(d.events[0].type, "issue.closed");
    fold();
    ck_assert_str_eq(iss.closed_by, ME);
    ctx.now = now + 8 * DAY;
    ck_assert_int_eq(run(FL_ISSUE_ACT_REOPEN, NULL), 409);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ctx.now = now + 7 * DAY;
    ck_assert_int_eq(run(FL_ISSUE_ACT_REOPEN, "{\"reason\":\"again\"}"), 0);
    ck_assert_str_eq(d.events[0].type, "issue.reopened");
    fold();
    ck_assert_str_eq(iss.v[FL_ISSUE_STATUS], "in_progress");
    ck_assert_ptr_null(iss.resolution_code);
    ck_assert_int_eq(iss.resolved_at, 0);
    ck_assert_int_eq(run(FL_ISSUE_ACT_REOPEN, NULL), 409);
}
END_TEST

static int note(bool comment, const char *id, const char *body, fl_issue_note_who_t who)
{
    fl_issue_note_cmd_t cmd;
    json_t *j = body != NULL ? tu_json(body) : NULL;
    int rc = 0;

    if (j != NULL)
        rc = comment ? fl_issues_decode_comment(j, id == NULL, &arena, &cmd, &d)
                     : fl_issues_decode_worklog(j, id == NULL, &arena, &cmd, &d);
    json_decref(j);
    if (rc == 0)
        (comment ? fl_issues_decide_comment
                 : fl_issues_decide_worklog)(&ctx, &iss, id, body != NULL ? &cmd : NULL, who, &d);
    return fl_decision_failed(&d) ? d.status : 0;
}

START_TEST(notes_are_edited_by_their_author_or_a_moderator)
{
    fl_issue_note_who_t agent = {false, false}, req = {true, false}, mod = {false, true};

    ck_assert_int_eq(note(true, NULL, "{\"content\":\"hidden\",\"is_internal\":true}", req), 403);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(note(true, NULL, "{\"content\":\"hidden\",\"is_internal\":true}", agent), 0);
    ck_assert_str_eq(d.events[0].type, "issue.comment_added");
    fold();
    ck_assert_int_eq(iss.n_comments, 1);
    ck_assert(iss.comments[0].is_internal);
    ck_assert_int_eq(iss.first_response_at, 0); /* internal: no response */
    const char *cid = iss.comments[0].id;
    ck_assert_int_eq(note(true, cid, "{\"content\":\"x\"}", req), 404); /* hidden from them */
    fl_decision_release(&d);
    fl_decision_init(&d);
    ctx.actor_id = ANN;
    ck_assert_int_eq(note(true, cid, "{\"content\":\"x\"}", agent), 403);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(note(true, cid, NULL, mod), 0);
    ck_assert_str_eq(d.events[0].type, "issue.comment_deleted");
    fold();
    ck_assert_ptr_null(fl_issue_comment_find(&iss, cid));
    /* a public comment by someone other than the reporter is the first response */
    ck_assert_int_eq(note(true, NULL, "{\"content\":\"on it\"}", agent), 0);
    fold();
    ck_assert_int_ne(iss.first_response_at, 0);
    /* work logs */
    ck_assert_int_eq(note(false, NULL, "{\"time_spent\":0}", agent), 422);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(note(false, NULL, "{\"time_spent\":30}", agent), 0);
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "work_date")), "1970-01-01");
    json_decref(data);
    fold();
    ck_assert_int_eq(note(false, iss.worklogs[0].id, "{\"billable\":true}", agent), 0);
    ck_assert_str_eq(d.events[0].type, "issue.worklog_updated");
}
END_TEST

START_TEST(links_once_never_to_itself)
{
    fl_issue_state_t other;
    fl_issue_link_cmd_t cmd = {"issue", OTHER, "parent"};

    memset(&other, 0, sizeof(other));
    other.exists = true;
    memcpy(other.id, OTHER, sizeof(OTHER));
    ck_assert_int_eq(fl_issues_decide_link(&ctx, &iss, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_issues_decide_link(&ctx, &iss, &cmd, &other, &d), 0);
    fold();
    ck_assert_int_eq(iss.n_links, 1);
    ck_assert_int_eq(fl_issues_decide_link(&ctx, &iss, &cmd, &other, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    fl_decision_release(&d);
    fl_decision_init(&d);
    cmd.target_id = iss.id;
    ck_assert_int_eq(fl_issues_decide_link(&ctx, &iss, &cmd, &iss, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
}
END_TEST

TCase *issues_actions_tcase(void)
{
    TCase *tc = tcase_create("actions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, assign_moves_a_new_issue_and_records_the_assignee);
    tcase_add_test(tc, the_assignee_is_checked);
    tcase_add_test(tc, escalation_goes_to_the_manager_or_the_first_lead_who_may_work);
    tcase_add_test(tc, resolve_close_reopen_along_the_machine_and_the_window);
    tcase_add_test(tc, notes_are_edited_by_their_author_or_a_moderator);
    tcase_add_test(tc, links_once_never_to_itself);
    return tc;
}

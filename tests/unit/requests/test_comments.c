/*
 * Comments on a request, decided and folded: the author edits and deletes
 * their own, someone else may not (403) unless they moderate (requests:manage),
 * a requester neither sees (404) nor makes (403) an internal comment, a deleted
 * comment is gone for a second edit or delete (404); the bodies' 422s; and the
 * statements an edit and a deletion become.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "internal.h"
#include "requests_test.h"
#include "util.h"

#define RID  "00000000-0000-4000-8000-0000000000e1"
#define RITA "00000000-0000-4000-8000-0000000000a1"
#define BOB  "00000000-0000-4000-8000-0000000000a4"
#define EVE  "00000000-0000-4000-8000-0000000000a5"
#define NONE "00000000-0000-4000-8000-00000000dead"

static fl_arena_t arena;
static fl_decision_t d;
static fl_request_state_t req;
static fl_cmd_ctx_t ctx;
static const fl_req_comment_who_t requester = {.requester = true};
static const fl_req_comment_who_t agent = {.requester = false};
static const fl_req_comment_who_t moderator = {.may_moderate = true};

/* Folds d's events onto req (checked: d decided), then clears d. */
static void fold(void)
{
    ck_assert(!fl_decision_failed(&d));
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], req.version + 1, 1000000);
        ck_assert_int_eq(fl_request_agg.fold(&req, &arena, &ev), 0);
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
}

/* The status of a refused decision (0: it emitted, and was folded). */
static int outcome(void)
{
    int st = d.status;
    if (!fl_decision_failed(&d)) {
        fold();
        return 0;
    }
    fl_decision_release(&d);
    fl_decision_init(&d);
    return st;
}

static int add(const char *actor, const char *body, bool internal, bool is_requester)
{
    fl_req_comment_cmd_t cmd = {.body = body, .is_internal = internal};
    ctx.actor_id = actor;
    fl_requests_decide_comment(&ctx, &req, &cmd, is_requester, &d);
    return outcome();
}

/* The id of the comment d's location names (after add). */
static const char *last_id(void)
{
    ck_assert_uint_gt(req.n_comments, 0);
    return req.comments[req.n_comments - 1].id;
}

static int edit(const char *actor, const char *cid, const char *body_json, fl_req_comment_who_t w)
{
    fl_req_comment_cmd_t cmd;
    json_t *body = tu_json(body_json);
    int rc = fl_requests_decode_comment(body, &arena, &cmd, &d);
    json_decref(body);
    if (rc != 0)
        return outcome();
    ctx.actor_id = actor;
    fl_requests_decide_comment_change(&ctx, &req, cid, &cmd, w, &d);
    return outcome();
}

static int del(const char *actor, const char *cid, fl_req_comment_who_t w)
{
    ctx.actor_id = actor;
    fl_requests_decide_comment_change(&ctx, &req, cid, NULL, w, &d);
    return outcome();
}

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 1000000);
    memset(&req, 0, sizeof(req));
    /* a request that exists, by RITA */
    req.exists = true;
    req.version = 2;
    memcpy(req.id, RID, FL_UUID_LEN + 1);
    memcpy(req.requester_id, RITA, FL_UUID_LEN + 1);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

START_TEST(the_author_edits_then_deletes)
{
    ck_assert_int_eq(add(RITA, "when?", false, true), 0);
    const char *cid = last_id();
    ck_assert_str_eq(req.comments[0].user_id, RITA);

    ctx.actor_id = RITA;
    fl_req_comment_cmd_t cmd = {.body = "when, please?"};
    ck_assert_int_eq(fl_requests_decide_comment_change(&ctx, &req, cid, &cmd, requester, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "request.comment_edited");
    ck_assert_str_eq(d.events[0].stream, "request:" RID);
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(tu_str(data, "id"), RID);
    ck_assert_str_eq(tu_str(data, "comment_id"), cid);
    ck_assert_str_eq(tu_str(data, "changed_by"), RITA);
    ck_assert_str_eq(tu_str(data, "body"), "when, please?");
    ck_assert_ptr_null(json_object_get(data, "is_internal")); /* not given: unchanged */
    json_decref(data);
    fold();
    ck_assert(fl_request_comment_find(&req, cid) != NULL);

    ck_assert_int_eq(del(RITA, cid, requester), 0);
    ck_assert(req.comments[0].deleted);
    ck_assert_ptr_null(fl_request_comment_find(&req, cid));
    ck_assert_uint_eq(req.version, 5); /* created at 2: added, edited, deleted */
}
END_TEST

START_TEST(a_deleted_comment_is_gone)
{
    ck_assert_int_eq(add(BOB, "vendor is late", false, false), 0);
    const char *cid = last_id();
    ck_assert_int_eq(del(BOB, cid, agent), 0);
    ck_assert_int_eq(edit(BOB, cid, "{\"body\":\"again\"}", agent), 404);
    ck_assert_int_eq(del(BOB, cid, agent), 404);
    ck_assert_int_eq(edit(BOB, cid, "{\"body\":\"again\"}", moderator), 404);
    ck_assert_int_eq(edit(BOB, NONE, "{\"body\":\"x\"}", agent), 404);
    ck_assert_int_eq(del(BOB, NULL, agent), 404);
}
END_TEST

START_TEST(only_the_author_or_a_moderator)
{
    ck_assert_int_eq(add(BOB, "note", false, false), 0);
    const char *cid = last_id();
    ck_assert_int_eq(edit(EVE, cid, "{\"body\":\"mine now\"}", agent), 403);
    ck_assert_int_eq(del(EVE, cid, agent), 403);
    ck_assert_int_eq(edit(RITA, cid, "{\"body\":\"mine now\"}", requester), 403);
    ck_assert_int_eq(edit(NULL, cid, "{\"body\":\"an api key\"}", agent), 403);
    ck_assert_uint_eq(req.version, 3); /* nothing was emitted */
    ck_assert_int_eq(edit(EVE, cid, "{\"body\":\"moderated\",\"is_internal\":true}", moderator), 0);
    ck_assert(req.comments[0].is_internal);
    ck_assert_int_eq(del(EVE, cid, moderator), 0);
}
END_TEST

START_TEST(requesters_and_internal_comments)
{
    ck_assert_int_eq(add(BOB, "internal", true, false), 0);
    const char *internal = last_id();
    ck_assert_int_eq(add(RITA, "public", false, true), 0);
    const char *mine = last_id();
    /* an internal comment is not there for a requester, even a moderating one */
    fl_req_comment_who_t both = {.requester = true, .may_moderate = true};
    ck_assert_int_eq(edit(RITA, internal, "{\"body\":\"x\"}", both), 404);
    ck_assert_int_eq(del(RITA, internal, both), 404);
    fl_req_comment_cmd_t cmd = {.body = "x", .is_internal = true, .is_internal_set = true};
    ctx.actor_id = RITA;
    fl_requests_decide_comment_change(&ctx, &req, mine, &cmd, requester, &d);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "is_internal"));
    ck_assert_int_eq(outcome(), 403);
    ck_assert_int_eq(edit(RITA, mine, "{\"body\":\"x\",\"is_internal\":false}", requester), 0);
    ck_assert(!req.comments[1].is_internal);
    /* the agent makes their own comment public */
    ck_assert_int_eq(edit(BOB, internal, "{\"body\":\"public now\",\"is_internal\":false}", agent),
                     0);
    ck_assert(!req.comments[0].is_internal);
}
END_TEST

START_TEST(a_bad_body_is_422_naming_the_field)
{
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "body"},
        {"{\"body\":\"\"}", "body"},
        {"{\"body\":\"   \"}", "body"},
        {"{\"body\":5}", "body"},
        {"{\"body\":\"ok\",\"is_internal\":\"yes\"}", "is_internal"},
        {"{\"body\":\"ok\",\"author\":\"" EVE "\"}", "author"},
        {"[]", "body"},
    };
    ck_assert_int_eq(add(BOB, "note", false, false), 0);
    const char *cid = last_id();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fl_req_comment_cmd_t cmd;
        json_t *body = tu_json(bad[i].body);
        ck_assert_int_eq(fl_requests_decode_comment(body, &arena, &cmd, &d), FL_EINVAL);
        json_decref(body);
        ck_assert_int_eq(d.status, 422);
        ck_assert_msg(tu_has_error(&d, bad[i].field), "%s: no error on %s", bad[i].body,
                      bad[i].field);
        fl_decision_release(&d);
        fl_decision_init(&d);
    }
    ck_assert_uint_eq(req.version, 3);
    ck_assert(fl_request_comment_find(&req, cid) != NULL);
}
END_TEST

START_TEST(an_unknown_request)
{
    fl_req_comment_cmd_t cmd = {.body = "x"};
    req.exists = false;
    ctx.actor_id = BOB;
    fl_requests_decide_comment_change(&ctx, &req, NONE, &cmd, moderator, &d);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

/* ------------------------------------------------------------- projection */

static fl_proj_out_t out;

static int project(const char *type, const char *data_text)
{
    json_t *data = tu_json(data_text);
    fl_event_t ev = {
        .pos = 1, .ts = 1764072000000000LL, .type = type, .v = 1, .sv = 5, .actor = ""};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_requests_projections; h->type != NULL; h++) {
        if (strcmp(h->type, type) == 0)
            rc = h->fn(&out, &ev, data);
    }
    json_decref(data);
    return rc;
}

static bool sql_has(int stmt, const char *s)
{
    ck_assert_int_lt(stmt, out.n);
    return strstr(out.stmts[stmt].sql, s) != NULL;
}

#define CID "00000000-0000-4000-8000-0000000000f1"

START_TEST(an_edit_updates_the_row_and_adds_history)
{
    fl__proj_out_init(&out);
    ck_assert_int_eq(project("request.comment_edited",
                             "{\"id\":\"" RID "\",\"comment_id\":\"" CID "\",\"changed_by\":\"" BOB
                             "\",\"body\":\"new\"}"),
                     0);
    ck_assert_int_eq(out.n, 3);
    ck_assert(sql_has(0, "UPDATE service_requests"));
    ck_assert(sql_has(1, "UPDATE request_comments SET body = coalesce($4, body)"));
    ck_assert(sql_has(1, "edited_at = $3::timestamptz"));
    ck_assert_str_eq(out.stmts[1].params[0], CID);
    ck_assert_str_eq(out.stmts[1].params[3], "new");
    ck_assert_ptr_null(out.stmts[1].params[4]); /* is_internal not given: kept */
    ck_assert(sql_has(2, "INSERT INTO request_status_history"));
    fl__proj_out_seal(&out);
    json_t *rows = tu_json(out.stmts[2].params[0]), *row = json_array_get(rows, 0);
    ck_assert_str_eq(tu_str(row, "event"), "request.comment_edited");
    ck_assert_str_eq(tu_str(row, "by"), BOB);
    ck_assert_str_eq(tu_str(row, "v"), "5");
    json_t *det = json_object_get(row, "d");
    ck_assert_str_eq(tu_str(det, "comment_id"), CID);
    ck_assert_int_eq(json_array_size(json_object_get(det, "changed")), 1);
    ck_assert_ptr_null(json_object_get(det, "body")); /* the text is not copied */
    json_decref(rows);
    fl__proj_out_free(&out);
}
END_TEST

START_TEST(a_deletion_sets_deleted_at)
{
    fl__proj_out_init(&out);
    ck_assert_int_eq(project("request.comment_deleted",
                             "{\"id\":\"" RID "\",\"comment_id\":\"" CID "\",\"changed_by\":null}"),
                     0);
    ck_assert_int_eq(out.n, 3);
    ck_assert(sql_has(1, "UPDATE request_comments SET deleted_at = $3::timestamptz"));
    ck_assert(sql_has(2, "INSERT INTO request_status_history"));
    fl__proj_out_seal(&out);
    json_t *rows = tu_json(out.stmts[2].params[0]), *row = json_array_get(rows, 0);
    ck_assert_str_eq(tu_str(row, "reason"), "comment deleted");
    ck_assert(json_is_null(json_object_get(row, "by")));
    json_decref(rows);
    /* an event without a comment id changes only the request's row */
    ck_assert_int_eq(project("request.comment_deleted", "{\"id\":\"" RID "\"}"), 0);
    ck_assert_int_eq(out.n, 4);
    fl__proj_out_free(&out);
}
END_TEST

TCase *requests_comments_tcase(void)
{
    TCase *tc = tcase_create("comments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_author_edits_then_deletes);
    tcase_add_test(tc, a_deleted_comment_is_gone);
    tcase_add_test(tc, only_the_author_or_a_moderator);
    tcase_add_test(tc, requesters_and_internal_comments);
    tcase_add_test(tc, a_bad_body_is_422_naming_the_field);
    tcase_add_test(tc, an_unknown_request);
    tcase_add_test(tc, an_edit_updates_the_row_and_adds_history);
    tcase_add_test(tc, a_deletion_sets_deleted_at);
    return tc;
}

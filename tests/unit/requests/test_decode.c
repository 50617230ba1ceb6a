/*
 * Decoding request bodies: every field's bad input is named (422), unknown
 * keys by their name, a bundle without children refused, required texts required.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "requests_test.h"
#include "util.h"

#define ITEM "00000000-0000-4000-8000-0000000000c1"

static fl_arena_t arena;
static fl_decision_t d;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static int create(const char *body, fl_req_create_cmd_t *cmd)
{
    json_t *j = tu_json(body);
    int rc = fl_requests_decode_create(j, &arena, cmd, &d);
    json_decref(j);
    return rc;
}

START_TEST(create_good)
{
    fl_req_create_cmd_t cmd;
    ck_assert_int_eq(create("{\"catalog_item_id\":\"00000000-0000-4000-8000-0000000000C1\","
                            "\"priority\":\"high\",\"requested_for_id\":null}",
                            &cmd),
                     0);
    ck_assert_str_eq(cmd.catalog_item_id, ITEM); /* lowercased */
    ck_assert_str_eq(cmd.priority, "high");
    ck_assert_ptr_null(cmd.requested_for_id);
    ck_assert_ptr_null(cmd.form_data);
}
END_TEST

START_TEST(create_bad_fields)
{
    fl_req_create_cmd_t cmd;
    ck_assert_int_eq(create("{\"catalog_item_id\":7,\"priority\":\"urgent\","
                            "\"requested_for_id\":\"nope\",\"form_data\":[1],\"wat\":true}",
                            &cmd),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "catalog_item_id"));
    ck_assert(tu_has_error(&d, "priority"));
    ck_assert(tu_has_error(&d, "requested_for_id"));
    ck_assert(tu_has_error(&d, "form_data"));
    ck_assert(tu_has_error(&d, "wat"));
}
END_TEST

START_TEST(create_missing_and_bundle)
{
    fl_req_create_cmd_t cmd;
    ck_assert_int_eq(create("{}", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "catalog_item_id"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(create("{\"bundle_id\":\"" ITEM "\"}", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children")); /* test_bundles.c decodes bundles */
    ck_assert(!tu_has_error(&d, "catalog_item_id"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(create("[]", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "body"));
}
END_TEST

START_TEST(update_fields)
{
    fl_req_update_cmd_t cmd;
    json_t *j = tu_json("{\"priority\":null,\"due_date\":\"soon\",\"form_data\":3,\"status\":1}");
    ck_assert_int_eq(fl_requests_decode_update(j, &arena, &cmd, &d), FL_EINVAL);
    json_decref(j);
    ck_assert(tu_has_error(&d, "priority"));
    ck_assert(tu_has_error(&d, "due_date"));
    ck_assert(tu_has_error(&d, "form_data"));
    ck_assert(tu_has_error(&d, "status"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    j = tu_json("{\"due_date\":\"2030-01-02T03:04:05+01:00\"}");
    ck_assert_int_eq(fl_requests_decode_update(j, &arena, &cmd, &d), 0);
    json_decref(j);
    ck_assert_str_eq(cmd.due_date, "2030-01-02T02:04:05.000000Z");
    j = tu_json("{}");
    ck_assert_int_eq(fl_requests_decode_update(j, &arena, &cmd, &d), FL_EINVAL);
    json_decref(j);
    ck_assert(tu_has_error(&d, "body"));
}
END_TEST

static bool action_refused(fl_req_action_kind_t kind, const char *body, const char *field)
{
    fl_req_action_t cmd;
    json_t *j = body != NULL ? tu_json(body) : NULL;
    fl_decision_release(&d);
    fl_decision_init(&d);
    int rc = fl_requests_decode_action(kind, j, &arena, &cmd, &d);
    json_decref(j);
    return rc == FL_EINVAL && d.status == 422 && tu_has_error(&d, field);
}

START_TEST(action_bodies)
{
    fl_req_action_t cmd;
    ck_assert(action_refused(FL_REQ_ACT_REJECT, NULL, "comments"));
    ck_assert(action_refused(FL_REQ_ACT_REJECT, "{\"comments\":\" \\n\"}", "comments"));
    ck_assert(action_refused(FL_REQ_ACT_REJECT, "{\"comments\":5}", "comments"));
    ck_assert(action_refused(FL_REQ_ACT_APPROVE, "{\"comments\":\"a\\u0001\"}", "comments"));
    ck_assert(action_refused(FL_REQ_ACT_APPROVE, "{\"reason\":\"x\"}", "reason"));
    ck_assert(action_refused(FL_REQ_ACT_COMPLETE, "{}", "completion_notes"));
    ck_assert(action_refused(FL_REQ_ACT_REOPEN, "{}", "reason"));
    ck_assert(action_refused(FL_REQ_ACT_START, "{\"x\":1}", "x"));
    ck_assert(action_refused(FL_REQ_ACT_ASSIGN, "{}", "assigned_to"));
    ck_assert(action_refused(FL_REQ_ACT_ASSIGN, "{\"assigned_group\":\"g\"}", "assigned_group"));
    ck_assert(action_refused(FL_REQ_ACT_REASSIGN, "{\"assigned_to\":1}", "assigned_to"));
    char *big = malloc(FL_REQ_TEXT_MAX + 32);
    memset(big, 'a', FL_REQ_TEXT_MAX + 20);
    memcpy(big, "{\"comments\":\"", 13);
    memcpy(big + FL_REQ_TEXT_MAX + 15, "\"}", 3);
    ck_assert(action_refused(FL_REQ_ACT_APPROVE, big, "comments"));
    free(big);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_requests_decode_action(FL_REQ_ACT_APPROVE, NULL, &arena, &cmd, &d), 0);
    ck_assert_ptr_null(cmd.text);
}
END_TEST

TCase *requests_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_good);
    tcase_add_test(tc, create_bad_fields);
    tcase_add_test(tc, create_missing_and_bundle);
    tcase_add_test(tc, update_fields);
    tcase_add_test(tc, action_bodies);
    return tc;
}

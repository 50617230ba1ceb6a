/*
 * The read side: the statements each issue event becomes, through the
 * projector's real batch (fl_proj_out_t of src/projector).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"
#include "internal.h"
#include "issues_test.h"
#include "util.h"

#define IID "11111111-2222-4333-8444-555555555555"
#define HID "11111111-2222-4333-8444-666666666666"
#define UID "00000000-0000-4000-8000-0000000000a1"

static fl_proj_out_t out;

static void setup(void)
{
    fl__proj_out_init(&out);
}

static void teardown(void)
{
    fl__proj_out_free(&out);
}

static int project(const char *type, const char *num, const char *data_text)
{
    json_t *data = tu_json(data_text);
    fl_event_t ev = {
        .pos = 1, .ts = 1764072000000000LL, .type = type, .v = 1, .sv = 3, .actor = "", .num = num};
    int rc = -1;

    const fl_proj_handler_t *tables[] = {fl_issues_projections, fl_issues_action_projections};
    for (size_t t = 0; t < 2; t++) {
        for (const fl_proj_handler_t *h = tables[t]; h->type != NULL; h++) {
            if (strcmp(h->type, type) == 0)
                rc = h->fn(&out, &ev, data);
        }
    }
    json_decref(data);
    return rc;
}

static bool sql_has(int stmt, const char *s)
{
    ck_assert_int_lt(stmt, out.n);
    return strstr(out.stmts[stmt].sql, s) != NULL;
}

START_TEST(created_is_an_upsert_with_the_number)
{
    ck_assert_int_eq(project("issue.created", "ISS-00007",
                             "{\"id\":\"" IID "\",\"title\":\"T\",\"status\":\"new\","
                             "\"priority\":\"high\",\"issue_type\":\"issue\","
                             "\"external_refs\":[\"x\"],\"reporter_id\":\"" UID "\"}"),
                     0);
    ck_assert_int_eq(out.n, 1);
    ck_assert(sql_has(0, "INSERT INTO issues (id, issue_number, title,"));
    ck_assert(sql_has(0, "ON CONFLICT (id) DO UPDATE"));
    ck_assert(sql_has(0, "jsonb_populate_record(NULL::issues, x->'d')"));
    ck_assert_int_eq(out.stmts[0].nparams, 1);
    fl__proj_out_seal(&out);
    json_t *rows = tu_json(out.stmts[0].params[0]), *row = json_array_get(rows, 0);
    ck_assert_int_eq(json_array_size(rows), 1);
    ck_assert_str_eq(json_string_value(json_object_get(row, "id")), IID);
    ck_assert_str_eq(json_string_value(json_object_get(row, "num")), "ISS-00007");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(row, "d"), "title")), "T");
    ck_assert_str_eq(json_string_value(json_object_get(row, "v")), "3");
    json_decref(rows);
}
END_TEST

/* The issues a batch creates become one INSERT; an update in between starts a new one. */
START_TEST(created_in_a_run_share_one_insert)
{
    static const char *const ids[] = {"11111111-2222-4333-8444-000000000001",
                                      "11111111-2222-4333-8444-000000000002",
                                      "11111111-2222-4333-8444-000000000003"};
    char data[256];

    for (int i = 0; i < 3; i++) {
        snprintf(data, sizeof(data), "{\"id\":\"%s\",\"title\":\"T%d\",\"status\":\"new\"}", ids[i],
                 i);
        ck_assert_int_eq(project("issue.created", "", data), 0);
        if (i == 1)
            ck_assert_int_eq(project("issue.updated", "",
                                     "{\"id\":\"11111111-2222-4333-8444-000000000001\","
                                     "\"changes\":{\"severity\":{\"from\":null,\"to\":\"S2\"}}}"),
                             0);
    }
    ck_assert_int_eq(out.n, 3); /* INSERT (1, 2), UPDATE 1, INSERT (3) */
    ck_assert(sql_has(0, "INSERT INTO issues"));
    ck_assert(sql_has(1, "UPDATE issues"));
    ck_assert(sql_has(2, "INSERT INTO issues"));
    fl__proj_out_seal(&out);
    json_t *first = tu_json(out.stmts[0].params[0]), *last = tu_json(out.stmts[2].params[0]);
    ck_assert_int_eq(json_array_size(first), 2);
    ck_assert_int_eq(json_array_size(last), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(first, 1), "id")), ids[1]);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(last, 0), "num")), ids[2]);
    json_decref(first);
    json_decref(last);
}
END_TEST

START_TEST(updated_sets_only_the_changes)
{
    ck_assert_int_eq(project("issue.updated", "",
                             "{\"id\":\"" IID "\",\"changes\":{\"severity\":"
                             "{\"from\":null,\"to\":\"S2\"}}}"),
                     0);
    ck_assert_int_eq(out.n, 1);
    ck_assert(sql_has(0, "severity = r.severity"));
    ck_assert(!sql_has(0, "title = r.title"));
    ck_assert_str_eq(out.stmts[0].params[1], "{\"severity\":\"S2\"}");
}
END_TEST

START_TEST(a_move_writes_history)
{
    ck_assert_int_eq(project("issue.resolved", "",
                             "{\"id\":\"" IID "\",\"history_id\":\"" HID "\",\"from\":"
                             "\"in_progress\",\"to\":\"resolved\",\"changed_by\":\"" UID
                             "\",\"reason\":null,\"resolution_code\":\"fixed\","
                             "\"resolution_notes\":\"n\"}"),
                     0);
    ck_assert_int_eq(out.n, 3);
    ck_assert(sql_has(0, "UPDATE issues SET status = $2"));
    ck_assert_str_eq(out.stmts[0].params[1], "resolved");
    ck_assert(sql_has(1, "INSERT INTO issue_status_history"));
    ck_assert_str_eq(out.stmts[1].params[0], HID);
    ck_assert_str_eq(out.stmts[1].params[2], "in_progress");
    ck_assert_ptr_null(out.stmts[1].params[5]);
    ck_assert(sql_has(2, "resolution_code = $2"));
    ck_assert_str_eq(out.stmts[2].params[1], "fixed");
    ck_assert_str_eq(out.stmts[2].params[3], UID);
}
END_TEST

START_TEST(bad_events_are_skipped)
{
    ck_assert_int_eq(project("issue.created", "", "{\"id\":\"nope\"}"), 0);
    ck_assert_int_eq(project("issue.status_changed", "",
                             "{\"id\":\"" IID "\",\"history_id\":\"" HID "\",\"to\":\"open\"}"),
                     0);
    ck_assert_int_eq(out.n, 0);
}
END_TEST

TCase *issues_read_tcase(void)
{
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created_is_an_upsert_with_the_number);
    tcase_add_test(tc, created_in_a_run_share_one_insert);
    tcase_add_test(tc, updated_sets_only_the_changes);
    tcase_add_test(tc, a_move_writes_history);
    tcase_add_test(tc, bad_events_are_skipped);
    return tc;
}

/*
 * Decoding issue bodies: required title, wrong types named by field,
 * unknown fields, a 100 KB title, defaults and the derived priority,
 * status refused on create and accepted on update.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"
#include "issues_test.h"
#include "util.h"

static fl_arena_t arena;
static fl_decision_t d;
static fl_issue_values_t v;

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

static int decode(const char *text, bool create)
{
    json_t *j = tu_json(text);
    int rc = create ? fl_issues_decode_create(j, &arena, &v, &d)
                    : fl_issues_decode_update(j, &arena, &v, &d);

    json_decref(j);
    return rc;
}

/* True when d names field among its errors. */
static bool names(const char *field)
{
    for (size_t i = 0; i < d.problem.n_errors; i++) {
        if (d.errors[i].field != NULL && strcmp(d.errors[i].field, field) == 0)
            return true;
    }
    return false;
}

START_TEST(create_defaults)
{
    ck_assert_int_eq(decode("{\"title\":\"Payroll is down\"}", true), 0);
    ck_assert_str_eq(v.v[FL_ISSUE_TITLE], "Payroll is down");
    ck_assert_str_eq(v.v[FL_ISSUE_ISSUE_TYPE], "issue");
    ck_assert_str_eq(v.v[FL_ISSUE_EXTERNAL_REFS], "[]");
    ck_assert_str_eq(v.v[FL_ISSUE_PRIORITY], "medium");
    ck_assert_ptr_null(v.v[FL_ISSUE_STATUS]);
    ck_assert(!(v.set & (1u << FL_ISSUE_STATUS)));
}
END_TEST

START_TEST(create_priority_from_matrix)
{
    ck_assert_int_eq(
        decode("{\"title\":\"t\",\"impact\":\"widespread\",\"urgency\":\"immediate\"}", true), 0);
    ck_assert_str_eq(v.v[FL_ISSUE_PRIORITY], "critical");
}
END_TEST

START_TEST(create_priority_given_wins)
{
    ck_assert_int_eq(decode("{\"title\":\"t\",\"impact\":\"minor\",\"urgency\":\"low\","
                            "\"priority\":\"high\"}",
                            true),
                     0);
    ck_assert_str_eq(v.v[FL_ISSUE_PRIORITY], "high");
}
END_TEST

START_TEST(create_requires_title)
{
    ck_assert_int_eq(decode("{\"description\":\"x\"}", true), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(names("title"));
}
END_TEST

START_TEST(create_refuses_status)
{
    ck_assert_int_eq(decode("{\"title\":\"t\",\"status\":\"closed\"}", true), FL_EINVAL);
    ck_assert(names("status"));
}
END_TEST

START_TEST(wrong_types_each_named)
{
    ck_assert_int_eq(decode("{\"title\":5,\"description\":[],\"priority\":\"urgent\","
                            "\"severity\":\"S5\",\"impact\":1,\"urgency\":true,"
                            "\"issue_type\":\"bug\",\"source\":\"fax\",\"category_id\":\"x\","
                            "\"application_id\":7,\"environment_id\":{},\"reporter_id\":null,"
                            "\"external_refs\":\"JIRA-1\"}",
                            true),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    for (int i = 0; i < FL_ISSUE_F__N; i++) {
        if (i != FL_ISSUE_STATUS)
            ck_assert_msg(names(fl_issue_field_name(i)), "%s is named", fl_issue_field_name(i));
    }
}
END_TEST

START_TEST(unknown_fields_named)
{
    ck_assert_int_eq(decode("{\"title\":\"t\",\"colour\":\"red\",\"id\":\"x\"}", true), FL_EINVAL);
    ck_assert(names("colour"));
    ck_assert(names("id"));
    ck_assert(!names("title"));
}
END_TEST

START_TEST(huge_title)
{
    size_t n = 100 * 1024;
    char *title = malloc(n + 1);
    json_t *j;

    memset(title, 'a', n);
    title[n] = '\0';
    j = json_pack("{s:s}", "title", title);
    ck_assert_int_eq(fl_issues_decode_create(j, &arena, &v, &d), FL_EINVAL);
    ck_assert(names("title"));
    json_decref(j);
    free(title);
}
END_TEST

START_TEST(title_limits)
{
    char body[700];
    char title[502];

    memset(title, 'x', 500);
    title[500] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
    ck_assert_int_eq(decode(body, true), 0);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(decode("{\"title\":\"  \"}", true), FL_EINVAL);
    ck_assert(names("title"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(decode("{\"title\":\"a\\u0001b\"}", true), FL_EINVAL);
    ck_assert(names("title"));
}
END_TEST

START_TEST(not_an_object)
{
    ck_assert_int_eq(decode("[1]", true), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
}
END_TEST

START_TEST(uuids_lowercased_refs_canonical)
{
    ck_assert_int_eq(decode("{\"title\":\"t\",\"application_id\":"
                            "\"0000000A-0000-4000-8000-0000000000AB\","
                            "\"external_refs\":[{\"system\":\"jira\",\"id\":\"OPS-1\"},\"x\"]}",
                            true),
                     0);
    ck_assert_str_eq(v.v[FL_ISSUE_APPLICATION_ID], "0000000a-0000-4000-8000-0000000000ab");
    ck_assert_str_eq(v.v[FL_ISSUE_EXTERNAL_REFS], "[{\"id\":\"OPS-1\",\"system\":\"jira\"},\"x\"]");
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(decode("{\"title\":\"t\",\"external_refs\":[1]}", true), FL_EINVAL);
    ck_assert(names("external_refs"));
}
END_TEST

START_TEST(update_only_present)
{
    ck_assert_int_eq(decode("{\"status\":\"in_progress\",\"description\":null}", false), 0);
    ck_assert_uint_eq(v.set, (1u << FL_ISSUE_STATUS) | (1u << FL_ISSUE_DESCRIPTION));
    ck_assert_str_eq(v.v[FL_ISSUE_STATUS], "in_progress");
    ck_assert_ptr_null(v.v[FL_ISSUE_DESCRIPTION]);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(decode("{\"title\":null}", false), FL_EINVAL);
    ck_assert(names("title"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(decode("{\"status\":\"open\"}", false), FL_EINVAL);
    ck_assert(names("status"));
}
END_TEST

TCase *issues_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_defaults);
    tcase_add_test(tc, create_priority_from_matrix);
    tcase_add_test(tc, create_priority_given_wins);
    tcase_add_test(tc, create_requires_title);
    tcase_add_test(tc, create_refuses_status);
    tcase_add_test(tc, wrong_types_each_named);
    tcase_add_test(tc, unknown_fields_named);
    tcase_add_test(tc, huge_title);
    tcase_add_test(tc, title_limits);
    tcase_add_test(tc, not_an_object);
    tcase_add_test(tc, uuids_lowercased_refs_canonical);
    tcase_add_test(tc, update_only_present);
    return tc;
}

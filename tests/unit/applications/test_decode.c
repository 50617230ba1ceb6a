/*
 * Decoding bodies: every bad field named at once, unknown fields refused,
 * lengths, enums (the spec's value lists), defaults, canonical lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps_test.h"
#include "firelater/err.h"

static fl_arena_t arena;
static fl_decision_t d;
static fl_app_values_t v;

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

static int create(const char *text)
{
    json_t *j = tu_json(text);
    int rc = fl_apps_decode_create(j, &arena, &v, &d);

    json_decref(j);
    return rc;
}

START_TEST(defaults_and_canonical_values)
{
    ck_assert_int_eq(create("{\"name\":\"Payroll\",\"tier\":\"P1\",\"tags\":[\"b\",\"a\",\"b\"],"
                            "\"metadata\":{\"z\":1,\"a\":[true]},\"owner_user_id\":"
                            "\"AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE\"}"),
                     0);
    ck_assert_str_eq(v.v[FL_APP_STATUS], "active");
    ck_assert_str_eq(v.v[FL_APP_LIFECYCLE_STAGE], "production");
    ck_assert_str_eq(v.v[FL_APP_TAGS], "[\"a\",\"b\"]");
    ck_assert_str_eq(v.v[FL_APP_METADATA], "{\"a\":[true],\"z\":1}");
    ck_assert_str_eq(v.v[FL_APP_OWNER_USER_ID], "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    ck_assert_ptr_null(v.v[FL_APP_CRITICALITY]);
    ck_assert(!(v.set & (1u << FL_APP_CRITICALITY)));
}
END_TEST

START_TEST(every_problem_is_named)
{
    ck_assert_int_eq(create("{\"tier\":\"P5\",\"status\":1,\"lifecycle_stage\":\"beta\","
                            "\"criticality\":\"high\",\"owner_group_id\":\"x\",\"tags\":[\"ok\",3],"
                            "\"metadata\":[],\"colour\":\"red\",\"business_unit\":\"a\\u0001b\"}"),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    const char *fields[] = {"name",        "tier",           "status",  "lifecycle_stage",
                            "criticality", "owner_group_id", "tags[1]", "metadata",
                            "colour",      "business_unit"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        ck_assert_msg(tu_has_error(&d, fields[i]), "no error on %s", fields[i]);
}
END_TEST

/* {"name":"éé...é" (chars of them),"tier":"P2"}, malloc'd. */
static char *accented_name(int chars)
{
    char *text = malloc((size_t)chars * 2 + 40);
    size_t n = (size_t)snprintf(text, 20, "{\"name\":\"");

    for (int i = 0; i < chars; i++)
        n += (size_t)snprintf(text + n, 3, "\xc3\xa9"); /* é: two bytes, one character */
    snprintf(text + n, 20, "\",\"tier\":\"P2\"}");
    return text;
}

START_TEST(lengths_are_characters)
{
    char *ok = accented_name(255), *long_one = accented_name(256);

    ck_assert_int_eq(create(ok), 0);
    ck_assert_int_eq(create(long_one), FL_EINVAL);
    ck_assert(tu_has_error(&d, "name"));
    free(ok);
    free(long_one);
}
END_TEST

START_TEST(huge_and_blank_values)
{
    size_t big = 100 * 1024;
    char *text = malloc(big + 100);

    memset(text, 'x', big + 100);
    memcpy(text, "{\"tier\":\"P1\",\"name\":\"n\",\"description\":\"", 39);
    memcpy(text + big, "\"}", 3);
    ck_assert_int_eq(create(text), FL_EINVAL);
    ck_assert(tu_has_error(&d, "description"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(create("{\"name\":\"  \",\"tier\":\"P1\",\"tags\":[\"\"]}"), FL_EINVAL);
    ck_assert(tu_has_error(&d, "name") && tu_has_error(&d, "tags[0]"));
    free(text);
}
END_TEST

START_TEST(nulls_clear_only_nullable_fields)
{
    json_t *j = tu_json("{\"description\":null,\"criticality\":null,\"tier\":null,\"tags\":null}");

    ck_assert_int_eq(fl_apps_decode_update(j, &arena, &v, &d), FL_EINVAL);
    ck_assert(!tu_has_error(&d, "description") && !tu_has_error(&d, "criticality"));
    ck_assert(tu_has_error(&d, "tier") && tu_has_error(&d, "tags"));
    json_decref(j);
}
END_TEST

START_TEST(metadata_is_bounded)
{
    char *text = malloc(FL_APPS_META_MAX + 100);
    int n = snprintf(text, 100, "{\"name\":\"n\",\"tier\":\"P1\",\"metadata\":{\"k\":\"");

    memset(text + n, 'm', FL_APPS_META_MAX);
    memcpy(text + n + FL_APPS_META_MAX, "\"}}", 4);
    ck_assert_int_eq(create(text), FL_EINVAL);
    ck_assert(tu_has_error(&d, "metadata"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(create("{\"name\":\"n\",\"tier\":\"P1\",\"metadata\":{\"k\":\"a\\u0000\"}}"),
                     FL_EINVAL);
    ck_assert(tu_has_error(&d, "metadata"));
    free(text);
}
END_TEST

START_TEST(environments)
{
    json_t *j = tu_json("{\"name\":\"prod\",\"type\":\"prod\",\"resource_ids\":[\"i-2\",\"i-1\"]}");

    ck_assert_int_eq(fl_apps_decode_env_create(j, &arena, &v, &d), 0);
    ck_assert_str_eq(v.v[FL_ENV_RESOURCE_IDS], "[\"i-1\",\"i-2\"]");
    ck_assert_str_eq(v.v[FL_ENV_STATUS], "active");
    json_decref(j);
    j = tu_json("{\"type\":\"qa\",\"cloud_provider\":\"ibm\",\"tier\":\"P1\"}");
    ck_assert_int_eq(fl_apps_decode_env_create(j, &arena, &v, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "name") && tu_has_error(&d, "type"));
    ck_assert(tu_has_error(&d, "cloud_provider") && tu_has_error(&d, "tier"));
    json_decref(j);
}
END_TEST

START_TEST(not_an_object)
{
    ck_assert_int_eq(create("[1]"), FL_EINVAL);
    ck_assert(tu_has_error(&d, NULL));
}
END_TEST

TCase *apps_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_and_canonical_values);
    tcase_add_test(tc, every_problem_is_named);
    tcase_add_test(tc, lengths_are_characters);
    tcase_add_test(tc, huge_and_blank_values);
    tcase_add_test(tc, nulls_clear_only_nullable_fields);
    tcase_add_test(tc, metadata_is_bounded);
    tcase_add_test(tc, environments);
    tcase_add_test(tc, not_an_object);
    return tc;
}

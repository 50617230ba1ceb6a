/*
 * POST /api-keys bodies: every bad field is named (scopes by index), unknown
 * fields are refused, scopes become a set.
 */
#include <stdio.h>
#include <string.h>

#include "apikeys_test.h"

static int decode(const char *text, fl_arena_t *a, fl_api_key_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body = tu_json(text);
    fl_decision_init(d);
    int rc = fl_apikeys_decode_create(body, a, cmd, d);
    json_decref(body);
    return rc;
}

START_TEST(good_body)
{
    fl_arena_t a;
    fl_api_key_cmd_t cmd;
    fl_decision_t d;
    fl_arena_init(&a, 0);
    ck_assert_int_eq(decode("{\"name\":\"CI deploys\",\"scopes\":[\"users:read\",\"groups:read\"],"
                            "\"expires_at\":\"2026-01-01T00:00:00Z\"}",
                            &a, &cmd, &d),
                     0);
    ck_assert_str_eq(cmd.name, "CI deploys");
    ck_assert(fl_perms_has_exact(&cmd.scopes, FL_RES_USERS, FL_ACT_READ));
    ck_assert(fl_perms_has_exact(&cmd.scopes, FL_RES_GROUPS, FL_ACT_READ));
    ck_assert(!fl_perms_has_exact(&cmd.scopes, FL_RES_USERS, FL_ACT_CREATE));
    ck_assert_int_eq(cmd.expires_at, 1767225600000000LL);
    ck_assert_int_eq(
        decode("{\"name\":\"x\",\"scopes\":[\"users:read\"],\"expires_at\":null}", &a, &cmd, &d),
        0);
    ck_assert_int_eq(cmd.expires_at, 0);
    fl_arena_free(&a);
}
END_TEST

START_TEST(every_bad_field_named)
{
    fl_arena_t a;
    fl_api_key_cmd_t cmd;
    fl_decision_t d;
    fl_arena_init(&a, 0);
    ck_assert_int_ne(decode("{\"name\":\"a\\u0007b\",\"scopes\":[\"users:read\",\"users:*\","
                            "\"users:read\",7,\"wizards:read\"],\"expires_at\":\"tomorrow\","
                            "\"colour\":\"red\"}",
                            &a, &cmd, &d),
                     0);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "name"));
    ck_assert(!tu_has_error(&d, "scopes[0]"));
    ck_assert(tu_has_error(&d, "scopes[1]"));
    ck_assert(tu_has_error(&d, "scopes[2]")); /* listed twice */
    ck_assert(tu_has_error(&d, "scopes[3]"));
    ck_assert(tu_has_error(&d, "scopes[4]"));
    ck_assert(tu_has_error(&d, "expires_at"));
    ck_assert(tu_has_error(&d, "colour"));
    fl_arena_free(&a);
}
END_TEST

START_TEST(required_and_shapes)
{
    fl_arena_t a;
    fl_api_key_cmd_t cmd;
    fl_decision_t d;
    fl_arena_init(&a, 0);
    ck_assert_int_ne(decode("{}", &a, &cmd, &d), 0);
    ck_assert(tu_has_error(&d, "name") && tu_has_error(&d, "scopes"));
    ck_assert_int_ne(decode("{\"name\":\"  \",\"scopes\":[]}", &a, &cmd, &d), 0);
    ck_assert(tu_has_error(&d, "name") && tu_has_error(&d, "scopes"));
    ck_assert_int_ne(decode("{\"name\":\"x\",\"scopes\":\"users:read\"}", &a, &cmd, &d), 0);
    ck_assert(tu_has_error(&d, "scopes"));
    /* A date or a number of µs is not an RFC 3339 date-time here. */
    ck_assert_int_ne(
        decode("{\"name\":\"x\",\"scopes\":[\"users:read\"],\"expires_at\":\"2030-01-01\"}", &a,
               &cmd, &d),
        0);
    ck_assert(tu_has_error(&d, "expires_at"));
    char name[300];
    char body[400];
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"scopes\":[\"users:read\"]}", name);
    ck_assert_int_ne(decode(body, &a, &cmd, &d), 0);
    ck_assert(tu_has_error(&d, "name"));
    name[255] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"scopes\":[\"users:read\"]}", name);
    ck_assert_int_eq(decode(body, &a, &cmd, &d), 0);
    ck_assert_int_ne(decode("[1]", &a, &cmd, &d), 0);
    fl_arena_free(&a);
}
END_TEST

TCase *apikeys_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, good_body);
    tcase_add_test(tc, every_bad_field_named);
    tcase_add_test(tc, required_and_shapes);
    return tc;
}

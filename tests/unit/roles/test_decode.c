/*
 * Decoding role bodies, the permission catalogue, and the role-name lists
 * of users' and groups' bodies.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "roles_test.h"

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

static int create(const char *text, fl_role_cmd_t *cmd)
{
    json_t *body = tu_json(text);
    int rc;

    fl_decision_release(&d);
    fl_decision_init(&d);
    rc = fl_roles_decode_create(body, &arena, cmd, &d);
    json_decref(body);
    return rc;
}

static void refused(const char *text, const char *field)
{
    fl_role_cmd_t cmd;

    ck_assert_msg(create(text, &cmd) == FL_EINVAL, "accepted: %s", text);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, field), "%s: no error on %s", text, field ? field : "body");
}

START_TEST(create_full)
{
    fl_role_cmd_t cmd;
    const char *want[] = {"users:read", "issues:manage"};
    fl_perms_t p = rt_perms(want, 2);

    ck_assert_int_eq(create("{\"name\":\"auditor\",\"display_name\":\"Auditor\","
                            "\"description\":\"Reads\\nthings\","
                            "\"permissions\":[\"users:read\",\"issues:manage\",\"users:read\"]}",
                            &cmd),
                     0);
    ck_assert_str_eq(cmd.name, "auditor");
    ck_assert_str_eq(cmd.display_name, "Auditor");
    ck_assert_str_eq(cmd.description, "Reads\nthings");
    ck_assert(fl_perms_equal(&cmd.perms, &p));
    /* permissions default to none; description to null */
    ck_assert_int_eq(create("{\"name\":\"a1\",\"display_name\":\"A\"}", &cmd), 0);
    ck_assert(cmd.set & FL_ROLE_F_PERMISSIONS);
    ck_assert_uint_eq(cmd.perms.w[0] | cmd.perms.w[1], 0);
    ck_assert_ptr_null(cmd.description);
}
END_TEST

START_TEST(create_refusals)
{
    fl_role_cmd_t cmd;

    refused("[]", NULL);
    refused("{\"display_name\":\"A\"}", "name");
    refused("{\"name\":\"ab\"}", "display_name");
    refused("{\"name\":\"Auditor\",\"display_name\":\"A\"}", "name");
    refused("{\"name\":\"a\",\"display_name\":\"A\"}", "name");
    refused("{\"name\":\"9lives\",\"display_name\":\"A\"}", "name");
    refused("{\"name\":\"has space\",\"display_name\":\"A\"}", "name");
    refused("{\"name\":\"a234567890123456789012345678901234567890123456789012345678901234\","
            "\"display_name\":\"A\"}",
            "name");
    refused("{\"name\":\"ab\",\"display_name\":\"  \"}", "display_name");
    refused("{\"name\":\"ab\",\"display_name\":\"a\\u0007\"}", "display_name");
    refused("{\"name\":\"ab\",\"display_name\":null}", "display_name");
    refused("{\"name\":\"ab\",\"display_name\":\"A\",\"colour\":1}", "colour");
    refused("{\"name\":\"ab\",\"display_name\":\"A\",\"permissions\":\"users:read\"}",
            "permissions");
    /* every unknown permission is named by its index */
    ck_assert_int_eq(create("{\"name\":\"ab\",\"display_name\":\"A\",\"permissions\":"
                            "[\"users:read\",\"users:fly\",\"users:*\",7,\"Users:read\"]}",
                            &cmd),
                     FL_EINVAL);
    ck_assert(!tu_has_error(&d, "permissions[0]"));
    ck_assert(tu_has_error(&d, "permissions[1]"));
    ck_assert(tu_has_error(&d, "permissions[2]"));
    ck_assert(tu_has_error(&d, "permissions[3]"));
    ck_assert(tu_has_error(&d, "permissions[4]"));
    /* a 63-byte name is the longest */
    ck_assert_int_eq(
        create("{\"name\":\"a23456789012345678901234567890123456789012345678901234567890123\","
               "\"display_name\":\"A\"}",
               &cmd),
        0);
}
END_TEST

START_TEST(update_partial)
{
    fl_role_cmd_t cmd;
    json_t *body = tu_json("{\"description\":null}");

    ck_assert_int_eq(fl_roles_decode_update(body, &arena, &cmd, &d), 0);
    ck_assert_uint_eq(cmd.set, FL_ROLE_F_DESCRIPTION);
    ck_assert_ptr_null(cmd.description);
    json_decref(body);
    body = tu_json("{\"name\":\"other\",\"permissions\":[]}");
    ck_assert_int_eq(fl_roles_decode_update(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "name")); /* a name never changes */
    ck_assert(!tu_has_error(&d, "permissions"));
    json_decref(body);
}
END_TEST

START_TEST(catalogue)
{
    json_t *j = fl_roles_catalogue_to_json();
    json_t *data = json_object_get(j, "data");
    json_t *first = json_array_get(data, 0), *manage = json_array_get(data, FL_ACT_MANAGE);

    ck_assert_uint_eq(json_array_size(data), FL_PERM_COUNT);
    ck_assert_str_eq(json_string_value(json_object_get(first, "name")), "issues:create");
    ck_assert_str_eq(json_string_value(json_object_get(first, "resource")), "issues");
    ck_assert_str_eq(json_string_value(json_object_get(first, "action")), "create");
    ck_assert_str_eq(json_string_value(json_object_get(first, "description")), "Create issues");
    ck_assert_str_eq(json_string_value(json_object_get(manage, "name")), "issues:manage");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(manage, "description")), "implies"));
    json_decref(j);
}
END_TEST

START_TEST(perms_sorted)
{
    const char *names[] = {"users:read", "audit:read", "issues:manage", "issues:create"};
    fl_perms_t p = rt_perms(names, 4);
    json_t *j = fl_perms_to_json(&p);
    char *text = json_dumps(j, JSON_COMPACT);

    ck_assert_str_eq(text, "[\"audit:read\",\"issues:create\",\"issues:manage\",\"users:read\"]");
    free(text);
    json_decref(j);
}
END_TEST

START_TEST(name_lists)
{
    const char *known[] = {"auditor", "agent"};
    const char *out[16];
    size_t n;
    json_t *v = tu_json("[\"auditor\",\"agent\",\"auditor\"]");

    fl_roles_decode_names(v, "roles", known, 2, 16, &arena, out, &n, &d);
    ck_assert(!fl_decision_failed(&d));
    ck_assert_uint_eq(n, 2); /* sorted, distinct */
    ck_assert_str_eq(out[0], "agent");
    ck_assert_str_eq(out[1], "auditor");
    json_decref(v);
    v = tu_json("[\"agent\",\"ghost\",3]");
    fl_roles_decode_names(v, "roles", known, 2, 16, &arena, out, &n, &d);
    ck_assert(tu_has_error(&d, "roles[1]"));
    ck_assert(tu_has_error(&d, "roles[2]"));
    ck_assert(!tu_has_error(&d, "roles[0]"));
    json_decref(v);
    v = tu_json("[\"agent\",\"agent\"]");
    fl_roles_decode_names(v, "roles", known, 2, 1, &arena, out, &n, &d);
    ck_assert(tu_has_error(&d, "roles"));
    json_decref(v);
}
END_TEST

START_TEST(name_rule)
{
    ck_assert(fl_roles_name_ok("ab"));
    ck_assert(fl_roles_name_ok("service-desk_l2"));
    ck_assert(!fl_roles_name_ok("a"));
    ck_assert(!fl_roles_name_ok("_ab"));
    ck_assert(!fl_roles_name_ok("aB"));
    ck_assert(!fl_roles_name_ok(NULL));
}
END_TEST

TCase *roles_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_full);
    tcase_add_test(tc, create_refusals);
    tcase_add_test(tc, update_partial);
    tcase_add_test(tc, catalogue);
    tcase_add_test(tc, perms_sorted);
    tcase_add_test(tc, name_lists);
    tcase_add_test(tc, name_rule);
    return tc;
}

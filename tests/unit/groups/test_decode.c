/*
 * Decoding bodies: what is accepted, and each refusal naming its field.
 */
#include <string.h>

#include "firelater/err.h"
#include "groups_test.h"

#define UUID_A "0a0a0a0a-0000-4000-8000-00000000000a"

/* The live roles the glue found for a body's names. */
static const char *const known_roles[] = {"auditor", "agent"};

static fl_arena_t arena;

static void setup(void)
{
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

static int create(const char *text, fl_group_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body = tu_json(text);
    int rc;

    fl_decision_init(d);
    rc = fl_groups_decode_create(body, known_roles, 2, &arena, cmd, d);
    json_decref(body);
    return rc;
}

/* The body is refused naming field (and only with 422). */
static void refused(const char *text, const char *field)
{
    fl_group_cmd_t cmd;
    fl_decision_t d;

    ck_assert_msg(create(text, &cmd, &d) == FL_EINVAL, "accepted: %s", text);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, field), "%s: no error on %s", text, field ? field : "body");
}

START_TEST(create_full)
{
    fl_group_cmd_t cmd;
    fl_decision_t d;

    ck_assert_int_eq(create("{\"name\":\"Ops\",\"description\":\"line 1\\nline 2\","
                            "\"type\":\"department\",\"parent_id\":\"0A0A0A0A-0000-4000-8000-"
                            "00000000000A\",\"manager_id\":null,\"email\":\"ops@acme.io\"}",
                            &cmd, &d),
                     0);
    ck_assert_str_eq(cmd.f.name, "Ops");
    ck_assert_str_eq(cmd.f.description, "line 1\nline 2");
    ck_assert_int_eq(cmd.f.type, FL_GROUP_DEPARTMENT);
    ck_assert_str_eq(cmd.f.parent_id, UUID_A); /* lowercased */
    ck_assert_ptr_null(cmd.f.manager_id);
    ck_assert(cmd.f.set & FL_GROUP_F_MANAGER_ID);
    ck_assert_str_eq(cmd.f.email, "ops@acme.io");
}
END_TEST

START_TEST(create_defaults)
{
    fl_group_cmd_t cmd;
    fl_decision_t d;

    ck_assert_int_eq(create("{\"name\":\"Ops\"}", &cmd, &d), 0);
    ck_assert_int_eq(cmd.f.type, FL_GROUP_TEAM);
    ck_assert_ptr_null(cmd.f.parent_id);
}
END_TEST

START_TEST(create_refused)
{
    refused("[]", NULL);
    refused("{}", "name");
    refused("{\"name\":\"  \"}", "name");
    refused("{\"name\":12}", "name");
    refused("{\"name\":null}", "name");
    refused("{\"name\":\"a\\u0001b\"}", "name");
    refused("{\"name\":\"a\\u0000b\"}", "name");
    refused("{\"name\":\"Ops\",\"type\":\"squad\"}", "type");
    refused("{\"name\":\"Ops\",\"type\":null}", "type");
    refused("{\"name\":\"Ops\",\"parent_id\":\"not-a-uuid\"}", "parent_id");
    refused("{\"name\":\"Ops\",\"manager_id\":7}", "manager_id");
    refused("{\"name\":\"Ops\",\"email\":\"ops@\"}", "email");
    refused("{\"name\":\"Ops\",\"email\":\"ops@acme\"}", "email");
    refused("{\"name\":\"Ops\",\"description\":\"a\\u0007\"}", "description");
    refused("{\"name\":\"Ops\",\"settings\":{}}", "settings");
    refused("{\"name\":\"Ops\",\"id\":\"" UUID_A "\"}", "id");
}
END_TEST

START_TEST(create_lengths)
{
    char name[1200], body[1300];
    fl_group_cmd_t cmd;
    fl_decision_t d;

    memset(name, 'x', 255);
    name[255] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    ck_assert_int_eq(create(body, &cmd, &d), 0);
    name[255] = 'y', name[256] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    refused(body, "name");
    /* 255 characters of 3 bytes each are fine: the limit is in characters */
    name[0] = '\0';
    for (int i = 0; i < 255; i++)
        memcpy(name + 3 * i, "\xe2\x82\xac", 4);
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    ck_assert_int_eq(create(body, &cmd, &d), 0);
}
END_TEST

START_TEST(every_error_collected)
{
    fl_group_cmd_t cmd;
    fl_decision_t d;

    ck_assert_int_eq(
        create("{\"type\":\"x\",\"parent_id\":\"x\",\"email\":\"x\",\"bogus\":1}", &cmd, &d),
        FL_EINVAL);
    ck_assert(tu_has_error(&d, "name"));
    ck_assert(tu_has_error(&d, "type"));
    ck_assert(tu_has_error(&d, "parent_id"));
    ck_assert(tu_has_error(&d, "email"));
    ck_assert(tu_has_error(&d, "bogus"));
}
END_TEST

START_TEST(update_partial)
{
    fl_group_cmd_t cmd;
    fl_decision_t d;
    json_t *body = tu_json("{\"description\":null,\"email\":\"a@b.co\"}");

    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decode_update(body, known_roles, 2, &arena, &cmd, &d), 0);
    ck_assert_uint_eq(cmd.f.set, FL_GROUP_F_DESCRIPTION | FL_GROUP_F_EMAIL);
    ck_assert_ptr_null(cmd.f.description);
    json_decref(body);
    body = tu_json("{\"name\":null,\"parent\":1}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decode_update(body, known_roles, 2, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "name"));
    ck_assert(tu_has_error(&d, "parent"));
    json_decref(body);
    /* roles: names of live roles, sorted and distinct; null is no list */
    body = tu_json("{\"roles\":[\"auditor\",\"agent\",\"agent\"]}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decode_update(body, known_roles, 2, &arena, &cmd, &d), 0);
    ck_assert_uint_eq(cmd.f.set, FL_GROUP_F_ROLES);
    ck_assert_uint_eq(cmd.f.n_roles, 2);
    ck_assert_str_eq(cmd.f.roles[0], "agent");
    ck_assert_str_eq(cmd.f.roles[1], "auditor");
    json_decref(body);
    body = tu_json("{\"roles\":[\"agent\",\"ghost\"]}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decode_update(body, known_roles, 2, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "roles[1]"));
    json_decref(body);
    refused("{\"name\":\"A\",\"roles\":null}", "roles");
    refused("{\"name\":\"A\",\"roles\":[\"agent\",\"agent\",\"agent\",\"agent\",\"agent\","
            "\"agent\",\"agent\",\"agent\",\"agent\",\"agent\",\"agent\",\"agent\",\"agent\","
            "\"agent\",\"agent\",\"agent\",\"agent\"]}",
            "roles");
}
END_TEST

static int member(const char *text, fl_group_member_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body = tu_json(text);
    int rc;

    fl_decision_init(d);
    rc = fl_groups_decode_member(body, &arena, cmd, d);
    json_decref(body);
    return rc;
}

START_TEST(member_body)
{
    fl_group_member_cmd_t cmd;
    fl_decision_t d;

    ck_assert_int_eq(member("{\"user_id\":\"" UUID_A "\"}", &cmd, &d), 0);
    ck_assert_int_eq(cmd.role, FL_GROUP_MEMBER);
    ck_assert_int_eq(member("{\"user_id\":\"" UUID_A "\",\"role\":\"lead\"}", &cmd, &d), 0);
    ck_assert_int_eq(cmd.role, FL_GROUP_LEAD);
    ck_assert_int_eq(member("{\"role\":\"boss\",\"x\":1}", &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "user_id"));
    ck_assert(tu_has_error(&d, "role"));
    ck_assert(tu_has_error(&d, "x"));
    ck_assert_int_eq(member("{\"user_id\":\"abc\"}", &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "user_id"));
    ck_assert_int_eq(member("{\"user_id\":null}", &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "user_id"));
    ck_assert_int_eq(member("\"x\"", &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, NULL));
}
END_TEST

TCase *groups_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_full);
    tcase_add_test(tc, create_defaults);
    tcase_add_test(tc, create_refused);
    tcase_add_test(tc, create_lengths);
    tcase_add_test(tc, every_error_collected);
    tcase_add_test(tc, update_partial);
    tcase_add_test(tc, member_body);
    return tc;
}

/*
 * Decoding bodies: every rule accepted and refused with the field named,
 * adversarial bodies, strings kept verbatim.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "users_test.h"

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

static int create(const char *text, fl_user_create_cmd_t *cmd)
{
    json_t *body = tu_json(text);
    int rc;

    fl_decision_release(&d);
    fl_decision_init(&d);
    rc = fl_users_decode_create(body, fl_users_system_roles, FL_USERS_N_SYSTEM_ROLES, &arena, cmd,
                                &d);
    json_decref(body);
    return rc;
}

/* A create body with one member replaced: {"email":..,"name":..,<member>}. */
static int create_with(const char *member, fl_user_create_cmd_t *cmd)
{
    char text[4096];

    snprintf(text, sizeof(text), "{\"email\":\"ada@example.com\",\"name\":\"Ada\",%s}", member);
    return create(text, cmd);
}

static void refused(const char *member, const char *field)
{
    fl_user_create_cmd_t cmd;

    ck_assert_msg(create_with(member, &cmd) == FL_EINVAL, "accepted %s", member);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, field), "%s: no error on %s", member, field);
}

static void accepted(const char *member)
{
    fl_user_create_cmd_t cmd;

    ck_assert_msg(create_with(member, &cmd) == 0, "refused %s: %s", member,
                  d.problem.n_errors ? d.errors[0].message : "");
}

START_TEST(create_minimal)
{
    fl_user_create_cmd_t cmd;

    ck_assert_int_eq(create("{\"email\":\"Ada@Example.com\",\"name\":\"Ada\"}", &cmd), 0);
    ck_assert_str_eq(cmd.f.email, "Ada@Example.com"); /* stored as given */
    ck_assert_str_eq(cmd.f.name, "Ada");
    ck_assert_ptr_null(cmd.password);
    ck_assert_ptr_null(cmd.f.timezone);
    ck_assert_uint_eq(cmd.f.set, FL_USER_F_EMAIL | FL_USER_F_NAME);
    ck_assert(!fl_decision_failed(&d));
}
END_TEST

START_TEST(create_full)
{
    fl_user_create_cmd_t cmd;

    ck_assert_int_eq(create("{\"email\":\"a@b.co\",\"name\":\"A\",\"phone\":\"+33 1 23 45 67 89\","
                            "\"timezone\":\"Europe/Paris\",\"avatar_url\":\"https://x.io/a.png\","
                            "\"status\":\"inactive\",\"roles\":[\"requester\",\"admin\","
                            "\"admin\"],\"password\":\"correct horse battery\"}",
                            &cmd),
                     0);
    ck_assert_str_eq(cmd.f.timezone, "Europe/Paris");
    ck_assert_int_eq(cmd.f.status, FL_USER_INACTIVE);
    ck_assert_uint_eq(cmd.f.n_roles, 2); /* sorted, repeats dropped */
    ck_assert_str_eq(cmd.f.roles[0], "admin");
    ck_assert_str_eq(cmd.f.roles[1], "requester");
    ck_assert_str_eq(cmd.password, "correct horse battery");
}
END_TEST

START_TEST(create_required_and_unknown)
{
    fl_user_create_cmd_t cmd;

    ck_assert_int_eq(create("{\"id\":\"x\",\"password_hash\":\"h\",\"Email\":1}", &cmd), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "email"));
    ck_assert(tu_has_error(&d, "name"));
    ck_assert(tu_has_error(&d, "id"));
    ck_assert(tu_has_error(&d, "password_hash"));
    ck_assert(tu_has_error(&d, "Email"));
    ck_assert_uint_eq(d.problem.n_errors, 5);
}
END_TEST

START_TEST(create_wrong_types)
{
    fl_user_create_cmd_t cmd;

    ck_assert_int_eq(create("{\"email\":1,\"name\":[],\"phone\":{},\"timezone\":true,"
                            "\"avatar_url\":3.5,\"status\":1,\"roles\":\"admin\","
                            "\"password\":false}",
                            &cmd),
                     FL_EINVAL);
    const char *fields[] = {"email",      "name",   "phone", "timezone",
                            "avatar_url", "status", "roles", "password"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        ck_assert_msg(tu_has_error(&d, fields[i]), "no error on %s", fields[i]);
    refused("\"roles\":[1]", "roles[0]");
    refused("\"roles\":[null]", "roles[0]");
    refused("\"email\":null", "email");
}
END_TEST

START_TEST(body_not_object)
{
    fl_user_create_cmd_t cmd;
    fl_user_update_cmd_t up;
    json_t *arr = tu_json("[1,2]");

    ck_assert_int_eq(create("[]", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, NULL));
    ck_assert_int_eq(create("\"x\"", &cmd), FL_EINVAL);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_update(arr, NULL, 0, &arena, &up, &d), FL_EINVAL);
    json_decref(arr);
}
END_TEST

START_TEST(email_rules)
{
    const char *good[] = {"a@b.co", "first.last+tag@sub.example.org", "A_B-c@EXAMPLE.COM",
                          "o'brien@x.ie", "x@a-b.io"};
    const char *bad[] = {"a",        "a@b",          "@b.co",     "a@.co",   "a..b@c.co",
                         ".a@b.co",  "a.@b.co",      "a@b.c",     "a@-b.co", "a b@c.co",
                         "a@b_c.co", "a@b.co.",      "a@@b.co",   "a@b..co", "a@b-.co",
                         "a@b.c0",   "\\u00e9@b.co", "a@b.co\\n", ""};
    char member[400];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(member, sizeof(member), "\"phone\":null,\"email\":\"%s\"", good[i]);
        accepted(member);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(member, sizeof(member), "\"phone\":null,\"email\":\"%s\"", bad[i]);
        refused(member, "email");
    }
    /* 255 bytes is the limit: 64 + 1 + 190 */
    char local[66], dom[200];
    memset(local, 'a', 64), local[64] = '\0';
    memset(dom, 'b', 186), dom[63] = dom[127] = '.', memcpy(dom + 186, ".com", 5);
    snprintf(member, sizeof(member), "\"email\":\"%s@%s\"", local, dom);
    accepted(member);
    snprintf(member, sizeof(member), "\"email\":\"%s@b%s\"", local, dom);
    refused(member, "email");
    local[64] = 'a', local[65] = '\0';
    snprintf(member, sizeof(member), "\"email\":\"%s@b.co\"", local);
    refused(member, "email"); /* a local part of 65 */
    memset(dom, 'b', 64), memcpy(dom + 64, ".com", 5);
    snprintf(member, sizeof(member), "\"email\":\"a@%s\"", dom);
    refused(member, "email"); /* a label of 64 */
}
END_TEST

START_TEST(name_rules)
{
    char member[2048];
    char name[1600];

    refused("\"name\":\"\"", "name");
    refused("\"name\":\"  \\t \"", "name");
    refused("\"name\":\"a\\u0001b\"", "name");
    refused("\"name\":\"a\\u0000b\"", "name");
    for (int i = 0; i < 255; i++)
        memcpy(name + 6 * i, "\\u00e9", 7);
    snprintf(member, sizeof(member), "\"name\":\"%s\"", name);
    accepted(member); /* 255 characters, 510 bytes */
    snprintf(member, sizeof(member), "\"name\":\"%sx\"", name);
    refused(member, "name");
}
END_TEST

START_TEST(verbatim_strings)
{
    fl_user_create_cmd_t cmd;

    ck_assert_int_eq(create("{\"email\":\"x@y.io\",\"name\":\"Robert'); DROP TABLE users;--\","
                            "\"phone\":\"<script>alert(1)</script>\"}",
                            &cmd),
                     0);
    ck_assert_str_eq(cmd.f.name, "Robert'); DROP TABLE users;--");
    ck_assert_str_eq(cmd.f.phone, "<script>alert(1)</script>");
}
END_TEST

START_TEST(phone_rules)
{
    fl_user_create_cmd_t cmd;

    accepted("\"phone\":\"+1 (555) 010-9999 x12\"");
    refused("\"phone\":\"\"", "phone");
    refused("\"phone\":\"123456789012345678901234567890123456789012345678901\"", "phone");
    accepted("\"phone\":\"12345678901234567890123456789012345678901234567890\"");
    ck_assert_int_eq(create_with("\"phone\":null", &cmd), 0);
    ck_assert_ptr_null(cmd.f.phone);
}
END_TEST

START_TEST(timezone_rules)
{
    const char *good[] = {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                          "America/Port-au-Prince"};
    const char *bad[] = {"Mars/Base",     "../../../etc/passwd",
                         "/etc/passwd",   "Europe",
                         "Europe/../UTC", "zone.tab",
                         "Europe//Paris", "",
                         "Europe/Paris/", "Europe/Paris ",
                         "utc\\u0000x"};
    char member[256];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(member, sizeof(member), "\"timezone\":\"%s\"", good[i]);
        accepted(member);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(member, sizeof(member), "\"timezone\":\"%s\"", bad[i]);
        refused(member, "timezone");
    }
    refused("\"timezone\":null", "timezone");
}
END_TEST

START_TEST(url_rules)
{
    char member[2200];
    char url[2100] = "https://x.io/";

    accepted("\"avatar_url\":\"http://example.com/a.png\"");
    accepted("\"avatar_url\":\"HTTPS://example.com\"");
    accepted("\"avatar_url\":null");
    refused("\"avatar_url\":\"ftp://example.com/a\"", "avatar_url");
    refused("\"avatar_url\":\"javascript:alert(1)\"", "avatar_url");
    refused("\"avatar_url\":\"https://\"", "avatar_url");
    refused("\"avatar_url\":\"https:///path\"", "avatar_url");
    refused("\"avatar_url\":\"https://a b.com\"", "avatar_url");
    refused("\"avatar_url\":\"https://a.com/\\n\"", "avatar_url");
    memset(url + 13, 'a', 2048 - 13), url[2048] = '\0';
    snprintf(member, sizeof(member), "\"avatar_url\":\"%s\"", url);
    accepted(member);
    url[2048] = 'a', url[2049] = '\0';
    snprintf(member, sizeof(member), "\"avatar_url\":\"%s\"", url);
    refused(member, "avatar_url");
}
END_TEST

START_TEST(status_and_roles)
{
    fl_user_create_cmd_t cmd;
    json_t *body = tu_json("{\"email\":\"a@b.co\",\"name\":\"A\",\"roles\":[\"auditor\"]}");
    const char *custom[] = {"auditor"};

    refused("\"status\":\"pending\"", "status");
    refused("\"status\":\"ACTIVE\"", "status");
    refused("\"roles\":[\"root\"]", "roles[0]");
    refused("\"roles\":[\"agent\",\"root\"]", "roles[1]"); /* named by its index */
    refused("\"roles\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\","
            "\"m\",\"n\",\"o\",\"p\",\"q\"]",
            "roles");
    ck_assert_int_eq(create_with("\"roles\":[]", &cmd), 0);
    ck_assert_uint_eq(cmd.f.n_roles, 0);
    ck_assert(cmd.f.set & FL_USER_F_ROLES);
    /* the known names are a parameter (custom roles, issue 4) */
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_create(body, custom, 1, &arena, &cmd, &d), 0);
    ck_assert_str_eq(cmd.f.roles[0], "auditor");
    json_decref(body);
}
END_TEST

START_TEST(password_rules)
{
    fl_user_create_cmd_t cmd;
    char member[1200];
    char pw[1100];

    refused("\"password\":\"elevenchars\"", "password");
    accepted("\"password\":\"twelve chars\"");
    refused("\"password\":\"ADA@example.COM\"", "password"); /* the email, any case */
    accepted("\"password\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
             "\\u00e9\\u00e9\\u00e9\"");
    memset(pw, 'p', 1024), pw[1024] = '\0';
    snprintf(member, sizeof(member), "\"password\":\"%s\"", pw);
    accepted(member);
    pw[1024] = 'p', pw[1025] = '\0';
    snprintf(member, sizeof(member), "\"password\":\"%s\"", pw);
    refused(member, "password");
    ck_assert_int_eq(create_with("\"password\":\"twelve chars\"", &cmd), 0);
    ck_assert_str_eq(cmd.password, "twelve chars");
}
END_TEST

/* A megabyte in every string field: refused quickly, never copied whole. */
START_TEST(huge_strings)
{
    const char *fields[] = {"email", "name", "phone", "timezone", "avatar_url", "password"};
    size_t big = 1 << 20;
    char *s = malloc(big + 1);
    fl_user_create_cmd_t cmd;

    memset(s, 'a', big), s[big] = '\0';
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        json_t *body = json_pack("{s:s,s:s}", "email", "a@b.co", "name", "A");
        json_object_set_new(body, fields[i], json_string(s));
        fl_decision_release(&d);
        fl_decision_init(&d);
        ck_assert_int_eq(fl_users_decode_create(body, fl_users_system_roles, 4, &arena, &cmd, &d),
                         FL_EINVAL);
        ck_assert_msg(tu_has_error(&d, fields[i]), "no error on %s", fields[i]);
        json_decref(body);
    }
    ck_assert_uint_lt(arena.used, 64 * 1024);
    free(s);
}
END_TEST

START_TEST(update_partial)
{
    fl_user_update_cmd_t cmd;
    json_t *body = tu_json("{}");

    ck_assert_int_eq(fl_users_decode_update(body, fl_users_system_roles, 4, &arena, &cmd, &d), 0);
    ck_assert_uint_eq(cmd.f.set, 0);
    json_decref(body);
    body = tu_json("{\"phone\":null,\"name\":\"B\",\"password\":\"xxxxxxxxxxxxx\","
                   "\"email\":null,\"roles\":null}");
    ck_assert_int_eq(fl_users_decode_update(body, fl_users_system_roles, 4, &arena, &cmd, &d),
                     FL_EINVAL);
    ck_assert(tu_has_error(&d, "password")); /* not a field of PUT /users/{id} */
    ck_assert(tu_has_error(&d, "email"));
    ck_assert(tu_has_error(&d, "roles"));
    ck_assert(!tu_has_error(&d, "phone"));
    ck_assert(!tu_has_error(&d, "name"));
    ck_assert(cmd.f.set & FL_USER_F_PHONE);
    ck_assert_ptr_null(cmd.f.phone);
    json_decref(body);
}
END_TEST

START_TEST(password_body)
{
    fl_user_password_cmd_t cmd;
    json_t *body =
        tu_json("{\"current_password\":\"old one\",\"new_password\":\"a new password\"}");

    ck_assert_int_eq(fl_users_decode_password(body, &arena, &cmd, &d), 0);
    ck_assert_str_eq(cmd.current_password, "old one");
    ck_assert_str_eq(cmd.new_password, "a new password");
    json_decref(body);
    body = tu_json("{\"password\":\"x\",\"new_password\":\"short\",\"current_password\":5}");
    ck_assert_int_eq(fl_users_decode_password(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "password"));
    ck_assert(tu_has_error(&d, "new_password"));
    ck_assert(tu_has_error(&d, "current_password"));
    json_decref(body);
    fl_decision_release(&d);
    fl_decision_init(&d);
    body = tu_json("{\"new_password\":null}");
    ck_assert_int_eq(fl_users_decode_password(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "new_password"));
    json_decref(body);
}
END_TEST

TCase *users_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_minimal);
    tcase_add_test(tc, create_full);
    tcase_add_test(tc, create_required_and_unknown);
    tcase_add_test(tc, create_wrong_types);
    tcase_add_test(tc, body_not_object);
    tcase_add_test(tc, email_rules);
    tcase_add_test(tc, name_rules);
    tcase_add_test(tc, verbatim_strings);
    tcase_add_test(tc, phone_rules);
    tcase_add_test(tc, timezone_rules);
    tcase_add_test(tc, url_rules);
    tcase_add_test(tc, status_and_roles);
    tcase_add_test(tc, password_rules);
    tcase_add_test(tc, huge_strings);
    tcase_add_test(tc, update_partial);
    tcase_add_test(tc, password_body);
    return tc;
}

/*
 * Permissions and the access model (src/domain/rbac/): the catalogue, the
 * system roles' grants, the string map under the model, and effective
 * permissions through custom roles, group roles, nesting and memberships,
 * folded event by event and caught up from a real log.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/rbac.h"
#include "firelater/strmap.h"
#include "util.h"

/* ------------------------------------------------------------- catalogue */

START_TEST(every_permission_parses_back_from_its_name)
{
    char buf[FL_PERM_NAME_MAX];
    int n = 0;
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            fl_resource_t pr;
            fl_action_t pa;
            fl_perm_format((fl_resource_t)r, (fl_action_t)a, buf);
            ck_assert_uint_lt(strlen(buf), FL_PERM_NAME_MAX);
            ck_assert(fl_perm_parse(buf, &pr, &pa));
            ck_assert_int_eq(pr, r);
            ck_assert_int_eq(pa, a);
            n++;
        }
    }
    ck_assert_int_eq(n, 105);
    fl_perm_format(FL_RES_INTEGRATIONS, FL_ACT_MANAGE, buf);
    ck_assert_str_eq(buf, "integrations:manage");
}
END_TEST

START_TEST(bad_permission_names_are_refused)
{
    static const char *const bad[] = {"",          "users",        "users:",       ":read",
                                      "users:*",   "Users:read",   "users:read ",  "user:read",
                                      "users:rea", "users:readx",  "users::read",  "usersread",
                                      "*:*",       "users:read:x", "issues:approv"};
    fl_resource_t r;
    fl_action_t a;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!fl_perm_parse(bad[i], &r, &a), "'%s' parsed", bad[i]);
}
END_TEST

static fl_perms_t role(const char *name)
{
    fl_perms_t p;
    ck_assert(fl_rbac_system_role_perms(name, &p));
    return p;
}

START_TEST(system_roles_grant_the_documented_table)
{
    fl_perms_t admin = role("admin"), manager = role("manager"), agent = role("agent"),
               requester = role("requester"), none;
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++)
            ck_assert(fl_perms_allow(&admin, (fl_resource_t)r, (fl_action_t)a));
    }
    ck_assert(fl_perms_allow(&manager, FL_RES_CHANGES, FL_ACT_APPROVE));
    ck_assert(fl_perms_allow(&manager, FL_RES_GROUPS, FL_ACT_UPDATE));
    ck_assert(!fl_perms_allow(&manager, FL_RES_USERS, FL_ACT_CREATE));
    ck_assert(!fl_perms_allow(&manager, FL_RES_ROLES, FL_ACT_CREATE));
    ck_assert(fl_perms_allow(&agent, FL_RES_ISSUES, FL_ACT_ASSIGN));
    ck_assert(!fl_perms_allow(&agent, FL_RES_CHANGES, FL_ACT_APPROVE));
    ck_assert(!fl_perms_allow(&agent, FL_RES_AUDIT, FL_ACT_READ));
    ck_assert(fl_perms_allow(&requester, FL_RES_REQUESTS, FL_ACT_CREATE));
    ck_assert(fl_perms_allow(&requester, FL_RES_CATALOG, FL_ACT_READ));
    ck_assert(!fl_perms_allow(&requester, FL_RES_USERS, FL_ACT_READ));
    ck_assert(!fl_perms_allow(&requester, FL_RES_ISSUES, FL_ACT_DELETE));
    /* Each role's grants are a strict subset of the one above it. */
    ck_assert(fl_perms_subset(&requester, &agent));
    ck_assert(fl_perms_subset(&agent, &manager));
    ck_assert(fl_perms_subset(&manager, &admin));
    ck_assert(!fl_perms_subset(&admin, &manager));
    ck_assert(!fl_rbac_system_role_perms("auditor", &none));
    ck_assert(!fl_rbac_system_role_perms("Admin", &none));
}
END_TEST

START_TEST(manage_implies_every_action_of_its_resource_only)
{
    fl_perms_t p = {{0, 0}}, q = {{0, 0}};
    fl_perms_add(&p, FL_RES_SETTINGS, FL_ACT_MANAGE); /* the last bits: the second word */
    for (int a = 0; a < FL_ACT_COUNT; a++)
        ck_assert(fl_perms_allow(&p, FL_RES_SETTINGS, (fl_action_t)a));
    ck_assert(!fl_perms_allow(&p, FL_RES_SLA, FL_ACT_READ));
    ck_assert(!fl_perms_has_exact(&p, FL_RES_SETTINGS, FL_ACT_READ));
    fl_perms_add(&q, FL_RES_SETTINGS, FL_ACT_READ);
    ck_assert(fl_perms_subset(&q, &p));
    ck_assert(!fl_perms_subset(&p, &q));
    ck_assert(!fl_perms_equal(&p, &q));
}
END_TEST

/* ------------------------------------------------------------------ strmap */

START_TEST(strmap_puts_gets_deletes_and_grows)
{
    fl_strmap_t m = FL_STRMAP_INIT;
    char key[32];
    ck_assert_ptr_null(fl_strmap_get(&m, "absent"));
    ck_assert_ptr_null(fl_strmap_del(&m, "absent"));
    for (long i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%ld", i);
        ck_assert_ptr_null(fl_strmap_put(&m, key, (void *)(i + 1)));
    }
    ck_assert_uint_eq(m.count, 5000);
    ck_assert_ptr_eq(fl_strmap_put(&m, "k7", (void *)99), (void *)8);
    ck_assert_ptr_eq(fl_strmap_get(&m, "k7"), (void *)99);
    for (long i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof(key), "k%ld", i);
        ck_assert_ptr_nonnull(fl_strmap_del(&m, key));
    }
    ck_assert_uint_eq(m.count, 2500);
    ck_assert_ptr_null(fl_strmap_get(&m, "k4"));
    ck_assert_ptr_eq(fl_strmap_get(&m, "k4999"), (void *)5000);
    ck_assert_ptr_null(fl_strmap_get(&m, ""));
    fl_strmap_put(&m, "", (void *)1);
    ck_assert_ptr_eq(fl_strmap_get(&m, ""), (void *)1);
    fl_strmap_free(&m, NULL);
    ck_assert_uint_eq(m.count, 0);
}
END_TEST

/* ------------------------------------------------------------ access model */

static uint64_t next_pos;

static void apply(fl_access_t *m, const char *type, const char *json)
{
    fl_arena_t a;
    size_t len;
    fl_arena_init(&a, 0);
    fl_event_t ev = {.pos = ++next_pos, .type = type, .stream = "s:1", .sv = 1};
    ev.data = tu_mp(&a, json, &len);
    ev.data_len = len;
    ck_assert_int_eq(fl_access_apply(m, &ev), 0);
    ck_assert_uint_eq(fl_access_pos(m), next_pos);
    fl_arena_free(&a);
}

static fl_perms_t user_perms(const fl_access_t *m, const char *user, const char *role_name)
{
    fl_perms_t p;
    const char *roles[] = {role_name};
    fl_access_user_perms(m, user, roles, role_name != NULL ? 1 : 0, &p);
    return p;
}

#define G(n) "0000000" #n "-0000-4000-8000-000000000000"

START_TEST(custom_roles_are_created_updated_and_deleted)
{
    fl_access_t *m = fl_access_new();
    fl_perms_t p;
    next_pos = 0;
    apply(m, "role.created",
          "{\"id\":\"r1\",\"name\":\"admin\",\"is_system\":true,\"display_name\":\"A\"}");
    ck_assert(fl_access_role_perms(m, "admin", &p));
    ck_assert(fl_perms_allow(&p, FL_RES_SETTINGS, FL_ACT_MANAGE));
    apply(m, "role.created",
          "{\"id\":\"r2\",\"name\":\"auditor\",\"is_system\":false,"
          "\"permissions\":[\"audit:read\",\"users:read\",\"bogus:read\"]}");
    p = user_perms(m, "u1", "auditor");
    ck_assert(fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));
    ck_assert(fl_perms_allow(&p, FL_RES_USERS, FL_ACT_READ));
    ck_assert(!fl_perms_allow(&p, FL_RES_USERS, FL_ACT_CREATE));
    apply(m, "role.updated",
          "{\"id\":\"r2\",\"changes\":{\"permissions\":{\"from\":[\"audit:read\"],"
          "\"to\":[\"users:create\"]}}}");
    p = user_perms(m, "u1", "auditor");
    ck_assert(!fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));
    ck_assert(fl_perms_allow(&p, FL_RES_USERS, FL_ACT_CREATE));
    apply(m, "role.updated", "{\"id\":\"r2\",\"changes\":{\"description\":{\"from\":1,\"to\":2}}}");
    ck_assert(fl_perms_allow(&p, FL_RES_USERS, FL_ACT_CREATE));
    apply(m, "role.deleted", "{\"id\":\"r2\",\"name\":\"auditor\"}");
    ck_assert(!fl_access_role_perms(m, "auditor", &p));
    p = user_perms(m, "u1", "auditor");
    ck_assert(fl_perms_equal(&p, &(fl_perms_t){{0, 0}}));
    /* A system role's events change nothing: its grants are the code's. */
    apply(m, "role.deleted", "{\"id\":\"r1\",\"name\":\"admin\"}");
    ck_assert(fl_access_role_perms(m, "admin", &p));
    fl_access_free(m);
}
END_TEST

START_TEST(members_inherit_the_roles_of_their_groups_and_ancestors)
{
    fl_access_t *m = fl_access_new();
    fl_perms_t p;
    next_pos = 0;
    apply(m, "role.created",
          "{\"id\":\"r2\",\"name\":\"auditor\",\"is_system\":false,\"permissions\":[\"audit:read\"]"
          "}");
    apply(m, "group.created", "{\"id\":\"" G(1) "\",\"parent_id\":null,\"roles\":[\"auditor\"]}");
    apply(m, "group.created", "{\"id\":\"" G(2) "\",\"parent_id\":\"" G(1) "\",\"roles\":[]}");
    apply(m, "group.created", "{\"id\":\"" G(3) "\",\"parent_id\":\"" G(2) "\"}");
    apply(m, "group.member_added",
          "{\"group_id\":\"" G(3) "\",\"user_id\":\"u1\",\"role\":\"member\"}");
    p = user_perms(m, "u1", "requester");
    ck_assert(fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));      /* from the grandparent */
    ck_assert(fl_perms_allow(&p, FL_RES_REQUESTS, FL_ACT_CREATE)); /* held directly */
    p = user_perms(m, "u2", "requester");
    ck_assert(!fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));
    fl_access_group_perms(m, G(2), &p);
    ck_assert(fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));

    /* Moving the middle group to the top cuts the inheritance. */
    apply(m, "group.updated",
          "{\"id\":\"" G(2) "\",\"changes\":{\"parent_id\":{\"from\":\"" G(1) "\",\"to\":null}}}");
    p = user_perms(m, "u1", NULL);
    ck_assert(!fl_perms_allow(&p, FL_RES_AUDIT, FL_ACT_READ));
    /* Granting a system role to the group itself. */
    apply(m, "group.updated",
          "{\"id\":\"" G(3) "\",\"changes\":{\"roles\":{\"from\":[],\"to\":[\"agent\"]}}}");
    p = user_perms(m, "u1", NULL);
    ck_assert(fl_perms_allow(&p, FL_RES_ISSUES, FL_ACT_ASSIGN));
    apply(m, "group.member_role_changed",
          "{\"group_id\":\"" G(3) "\",\"user_id\":\"u1\",\"changes\":{}}");
    apply(m, "group.member_removed", "{\"group_id\":\"" G(3) "\",\"user_id\":\"u1\"}");
    p = user_perms(m, "u1", NULL);
    ck_assert(!fl_perms_allow(&p, FL_RES_ISSUES, FL_ACT_ASSIGN));
    fl_access_free(m);
}
END_TEST

START_TEST(a_deleted_group_takes_its_memberships_and_roles_with_it)
{
    fl_access_t *m = fl_access_new();
    fl_perms_t p;
    next_pos = 0;
    apply(m, "group.created", "{\"id\":\"" G(1) "\",\"roles\":[\"manager\"]}");
    apply(m, "group.member_added", "{\"group_id\":\"" G(1) "\",\"user_id\":\"u1\"}");
    apply(m, "group.member_added", "{\"group_id\":\"" G(1) "\",\"user_id\":\"u1\"}");
    p = user_perms(m, "u1", NULL);
    ck_assert(fl_perms_allow(&p, FL_RES_CHANGES, FL_ACT_APPROVE));
    apply(m, "group.deleted", "{\"id\":\"" G(1) "\",\"name\":\"x\",\"members\":[\"u1\"]}");
    p = user_perms(m, "u1", NULL);
    ck_assert(fl_perms_equal(&p, &(fl_perms_t){{0, 0}}));
    /* A cycle (which the write side refuses) cannot make the walk run away. */
    apply(m, "group.created", "{\"id\":\"a\",\"parent_id\":\"b\",\"roles\":[\"agent\"]}");
    apply(m, "group.created", "{\"id\":\"b\",\"parent_id\":\"a\"}");
    apply(m, "group.member_added", "{\"group_id\":\"a\",\"user_id\":\"u2\"}");
    p = user_perms(m, "u2", NULL);
    ck_assert(fl_perms_allow(&p, FL_RES_ISSUES, FL_ACT_READ));
    fl_access_free(m);
}
END_TEST

START_TEST(bad_data_is_refused_and_passed_over)
{
    fl_access_t *m = fl_access_new();
    fl_arena_t a;
    size_t len;
    fl_arena_init(&a, 0);
    fl_event_t ev = {.pos = 7, .type = "group.member_added", .stream = "group:x", .sv = 1};
    ev.data = tu_mp(&a, "{\"group_id\":3}", &len);
    ev.data_len = len;
    ck_assert_int_lt(fl_access_apply(m, &ev), 0);
    ck_assert_uint_eq(fl_access_pos(m), 7);
    ev.type = "user.created"; /* not folded: no decoding at all */
    ev.pos = 8;
    ev.data = (const uint8_t *)"\xc1";
    ev.data_len = 1;
    ck_assert_int_eq(fl_access_apply(m, &ev), 0);
    ck_assert_uint_eq(fl_access_pos(m), 8);
    fl_arena_free(&a);
    fl_access_free(m);
}
END_TEST

START_TEST(sync_catches_up_with_a_log)
{
    char *dir = tu_mkdtemp();
    fl_log_t *log = tu_open(dir, NULL, true);
    fl_access_t *m = fl_access_new();
    fl_log_result_t r;
    fl_perms_t p;
    ck_assert_int_eq(fl_access_sync(m, log), 0);
    ck_assert_uint_eq(fl_access_pos(m), 0);
    ck_assert_int_eq(
        tu_append1(log, "group:g", "group.created", "{\"id\":\"g\",\"roles\":[\"admin\"]}", &r), 0);
    ck_assert_int_eq(tu_append1(log, "user:u", "user.created", "{\"id\":\"u\"}", &r), 0);
    ck_assert_int_eq(fl_access_sync(m, log), 0);
    ck_assert_uint_eq(fl_access_pos(m), 2);
    p = user_perms(m, "u", NULL);
    ck_assert(!fl_perms_allow(&p, FL_RES_USERS, FL_ACT_READ));
    ck_assert_int_eq(tu_append1(log, "group:g", "group.member_added",
                                "{\"group_id\":\"g\",\"user_id\":\"u\",\"role\":\"member\"}", &r),
                     0);
    ck_assert_int_eq(fl_access_sync(m, log), 0);
    ck_assert_uint_eq(fl_access_pos(m), 3);
    p = user_perms(m, "u", NULL);
    ck_assert(fl_perms_allow(&p, FL_RES_USERS, FL_ACT_DELETE));
    ck_assert_int_eq(fl_access_sync(m, log), 0);
    fl_access_free(m);
    fl_log_close(log);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *rbac_suite(void)
{
    Suite *s = suite_create("rbac");
    TCase *tc = tcase_create("rbac");
    tcase_add_test(tc, every_permission_parses_back_from_its_name);
    tcase_add_test(tc, bad_permission_names_are_refused);
    tcase_add_test(tc, system_roles_grant_the_documented_table);
    tcase_add_test(tc, manage_implies_every_action_of_its_resource_only);
    tcase_add_test(tc, strmap_puts_gets_deletes_and_grows);
    tcase_add_test(tc, custom_roles_are_created_updated_and_deleted);
    tcase_add_test(tc, members_inherit_the_roles_of_their_groups_and_ancestors);
    tcase_add_test(tc, a_deleted_group_takes_its_memberships_and_roles_with_it);
    tcase_add_test(tc, bad_data_is_refused_and_passed_over);
    tcase_add_test(tc, sync_catches_up_with_a_log);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(rbac_suite());
}

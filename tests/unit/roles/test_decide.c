/*
 * Deciding role commands: the events and expectations each produces, and
 * every refusal of the lifecycle (README.md's table).
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "roles_test.h"

static fl_arena_t arena;
static fl_decision_t d;
static fl_perms_t all; /* an administrator: manage on everything */

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ck_assert(fl_rbac_system_role_perms("admin", &all));
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static void reset(void)
{
    fl_decision_release(&d);
    fl_decision_init(&d);
}

/* A live custom role "auditor" with users:read, folded from its create decision. */
static void make_role(fl_role_state_t *r)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 1000);
    const char *names[] = {"users:read"};
    fl_role_cmd_t cmd = {.name = "auditor", .display_name = "Auditor", .perms = rt_perms(names, 1)};
    fl_role_name_claim_state_t claim = {0};

    reset();
    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &claim, &all, &d), 0);
    fl_role_agg.init(r);
    rt_fold(r, &arena, &d, 1000);
    ck_assert(r->exists);
    reset();
}

static void make_system(fl_role_state_t *r, size_t which)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 1000);

    reset();
    ck_assert_int_eq(fl_roles_decide_seed(&ctx, &d), 0);
    fl_role_agg.init(r);
    fl_log_new_t ev = d.events[2 * which];
    d.events[0] = ev;
    d.n_events = 1;
    rt_fold(r, &arena, &d, 1000);
    reset();
}

START_TEST(create_events)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    const char *names[] = {"users:read", "audit:read"};
    fl_role_cmd_t cmd = {.name = "auditor", .display_name = "Auditor", .perms = rt_perms(names, 2)};
    fl_role_name_claim_state_t claim = {.version = 2}; /* released once */

    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &claim, &all, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "role.created");
    ck_assert_str_eq(d.events[1].type, "role.name_claimed");
    ck_assert_str_eq(d.events[1].stream, "role-name:auditor");
    ck_assert_int_eq(d.expects[0].version, FL_LOG_NO_STREAM);
    ck_assert_int_eq(d.expects[1].version, 2);
    json_t *data = tu_event_data(&d, 0);
    char *text = json_dumps(json_object_get(data, "permissions"), JSON_COMPACT);
    ck_assert_str_eq(text, "[\"audit:read\",\"users:read\"]");
    free(text);
    ck_assert(json_is_false(json_object_get(data, "is_system")));
    ck_assert(json_is_null(json_object_get(data, "description")));
    ck_assert_ptr_nonnull(strstr(d.location, "/api/v1/roles/"));
    ck_assert_ptr_nonnull(strstr(d.events[0].stream, d.location + strlen("/api/v1/roles/")));
    json_decref(data);
}
END_TEST

START_TEST(create_refusals)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    const char *names[] = {"users:read", "settings:manage"};
    fl_role_cmd_t cmd = {.name = "auditor", .display_name = "A", .perms = rt_perms(names, 2)};
    fl_role_name_claim_state_t taken = {.claimed = true, .version = 1};
    fl_role_name_claim_state_t free_claim = {0};
    const char *mine[] = {"users:manage", "settings:read"};
    fl_perms_t actor = rt_perms(mine, 2);

    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &taken, &all, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "name"));
    ck_assert_uint_eq(d.n_events, 0);
    reset();
    /* settings:manage exceeds settings:read: no escalation */
    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &free_claim, &actor, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "permissions"));
    reset();
    /* users:manage covers users:read */
    cmd.perms = rt_perms(names, 1);
    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &free_claim, &actor, &d), 0);
}
END_TEST

START_TEST(update_diff)
{
    fl_role_state_t r;
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 2000);
    const char *names[] = {"users:read", "groups:read"};
    fl_role_cmd_t cmd = {.set =
                             FL_ROLE_F_DISPLAY_NAME | FL_ROLE_F_DESCRIPTION | FL_ROLE_F_PERMISSIONS,
                         .display_name = "Auditor",
                         .description = "reads",
                         .perms = rt_perms(names, 2)};

    make_role(&r);
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, FL_LOG_ANY, &cmd, &all, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_int_eq(d.expects[0].version, 1); /* FL_LOG_ANY: the role's own version */
    json_t *data = tu_event_data(&d, 0);
    json_t *changes = json_object_get(data, "changes");
    ck_assert_ptr_null(json_object_get(changes, "display_name")); /* unchanged */
    ck_assert(json_is_null(json_object_get(json_object_get(changes, "description"), "from")));
    char *to =
        json_dumps(json_object_get(json_object_get(changes, "permissions"), "to"), JSON_COMPACT);
    ck_assert_str_eq(to, "[\"groups:read\",\"users:read\"]");
    free(to);
    json_decref(data);
    rt_fold(&r, &arena, &d, 2000);
    ck_assert_str_eq(r.description, "reads");
    ck_assert(fl_perms_equal(&r.perms, &cmd.perms));
    ck_assert_int_eq(r.updated_at, 2000);
    reset();
    /* the same again: nothing */
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, 2, &cmd, &all, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

START_TEST(update_refusals)
{
    fl_role_state_t r, sys;
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 2000);
    const char *names[] = {"settings:manage"};
    fl_role_cmd_t cmd = {.set = FL_ROLE_F_PERMISSIONS, .perms = rt_perms(names, 1)};
    const char *mine[] = {"roles:update"};
    fl_perms_t actor = rt_perms(mine, 1);

    make_role(&r);
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, FL_LOG_ANY, &cmd, &actor, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "permissions"));
    reset();
    /* a system role's permissions are fixed, whoever asks; its texts are not */
    make_system(&sys, 2);
    ck_assert_str_eq(sys.name, "agent");
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &sys, FL_LOG_ANY, &cmd, &all, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "permissions"));
    reset();
    fl_role_cmd_t same = {.set = FL_ROLE_F_PERMISSIONS | FL_ROLE_F_DISPLAY_NAME,
                          .perms = sys.perms,
                          .display_name = "Service desk agent"};
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &sys, 1, &same, &all, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_int_eq(d.expects[0].version, 1);
    reset();
    r.deleted = true;
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, FL_LOG_ANY, &same, &all, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(delete_rules)
{
    fl_role_state_t r, sys;
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 3000);

    make_system(&sys, 0);
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &sys, FL_LOG_ANY, 0, 0, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_ptr_nonnull(strstr(d.problem.title, "system roles cannot be deleted"));
    reset();
    make_role(&r);
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &r, FL_LOG_ANY, 2, 1, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_str_eq(d.problem.detail, "held by 2 users and 1 group; revoke it first");
    reset();
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &r, FL_LOG_ANY, 0, 3, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "groups"));
    reset();
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &r, 1, 0, 0, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "role.deleted");
    ck_assert_str_eq(d.events[1].type, "role.name_released");
    ck_assert_str_eq(d.events[1].stream, "role-name:auditor");
    rt_fold(&r, &arena, &d, 3000);
    ck_assert(r.deleted);
    reset();
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &r, FL_LOG_ANY, 0, 0, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(seed)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);

    ck_assert_int_eq(fl_roles_decide_seed(&ctx, &d), 0);
    ck_assert_uint_eq(d.n_events, 8);
    for (size_t i = 0; i < d.n_expects; i++)
        ck_assert_int_eq(d.expects[i].version, FL_LOG_NO_STREAM);
    for (size_t i = 0; i < FL_ROLES_N_SYSTEM; i++) {
        json_t *data = tu_event_data(&d, 2 * i);
        ck_assert_str_eq(d.events[2 * i].type, "role.created");
        ck_assert_str_eq(json_string_value(json_object_get(data, "name")),
                         fl_roles_system_names[i]);
        ck_assert(json_is_true(json_object_get(data, "is_system")));
        ck_assert_ptr_null(json_object_get(data, "permissions")); /* the code grants them */
        json_decref(data);
        ck_assert_str_eq(d.events[2 * i + 1].type, "role.name_claimed");
    }
    ck_assert_str_eq(d.events[1].stream, "role-name:admin");
}
END_TEST

TCase *roles_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_events);
    tcase_add_test(tc, create_refusals);
    tcase_add_test(tc, update_diff);
    tcase_add_test(tc, update_refusals);
    tcase_add_test(tc, delete_rules);
    tcase_add_test(tc, seed);
    return tc;
}

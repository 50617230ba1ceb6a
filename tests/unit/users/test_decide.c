/*
 * Deciding: create, duplicate email, update diffs, no-op updates, email
 * moves, deactivation, self-protection, passwords, sign-ins, seeding roles.
 */
#include <string.h>

#include "firelater/err.h"
#include "users_test.h"

static fl_arena_t arena;
static fl_decision_t d;
static fl_user_state_t u;
static char stream[64];

#define ADMIN_ID "00000000-0000-4000-8000-000000000001"

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ut_make_user(&u, &arena, "Ada@Example.com", NULL);
    snprintf(stream, sizeof(stream), "user:%s", u.id);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static void reset_decision(void)
{
    fl_decision_release(&d);
    fl_decision_init(&d);
}

START_TEST(create_events)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_create_cmd_t cmd = {.f = {.email = "Bob@Example.com", .name = "Bob"}};
    fl_email_claim_state_t claim = {0};

    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, "$argon2id$h", &claim, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "user.created");
    ck_assert_str_eq(d.events[1].type, "user.email_claimed");
    ck_assert_str_eq(d.events[1].stream, "email:bob@example.com");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), FL_LOG_NO_STREAM);
    ck_assert_int_eq(tu_expect_of(&d, "email:bob@example.com"), FL_LOG_NO_STREAM);
    json_t *data = tu_event_data(&d, 0);
    const char *id = json_string_value(json_object_get(data, "id"));
    ck_assert(fl_uuid_is_valid(id));
    ck_assert_int_eq(strncmp(d.events[0].stream, "user:", 5), 0);
    ck_assert_str_eq(d.events[0].stream + 5, id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "email")), "Bob@Example.com");
    ck_assert_str_eq(json_string_value(json_object_get(data, "timezone")), "UTC");
    ck_assert_str_eq(json_string_value(json_object_get(data, "status")), "active");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(data, "roles"), 0)),
                     "requester");
    ck_assert(json_is_null(json_object_get(data, "phone")));
    ck_assert_str_eq(json_string_value(json_object_get(data, "password_hash")), "$argon2id$h");
    ck_assert_str_eq(d.location + strlen("/api/v1/users/"), id);
    json_decref(data);
    data = tu_event_data(&d, 1);
    ck_assert_str_eq(json_string_value(json_object_get(data, "user_id")), d.location + 14);
    json_decref(data);
}
END_TEST

START_TEST(create_duplicate_email)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_create_cmd_t cmd = {.f = {.email = "ada@example.com", .name = "Ada 2"}};
    fl_email_claim_state_t claim = {.claimed = true, .version = 1};

    snprintf(claim.user_id, sizeof(claim.user_id), "%s", u.id);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, NULL, &claim, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_str_eq(d.problem.title, "email already in use");
    ck_assert(tu_has_error(&d, "email"));
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

/* An address released by its former holder is taken by expecting the claim's version. */
START_TEST(create_released_email)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_create_cmd_t cmd = {.f = {.email = "old@example.com", .name = "New"}};
    fl_email_claim_state_t claim = {.claimed = false, .version = 2};

    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, NULL, &claim, &d), 0);
    ck_assert_int_eq(tu_expect_of(&d, "email:old@example.com"), 2);
    json_t *data = tu_event_data(&d, 0);
    ck_assert(json_is_null(json_object_get(data, "password_hash")));
    json_decref(data);
}
END_TEST

START_TEST(update_diff)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_update_cmd_t cmd = {.by_admin = true};

    cmd.f.set = FL_USER_F_NAME | FL_USER_F_PHONE | FL_USER_F_TIMEZONE | FL_USER_F_ROLES;
    cmd.f.name = "Ada King";
    cmd.f.phone = NULL;     /* was NULL: no change */
    cmd.f.timezone = "UTC"; /* was UTC: no change */
    cmd.f.roles[0] = "agent";
    cmd.f.roles[1] = "requester";
    cmd.f.n_roles = 2;
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "user.updated");
    ck_assert_int_eq(tu_expect_of(&d, stream), (int64_t)u.version);
    json_t *data = tu_event_data(&d, 0);
    json_t *ch = json_object_get(data, "changes");
    ck_assert_uint_eq(json_object_size(ch), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ch, "name"), "from")),
                     "Ada Lovelace");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ch, "name"), "to")),
                     "Ada King");
    json_t *roles = json_object_get(ch, "roles");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(roles, "from"), 0)),
                     "requester");
    ck_assert_uint_eq(json_array_size(json_object_get(roles, "to")), 2);
    json_decref(data);
    ut_fold_user(&u, &arena, &d, 2000000);
    ck_assert_str_eq(u.name, "Ada King");
    ck_assert_uint_eq(u.n_roles, 2);
    ck_assert_int_eq(u.updated_at, 2000000);
}
END_TEST

START_TEST(update_clear_and_if_match)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, u.id);
    fl_user_update_cmd_t cmd = {.f = {.set = FL_USER_F_PHONE, .phone = "+1 555"}};

    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, 7, &cmd, NULL, &d), 0);
    ck_assert_int_eq(tu_expect_of(&d, stream), 7); /* If-Match passes through */
    ut_fold_user(&u, &arena, &d, 2);
    ck_assert_str_eq(u.phone, "+1 555");
    reset_decision();
    cmd.f.phone = NULL;
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    json_t *data = tu_event_data(&d, 0);
    json_t *c = json_object_get(json_object_get(data, "changes"), "phone");
    ck_assert_str_eq(json_string_value(json_object_get(c, "from")), "+1 555");
    ck_assert(json_is_null(json_object_get(c, "to")));
    json_decref(data);
}
END_TEST

START_TEST(update_noop)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_update_cmd_t cmd = {.by_admin = true};

    cmd.f.set = FL_USER_F_NAME | FL_USER_F_EMAIL | FL_USER_F_STATUS | FL_USER_F_ROLES;
    cmd.f.name = "Ada Lovelace";
    cmd.f.email = "Ada@Example.com";
    cmd.f.status = FL_USER_ACTIVE;
    cmd.f.roles[0] = "requester";
    cmd.f.n_roles = 1;
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
    ck_assert(!fl_decision_failed(&d));
    cmd.by_admin = false; /* sending your own unchanged roles is no escalation */
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

START_TEST(update_email_moves)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, u.id);
    fl_user_update_cmd_t cmd = {.f = {.set = FL_USER_F_EMAIL, .email = "Ada@New.org"}};
    fl_email_claim_state_t claim = {0};

    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, &claim, &d), 0);
    ck_assert_uint_eq(d.n_events, 3);
    ck_assert_str_eq(d.events[0].type, "user.updated");
    ck_assert_str_eq(d.events[1].type, "user.email_claimed");
    ck_assert_str_eq(d.events[1].stream, "email:ada@new.org");
    ck_assert_str_eq(d.events[2].type, "user.email_released");
    ck_assert_str_eq(d.events[2].stream, "email:ada@example.com");
    ck_assert_int_eq(tu_expect_of(&d, "email:ada@new.org"), FL_LOG_NO_STREAM);
    ck_assert_int_eq(tu_expect_of(&d, "email:ada@example.com"), FL_LOG_ANY);
    json_t *data = tu_event_data(&d, 2);
    ck_assert_str_eq(json_string_value(json_object_get(data, "email")), "Ada@Example.com");
    ck_assert_str_eq(json_string_value(json_object_get(data, "user_id")), u.id);
    json_decref(data);
}
END_TEST

START_TEST(update_email_case_only)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, u.id);
    fl_user_update_cmd_t cmd = {.f = {.set = FL_USER_F_EMAIL, .email = "ada@example.com"}};

    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 1); /* the same claim: only the spelling changes */
    ck_assert_str_eq(d.events[0].type, "user.updated");
}
END_TEST

START_TEST(update_email_taken)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, u.id);
    fl_user_update_cmd_t cmd = {
        .f = {.set = FL_USER_F_EMAIL | FL_USER_F_NAME, .email = "bob@example.com", .name = "X"}};
    fl_email_claim_state_t claim = {.claimed = true, .version = 1, .user_id = ADMIN_ID};

    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, &claim, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "email"));
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

START_TEST(update_status)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_update_cmd_t cmd = {.by_admin = true};

    cmd.f.set = FL_USER_F_STATUS | FL_USER_F_NAME;
    cmd.f.status = FL_USER_INACTIVE;
    cmd.f.name = "Gone";
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "user.updated");
    ck_assert_str_eq(d.events[1].type, "user.deactivated");
    json_t *data = tu_event_data(&d, 0);
    ck_assert_ptr_null(json_object_get(json_object_get(data, "changes"), "status"));
    json_decref(data);
    ut_fold_user(&u, &arena, &d, 3000000);
    ck_assert_int_eq(u.status, FL_USER_INACTIVE);
    ck_assert_int_eq(u.tokens_valid_after, 3000000);
    ck_assert(!fl_user_token_is_valid(&u, 4000000));
    /* reactivation is a status change */
    reset_decision();
    cmd.f.set = FL_USER_F_STATUS;
    cmd.f.status = FL_USER_ACTIVE;
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    data = tu_event_data(&d, 0);
    json_t *st = json_object_get(json_object_get(data, "changes"), "status");
    ck_assert_str_eq(json_string_value(json_object_get(st, "from")), "inactive");
    ck_assert_str_eq(json_string_value(json_object_get(st, "to")), "active");
    json_decref(data);
    ut_fold_user(&u, &arena, &d, 5000000);
    ck_assert(fl_user_token_is_valid(&u, 5000000));
    ck_assert(!fl_user_token_is_valid(&u, 2000000));
}
END_TEST

START_TEST(update_permissions)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, u.id);
    fl_user_update_cmd_t cmd = {.f = {.set = FL_USER_F_ROLES, .roles = {"admin"}, .n_roles = 1}};

    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "roles"));
    reset_decision();
    cmd.f = (fl_user_fields_t){.set = FL_USER_F_STATUS, .status = FL_USER_INACTIVE};
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "status"));
}
END_TEST

START_TEST(update_self_protection)
{
    fl_user_state_t admin;
    ut_make_user(&admin, &arena, "root@example.com", "admin");
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, admin.id);
    fl_user_update_cmd_t cmd = {.by_admin = true};

    cmd.f = (fl_user_fields_t){.set = FL_USER_F_STATUS, .status = FL_USER_INACTIVE};
    ck_assert_int_eq(fl_users_decide_update(&ctx, &admin, FL_LOG_ANY, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "status"));
    reset_decision();
    cmd.f = (fl_user_fields_t){.set = FL_USER_F_ROLES, .roles = {"agent"}, .n_roles = 1};
    ck_assert_int_eq(fl_users_decide_update(&ctx, &admin, FL_LOG_ANY, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "roles"));
    reset_decision();
    cmd.f = (fl_user_fields_t){.set = FL_USER_F_ROLES, .roles = {"admin", "agent"}, .n_roles = 2};
    ck_assert_int_eq(fl_users_decide_update(&ctx, &admin, FL_LOG_ANY, &cmd, NULL, &d), 0);
}
END_TEST

START_TEST(unknown_user)
{
    fl_user_state_t none;
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_update_cmd_t cmd = {.by_admin = true};
    fl_user_password_cmd_t pw = {.new_password = "long enough pw", .by_admin = true};

    fl_user_agg.init(&none);
    ck_assert_int_eq(fl_users_decide_update(&ctx, &none, FL_LOG_ANY, &cmd, NULL, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    reset_decision();
    ck_assert_int_eq(fl_users_decide_deactivate(&ctx, &none, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    reset_decision();
    ck_assert_int_eq(fl_users_decide_password(&ctx, &none, FL_LOG_ANY, &pw, "h", &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    reset_decision();
    ck_assert_int_eq(fl_users_decide_login_recorded(&ctx, &none, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(deactivate_twice_and_self)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 5, ADMIN_ID);
    fl_cmd_ctx_t self = ut_ctx(&arena, 5, u.id);

    ck_assert_int_eq(fl_users_decide_deactivate(&self, &u, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "status"));
    reset_decision();
    ck_assert_int_eq(fl_users_decide_deactivate(&ctx, &u, 1, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "user.deactivated");
    ck_assert_int_eq(tu_expect_of(&d, stream), 1);
    json_t *data = tu_event_data(&d, 0);
    json_t *st = json_object_get(json_object_get(data, "changes"), "status");
    ck_assert_str_eq(json_string_value(json_object_get(st, "from")), "active");
    ck_assert_str_eq(json_string_value(json_object_get(st, "to")), "inactive");
    json_decref(data);
    ut_fold_user(&u, &arena, &d, 9);
    reset_decision();
    ck_assert_int_eq(fl_users_decide_deactivate(&ctx, &u, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_str_eq(d.problem.title, "user is already inactive");
    ck_assert(tu_has_error(&d, "status"));
}
END_TEST

START_TEST(password_change)
{
    fl_cmd_ctx_t self = ut_ctx(&arena, 5, u.id);
    fl_cmd_ctx_t other = ut_ctx(&arena, 5, ADMIN_ID);
    fl_user_password_cmd_t cmd = {.new_password = "a brand new secret"};

    ck_assert_int_eq(fl_users_decide_password(&self, &u, FL_LOG_ANY, &cmd, "h2", &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "current_password"));
    reset_decision();
    cmd.current_password = "wrong";
    ck_assert_int_eq(fl_users_decide_password(&self, &u, FL_LOG_ANY, &cmd, "h2", &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    reset_decision();
    ck_assert_int_eq(fl_users_decide_password(&other, &u, FL_LOG_ANY, &cmd, "h2", &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403); /* someone else's, not an admin */
    reset_decision();
    cmd.by_admin = true;
    cmd.new_password = "ADA@EXAMPLE.COM";
    ck_assert_int_eq(fl_users_decide_password(&other, &u, FL_LOG_ANY, &cmd, "h2", &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "new_password"));
    reset_decision();
    cmd.new_password = "a brand new secret";
    cmd.current_verified = true;
    ck_assert_int_eq(fl_users_decide_password(&self, &u, FL_LOG_ANY, &cmd, "h2", &d), 0);
    ck_assert_str_eq(d.events[0].type, "user.password_changed");
    json_t *data = tu_event_data(&d, 0);
    char *text = json_dumps(json_object_get(data, "changes"), 0);
    ck_assert_ptr_null(strstr(text, "h2"));
    ck_assert_ptr_nonnull(strstr(text, "password"));
    free(text);
    json_decref(data);
    ut_fold_user(&u, &arena, &d, 7000000);
    ck_assert_str_eq(u.password_hash, "h2");
    ck_assert_int_eq(u.tokens_valid_after, 7000000);
    ck_assert(!fl_user_token_is_valid(&u, 6000000));
    ck_assert(fl_user_token_is_valid(&u, 7000000));
}
END_TEST

START_TEST(login_recorded)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, 1764072000000000LL, u.id);

    ck_assert_int_eq(fl_users_decide_login_recorded(&ctx, &u, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_uint_eq(d.n_expects, 0);
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "at")), "2025-11-25T12:00:00.000000Z");
    json_decref(data);
    uint64_t v = u.version;
    fl_time_t updated = u.updated_at;
    ut_fold_user(&u, &arena, &d, 1764072000000000LL);
    ck_assert_int_eq(u.last_login_at, 1764072000000000LL);
    ck_assert_int_eq(u.updated_at, updated);
    ck_assert_uint_eq(u.version, v + 1);
}
END_TEST

TCase *users_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_events);
    tcase_add_test(tc, create_duplicate_email);
    tcase_add_test(tc, create_released_email);
    tcase_add_test(tc, update_diff);
    tcase_add_test(tc, update_clear_and_if_match);
    tcase_add_test(tc, update_noop);
    tcase_add_test(tc, update_email_moves);
    tcase_add_test(tc, update_email_case_only);
    tcase_add_test(tc, update_email_taken);
    tcase_add_test(tc, update_status);
    tcase_add_test(tc, update_permissions);
    tcase_add_test(tc, update_self_protection);
    tcase_add_test(tc, unknown_user);
    tcase_add_test(tc, deactivate_twice_and_self);
    tcase_add_test(tc, password_change);
    tcase_add_test(tc, login_recorded);
    return tc;
}

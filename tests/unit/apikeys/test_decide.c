/*
 * Deciding: a create names what it grants and may not grant more than its
 * creator holds; a key cannot create keys; expiry must be ahead and within
 * two years; revocation once; uses recorded at most once a minute.
 */
#include <string.h>

#include "apikeys_test.h"
#include "firelater/err.h"

static const uint8_t secret[32] = {1, 2, 3};

static fl_api_key_cmd_t cmd_of(const char *const *scopes, size_t n, fl_time_t expires)
{
    fl_api_key_cmd_t cmd = {
        .name = "CI", .scopes = at_perms(scopes, n), .id = KEY_ID, .expires_at = expires};
    fl_apikeys_hash(secret, cmd.secret_hash);
    return cmd;
}

START_TEST(create_emits_the_event)
{
    static const char *const scopes[] = {"users:read", "groups:read"};
    fl_arena_t a;
    fl_decision_t d;
    fl_api_key_creator_t by = {.user_id = USER_ID};
    fl_arena_init(&a, 0);
    fl_cmd_ctx_t ctx = at_ctx(&a, AT_NOW);
    fl_api_key_cmd_t cmd = cmd_of(scopes, 2, AT_NOW + 3600 * 1000000LL);
    fl_rbac_system_role_perms("admin", &by.perms);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "api_key.created");
    ck_assert_str_eq(d.events[0].stream, "apikey:" KEY_ID);
    ck_assert_uint_eq(d.n_expects, 1);
    ck_assert_int_eq(d.expects[0].version, FL_LOG_NO_STREAM);
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "prefix")), "fl_acme_0b5e1c3a");
    ck_assert_str_eq(json_string_value(json_object_get(data, "created_by")), USER_ID);
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(data, "secret_hash"))), 64);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(data, "scopes"), 0)),
                     "users:read");
    ck_assert_str_eq(json_string_value(json_object_get(data, "expires_at")),
                     "2025-11-25T13:00:00.000000Z");
    ck_assert_str_eq(d.location, "/api/v1/api-keys/" KEY_ID);
    json_decref(data);
    fl_arena_free(&a);
}
END_TEST

START_TEST(create_refusals)
{
    static const char *const scopes[] = {"users:read", "users:delete"};
    static const char *const held[] = {"users:read", "integrations:create"};
    fl_arena_t a;
    fl_decision_t d;
    fl_api_key_creator_t by = {.user_id = USER_ID, .perms = at_perms(held, 2)};
    fl_arena_init(&a, 0);
    fl_cmd_ctx_t ctx = at_ctx(&a, AT_NOW);
    fl_api_key_cmd_t cmd = cmd_of(scopes, 2, 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    ck_assert(tu_has_error(&d, "scopes"));
    ck_assert_uint_eq(d.n_events, 0);
    /* A key never creates keys, whatever it holds. */
    fl_rbac_system_role_perms("admin", &by.perms);
    by.is_api_key = true;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 403);
    by.is_api_key = false;
    fl_time_t bad[] = {AT_NOW, AT_NOW - 1, AT_NOW + 731LL * 86400 * 1000000};
    for (size_t i = 0; i < 3; i++) {
        cmd.expires_at = bad[i];
        fl_decision_init(&d);
        ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), FL_EINVAL);
        ck_assert_int_eq(d.status, 422);
        ck_assert(tu_has_error(&d, "expires_at"));
    }
    cmd.expires_at = AT_NOW + 730LL * 86400 * 1000000;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), 0);
    fl_arena_free(&a);
}
END_TEST

START_TEST(revoke_once)
{
    fl_arena_t a;
    fl_decision_t d;
    fl_api_key_state_t k, none;
    fl_arena_init(&a, 0);
    fl_cmd_ctx_t ctx = at_ctx(&a, AT_NOW);
    at_make_key(&k, &a, secret);
    fl_api_key_agg.init(&none);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_revoke(&ctx, &none, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_revoke(&ctx, &k, FL_LOG_ANY, &d), 0);
    ck_assert_str_eq(d.events[0].type, "api_key.revoked");
    ck_assert_uint_eq(d.n_expects, 0); /* commutes with api_key.used */
    at_fold(&k, &a, &d, AT_NOW + 1);
    ck_assert(k.revoked);
    ck_assert(!fl_api_key_is_usable(&k, AT_NOW + 2));
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_revoke(&ctx, &k, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    fl_arena_free(&a);
}
END_TEST

START_TEST(revoke_with_if_match_expects_it)
{
    fl_arena_t a;
    fl_decision_t d;
    fl_api_key_state_t k;
    fl_arena_init(&a, 0);
    fl_cmd_ctx_t ctx = at_ctx(&a, AT_NOW);
    at_make_key(&k, &a, secret);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_revoke(&ctx, &k, 1, &d), 0);
    ck_assert_uint_eq(d.n_expects, 1);
    ck_assert_int_eq(d.expects[0].version, 1);
    fl_arena_free(&a);
}
END_TEST

START_TEST(used_at_most_once_a_minute)
{
    fl_arena_t a;
    fl_decision_t d;
    fl_api_key_state_t k;
    fl_arena_init(&a, 0);
    at_make_key(&k, &a, secret);
    fl_cmd_ctx_t ctx = at_ctx(&a, AT_NOW + 5000000);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_used(&ctx, &k, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_uint_eq(d.n_expects, 0);
    at_fold(&k, &a, &d, ctx.now);
    ck_assert_int_eq(k.last_used_at, AT_NOW + 5000000);
    ctx.now += 59 * 1000000LL;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_used(&ctx, &k, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
    ctx.now += 1000000;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_used(&ctx, &k, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    k.revoked = true;
    fl_decision_init(&d);
    ctx.now += 3600 * 1000000LL;
    ck_assert_int_eq(fl_apikeys_decide_used(&ctx, &k, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
    fl_arena_free(&a);
}
END_TEST

TCase *apikeys_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");
    tcase_add_test(tc, create_emits_the_event);
    tcase_add_test(tc, create_refusals);
    tcase_add_test(tc, revoke_once);
    tcase_add_test(tc, revoke_with_if_match_expects_it);
    tcase_add_test(tc, used_at_most_once_a_minute);
    return tc;
}

/*
 * Folding: through a real log and the aggregate cache's loader, a key is
 * created, matches only its secret, expires, is used and revoked; its JSON
 * never holds the hash. Racing creates of one id cannot both land.
 */
#include <stdlib.h>
#include <string.h>

#include "apikeys_test.h"
#include "firelater/aggcache.h"
#include "firelater/err.h"
#include "util.h"

static char *dir;
static fl_log_t *lg;
static fl_arena_t arena;
static fl_time_t now = AT_NOW;
static const uint8_t secret[32] = {9, 8, 7};

static void setup(void)
{
    lg = tu_open_temp(&dir, &now);
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    tu_close_temp(lg, dir);
    fl_arena_free(&arena);
}

static void load(fl_api_key_state_t *k)
{
    uint64_t v;
    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_api_key_agg, "apikey:" KEY_ID, &arena, k, &v), 0);
    ck_assert_uint_eq(v, k->version);
}

static void create(fl_time_t expires, int want)
{
    static const char *const scopes[] = {"users:read"};
    fl_api_key_cmd_t cmd = {
        .name = "CI", .scopes = at_perms(scopes, 1), .id = KEY_ID, .expires_at = expires};
    fl_api_key_creator_t by = {.user_id = USER_ID};
    fl_decision_t d;
    fl_cmd_ctx_t ctx = at_ctx(&arena, now);
    fl_rbac_system_role_perms("admin", &by.perms);
    fl_apikeys_hash(secret, cmd.secret_hash);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), want);
}

START_TEST(lifecycle_through_the_log)
{
    fl_api_key_state_t k;
    fl_decision_t d;
    uint8_t other[32] = {9, 8, 6};
    create(AT_NOW + 7200 * 1000000LL, 0);
    create(0, FL_EVERSION); /* the same id again */
    load(&k);
    ck_assert(k.exists && !k.revoked);
    ck_assert_uint_eq(k.version, 1);
    ck_assert_str_eq(k.name, "CI");
    ck_assert_str_eq(k.created_by, USER_ID);
    ck_assert(fl_api_key_secret_matches(&k, secret));
    ck_assert(!fl_api_key_secret_matches(&k, other));
    ck_assert(fl_api_key_is_usable(&k, AT_NOW + 7199 * 1000000LL));
    ck_assert(!fl_api_key_is_usable(&k, AT_NOW + 7200 * 1000000LL));
    now += 10 * 1000000;
    fl_cmd_ctx_t ctx = at_ctx(&arena, now);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_used(&ctx, &k, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_revoke(&ctx, &k, FL_LOG_ANY, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load(&k);
    ck_assert(k.revoked);
    ck_assert_int_eq(k.last_used_at, now);
    ck_assert_uint_eq(k.version, 3);
    json_t *j = fl_api_key_to_json(&k);
    char *text = json_dumps(j, 0);
    ck_assert_ptr_null(strstr(text, "hash"));
    ck_assert_ptr_null(json_object_get(j, "key"));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "scopes"), 0)),
                     "users:read");
    ck_assert_int_eq(json_array_size(json_object_get(j, "scopes")), 1);
    ck_assert(json_is_string(json_object_get(j, "revoked_at")));
    free(text);
    json_decref(j);
}
END_TEST

START_TEST(unknown_key_is_not_usable)
{
    fl_api_key_state_t k;
    load(&k);
    ck_assert(!k.exists);
    ck_assert(!fl_api_key_secret_matches(&k, (const uint8_t[32]){0}));
    ck_assert(!fl_api_key_is_usable(&k, AT_NOW));
}
END_TEST

START_TEST(corrupt_created_refused)
{
    fl_log_result_t r;
    fl_api_key_state_t k;
    uint64_t v;
    ck_assert_int_eq(tu_append1(lg, "apikey:" KEY_ID, "api_key.created",
                                "{\"id\":\"" KEY_ID "\",\"name\":\"x\",\"prefix\":\"p\","
                                "\"secret_hash\":\"zz\",\"scopes\":[],\"created_by\":\"u\"}",
                                &r),
                     0);
    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_api_key_agg, "apikey:" KEY_ID, &arena, &k, &v),
                     FL_ECORRUPT);
}
END_TEST

TCase *apikeys_fold_tcase(void)
{
    TCase *tc = tcase_create("fold");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lifecycle_through_the_log);
    tcase_add_test(tc, unknown_key_is_not_usable);
    tcase_add_test(tc, corrupt_created_refused);
    return tc;
}

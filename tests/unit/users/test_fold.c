/*
 * Folds through a real log: a decision's events appended with its
 * expectations, then loaded back with fl_agg_load_uncached. Racing creates
 * of one address.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/err.h"
#include "util.h"
#include "users_test.h"

static char *dir;
static fl_log_t *lg;
static fl_arena_t arena;
static fl_time_t now = 1764072000000000LL;

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

static void load_user(const char *id, fl_user_state_t *u)
{
    char stream[64];
    uint64_t v;

    snprintf(stream, sizeof(stream), "user:%s", id);
    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_user_agg, stream, &arena, u, &v), 0);
    ck_assert_uint_eq(v, u->version);
}

static void load_claim(const char *email, fl_email_claim_state_t *c)
{
    uint64_t v;

    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_email_claim_agg,
                                          fl_users_email_stream(&arena, email), &arena, c, &v),
                     0);
    ck_assert_uint_eq(v, c->version);
}

static const char *create(const char *email, const char *hash)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, NULL);
    fl_user_create_cmd_t cmd = {.f = {.email = email, .name = "Grace", .phone = "+1 555"}};
    fl_email_claim_state_t claim;
    fl_decision_t d;

    cmd.f.roles[0] = "admin", cmd.f.roles[1] = "agent", cmd.f.n_roles = 2;
    load_claim(email, &claim);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, hash, &claim, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    return d.location + strlen("/api/v1/users/");
}

START_TEST(round_trip)
{
    const char *id = create("Grace@Example.com", "$argon2id$one");
    fl_user_state_t u;
    fl_email_claim_state_t c;

    load_user(id, &u);
    ck_assert(u.exists);
    ck_assert_str_eq(u.id, id);
    ck_assert_str_eq(u.email, "Grace@Example.com");
    ck_assert_str_eq(u.phone, "+1 555");
    ck_assert_str_eq(u.timezone, "UTC");
    ck_assert_ptr_null(u.avatar_url);
    ck_assert_int_eq(u.status, FL_USER_ACTIVE);
    ck_assert_uint_eq(u.n_roles, 2);
    ck_assert_str_eq(u.password_hash, "$argon2id$one");
    ck_assert_int_eq(u.created_at, now);
    ck_assert_uint_eq(u.version, 1);
    load_claim("grace@EXAMPLE.com", &c);
    ck_assert(c.claimed);
    ck_assert_str_eq(c.user_id, id);

    json_t *j = fl_user_to_json(&u, "1");
    ck_assert_ptr_null(json_object_get(j, "password_hash"));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "created_at")),
                     "2025-11-25T12:00:00.000000Z");
    ck_assert(json_is_null(json_object_get(j, "last_login_at")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "roles"), 1)), "agent");
    char *text = json_dumps(j, 0);
    ck_assert_ptr_null(strstr(text, "argon2id"));
    free(text);
    json_decref(j);
}
END_TEST

START_TEST(email_move_round_trip)
{
    const char *id = create("grace@example.com", NULL);
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, id);
    fl_user_update_cmd_t cmd = {.f = {.set = FL_USER_F_EMAIL, .email = "grace@navy.mil"}};
    fl_user_state_t u;
    fl_email_claim_state_t old, neu;
    fl_decision_t d;

    load_user(id, &u);
    load_claim("grace@navy.mil", &neu);
    fl_decision_init(&d);
    now += 1000000;
    ck_assert_int_eq(fl_users_decide_update(&ctx, &u, FL_LOG_ANY, &cmd, &neu, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load_user(id, &u);
    ck_assert_str_eq(u.email, "grace@navy.mil");
    ck_assert_int_eq(u.updated_at, now);
    load_claim("grace@example.com", &old);
    load_claim("grace@navy.mil", &neu);
    ck_assert(!old.claimed);
    ck_assert_uint_eq(old.version, 2);
    ck_assert(neu.claimed);
    /* the released address can be taken again, expecting the claim's version */
    create("grace@example.com", NULL);
    load_claim("grace@example.com", &old);
    ck_assert(old.claimed);
    ck_assert_str_ne(old.user_id, id);
}
END_TEST

/* Both decided against the same unclaimed address: the log lets one through. */
START_TEST(racing_creates)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, NULL);
    fl_user_create_cmd_t cmd = {.f = {.email = "race@example.com", .name = "R"}};
    fl_email_claim_state_t claim;
    fl_decision_t a, b;

    load_claim("race@example.com", &claim);
    fl_decision_init(&a);
    fl_decision_init(&b);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, NULL, &claim, &a), 0);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, NULL, &claim, &b), 0);
    ck_assert_int_eq(tu_append_decision(lg, &a), 0);
    ck_assert_int_eq(tu_append_decision(lg, &b), FL_EVERSION);
}
END_TEST

START_TEST(lifecycle_round_trip)
{
    const char *id = create("ops@example.com", "h1");
    fl_cmd_ctx_t admin = ut_ctx(&arena, now, "00000000-0000-4000-8000-000000000001");
    fl_user_password_cmd_t pw = {.new_password = "another long one", .by_admin = true};
    fl_user_state_t u;
    fl_decision_t d;

    load_user(id, &u);
    fl_decision_init(&d);
    now += 5000000;
    ck_assert_int_eq(fl_users_decide_password(&admin, &u, FL_LOG_ANY, &pw, "h2", &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load_user(id, &u);
    ck_assert_str_eq(u.password_hash, "h2");
    ck_assert_int_eq(u.tokens_valid_after, now);
    fl_decision_init(&d);
    now += 1000000;
    ck_assert_int_eq(fl_users_decide_login_recorded(&admin, &u, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load_user(id, &u);
    ck_assert_int_eq(u.last_login_at, now);
    fl_decision_init(&d);
    now += 1000000;
    ck_assert_int_eq(fl_users_decide_deactivate(&admin, &u, FL_LOG_ANY, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load_user(id, &u);
    ck_assert_int_eq(u.status, FL_USER_INACTIVE);
    ck_assert_int_eq(u.tokens_valid_after, now);
    ck_assert_uint_eq(u.version, 4);
    /* a stale If-Match loses */
    fl_decision_init(&d);
    fl_user_update_cmd_t up = {.f = {.set = FL_USER_F_NAME, .name = "Z"}, .by_admin = true};
    ck_assert_int_eq(fl_users_decide_update(&admin, &u, 2, &up, NULL, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), FL_EVERSION);
}
END_TEST

TCase *users_fold_tcase(void)
{
    TCase *tc = tcase_create("fold");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, email_move_round_trip);
    tcase_add_test(tc, racing_creates);
    tcase_add_test(tc, lifecycle_round_trip);
    return tc;
}

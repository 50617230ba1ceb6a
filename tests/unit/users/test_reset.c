/*
 * Password reset: the token, decoding the two bodies, the request and the
 * reset decided and folded (single use, latest request only, expiry at
 * ctx->now, inactive users, a password change voiding a pending token),
 * the policy, what the reset does to earlier tokens and sessions, and the
 * projection (the token's hash never reaches a column).
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "firelater/session.h"
#include "internal.h"
#include "users_test.h"

#define T0     1764072000500000LL /* half a second past a whole second */
#define MINUTE 60000000LL
#define NEW_PW "a brand new password"

static fl_arena_t arena;
static fl_user_state_t user;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    ut_make_user(&user, &arena, "Ada@Example.com", NULL);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* Requests a reset at now and folds it; the token's hash into hash. */
static void request_at(fl_time_t now, char hash[FL_USERS_RESET_HASH_HEX])
{
    char token[FL_USERS_RESET_TOKEN_MAX];
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, NULL);
    fl_decision_t d;

    ck_assert_int_eq(fl_users_reset_token_new("acme", user.id, token, hash), 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_reset_request(&ctx, &user, hash, &d), 0);
    ut_fold_user(&user, &arena, &d, now);
    fl_decision_release(&d);
}

/* Decides a reset at now; folds it when it succeeds. Returns the decision's status (0: ok). */
static int reset_at(fl_time_t now, const char *hash, const char *password, fl_decision_t *d)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, user.id);

    fl_decision_init(d);
    if (fl_users_decide_reset(&ctx, &user, hash, password, "$argon2id$new", d) != 0)
        return d->status;
    ut_fold_user(&user, &arena, d, now);
    return 0;
}

static void assert_bad_token(const fl_decision_t *d)
{
    ck_assert_int_eq(d->status, 400);
    ck_assert_str_eq(d->problem.detail, "the reset token is not valid or has expired");
    ck_assert(tu_has_error(d, "token"));
    ck_assert_uint_eq(d->n_events, 0);
}

/* ------------------------------------------------------------------ token */

START_TEST(token_round_trip)
{
    char token[FL_USERS_RESET_TOKEN_MAX], other[FL_USERS_RESET_TOKEN_MAX];
    char hash[FL_USERS_RESET_HASH_HEX], hash2[FL_USERS_RESET_HASH_HEX];
    char tenant[FL_STORE_SLUG_MAX + 1], id[FL_UUID_LEN + 1], inner_hash[FL_TOKEN_HASH_HEX];

    ck_assert_int_eq(fl_users_reset_token_new("acme", user.id, token, hash), 0);
    ck_assert_uint_eq(strlen(token), strlen("acme.") + 36 + 1 + 43);
    ck_assert_int_eq(fl_users_reset_token_parse(token, tenant, id, hash2), 0);
    ck_assert_str_eq(tenant, "acme");
    ck_assert_str_eq(id, user.id);
    ck_assert_str_eq(hash2, hash);
    /* The hash is BLAKE2b-256 of "<user id>.<secret>", and the secret is random. */
    fl_secret_hash(token + 5, inner_hash);
    ck_assert_str_eq(inner_hash, hash);
    ck_assert_int_eq(fl_users_reset_token_new("acme", user.id, other, hash2), 0);
    ck_assert_str_ne(other, token);
    ck_assert_str_ne(hash2, hash);
    ck_assert_int_eq(fl_users_reset_token_new("Bad Slug", user.id, other, hash2), FL_EINVAL);
    ck_assert_int_eq(fl_users_reset_token_new("acme", "not-a-uuid", other, hash2), FL_EINVAL);
}
END_TEST

START_TEST(token_parse_refuses)
{
    static const char *const bad[] = {
        "",
        "acme",
        "acme.",
        ".11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Acme.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "acme.11111111-2222-4333-8444-55555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "acme.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "acme.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "acme.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "acme.11111111-2222-4333-8444-555555555555-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "acme.zzzzzzzz-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    char tenant[FL_STORE_SLUG_MAX + 1], id[FL_UUID_LEN + 1], hash[FL_USERS_RESET_HASH_HEX];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(fl_users_reset_token_parse(bad[i], tenant, id, hash) == FL_EINVAL,
                      "accepted %s", bad[i]);
    ck_assert_int_eq(fl_users_reset_token_parse(NULL, tenant, id, hash), FL_EINVAL);
    ck_assert_int_eq(
        fl_users_reset_token_parse(
            "acme.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_",
            tenant, id, hash),
        0);
}
END_TEST

/* ----------------------------------------------------------------- decode */

START_TEST(decode_forgot)
{
    fl_user_forgot_cmd_t cmd;
    fl_decision_t d;
    json_t *body = tu_json("{\"tenant\":\"acme\",\"email\":\"Ada@Example.com\"}");

    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_forgot(body, &arena, &cmd, &d), 0);
    ck_assert_str_eq(cmd.tenant, "acme");
    ck_assert_str_eq(cmd.email, "Ada@Example.com");
    json_decref(body);

    body = tu_json("{\"email\":\"not an address\",\"colour\":\"red\"}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_forgot(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "tenant") && tu_has_error(&d, "email"));
    ck_assert(tu_has_error(&d, "colour"));
    json_decref(body);

    body = tu_json("[1]");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_forgot(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, NULL));
    json_decref(body);
}
END_TEST

START_TEST(decode_reset)
{
    fl_user_reset_cmd_t cmd;
    fl_decision_t d;
    json_t *body = tu_json("{\"token\":\"t\",\"new_password\":\"" NEW_PW "\"}");

    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_reset(body, &arena, &cmd, &d), 0);
    ck_assert_str_eq(cmd.token, "t");
    ck_assert_str_eq(cmd.new_password, NEW_PW);
    json_decref(body);

    body = tu_json("{\"new_password\":\"short\",\"password\":\"x\"}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_reset(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "token") && tu_has_error(&d, "new_password"));
    ck_assert(tu_has_error(&d, "password"));
    json_decref(body);

    body = tu_json("{\"token\":7,\"new_password\":null}");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_reset(body, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "token") && tu_has_error(&d, "new_password"));
    json_decref(body);
}
END_TEST

/* ---------------------------------------------------------------- request */

START_TEST(request_event)
{
    char token[FL_USERS_RESET_TOKEN_MAX], hash[FL_USERS_RESET_HASH_HEX], want[40];
    fl_cmd_ctx_t ctx = ut_ctx(&arena, T0, NULL);
    fl_decision_t d;
    fl_time_t updated = user.updated_at;
    uint64_t version = user.version;

    ck_assert_int_eq(fl_users_reset_token_new("acme", user.id, token, hash), 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_reset_request(&ctx, &user, hash, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_uint_eq(d.n_expects, 0); /* commutes with every edit */
    ck_assert_str_eq(d.events[0].type, "user.password_reset_requested");
    json_t *data = tu_event_data(&d, 0);
    fl_time_format(T0 + 30 * MINUTE, want, sizeof(want));
    ck_assert_uint_eq(json_object_size(data), 3);
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), user.id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "token_hash")), hash);
    ck_assert_str_eq(json_string_value(json_object_get(data, "expires_at")), want);
    /* The token itself is nowhere in the event. */
    char *text = json_dumps(data, 0);
    ck_assert_ptr_null(strstr(text, token + 5 + 37));
    free(text);
    json_decref(data);

    ut_fold_user(&user, &arena, &d, T0);
    ck_assert_str_eq(user.reset_hash, hash);
    ck_assert_int_eq(user.reset_expires_at, T0 + 30 * MINUTE);
    ck_assert_int_eq(user.updated_at, updated); /* not an edit of the profile */
    ck_assert_uint_eq(user.version, version + 1);
    fl_decision_release(&d);
}
END_TEST

START_TEST(request_refused)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_user_state_t none = {0};
    fl_cmd_ctx_t ctx = ut_ctx(&arena, T0, NULL);
    fl_decision_t d;

    memset(hash, 'a', 64);
    hash[64] = '\0';
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_reset_request(&ctx, &none, hash, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    user.status = FL_USER_INACTIVE;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_reset_request(&ctx, &user, hash, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

/* ------------------------------------------------------------------ reset */

START_TEST(reset_once)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_decision_t d;
    uint64_t version;

    request_at(T0, hash);
    version = user.version;
    ck_assert_int_eq(reset_at(T0 + 29 * MINUTE, hash, NEW_PW, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "user.password_reset");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), (int64_t)version);
    json_t *data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), user.id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "token_hash")), hash);
    ck_assert_str_eq(json_string_value(json_object_get(data, "password_hash")), "$argon2id$new");
    ck_assert(json_is_true(json_object_get(
        json_object_get(json_object_get(data, "changes"), "password"), "redacted")));
    char *text = json_dumps(data, 0);
    ck_assert_ptr_null(strstr(text, NEW_PW));
    free(text);
    json_decref(data);
    fl_decision_release(&d);

    /* Folded: the token is spent, the password replaced, earlier tokens void. */
    ck_assert_ptr_null(user.reset_hash);
    ck_assert_str_eq(user.password_hash, "$argon2id$new");
    ck_assert_int_eq(user.tokens_valid_after, T0 + 29 * MINUTE);
    ck_assert_int_eq(user.updated_at, T0 + 29 * MINUTE);
    ck_assert_int_eq(reset_at(T0 + 29 * MINUTE + 1, hash, NEW_PW " again", &d), 400);
    assert_bad_token(&d);
}
END_TEST

START_TEST(reset_expiry)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_decision_t d;

    request_at(T0, hash);
    ck_assert_int_eq(reset_at(T0 + 30 * MINUTE, hash, NEW_PW, &d), 400);
    assert_bad_token(&d);
    ck_assert_int_eq(reset_at(T0 + 30 * MINUTE - 1, hash, NEW_PW, &d), 0);
}
END_TEST

START_TEST(reset_bad_tokens)
{
    char hash[FL_USERS_RESET_HASH_HEX], other[FL_USERS_RESET_HASH_HEX];
    fl_decision_t d;

    /* No request at all. */
    memset(other, 'a', 64);
    other[64] = '\0';
    ck_assert_int_eq(reset_at(T0, other, NEW_PW, &d), 400);
    assert_bad_token(&d);
    request_at(T0, hash);
    ck_assert_int_eq(reset_at(T0 + 1, other, NEW_PW, &d), 400);
    assert_bad_token(&d);
    ck_assert_int_eq(reset_at(T0 + 1, "", NEW_PW, &d), 400);
    assert_bad_token(&d);
    ck_assert_int_eq(reset_at(T0 + 1, "ABCDEF", NEW_PW, &d), 400);
    assert_bad_token(&d);
    /* A user that does not exist. */
    fl_user_state_t none = {0};
    fl_cmd_ctx_t ctx = ut_ctx(&arena, T0 + 1, NULL);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_check_reset(&ctx, &none, hash, NEW_PW, &d), FL_EINVAL);
    assert_bad_token(&d);
}
END_TEST

START_TEST(reset_latest_only)
{
    char first[FL_USERS_RESET_HASH_HEX], second[FL_USERS_RESET_HASH_HEX];
    fl_decision_t d;

    request_at(T0, first);
    request_at(T0 + MINUTE, second);
    ck_assert_int_eq(reset_at(T0 + 2 * MINUTE, first, NEW_PW, &d), 400);
    assert_bad_token(&d);
    ck_assert_int_eq(reset_at(T0 + 2 * MINUTE, second, NEW_PW, &d), 0);
}
END_TEST

START_TEST(reset_inactive)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_cmd_ctx_t admin = ut_ctx(&arena, T0 + MINUTE, "00000000-0000-4000-8000-000000000001");
    fl_decision_t d;

    request_at(T0, hash);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_deactivate(&admin, &user, FL_LOG_ANY, &d), 0);
    ut_fold_user(&user, &arena, &d, T0 + MINUTE);
    fl_decision_release(&d);
    ck_assert_int_eq(reset_at(T0 + 2 * MINUTE, hash, NEW_PW, &d), 400);
    assert_bad_token(&d);
    /* Active again: the token did not come back with it. */
    user.status = FL_USER_ACTIVE;
    ck_assert_int_eq(reset_at(T0 + 2 * MINUTE, hash, NEW_PW, &d), 400);
}
END_TEST

START_TEST(password_change_voids_token)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_cmd_ctx_t admin = ut_ctx(&arena, T0 + MINUTE, "00000000-0000-4000-8000-000000000001");
    fl_user_password_cmd_t cmd = {.new_password = "set by an admin 1", .by_admin = true};
    fl_decision_t d;

    request_at(T0, hash);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_password(&admin, &user, FL_LOG_ANY, &cmd, "$h", &d), 0);
    ut_fold_user(&user, &arena, &d, T0 + MINUTE);
    fl_decision_release(&d);
    ck_assert_ptr_null(user.reset_hash);
    ck_assert_int_eq(reset_at(T0 + 2 * MINUTE, hash, NEW_PW, &d), 400);
    assert_bad_token(&d);
}
END_TEST

START_TEST(reset_policy)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_decision_t d;

    request_at(T0, hash);
    ck_assert_int_eq(reset_at(T0 + 1, hash, "too short", &d), 422);
    ck_assert(tu_has_error(&d, "new_password"));
    ck_assert_int_eq(reset_at(T0 + 1, hash, "ada@EXAMPLE.com", &d), 422);
    ck_assert(tu_has_error(&d, "new_password"));
    ck_assert_uint_eq(d.n_events, 0);
    /* The token survives a refused password. */
    ck_assert_int_eq(reset_at(T0 + 2, hash, NEW_PW, &d), 0);
}
END_TEST

/* A reset ends earlier access tokens (whole seconds, as JWT iat) and sessions. */
START_TEST(reset_revokes_tokens_and_sessions)
{
    char hash[FL_USERS_RESET_HASH_HEX], next[FL_TOKEN_HASH_HEX];
    fl_session_t s = {
        .exists = true, .started_at = T0 - 10 * MINUTE, .expires_at = T0 + 24 * 60 * MINUTE};
    fl_cmd_ctx_t ctx = ut_ctx(&arena, T0 + 2 * MINUTE, user.id);
    fl_decision_t d;

    memset(s.family, 'f', FL_REFRESH_FAMILY_LEN);
    memset(s.token_hash, 'b', 64);
    memset(next, 'c', 64);
    next[64] = '\0';
    request_at(T0, hash);
    ck_assert(fl_user_token_is_valid(&user, T0 - MINUTE));
    ck_assert_int_eq(reset_at(T0 + MINUTE, hash, NEW_PW, &d), 0);
    fl_decision_release(&d);
    ck_assert(!fl_user_token_is_valid(&user, T0 - MINUTE));
    ck_assert(fl_user_token_is_valid(&user, T0 + MINUTE + 1000000));
    fl_decision_init(&d);
    ck_assert_int_eq(
        fl_session_decide_refresh(&ctx, &s, 1, s.token_hash, next, user.tokens_valid_after, &d),
        FL_EINVAL);
    ck_assert_int_eq(d.status, 401);
    /* A session started after the reset refreshes. */
    s.started_at = T0 + MINUTE + 1;
    fl_decision_init(&d);
    ck_assert_int_eq(
        fl_session_decide_refresh(&ctx, &s, 1, s.token_hash, next, user.tokens_valid_after, &d), 0);
    fl_decision_release(&d);
}
END_TEST

/* ------------------------------------------------------------- projection */

static const fl_proj_handler_t *handler(const char *type)
{
    for (const fl_proj_handler_t *h = fl_users_projections; h->type != NULL; h++) {
        if (strcmp(h->type, type) == 0)
            return h;
    }
    return NULL;
}

START_TEST(projected)
{
    fl_proj_out_t out;
    fl_event_t ev = {.pos = 1, .ts = T0, .v = 1, .stream = "user:x", .sv = 7, .actor = "anonymous"};
    json_t *req =
        tu_json("{\"id\":\"11111111-2222-4333-8444-555555555555\","
                "\"token_hash\":\"SECRET-HASH\",\"expires_at\":\"2025-11-25T12:30:00Z\"}");
    json_t *done = tu_json("{\"id\":\"11111111-2222-4333-8444-555555555555\","
                           "\"token_hash\":\"SECRET-HASH\",\"password_hash\":\"$argon2id$x\"}");

    fl__proj_out_init(&out);
    ev.type = "user.password_reset_requested";
    ck_assert_ptr_nonnull(handler(ev.type));
    ck_assert_int_eq(handler(ev.type)->fn(&out, &ev, req), 0);
    ck_assert_int_eq(out.n, 1); /* the version only */
    ck_assert_str_eq(out.stmts[0].sql, "UPDATE users SET version = $2 WHERE id = $1");
    ck_assert_str_eq(out.stmts[0].params[1], "7");
    ev.type = "user.password_reset";
    ck_assert_ptr_nonnull(handler(ev.type));
    ck_assert_int_eq(handler(ev.type)->fn(&out, &ev, done), 0);
    ck_assert_int_eq(out.n, 3);
    ck_assert_ptr_nonnull(strstr(out.stmts[1].sql, "password_hash = $2"));
    ck_assert_str_eq(out.stmts[1].params[1], "$argon2id$x");
    for (int i = 0; i < out.n; i++) {
        for (int j = 0; j < out.stmts[i].nparams; j++)
            ck_assert(out.stmts[i].params[j] == NULL ||
                      strstr(out.stmts[i].params[j], "SECRET") == NULL);
    }
    json_decref(req);
    json_decref(done);
    fl__proj_out_free(&out);
}
END_TEST

TCase *users_reset_tcase(void)
{
    TCase *tc = tcase_create("reset");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, token_round_trip);
    tcase_add_test(tc, token_parse_refuses);
    tcase_add_test(tc, decode_forgot);
    tcase_add_test(tc, decode_reset);
    tcase_add_test(tc, request_event);
    tcase_add_test(tc, request_refused);
    tcase_add_test(tc, reset_once);
    tcase_add_test(tc, reset_expiry);
    tcase_add_test(tc, reset_bad_tokens);
    tcase_add_test(tc, reset_latest_only);
    tcase_add_test(tc, reset_inactive);
    tcase_add_test(tc, password_change_voids_token);
    tcase_add_test(tc, reset_policy);
    tcase_add_test(tc, reset_revokes_tokens_and_sessions);
    tcase_add_test(tc, projected);
    return tc;
}

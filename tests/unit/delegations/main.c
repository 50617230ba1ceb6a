/*
 * The delegations module: decoding (every bad field), deciding (the
 * delegate, the period, the open limit, overlaps with their 409, chains,
 * an inactive delegator), revocation, the fold, and fl_delegation_find
 * through a real log and aggregate cache across the window's edges.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "firelater/delegations.h"
#include "firelater/err.h"
#include "util.h"

#define US  1000000LL
#define DAY (86400LL * US)
#define T0  (1800000000LL * US) /* "now" of the tests */

static const char M[] = "11111111-1111-4111-8111-111111111111"; /* the delegator */
static const char X[] = "22222222-2222-4222-8222-222222222222"; /* a delegate */
static const char Y[] = "33333333-3333-4333-8333-333333333333"; /* another user */

static fl_arena_t arena;
static fl_decision_t d;
static fl_user_state_t um, ux, uy;
static fl_delegations_state_t sm, sx;

static void user(fl_user_state_t *u, const char *id)
{
    memset(u, 0, sizeof(*u));
    u->exists = true;
    u->status = FL_USER_ACTIVE;
    snprintf(u->id, sizeof(u->id), "%s", id);
}

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    user(&um, M);
    user(&ux, X);
    user(&uy, Y);
    fl_delegations_agg.init(&sm);
    fl_delegations_agg.init(&sx);
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

/* Folds the decision's events into s at ts. */
static void fold_into(fl_delegations_state_t *s, fl_time_t ts)
{
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], s->version + 1, ts);
        ck_assert_int_eq(fl_delegations_agg.fold(s, &arena, &ev), 0);
    }
}

/* Decides a create of from -> to for [a, b) at now (a 0: absent); returns the rc. */
static int create(fl_time_t now, const fl_user_state_t *from, fl_delegations_state_t *mine,
                  const fl_user_state_t *to, fl_delegations_state_t *theirs, fl_time_t a,
                  fl_time_t b)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_delegation_cmd_t cmd = {.delegate_id = to->id, .starts_at = a, .ends_at = b};
    fl_delegation_parties_t pt = {from, mine, to, theirs};

    ctx.actor_id = from->id;
    reset();
    return fl_delegations_decide_create(&ctx, &cmd, &pt, &d);
}

START_TEST(decode_every_field)
{
    fl_delegation_cmd_t cmd;
    json_t *b =
        tu_json("{\"delegate_id\":\"22222222-2222-4222-8222-222222222222\","
                "\"starts_at\":\"2027-01-15T08:00:00Z\",\"ends_at\":\"2027-01-20T08:00:00Z\","
                "\"reason\":\"away\\nback monday\"}");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), 0);
    ck_assert_str_eq(cmd.delegate_id, X);
    ck_assert(cmd.starts_at > 0 && cmd.ends_at - cmd.starts_at == 5 * DAY);
    ck_assert_str_eq(cmd.reason, "away\nback monday");
    json_decref(b);
    reset();
    b = tu_json("{\"delegate_id\":\"22222222-2222-4222-8222-222222222222\","
                "\"starts_at\":null,\"ends_at\":\"2027-01-20T08:00:00+01:00\",\"reason\":null}");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), 0);
    ck_assert(cmd.starts_at == 0 && cmd.reason == NULL);
    json_decref(b);
}
END_TEST

START_TEST(decode_refusals)
{
    fl_delegation_cmd_t cmd;
    char big[1200];
    json_t *b = tu_json("{\"delegate_id\":\"not-a-uuid\",\"starts_at\":\"2027-01-15\","
                        "\"ends_at\":1,\"reason\":3,\"colour\":\"red\"}");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "delegate_id") && tu_has_error(&d, "starts_at"));
    ck_assert(tu_has_error(&d, "ends_at") && tu_has_error(&d, "reason"));
    ck_assert(tu_has_error(&d, "colour"));
    json_decref(b);
    reset();
    b = tu_json("{}");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "delegate_id") && tu_has_error(&d, "ends_at"));
    json_decref(b);
    reset();
    b = tu_json("{\"delegate_id\":null,\"ends_at\":null,\"reason\":\"a\\u0007b\"}");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "delegate_id") && tu_has_error(&d, "ends_at"));
    ck_assert(tu_has_error(&d, "reason"));
    json_decref(b);
    reset();
    memset(big, 'x', 501);
    big[501] = '\0';
    b = json_pack("{s:s, s:s, s:s}", "delegate_id", X, "ends_at", "2027-01-20T08:00:00Z", "reason",
                  big);
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "reason"));
    json_decref(b);
    reset();
    b = tu_json("[1]");
    ck_assert_int_eq(fl_delegations_decode_create(b, &arena, &cmd, &d), FL_EINVAL);
    json_decref(b);
}
END_TEST

START_TEST(create_event_and_fold)
{
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, 0, T0 + 2 * DAY), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "delegation.created");
    ck_assert_str_eq(d.events[0].stream, "delegations:11111111-1111-4111-8111-111111111111");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), FL_LOG_NO_STREAM);
    ck_assert_int_eq(tu_expect_of(&d, "delegations:22222222-2222-4222-8222-222222222222"),
                     FL_LOG_NO_STREAM);
    ck_assert_ptr_nonnull(strstr(d.location, "/api/v1/users/11111111"));
    fold_into(&sm, T0);
    ck_assert_uint_eq(sm.n, 1);
    ck_assert_str_eq(sm.user_id, M);
    ck_assert_str_eq(sm.items[0].delegate_id, X);
    ck_assert_int_eq(sm.items[0].starts_at, T0); /* absent: now */
    ck_assert_int_eq(sm.items[0].ends_at, T0 + 2 * DAY);
    ck_assert_str_eq(sm.items[0].created_by, M);
    ck_assert_str_eq(fl_delegation_status(&sm.items[0], T0), "active");
    ck_assert_str_eq(fl_delegation_status(&sm.items[0], T0 + 2 * DAY), "ended");
    /* A start within the grace is taken as now; one before it is refused. */
    ck_assert_int_eq(create(T0, &um, &sm, &uy, NULL, T0 - 60 * US, T0 + 1), FL_EINVAL);
    ck_assert_int_eq(d.status, 409); /* overlaps the first */
    ck_assert_int_eq(
        create(T0 + 2 * DAY, &um, &sm, &uy, NULL, T0 + 2 * DAY - 60 * US, T0 + 3 * DAY), 0);
    fold_into(&sm, T0 + 2 * DAY);
    ck_assert_int_eq(sm.items[1].starts_at, T0 + 2 * DAY);
    ck_assert_uint_eq(sm.version, 2);
}
END_TEST

START_TEST(create_refusals)
{
    ck_assert_int_eq(create(T0, &um, &sm, &um, &sm, 0, T0 + DAY), FL_EINVAL);
    ck_assert(d.status == 422 && tu_has_error(&d, "delegate_id"));
    fl_user_state_t none = {0};
    ck_assert_int_eq(create(T0, &um, &sm, &none, NULL, 0, T0 + DAY), FL_EINVAL);
    ck_assert(tu_has_error(&d, "delegate_id"));
    ux.status = FL_USER_INACTIVE;
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, 0, T0 + DAY), FL_EINVAL);
    ck_assert(tu_has_error(&d, "delegate_id"));
    ux.status = FL_USER_ACTIVE;
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 - 301 * US, T0 + DAY), FL_EINVAL);
    ck_assert(tu_has_error(&d, "starts_at"));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + 2 * DAY, T0 + DAY), FL_EINVAL);
    ck_assert(tu_has_error(&d, "ends_at") && !tu_has_error(&d, "starts_at"));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + DAY, T0 + DAY), FL_EINVAL);
    ck_assert(tu_has_error(&d, "ends_at"));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, 0, T0), FL_EINVAL);
    ck_assert(tu_has_error(&d, "ends_at"));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + DAY, T0 + 91 * DAY + 1), FL_EINVAL);
    ck_assert(tu_has_error(&d, "ends_at"));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + DAY, T0 + 91 * DAY), 0); /* 90 days */
    um.status = FL_USER_INACTIVE;
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, 0, T0 + DAY), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
}
END_TEST

START_TEST(overlaps)
{
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + DAY, T0 + 3 * DAY), 0);
    fold_into(&sm, T0);
    const char *first = sm.items[0].id;
    /* Overlapping at either end or inside, to any delegate: 409 naming the first. */
    fl_time_t cases[][2] = {{T0, T0 + DAY + 1},
                            {T0 + 3 * DAY - 1, T0 + 4 * DAY},
                            {T0 + 2 * DAY, T0 + 2 * DAY + 1},
                            {T0, T0 + 5 * DAY}};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(create(T0, &um, &sm, &uy, NULL, cases[i][0], cases[i][1]), FL_EINVAL);
        ck_assert_int_eq(d.status, 409);
        ck_assert_ptr_nonnull(strstr(d.problem.detail, first));
        ck_assert(tu_has_error(&d, "starts_at"));
    }
    /* Adjacent periods touch but do not overlap ([a, b) is half-open). */
    ck_assert_int_eq(create(T0, &um, &sm, &uy, NULL, T0, T0 + DAY), 0);
    ck_assert_int_eq(create(T0, &um, &sm, &uy, NULL, T0 + 3 * DAY, T0 + 4 * DAY), 0);
    fold_into(&sm, T0);
    ck_assert_uint_eq(sm.version, 2);
}
END_TEST

START_TEST(revoke_then_again)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, T0 + DAY);

    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0, T0 + 3 * DAY), 0);
    fold_into(&sm, T0);
    char id[FL_UUID_LEN + 1];
    memcpy(id, sm.items[0].id, sizeof(id));
    ctx.actor_id = M;
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, id, 7, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 412);
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, X, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, id, 1, &d), 0);
    ck_assert_str_eq(d.events[0].type, "delegation.revoked");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), 1);
    fold_into(&sm, T0 + DAY);
    ck_assert_int_eq(sm.items[0].revoked_at, T0 + DAY);
    ck_assert_str_eq(sm.items[0].revoked_by, M);
    ck_assert_str_eq(fl_delegation_status(&sm.items[0], T0 + DAY), "revoked");
    ck_assert_int_eq(fl_delegation_end(&sm.items[0]), T0 + DAY);
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, id, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    /* The revoked rest of the period may be delegated again. */
    ck_assert_int_eq(create(T0 + DAY, &um, &sm, &uy, NULL, 0, T0 + 3 * DAY), 0);
    fold_into(&sm, T0 + DAY);
    /* An ended one cannot be revoked. */
    ctx.now = T0 + 3 * DAY;
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, sm.items[1].id, FL_LOG_ANY, &d),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
}
END_TEST

START_TEST(no_chains)
{
    /* X has delegated away days 2..4; M -> X over day 3 is refused, day 5 is fine. */
    ck_assert_int_eq(create(T0, &ux, &sx, &uy, NULL, T0 + 2 * DAY, T0 + 4 * DAY), 0);
    fold_into(&sx, T0);
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + 3 * DAY, T0 + 5 * DAY), FL_EINVAL);
    ck_assert(d.status == 422 && tu_has_error(&d, "delegate_id"));
    ck_assert_ptr_nonnull(strstr(d.problem.errors[0].message, sx.items[0].id));
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + 4 * DAY, T0 + 5 * DAY), 0);
    ck_assert_int_eq(tu_expect_of(&d, "delegations:22222222-2222-4222-8222-222222222222"), 1);
}
END_TEST

START_TEST(open_limit)
{
    for (int i = 0; i < FL_DELEG_MAX_OPEN; i++) {
        ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + i * DAY, T0 + i * DAY + 1), 0);
        fold_into(&sm, T0);
    }
    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + 80 * DAY, T0 + 81 * DAY), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    /* Once some have ended, there is room again. */
    ck_assert_int_eq(create(T0 + 2 * DAY + 2, &um, &sm, &ux, &sx, 0, T0 + 2 * DAY + 3), 0);
}
END_TEST

START_TEST(find_across_the_window)
{
    char *dir;
    fl_time_t now = T0;
    fl_log_t *log = tu_open_temp(&dir, &now);
    fl_agg_cache_t *cache;
    fl_delegation_ref_t ref;

    ck_assert_int_eq(create(T0, &um, &sm, &ux, &sx, T0 + DAY, T0 + 3 * DAY), 0);
    ck_assert_int_eq(tu_append_decision(log, &d), 0);
    fold_into(&sm, T0);
    ck_assert_int_eq(fl_agg_cache_init(&cache, log, 16), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + DAY - 1, &ref), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + DAY, &ref), 1);
    ck_assert_str_eq(ref.id, sm.items[0].id);
    ck_assert(ref.starts_at == T0 + DAY && ref.ends_at == T0 + 3 * DAY && ref.revoked_at == 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + 3 * DAY - 1, &ref), 1);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + 3 * DAY, &ref), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, X, M, T0 + 2 * DAY, &ref), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, Y, T0 + 2 * DAY, &ref), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, "nope", T0 + 2 * DAY, &ref), 0);
    /* Upper-case ids name the same users. */
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, "22222222-2222-4222-8222-222222222222",
                                        T0 + 2 * DAY, &ref),
                     1);
    /* Revoked at day 2: covered before it, not at or after it. */
    fl_cmd_ctx_t ctx = tu_ctx(&arena, T0 + 2 * DAY);
    reset();
    ck_assert_int_eq(fl_delegations_decide_revoke(&ctx, &sm, sm.items[0].id, FL_LOG_ANY, &d), 0);
    now = T0 + 2 * DAY;
    ck_assert_int_eq(tu_append_decision(log, &d), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + 2 * DAY - 1, &ref), 1);
    ck_assert_int_eq(ref.revoked_at, T0 + 2 * DAY);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + 2 * DAY, &ref), 0);
    ck_assert_int_eq(fl_delegation_find(cache, &arena, M, X, T0 + 2 * DAY + 1, &ref), 0);
    fl_agg_cache_free(cache);
    tu_close_temp(log, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("delegations");
    TCase *tc = tcase_create("all");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, decode_every_field);
    tcase_add_test(tc, decode_refusals);
    tcase_add_test(tc, create_event_and_fold);
    tcase_add_test(tc, create_refusals);
    tcase_add_test(tc, overlaps);
    tcase_add_test(tc, revoke_then_again);
    tcase_add_test(tc, no_chains);
    tcase_add_test(tc, open_limit);
    tcase_add_test(tc, find_across_the_window);
    suite_add_tcase(s, tc);
    return tu_run(s);
}

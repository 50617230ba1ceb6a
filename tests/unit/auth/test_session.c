/*
 * The session aggregate: refresh-token families started, rotated on every
 * refresh, revoked on logout or when a rotated-out token comes back, folded
 * from a real log.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/session.h"
#include "util.h"

#define SEC    1000000LL
#define T0     (1780000000LL * SEC)
#define FAMILY "00112233445566778899aabbccddeeff"
#define STREAM "session:" FAMILY
#define USER   "7f1d0c9e-8a53-4b8e-9a43-6b2f4f0d2c11"

static fl_arena_t arena;
static fl_cmd_ctx_t ctx;
static fl_session_t st;
static uint64_t ver;
static char hashes[400][FL_TOKEN_HASH_HEX];

static void setup(void)
{
    fl_arena_init(&arena, 0);
    ctx = (fl_cmd_ctx_t){.a = &arena,
                         .now = T0,
                         .tenant = "acme",
                         .actor = "user:" USER,
                         .actor_id = USER,
                         .request_id = "req-1",
                         .client = "192.0.2.7",
                         .user_agent = "curl/8.5"};
    fl_session_agg.init(&st);
    ver = 0;
    for (int i = 0; i < 400; i++) {
        char tok[32];
        snprintf(tok, sizeof(tok), "token-%d", i);
        fl_secret_hash(tok, hashes[i]);
    }
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* Folds a decision's events into st as the log would: at ctx.now, versions in order. */
static void apply(const fl_decision_t *d)
{
    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        fl_event_t ev = {.type = e->type,
                         .stream = e->stream,
                         .data = e->data,
                         .data_len = e->data_len,
                         .ts = ctx.now,
                         .sv = ++ver};
        ck_assert_int_eq(fl_session_agg.fold(&st, &arena, &ev), 0);
    }
}

static json_t *data_of(const fl_log_new_t *e)
{
    json_t *j = NULL;

    ck_assert_int_eq(fl_codec_to_json(e->data, e->data_len, &j), 0);
    return j;
}

static void start(void)
{
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, USER, hashes[0], &d), 0);
    apply(&d);
    fl_decision_release(&d);
}

/* Decides a refresh presenting hashes[from] and rotating to hashes[to]. */
static int refresh(int from, int to, fl_time_t valid_after, fl_decision_t *d)
{
    fl_decision_init(d);
    return fl_session_decide_refresh(&ctx, &st, ver, hashes[from], hashes[to], valid_after, d);
}

/* A refresh that must succeed, folded in. */
static void rotate(int from, int to)
{
    fl_decision_t d;

    ck_assert_int_eq(refresh(from, to, 0, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    apply(&d);
}

static void assert_refused(int rc, const fl_decision_t *d)
{
    ck_assert_int_eq(rc, FL_EINVAL);
    ck_assert_int_eq(d->status, 401);
    ck_assert_str_eq(d->problem.title, "invalid refresh token");
}

START_TEST(start_session)
{
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, USER, hashes[0], &d), 0);
    ck_assert(!fl_decision_failed(&d));
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].stream, STREAM);
    ck_assert_str_eq(d.events[0].type, "session.started");
    ck_assert_int_eq(d.n_expects, 1);
    ck_assert_str_eq(d.expects[0].stream, STREAM);
    ck_assert_int_eq(d.expects[0].version, FL_LOG_NO_STREAM);
    json_t *j = data_of(&d.events[0]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "family")), FAMILY);
    ck_assert_str_eq(json_string_value(json_object_get(j, "user_id")), USER);
    ck_assert_str_eq(json_string_value(json_object_get(j, "token_hash")), hashes[0]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "client")), "192.0.2.7");
    ck_assert_str_eq(json_string_value(json_object_get(j, "user_agent")), "curl/8.5");
    ck_assert_str_eq(json_string_value(json_object_get(j, "expires_at")),
                     "2026-06-04T20:26:40.000000Z");
    json_decref(j);

    apply(&d);
    ck_assert(st.exists && !st.revoked);
    ck_assert_str_eq(st.family, FAMILY);
    ck_assert_str_eq(st.user_id, USER);
    ck_assert_str_eq(st.token_hash, hashes[0]);
    ck_assert_str_eq(st.client, "192.0.2.7");
    ck_assert_int_eq(st.started_at, T0);
    ck_assert_int_eq(st.expires_at, T0 + (fl_time_t)FL_REFRESH_TTL_S * SEC);
    ck_assert_int_eq(st.refreshed_at, 0);
    ck_assert(fl_session_is_active(&st, T0));
}
END_TEST

START_TEST(start_bad_arguments)
{
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, "xyz", USER, hashes[0], &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 400);
    ck_assert_int_eq(d.n_events, 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, "not-a-uuid", hashes[0], &d), FL_EINVAL);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, USER, "abc", &d), FL_EINVAL);
}
END_TEST

/* Client text is cut to 256 bytes on a character boundary; text that is not UTF-8 is dropped. */
START_TEST(start_client_text)
{
    char ua[600];
    fl_decision_t d;

    memset(ua, 'a', sizeof(ua) - 1);
    ua[sizeof(ua) - 1] = '\0';
    memcpy(ua + 255, "\xc3\xa9", 2); /* é straddling the cut */
    ctx.user_agent = ua;
    ctx.client = "\xff\xfe";
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, USER, hashes[0], &d), 0);
    json_t *j = data_of(&d.events[0]);
    ck_assert_int_eq(strlen(json_string_value(json_object_get(j, "user_agent"))), 255);
    ck_assert(json_is_null(json_object_get(j, "client")));
    json_decref(j);
    apply(&d);
    ck_assert_str_eq(st.client, "");
}
END_TEST

START_TEST(refresh_rotates)
{
    fl_decision_t d;

    start();
    ctx.now += 60 * SEC;
    ck_assert_int_eq(refresh(0, 1, 0, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "session.refreshed");
    ck_assert_str_eq(d.expects[0].stream, STREAM);
    ck_assert_int_eq(d.expects[0].version, 1);
    json_t *j = data_of(&d.events[0]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "token_hash")), hashes[1]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "previous_hash")), hashes[0]);
    json_decref(j);
    apply(&d);
    ck_assert_str_eq(st.token_hash, hashes[1]);
    ck_assert_int_eq(st.refreshed_at, T0 + 60 * SEC);

    rotate(1, 2);
    ck_assert_str_eq(st.token_hash, hashes[2]);
    ck_assert_int_eq(st.n_rotated, 2);
    ck_assert(fl_session_was_rotated(&st, hashes[0]));
    ck_assert(fl_session_was_rotated(&st, hashes[1]));
    ck_assert(!fl_session_was_rotated(&st, hashes[2]));
    /* Refreshes do not extend the family's lifetime. */
    ck_assert_int_eq(st.expires_at, T0 + (fl_time_t)FL_REFRESH_TTL_S * SEC);
}
END_TEST

/* A rotated-out token presented again revokes the family; then even the current one fails. */
START_TEST(refresh_reuse_revokes_family)
{
    fl_decision_t d;
    int rc;

    start();
    rotate(0, 1);
    rotate(1, 2);
    rc = refresh(1, 3, 0, &d);
    assert_refused(rc, &d);
    ck_assert(d.keep_events);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "session.revoked");
    ck_assert_int_eq(d.expects[0].version, 3);
    json_t *j = data_of(&d.events[0]);
    ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), "reuse");
    json_decref(j);
    apply(&d);
    ck_assert(st.revoked);
    ck_assert_int_eq(st.reason, FL_SESSION_REUSE);

    rc = refresh(2, 3, 0, &d);
    assert_refused(rc, &d);
    ck_assert_int_eq(d.n_events, 0);
    ck_assert(!d.keep_events);
    /* A second reuse adds nothing: the family is already revoked. */
    rc = refresh(0, 3, 0, &d);
    assert_refused(rc, &d);
    ck_assert_int_eq(d.n_events, 0);
}
END_TEST

START_TEST(refresh_unknown_token)
{
    fl_decision_t d;

    start();
    assert_refused(refresh(7, 8, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
    ck_assert(!d.keep_events);
    fl_decision_init(&d);
    assert_refused(fl_session_decide_refresh(&ctx, &st, ver, "nothex", hashes[1], 0, &d), &d);
    ck_assert(!st.revoked);
}
END_TEST

START_TEST(refresh_no_session)
{
    fl_decision_t d;

    assert_refused(refresh(0, 1, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
}
END_TEST

START_TEST(refresh_expired)
{
    fl_decision_t d;

    start();
    ctx.now = st.expires_at - 1;
    ck_assert_int_eq(refresh(0, 1, 0, &d), 0);
    ctx.now = st.expires_at;
    assert_refused(refresh(0, 1, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
    /* Reusing a rotated token of an expired family refuses without revoking. */
    ctx.now = T0;
    rotate(0, 1);
    ctx.now = st.expires_at + SEC;
    assert_refused(refresh(0, 2, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
}
END_TEST

START_TEST(refresh_after_logout)
{
    fl_decision_t d;

    start();
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_revoke(&ctx, &st, ver, FL_SESSION_LOGOUT, &d), 0);
    apply(&d);
    ck_assert(st.revoked);
    ck_assert_int_eq(st.reason, FL_SESSION_LOGOUT);
    assert_refused(refresh(0, 1, 0, &d), &d);
}
END_TEST

/* Sessions started before the user's password change (or deactivation) are dead. */
START_TEST(refresh_valid_after)
{
    fl_decision_t d;

    start();
    ctx.now += 3600 * SEC;
    assert_refused(refresh(0, 1, T0 + 1, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
    ck_assert_int_eq(refresh(0, 1, T0, &d), 0);
    ck_assert_int_eq(refresh(0, 1, 0, &d), 0);
}
END_TEST

START_TEST(revoke_idempotent)
{
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_revoke(&ctx, &st, ver, FL_SESSION_ADMIN, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    start();
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_revoke(&ctx, &st, ver, FL_SESSION_PASSWORD_CHANGED, &d), 0);
    ck_assert_int_eq(d.n_events, 1);
    ck_assert_int_eq(d.expects[0].version, 1);
    apply(&d);
    ck_assert_int_eq(st.reason, FL_SESSION_PASSWORD_CHANGED);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_revoke(&ctx, &st, ver, FL_SESSION_LOGOUT, &d), 0);
    ck_assert(!fl_decision_failed(&d));
    ck_assert_int_eq(d.n_events, 0);
    ck_assert_int_eq(st.reason, FL_SESSION_PASSWORD_CHANGED);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_revoke(&ctx, &st, ver, FL_SESSION_ACTIVE, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 400);
}
END_TEST

/* The ring of rotated hashes is bounded; forgotten ones are refused without revoking. */
START_TEST(rotated_ring_bounded)
{
    fl_decision_t d;
    int n = FL_SESSION_ROTATED_MAX + 44;

    start();
    for (int i = 0; i < n; i++)
        rotate(i, i + 1);
    ck_assert_int_eq(st.n_rotated, FL_SESSION_ROTATED_MAX);
    ck_assert_uint_eq(st.refreshes, (uint64_t)n);
    ck_assert(!fl_session_was_rotated(&st, hashes[43]));
    ck_assert(fl_session_was_rotated(&st, hashes[44]));
    ck_assert(fl_session_was_rotated(&st, hashes[n - 1]));
    assert_refused(refresh(0, 399, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);
    assert_refused(refresh(100, 399, 0, &d), &d);
    ck_assert(d.keep_events);
    ck_assert_int_eq(d.n_events, 1);
}
END_TEST

START_TEST(reasons_and_json)
{
    for (int r = FL_SESSION_LOGOUT; r <= FL_SESSION_ADMIN; r++)
        ck_assert_int_eq(fl_session_reason_parse(fl_session_reason_name(r)), r);
    ck_assert_ptr_null(fl_session_reason_name(FL_SESSION_ACTIVE));
    ck_assert_int_eq(fl_session_reason_parse("bogus"), FL_SESSION_ACTIVE);
    ck_assert_int_eq(fl_session_reason_parse(NULL), FL_SESSION_ACTIVE);

    char buf[FL_SESSION_STREAM_MAX];
    ck_assert_int_eq(fl_session_stream(FAMILY, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, STREAM);
    ck_assert_int_eq(fl_session_stream("ABC", buf, sizeof(buf)), FL_EINVAL);
    ck_assert_int_eq(fl_session_stream(FAMILY, buf, sizeof(buf) - 1), FL_EINVAL);

    start();
    json_t *j = fl_session_to_json(&st, ver);
    ck_assert_str_eq(json_string_value(json_object_get(j, "family")), FAMILY);
    ck_assert(json_is_false(json_object_get(j, "revoked")));
    ck_assert(json_is_null(json_object_get(j, "reason")));
    ck_assert(json_is_null(json_object_get(j, "refreshed_at")));
    ck_assert_ptr_null(json_object_get(j, "token_hash"));
    json_decref(j);
}
END_TEST

/* ------------------------------------------------------------- a real log */

static fl_log_t *lg;
static char *dir;
static fl_time_t log_now;

static void append(const fl_decision_t *d, int want)
{
    fl_log_batch_t b = {.events = d->events,
                        .n_events = d->n_events,
                        .expects = d->expects,
                        .n_expects = d->n_expects};
    fl_log_result_t r;

    ck_assert_int_eq(fl_log_append(lg, &b, &r), want);
}

static fl_arena_t la; /* what loads fold into */

static void setup_log(void)
{
    setup();
    fl_arena_init(&la, 0);
    dir = tu_mkdtemp();
    log_now = T0;
    lg = tu_open(dir, &log_now, true);
}

static void teardown_log(void)
{
    fl_log_close(lg);
    tu_rmrf(dir);
    free(dir);
    fl_arena_free(&la);
    teardown();
}

/* Loads st from the log, folding every event from the start. */
static void load(fl_arena_t *a)
{
    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_session_agg, STREAM, a, &st, &ver), 0);
}

static void decide_append(int from, int to, int want_rc, int want_append)
{
    fl_decision_t d;

    log_now += 10 * SEC;
    ctx.now = log_now;
    ck_assert_int_eq(refresh(from, to, 0, &d), want_rc);
    append(&d, want_append);
}

/* A load through the aggregate cache folds the same state as the uncached one in st. */
static void assert_cache_agrees(void)
{
    fl_agg_cache_t *cache;
    const fl_session_t *cached;
    uint64_t cv;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 4), 0);
    ck_assert_int_eq(fl_agg_load(cache, &fl_session_agg, STREAM, (const void **)&cached, &cv), 0);
    ck_assert_int_eq(cv, ver);
    ck_assert_str_eq(cached->token_hash, st.token_hash);
    ck_assert_mem_eq(cached->rotated, st.rotated, sizeof(st.rotated));
    ck_assert(cached->revoked && cached->reason == FL_SESSION_REUSE);
    fl_agg_cache_free(cache);
}

START_TEST(fold_real_log)
{
    fl_decision_t d, a, b;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_session_decide_start(&ctx, FAMILY, USER, hashes[0], &d), 0);
    append(&d, 0);
    append(&d, FL_EVERSION); /* the stream exists now */
    load(&la);
    ck_assert(st.exists);
    ck_assert_int_eq(ver, 1);
    ck_assert_int_eq(st.started_at, T0);
    decide_append(0, 1, 0, 0);
    load(&la);
    decide_append(1, 2, 0, 0);
    load(&la);
    ck_assert_int_eq(ver, 3);
    ck_assert_str_eq(st.token_hash, hashes[2]);

    /* Two refreshes of the same token race: the log takes one, the other is a 412. */
    ck_assert_int_eq(refresh(2, 3, 0, &a), 0);
    ck_assert_int_eq(refresh(2, 4, 0, &b), 0);
    append(&a, 0);
    append(&b, FL_EVERSION);
    load(&la);
    ck_assert_str_eq(st.token_hash, hashes[3]);

    /* Reuse: the revocation is appended although the request is refused. */
    decide_append(1, 5, FL_EINVAL, 0);
    load(&la);
    ck_assert(st.revoked);
    ck_assert_int_eq(st.reason, FL_SESSION_REUSE);
    ck_assert_int_eq(ver, 5);
    ck_assert_int_eq(st.revoked_at, log_now);
    assert_refused(refresh(3, 6, 0, &d), &d);
    ck_assert_int_eq(d.n_events, 0);

    assert_cache_agrees();
}
END_TEST

/* The fold refuses events that cannot belong to a session, and skips types it does not know. */
START_TEST(fold_corrupt_and_unknown)
{
    fl_event_t ev = {.type = "session.refreshed", .ts = T0, .sv = 1};
    size_t len;

    ev.data = tu_mp(&arena, "{\"token_hash\":\"00\"}", &len);
    ev.data_len = len;
    ck_assert_int_eq(fl_session_agg.fold(&st, &arena, &ev), FL_ECORRUPT);
    ev.type = "session.started";
    ev.data = tu_mp(&arena, "{\"family\":\"" FAMILY "\",\"user_id\":\"" USER "\"}", &len);
    ev.data_len = len;
    ck_assert_int_eq(fl_session_agg.fold(&st, &arena, &ev), FL_ECORRUPT);
    ev.type = "session.renamed";
    ck_assert_int_eq(fl_session_agg.fold(&st, &arena, &ev), 0);
    ck_assert(!st.exists);
}
END_TEST

static Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("decide");
    TCase *log = tcase_create("log");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, start_session);
    tcase_add_test(tc, start_bad_arguments);
    tcase_add_test(tc, start_client_text);
    tcase_add_test(tc, refresh_rotates);
    tcase_add_test(tc, refresh_reuse_revokes_family);
    tcase_add_test(tc, refresh_unknown_token);
    tcase_add_test(tc, refresh_no_session);
    tcase_add_test(tc, refresh_expired);
    tcase_add_test(tc, refresh_after_logout);
    tcase_add_test(tc, refresh_valid_after);
    tcase_add_test(tc, revoke_idempotent);
    tcase_add_test(tc, rotated_ring_bounded);
    tcase_add_test(tc, reasons_and_json);
    tcase_add_test(tc, fold_corrupt_and_unknown);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(log, setup_log, teardown_log);
    tcase_add_test(log, fold_real_log);
    suite_add_tcase(s, log);
    return s;
}

int main(void)
{
    return tu_run(session_suite());
}

/*
 * The cache of folded aggregates: a cached load equals a fold from the log,
 * picks up events appended since (folding only those), and evicts the least
 * recently used stream when full.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

/* A toy aggregate: how many events, the sum of their "n", and the last type. */
typedef struct counter {
    uint64_t events;
    long long sum;
    uint64_t last_sv;
    char last_type[32];
} counter_t;

static int fold_calls; /* fold invocations, to see what the cache spared */

static void counter_init(void *state)
{
    memset(state, 0, sizeof(counter_t));
}

static int counter_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    counter_t *c = state;

    (void)a;
    fold_calls++;
    c->events++;
    c->sum += tu_data_int(ev, "n");
    c->last_sv = ev->sv;
    snprintf(c->last_type, sizeof(c->last_type), "%s", ev->type);
    return 0;
}

static const fl_agg_type_t counter_type = {
    .name = "counter",
    .state_size = sizeof(counter_t),
    .init = counter_init,
    .fold = counter_fold,
};

static char *dir;
static fl_log_t *lg;
static fl_agg_cache_t *cache;

static void setup(void)
{
    dir = tu_mkdtemp();
    lg = tu_open(dir, NULL, true);
    cache = NULL;
    fold_calls = 0;
}

static void teardown(void)
{
    if (cache != NULL)
        fl_agg_cache_free(cache);
    fl_log_close(lg);
    tu_rmrf(dir);
    free(dir);
}

static void add(const char *stream, int n, const char *type)
{
    char json[32];
    fl_log_result_t r;

    snprintf(json, sizeof(json), "{\"n\":%d}", n);
    ck_assert_int_eq(tu_append1(lg, stream, type, json, &r), 0);
}

static const counter_t *load(const char *stream, uint64_t *version)
{
    const void *state = NULL;
    int rc = fl_agg_load(cache, &counter_type, stream, &state, version);

    ck_assert_msg(rc == 0, "fl_agg_load(%s): %s", stream, fl_strerror(rc));
    ck_assert_ptr_nonnull(state);
    return state;
}

static void assert_matches_uncached(const char *stream)
{
    fl_arena_t a;
    counter_t want;
    uint64_t want_v, got_v;
    const counter_t *got;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_agg_load_uncached(lg, &counter_type, stream, &a, &want, &want_v), 0);
    got = load(stream, &got_v);
    ck_assert_uint_eq(got_v, want_v);
    ck_assert_uint_eq(got->events, want.events);
    ck_assert_int_eq(got->sum, want.sum);
    ck_assert_uint_eq(got->last_sv, want.last_sv);
    ck_assert_str_eq(got->last_type, want.last_type);
    fl_arena_free(&a);
}

START_TEST(cached_state_matches_fold)
{
    uint64_t v = 9;
    const counter_t *st;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 8), 0);
    for (int i = 1; i <= 20; i++)
        add(i % 2 ? "issue:a" : "issue:b", i, i == 19 ? "issue.closed" : "issue.updated");
    st = load("issue:a", &v);
    ck_assert_uint_eq(v, 10);
    ck_assert_uint_eq(st->events, 10);
    ck_assert_int_eq(st->sum, 100); /* 1 + 3 + ... + 19 */
    ck_assert_str_eq(st->last_type, "issue.closed");
    assert_matches_uncached("issue:a");
    assert_matches_uncached("issue:b");
    st = load("issue:none", &v);
    ck_assert_uint_eq(v, 0);
    ck_assert_uint_eq(st->events, 0);
}
END_TEST

START_TEST(picks_up_appended_events)
{
    uint64_t v;
    const counter_t *st;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 8), 0);
    for (int i = 0; i < 10; i++)
        add("issue:a", 1, "issue.updated");
    load("issue:a", &v);
    fold_calls = 0;
    st = load("issue:a", &v);
    ck_assert_int_eq(fold_calls, 0); /* nothing new: nothing folded */
    ck_assert_uint_eq(st->events, 10);
    add("issue:a", 5, "issue.updated");
    add("issue:b", 7, "issue.updated");
    add("issue:a", 6, "issue.resolved");
    st = load("issue:a", &v);
    ck_assert_int_eq(fold_calls, 2); /* only the two new events of issue:a */
    ck_assert_uint_eq(v, 12);
    ck_assert_int_eq(st->sum, 21);
    ck_assert_str_eq(st->last_type, "issue.resolved");
    assert_matches_uncached("issue:a");
}
END_TEST

START_TEST(stream_created_after_a_miss)
{
    uint64_t v;
    const counter_t *st;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 8), 0);
    st = load("issue:late", &v);
    ck_assert_uint_eq(v, 0);
    add("issue:late", 4, "issue.created");
    st = load("issue:late", &v);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(st->sum, 4);
}
END_TEST

START_TEST(lru_eviction)
{
    uint64_t v;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 2), 0);
    for (int i = 0; i < 5; i++) {
        add("issue:a", 1, "t.x");
        add("issue:b", 1, "t.x");
        add("issue:c", 1, "t.x");
    }
    load("issue:a", &v);
    load("issue:b", &v);
    load("issue:a", &v); /* a is now the most recently used */
    load("issue:c", &v); /* evicts b */
    fold_calls = 0;
    load("issue:a", &v);
    load("issue:c", &v);
    ck_assert_int_eq(fold_calls, 0);
    load("issue:b", &v); /* folded again from the log; evicts a */
    ck_assert_int_eq(fold_calls, 5);
    assert_matches_uncached("issue:b");
    fold_calls = 0;
    load("issue:a", &v);
    ck_assert_int_eq(fold_calls, 5);
}
END_TEST

START_TEST(forget_refolds)
{
    uint64_t v;
    const counter_t *st;

    ck_assert_int_eq(fl_agg_cache_init(&cache, lg, 4), 0);
    for (int i = 0; i < 3; i++)
        add("issue:a", 2, "t.x");
    load("issue:a", &v);
    fl_agg_forget(cache, "issue:a");
    fl_agg_forget(cache, "issue:never-loaded");
    fold_calls = 0;
    st = load("issue:a", &v);
    ck_assert_int_eq(fold_calls, 3);
    ck_assert_int_eq(st->sum, 6);
}
END_TEST

static Suite *cache_suite(void)
{
    Suite *s = suite_create("aggcache");
    TCase *tc = tcase_create("aggcache");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cached_state_matches_fold);
    tcase_add_test(tc, picks_up_appended_events);
    tcase_add_test(tc, stream_created_after_a_miss);
    tcase_add_test(tc, lru_eviction);
    tcase_add_test(tc, forget_refolds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(cache_suite());
}

/*
 * Appending and reading: positions, stream versions and times as a caller
 * sees them; expected-version conflicts; several batches in one transaction;
 * head, stats and read snapshots; many threads appending at once; stream
 * heads across many transactions, another process and reopening; and the
 * on-disk layout check.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h> /* checksrc:allow: the layout test writes an old layout record */

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

#define T0 1795608000000000LL /* 2026-11-25T12:00:00Z */

static char *dir;
static fl_time_t now;
static fl_log_t *lg;
static fl_arena_t arena;

static void setup(void)
{
    dir = tu_mkdtemp();
    now = T0;
    lg = tu_open(dir, &now, true);
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    fl_arena_free(&arena);
    if (lg != NULL)
        fl_log_close(lg);
    tu_rmrf(dir);
    free(dir);
}

static void append_ok(const char *stream, const char *json, uint64_t want_pos)
{
    fl_log_result_t r;
    int rc = tu_append1(lg, stream, "test.happened", json, &r);

    ck_assert_msg(rc == 0, "append to %s: %s", stream, fl_strerror(rc));
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.first_pos, want_pos);
    ck_assert_uint_eq(r.count, 1);
    ck_assert(!r.duplicate);
}

static uint64_t head_pos(void)
{
    fl_log_head_t h;

    ck_assert_int_eq(fl_log_head(lg, &h), 0);
    return h.pos;
}

static uint64_t version_of(const char *stream)
{
    uint64_t v = 99;

    ck_assert_int_eq(fl_log_stream_version(lg, stream, &v), 0);
    return v;
}

START_TEST(append_and_read_by_range)
{
    fl_event_t *evs;
    fl_log_query_t all = {0}, mid = {.from = 2, .to = 3};

    append_ok("issue:a", "{\"i\":1}", 1);
    now += 10;
    append_ok("issue:b", "{\"i\":2}", 2);
    append_ok("issue:a", "{\"i\":3}", 3);
    append_ok("issue:c", "{\"i\":4}", 4);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(evs[i].pos, (uint64_t)i + 1);
        ck_assert_int_eq(tu_data_int(&evs[i], "i"), i + 1);
        ck_assert_str_eq(evs[i].type, "test.happened");
        ck_assert_uint_eq(evs[i].v, 1);
        ck_assert_str_eq(evs[i].actor, "");
    }
    ck_assert_int_eq(evs[0].ts, T0);
    ck_assert_int_eq(evs[1].ts, T0 + 10);
    ck_assert_uint_eq(evs[2].sv, 2);
    ck_assert_str_eq(evs[2].stream, "issue:a");
    ck_assert_uint_eq(tu_read(lg, &mid, &arena, &evs), 2);
    ck_assert_uint_eq(evs[0].pos, 2);
    ck_assert_uint_eq(evs[1].pos, 3);
}
END_TEST

START_TEST(read_one_stream_in_version_order)
{
    fl_event_t *evs;
    fl_log_query_t q = {.stream = "issue:a"};
    uint64_t pos = 1;

    for (int i = 1; i <= 5; i++) {
        char json[32];

        snprintf(json, sizeof(json), "{\"i\":%d}", i);
        append_ok("issue:a", json, pos++);
        append_ok("issue:b", json, pos++);
    }
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(evs[i].stream, "issue:a");
        ck_assert_uint_eq(evs[i].sv, (uint64_t)i + 1);
        ck_assert_uint_eq(evs[i].pos, (uint64_t)2 * i + 1);
        ck_assert_int_eq(tu_data_int(&evs[i], "i"), i + 1);
    }
    q.stream = "issue:none";
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 0);
    q.stream = "issue:a";
    q.to = 5; /* a stream read up to a position */
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 3);
    ck_assert_uint_eq(evs[2].pos, 5);
}
END_TEST

START_TEST(read_until_time)
{
    fl_event_t *evs;
    fl_log_query_t q = {.stream = "issue:a", .until = T0 + 2000};

    append_ok("issue:a", "{}", 1);
    now = T0 + 1000;
    append_ok("issue:a", "{}", 2);
    now = T0 + 2000;
    append_ok("issue:b", "{}", 3);
    append_ok("issue:a", "{}", 4);
    now = T0 + 3000;
    append_ok("issue:a", "{}", 5);
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 3);
    ck_assert_uint_eq(evs[2].pos, 4);
    q.until = T0 + 999;
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 1);
    q.stream = NULL;
    q.until = T0 + 2000;
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 4);
}
END_TEST

/* A clock that steps back (NTP) must not make the log's times go backwards. */
START_TEST(time_never_goes_backwards)
{
    fl_event_t *evs;
    fl_log_query_t q = {.until = T0 + 500};

    now = T0 + 1000;
    append_ok("issue:a", "{}", 1);
    now = T0;
    append_ok("issue:a", "{}", 2);
    ck_assert_uint_eq(tu_read(lg, &(fl_log_query_t){0}, &arena, &evs), 2);
    ck_assert_int_ge(evs[1].ts, evs[0].ts);
    ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), 0);
}
END_TEST

START_TEST(multi_stream_batch)
{
    fl_log_new_t ev[4] = {
        tu_ev(&arena, "issue:a", "issue.created", "{\"i\":0}"),
        tu_ev(&arena, "issue:b", "issue.created", "{\"i\":1}"),
        tu_ev(&arena, "issue:a", "issue.assigned", "{\"i\":2}"),
        tu_ev(&arena, "change:c", "change.created", "{\"i\":3}"),
    };
    fl_log_batch_t b = {.events = ev, .n_events = 4};
    fl_log_result_t r;
    fl_event_t *evs;
    fl_log_query_t all = {0};

    append_ok("issue:b", "{}", 1);
    ev[0].actor = "user:alice";
    ev[0].cid = "cmd-1";
    ev[0].corr = "corr-1";
    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    ck_assert_uint_eq(r.first_pos, 2);
    ck_assert_uint_eq(r.count, 4);
    ck_assert_int_eq(r.ts, T0);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 5);
    ck_assert_str_eq(evs[1].actor, "user:alice");
    ck_assert_str_eq(evs[1].cid, "cmd-1");
    ck_assert_str_eq(evs[1].corr, "corr-1");
    ck_assert_str_eq(evs[3].type, "issue.assigned");
    ck_assert_uint_eq(evs[3].sv, 2);
    ck_assert_uint_eq(evs[2].sv, 2); /* issue:b already had one event */
    ck_assert_uint_eq(evs[4].sv, 1);
    ck_assert_uint_eq(version_of("issue:a"), 2);
    ck_assert_uint_eq(version_of("issue:b"), 2);
    ck_assert_uint_eq(version_of("change:c"), 1);
    ck_assert_uint_eq(version_of("issue:none"), 0);
}
END_TEST

static fl_log_result_t append_expecting(const char *stream, int64_t expected, int *rc)
{
    fl_log_new_t ev[2] = {
        tu_ev(&arena, "issue:other", "test.happened", "{}"),
        tu_ev(&arena, stream, "test.happened", "{}"),
    };
    fl_log_expect_t ex = {.stream = stream, .version = expected};
    fl_log_batch_t b = {.events = ev, .n_events = 2, .expects = &ex, .n_expects = 1};
    fl_log_result_t r;

    memset(&r, 0, sizeof(r));
    *rc = fl_log_append(lg, &b, &r);
    return r;
}

START_TEST(expected_version_conflict_fails_whole_batch)
{
    int rc;
    fl_log_result_t r;

    append_ok("issue:a", "{}", 1);
    append_ok("issue:a", "{}", 2);
    r = append_expecting("issue:a", 1, &rc);
    ck_assert_int_eq(rc, FL_EVERSION);
    ck_assert_int_eq(r.rc, FL_EVERSION);
    ck_assert_str_eq(r.stream, "issue:a");
    ck_assert_int_eq(r.expected, 1);
    ck_assert_int_eq(r.actual, 2);
    ck_assert_uint_eq(head_pos(), 2);
    ck_assert_uint_eq(version_of("issue:other"), 0); /* no trace of the batch */
    r = append_expecting("issue:a", 2, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(r.first_pos, 3);
    ck_assert_uint_eq(version_of("issue:a"), 3);
    r = append_expecting("issue:a", FL_LOG_ANY, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(version_of("issue:a"), 4);
    tu_verify_ok(lg);
}
END_TEST

START_TEST(no_stream_expectation)
{
    int rc;
    fl_log_result_t r = append_expecting("issue:new", FL_LOG_NO_STREAM, &rc);

    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(r.first_pos, 1);
    r = append_expecting("issue:new", FL_LOG_NO_STREAM, &rc);
    ck_assert_int_eq(rc, FL_EVERSION);
    ck_assert_str_eq(r.stream, "issue:new");
    ck_assert_int_eq(r.expected, FL_LOG_NO_STREAM);
    ck_assert_int_eq(r.actual, 1);
    ck_assert_uint_eq(head_pos(), 2);
}
END_TEST

START_TEST(append_many_isolates_failed_batch)
{
    fl_log_new_t e0[2] = {tu_ev(&arena, "issue:a", "t.x", "{\"b\":0}"),
                          tu_ev(&arena, "issue:a", "t.x", "{\"b\":0}")};
    fl_log_new_t e1[1] = {tu_ev(&arena, "issue:b", "t.x", "{\"b\":1}")};
    fl_log_new_t e2[3] = {tu_ev(&arena, "issue:c", "t.x", "{\"b\":2}"),
                          tu_ev(&arena, "issue:a", "t.x", "{\"b\":2}"),
                          tu_ev(&arena, "issue:c", "t.x", "{\"b\":2}")};
    fl_log_expect_t ex = {.stream = "issue:b", .version = 5};
    fl_log_batch_t b[3] = {{.events = e0, .n_events = 2},
                           {.events = e1, .n_events = 1, .expects = &ex, .n_expects = 1},
                           {.events = e2, .n_events = 3}};
    fl_log_result_t r[3];
    fl_event_t *evs;
    fl_log_query_t all = {0};

    ck_assert_int_eq(fl_log_append_many(lg, b, 3, r), 0);
    ck_assert_int_eq(r[0].rc, 0);
    ck_assert_int_eq(r[1].rc, FL_EVERSION);
    ck_assert_int_eq(r[1].actual, 0);
    ck_assert_int_eq(r[2].rc, 0);
    ck_assert_uint_eq(r[0].first_pos, 1);
    ck_assert_uint_eq(r[2].first_pos, 3);
    ck_assert_uint_eq(r[2].count, 3);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_ne(tu_data_int(&evs[i], "b"), 1);
    ck_assert_uint_eq(evs[3].sv, 3); /* issue:a continued inside the same transaction */
    ck_assert_uint_eq(version_of("issue:b"), 0);
    tu_verify_ok(lg);
}
END_TEST

START_TEST(bad_events_are_refused)
{
    char long_stream[FL_LOG_STREAM_MAX + 2];
    char long_type[FL_LOG_TYPE_MAX + 2];
    fl_log_new_t ev = tu_ev(&arena, "issue:a", "t.x", "{}");
    fl_log_batch_t b = {.events = &ev, .n_events = 1};
    fl_log_result_t r;

    memset(long_stream, 's', sizeof(long_stream) - 1);
    long_stream[sizeof(long_stream) - 1] = '\0';
    memset(long_type, 't', sizeof(long_type) - 1);
    long_type[sizeof(long_type) - 1] = '\0';
    ev.stream = long_stream;
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ev.stream = "";
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ev.stream = "issue:a";
    ev.type = long_type;
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ev.type = "";
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ev.type = "t.x";
    ev.v = 0;
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ev.v = 1;
    ev.data = (const uint8_t *)"\xc1"; /* not msgpack: never stored */
    ev.data_len = 1;
    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EINVAL);
    ck_assert_uint_eq(head_pos(), 0);
    append_ok("issue:a", "{}", 1);
}
END_TEST

START_TEST(head_and_stats)
{
    fl_log_head_t h;
    fl_log_stats_t st;
    fl_event_t *evs;
    fl_log_query_t all = {0};
    uint8_t zeros[FL_LOG_HASH_LEN] = {0}, hash[FL_LOG_HASH_LEN];
    uint64_t bytes = 0;

    ck_assert_int_eq(fl_log_head(lg, &h), 0);
    ck_assert_uint_eq(h.pos, 0);
    ck_assert_mem_eq(h.hash, zeros, FL_LOG_HASH_LEN);
    append_ok("issue:a", "{\"x\":\"one\"}", 1);
    append_ok("issue:b", "{\"x\":\"two\"}", 2);
    now = T0 + 77;
    append_ok("issue:a", "{\"x\":\"three\"}", 3);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 3);
    ck_assert_int_eq(fl_log_head(lg, &h), 0);
    ck_assert_uint_eq(h.pos, 3);
    ck_assert_int_eq(h.ts, T0 + 77);
    fl_log_hash(evs[2].raw, evs[2].raw_len, hash);
    ck_assert_mem_eq(h.hash, hash, FL_LOG_HASH_LEN);
    ck_assert_mem_eq(evs[0].prev, zeros, FL_LOG_HASH_LEN);
    fl_log_hash(evs[0].raw, evs[0].raw_len, hash);
    ck_assert_mem_eq(evs[1].prev, hash, FL_LOG_HASH_LEN);
    for (int i = 0; i < 3; i++)
        bytes += evs[i].raw_len;
    ck_assert_int_eq(fl_log_stats(lg, &st), 0);
    ck_assert_uint_eq(st.events, 3);
    ck_assert_uint_eq(st.streams, 2);
    ck_assert_uint_eq(st.bytes, bytes);
    ck_assert_uint_eq(st.head_pos, 3);
    ck_assert_uint_gt(st.map_used, 0);
    ck_assert_uint_ge(st.map_size, st.map_used);
}
END_TEST

START_TEST(cursor_is_a_snapshot)
{
    fl_log_cursor_t *c;
    fl_log_query_t all = {0};
    fl_event_t ev;
    int n = 0;

    append_ok("issue:a", "{}", 1);
    append_ok("issue:a", "{}", 2);
    ck_assert_int_eq(fl_log_cursor_open(lg, &all, &c), 0);
    ck_assert_int_eq(fl_log_cursor_next(c, &arena, &ev), 1);
    ck_assert_uint_eq(fl_log_cursor_pos(c), 1);
    append_ok("issue:a", "{}", 3);
    while (fl_log_cursor_next(c, &arena, &ev) == 1)
        n++;
    ck_assert_int_eq(n, 1);
    fl_log_cursor_close(c);
}
END_TEST

START_TEST(reopen_keeps_everything)
{
    fl_event_t *evs;
    fl_log_query_t all = {0};

    append_ok("issue:a", "{\"i\":1}", 1);
    append_ok("issue:a", "{\"i\":2}", 2);
    fl_log_close(lg);
    lg = tu_open(dir, &now, true);
    ck_assert_uint_eq(head_pos(), 2);
    ck_assert_uint_eq(version_of("issue:a"), 2);
    append_ok("issue:a", "{\"i\":3}", 3);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 3);
    ck_assert_uint_eq(evs[2].sv, 3);
    tu_verify_ok(lg);
}
END_TEST

START_TEST(read_only_refuses_appends)
{
    fl_log_opts_t ro = {.read_only = true};
    fl_log_t *r;
    fl_log_result_t res;
    fl_event_t *evs;
    fl_log_query_t all = {0};

    append_ok("issue:a", "{}", 1);
    fl_log_close(lg); /* LMDB: one handle per environment per process */
    lg = NULL;
    r = tu_open_opts(dir, &ro);
    ck_assert_int_lt(tu_append1(r, "issue:a", "t.x", "{}", &res), 0);
    ck_assert_uint_eq(tu_read(r, &all, &arena, &evs), 1);
    fl_log_close(r);
    lg = tu_open(dir, &now, true);
    ck_assert_uint_eq(head_pos(), 1);
}
END_TEST

/* log.h: a decoded event's strings and data live in the reader's arena, not in the map. */
START_TEST(events_outlive_the_log)
{
    fl_event_t *evs;
    fl_log_query_t all = {0};
    uint8_t hash[FL_LOG_HASH_LEN];
    fl_log_head_t h;

    append_ok("issue:a", "{\"n\":7}", 1);
    ck_assert_int_eq(fl_log_head(lg, &h), 0);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 1);
    fl_log_close(lg);
    lg = NULL;
    ck_assert_str_eq(evs[0].stream, "issue:a");
    ck_assert_int_eq(tu_data_int(&evs[0], "n"), 7);
    fl_log_hash(evs[0].raw, evs[0].raw_len, hash);
    ck_assert_mem_eq(hash, h.hash, FL_LOG_HASH_LEN);
}
END_TEST

/* Whatever append accepts must read back: a record it cannot decode would break the log. */
START_TEST(long_optional_strings_read_back)
{
    char *actor = fl_arena_alloc(&arena, 5001);
    fl_log_new_t ev = tu_ev(&arena, "issue:a", "t.x", "{}");
    fl_log_batch_t b = {.events = &ev, .n_events = 1};
    fl_log_result_t r;
    fl_event_t *evs;
    fl_log_query_t all = {0};
    int rc;

    memset(actor, 'a', 5000);
    actor[5000] = '\0';
    ev.actor = ev.cid = ev.corr = actor;
    rc = fl_log_append(lg, &b, &r);
    ck_assert_msg(rc == 0 || rc == FL_EINVAL, "rc %d", rc);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), rc == 0 ? 1 : 0);
    if (rc == 0)
        ck_assert_str_eq(evs[0].actor, actor);
    append_ok("issue:b", "{}", rc == 0 ? 2 : 1);
    tu_verify_ok(lg);
}
END_TEST

/* The deepest data the codec produces can be appended and read back. */
START_TEST(deepest_codec_data_appends)
{
    fl_log_new_t ev = {.stream = "issue:a", .type = "t.x", .v = 1};
    fl_log_batch_t b = {.events = &ev, .n_events = 1};
    fl_log_result_t r;
    fl_event_t *evs;
    fl_log_query_t all = {0};
    json_t *j = json_integer(1), *back;
    uint8_t *mp;

    while (fl_codec_from_json(j, &arena, &mp, &ev.data_len) == 0) {
        json_t *arr = json_array();

        ev.data = mp;
        json_array_append_new(arr, j);
        j = arr;
    }
    json_decref(j);
    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), 1);
    back = tu_data_json(&evs[0]);
    json_decref(back);
}
END_TEST

#define N_THREADS  16
#define PER_THREAD 40

static void *writer(void *arg)
{
    char stream[32], json[48];
    long t = (long)arg;

    snprintf(stream, sizeof(stream), "thread:%ld", t);
    for (int i = 1; i <= PER_THREAD; i++) {
        fl_log_result_t r;

        snprintf(json, sizeof(json), "{\"t\":%ld,\"i\":%d}", t, i);
        if (tu_append1(lg, stream, "test.happened", json, &r) != 0 || r.count != 1)
            return (void *)1;
    }
    return NULL;
}

START_TEST(concurrent_appends_group_commit)
{
    pthread_t th[N_THREADS];
    fl_event_t *evs;
    fl_log_query_t all = {0};
    int next[N_THREADS] = {0};
    size_t n;

    fl_log_close(lg);
    lg = tu_open(dir, NULL, false); /* durable: the case group commit exists for */
    for (long t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, writer, (void *)t), 0);
    for (int t = 0; t < N_THREADS; t++) {
        void *ret;

        ck_assert_int_eq(pthread_join(th[t], &ret), 0);
        ck_assert_msg(ret == NULL, "thread %d: an append failed", t);
    }
    n = tu_read(lg, &all, &arena, &evs);
    ck_assert_uint_eq(n, N_THREADS * PER_THREAD);
    for (size_t i = 0; i < n; i++) {
        long long t = tu_data_int(&evs[i], "t");

        ck_assert(t >= 0 && t < N_THREADS);
        ck_assert_uint_eq(evs[i].pos, i + 1);
        ck_assert_int_eq(tu_data_int(&evs[i], "i"), ++next[t]); /* each thread's order kept */
        ck_assert_uint_eq(evs[i].sv, (uint64_t)next[t]);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(next[t], PER_THREAD);
    tu_verify_ok(lg);
}
END_TEST

/* Appends `rounds` batches of n events over streams "s:0".."s:<k-1>", in rotation. */
static void rotate(int rounds, int n, int k, int *next_v)
{
    fl_log_new_t ev[64];
    char names[64][16];
    fl_log_batch_t b = {.events = ev, .n_events = (size_t)n};
    fl_log_result_t r;
    static int turn;

    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < n; i++, turn++) {
            snprintf(names[i], sizeof(names[i]), "s:%d", turn % k);
            ev[i] = tu_ev(&arena, names[i], "t.x", "{}");
        }
        ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
        for (int i = 0; i < n; i++)
            next_v[(turn - n + i) % k]++;
    }
}

/* Every stream's version, a full read of it, and verify agree with what was appended. */
static void check_streams(const int *want, int k)
{
    for (int s = 0; s < k; s++) {
        char name[16];
        fl_event_t *evs;

        snprintf(name, sizeof(name), "s:%d", s);
        fl_log_query_t q = {.stream = name};
        ck_assert_uint_eq(version_of(name), (uint64_t)want[s]);
        ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), (size_t)want[s]);
        fl_arena_reset(&arena);
    }
    tu_verify_ok(lg);
}

/*
 * Stream heads live in per-transaction records that are merged into the
 * settled table every few dozen transactions: versions must hold across
 * merges, reopening, expectations and failed batches.
 */
START_TEST(stream_heads_across_many_transactions)
{
    int want[40] = {0};
    fl_log_stats_t st;
    fl_log_result_t r;

    for (int i = 0; i < 5; i++) {
        rotate(13, 7, 40, want);
        check_streams(want, 40);
        fl_log_close(lg);
        lg = tu_open(dir, &now, true);
        check_streams(want, 40);
    }
    rotate(100, 3, 40, want);
    fl_log_new_t ev = tu_ev(&arena, "s:3", "t.x", "{}");
    fl_log_expect_t ok = {.stream = "s:3", .version = want[3]};
    fl_log_expect_t bad = {.stream = "s:4", .version = want[4] - 1};
    fl_log_batch_t b[2] = {{.events = &ev, .n_events = 1, .expects = &bad, .n_expects = 1},
                           {.events = &ev, .n_events = 1, .expects = &ok, .n_expects = 1}};
    fl_log_result_t rs[2];
    ck_assert_int_eq(fl_log_append_many(lg, b, 2, rs), 0);
    ck_assert_int_eq(rs[0].rc, FL_EVERSION);
    ck_assert_int_eq(rs[1].rc, 0);
    want[3]++;
    ck_assert_int_eq(fl_log_append(lg, &b[1], &r), FL_EVERSION);
    check_streams(want, 40);
    ck_assert_int_eq(fl_log_stats(lg, &st), 0);
    ck_assert_uint_eq(st.streams, 40);
}
END_TEST

/* Many streams per transaction: merges forced by the number of heads, and a large table. */
START_TEST(stream_heads_of_many_streams)
{
    enum { N = 2000, ROUNDS = 7 };
    fl_log_new_t *ev = fl_arena_alloc(&arena, N * sizeof(*ev));
    fl_log_batch_t b = {.events = ev, .n_events = N};
    fl_log_result_t r;
    char name[32];

    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++) {
            /* rounds 0-4 make 10,000 streams; 5 and 6 write to the first 4,000 again */
            int s = (round < 5 ? round : round - 5) * N + i;
            snprintf(name, sizeof(name), "issue:%05d", s);
            ev[i] = tu_ev(&arena, fl_arena_strndup(&arena, name, strlen(name)), "t.x", "{}");
        }
        ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    }
    for (int s = 0; s < 5 * N; s += 7) {
        snprintf(name, sizeof(name), "issue:%05d", s);
        ck_assert_uint_eq(version_of(name), s < 2 * N ? 2 : 1);
    }
    tu_verify_ok(lg);
}
END_TEST

/* The writer's heads are only trusted while no one else appended: a second process does. */
START_TEST(another_process_appends_between_ours)
{
    fl_log_result_t r;
    pid_t pid;
    int status;

    append_ok("issue:a", "{}", 1);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        fl_log_t *other = NULL;
        int rc = fl_log_open(&other, dir, &(fl_log_opts_t){.no_sync = true});

        if (rc == 0)
            rc = tu_append1(other, "issue:a", "t.x", "{}", &r);
        if (rc == 0)
            rc = tu_append1(other, "issue:b", "t.x", "{}", &r);
        fl_log_close(other);
        _exit(rc == 0 ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    append_ok("issue:a", "{}", 4);
    append_ok("issue:b", "{}", 5);
    ck_assert_uint_eq(version_of("issue:a"), 3);
    ck_assert_uint_eq(version_of("issue:b"), 2);
    tu_verify_ok(lg);
}
END_TEST

/* An environment of another on-disk layout is refused, not misread. */
START_TEST(other_layout_is_refused)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta;
    uint8_t one[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    MDB_val k = {6, "layout"}, v = {8, one};
    fl_log_t *again = NULL;

    append_ok("issue:a", "{}", 1);
    fl_log_close(lg);
    lg = NULL;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 8);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    ck_assert_int_eq(mdb_put(txn, meta, &k, &v, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    ck_assert_int_eq(fl_log_open(&again, dir, NULL), FL_ECORRUPT);
    ck_assert_int_eq(fl_log_open(&again, dir, &(fl_log_opts_t){.read_only = true}), FL_ECORRUPT);
}
END_TEST

static Suite *append_suite(void)
{
    Suite *s = suite_create("append");
    TCase *tc = tcase_create("append");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, append_and_read_by_range);
    tcase_add_test(tc, read_one_stream_in_version_order);
    tcase_add_test(tc, read_until_time);
    tcase_add_test(tc, time_never_goes_backwards);
    tcase_add_test(tc, multi_stream_batch);
    tcase_add_test(tc, expected_version_conflict_fails_whole_batch);
    tcase_add_test(tc, no_stream_expectation);
    tcase_add_test(tc, append_many_isolates_failed_batch);
    tcase_add_test(tc, bad_events_are_refused);
    tcase_add_test(tc, head_and_stats);
    tcase_add_test(tc, cursor_is_a_snapshot);
    tcase_add_test(tc, reopen_keeps_everything);
    tcase_add_test(tc, read_only_refuses_appends);
    tcase_add_test(tc, events_outlive_the_log);
    tcase_add_test(tc, long_optional_strings_read_back);
    tcase_add_test(tc, deepest_codec_data_appends);
    tcase_add_test(tc, concurrent_appends_group_commit);
    tcase_add_test(tc, stream_heads_across_many_transactions);
    tcase_add_test(tc, stream_heads_of_many_streams);
    tcase_add_test(tc, another_process_appends_between_ours);
    tcase_add_test(tc, other_layout_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(append_suite());
}

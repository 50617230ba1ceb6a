/*
 * What the log remembers across appends and restarts: idempotency keys,
 * human-readable numbers (gapless per prefix, never consumed by a failed
 * batch) and named consumer checkpoints.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

static char *dir;
static fl_log_t *lg;
static fl_arena_t arena;

static void setup(void)
{
    dir = tu_mkdtemp();
    lg = tu_open(dir, NULL, true);
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

static void reopen(void)
{
    fl_log_close(lg);
    lg = tu_open(dir, NULL, true);
}

static uint64_t head_pos(void)
{
    fl_log_head_t h;

    ck_assert_int_eq(fl_log_head(lg, &h), 0);
    return h.pos;
}

/* Appends n events to stream under key (may be NULL); numbers from prefix (may be NULL). */
static int append_keyed(const char *key, const char *stream, int n, const char *prefix,
                        fl_log_result_t *r)
{
    fl_log_new_t ev[8];
    fl_log_batch_t b = {.events = ev, .n_events = (size_t)n, .idem_key = key};

    ck_assert_int_le(n, 8);
    for (int i = 0; i < n; i++) {
        ev[i] = tu_ev(&arena, stream, "test.happened", "{}");
        ev[i].number = prefix;
    }
    memset(r, 0, sizeof(*r));
    return fl_log_append(lg, &b, r);
}

START_TEST(same_key_appends_nothing)
{
    fl_log_result_t r1, r2;

    ck_assert_int_eq(append_keyed(NULL, "issue:x", 1, NULL, &r1), 0);
    ck_assert_int_eq(append_keyed("key-1", "issue:a", 3, NULL, &r1), 0);
    ck_assert(!r1.duplicate);
    ck_assert_uint_eq(r1.first_pos, 2);
    ck_assert_int_eq(append_keyed("key-1", "issue:b", 2, NULL, &r2), 0);
    ck_assert(r2.duplicate);
    ck_assert_uint_eq(r2.first_pos, 2);
    ck_assert_uint_eq(r2.count, 3);
    ck_assert_uint_eq(head_pos(), 4);
    ck_assert_int_eq(append_keyed("key-2", "issue:b", 2, NULL, &r2), 0);
    ck_assert(!r2.duplicate);
    ck_assert_uint_eq(r2.first_pos, 5);
}
END_TEST

START_TEST(same_key_after_reopen)
{
    fl_log_result_t r;

    ck_assert_int_eq(append_keyed("key-1", "issue:a", 2, NULL, &r), 0);
    ck_assert_int_eq(append_keyed(NULL, "issue:a", 1, NULL, &r), 0);
    reopen();
    ck_assert_int_eq(append_keyed("key-1", "issue:a", 2, NULL, &r), 0);
    ck_assert(r.duplicate);
    ck_assert_uint_eq(r.first_pos, 1);
    ck_assert_uint_eq(r.count, 2);
    ck_assert_uint_eq(head_pos(), 3);
}
END_TEST

START_TEST(same_key_twice_in_one_transaction)
{
    fl_log_new_t e0 = tu_ev(&arena, "issue:a", "t.x", "{}");
    fl_log_new_t e1 = tu_ev(&arena, "issue:b", "t.x", "{}");
    fl_log_batch_t b[2] = {{.events = &e0, .n_events = 1, .idem_key = "k"},
                           {.events = &e1, .n_events = 1, .idem_key = "k"}};
    fl_log_result_t r[2];

    ck_assert_int_eq(fl_log_append_many(lg, b, 2, r), 0);
    ck_assert_int_eq(r[0].rc, 0);
    ck_assert(!r[0].duplicate);
    ck_assert_int_eq(r[1].rc, 0);
    ck_assert(r[1].duplicate);
    ck_assert_uint_eq(r[1].first_pos, r[0].first_pos);
    ck_assert_uint_eq(head_pos(), 1);
}
END_TEST

/* A retry after a conflict must be able to succeed under the same key. */
START_TEST(failed_batch_does_not_keep_its_key)
{
    fl_log_new_t ev = tu_ev(&arena, "issue:a", "t.x", "{}");
    fl_log_expect_t ex = {.stream = "issue:a", .version = 7};
    fl_log_batch_t b = {
        .events = &ev, .n_events = 1, .expects = &ex, .n_expects = 1, .idem_key = "retry-me"};
    fl_log_result_t r;

    ck_assert_int_eq(fl_log_append(lg, &b, &r), FL_EVERSION);
    ex.version = FL_LOG_NO_STREAM;
    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    ck_assert(!r.duplicate);
    ck_assert_uint_eq(r.first_pos, 1);
}
END_TEST

START_TEST(key_too_long_is_refused)
{
    char key[FL_LOG_KEY_MAX + 2];
    fl_log_result_t r;

    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    ck_assert_int_eq(append_keyed(key, "issue:a", 1, NULL, &r), FL_EINVAL);
    ck_assert_uint_eq(head_pos(), 0);
}
END_TEST

static fl_event_t *read_all(size_t *n)
{
    fl_event_t *evs;
    fl_log_query_t all = {0};

    *n = tu_read(lg, &all, &arena, &evs);
    return evs;
}

START_TEST(numbers_per_prefix)
{
    fl_log_new_t ev[4] = {tu_ev(&arena, "issue:a", "issue.created", "{}"),
                          tu_ev(&arena, "issue:b", "issue.created", "{}"),
                          tu_ev(&arena, "req:c", "request.created", "{}"),
                          tu_ev(&arena, "issue:a", "issue.assigned", "{}")};
    fl_log_batch_t b = {.events = ev, .n_events = 4};
    fl_log_result_t r;
    fl_event_t *evs;
    size_t n;
    uint64_t last = 99;

    ev[0].number = ev[1].number = "ISS";
    ev[2].number = "REQ";
    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    evs = read_all(&n);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(evs[0].num, "ISS-00001");
    ck_assert_str_eq(evs[1].num, "ISS-00002");
    ck_assert_str_eq(evs[2].num, "REQ-00001");
    ck_assert_str_eq(evs[3].num, "");
    ck_assert_int_eq(fl_log_number_last(lg, "ISS", &last), 0);
    ck_assert_uint_eq(last, 2);
    ck_assert_int_eq(fl_log_number_last(lg, "CHG", &last), 0);
    ck_assert_uint_eq(last, 0);
}
END_TEST

static const char *last_num(void)
{
    size_t n;
    fl_event_t *evs = read_all(&n);

    ck_assert_uint_gt(n, 0);
    return evs[n - 1].num;
}

START_TEST(numbers_continue_after_reopen)
{
    fl_log_result_t r;

    ck_assert_int_eq(append_keyed(NULL, "issue:a", 2, "ISS", &r), 0);
    reopen();
    ck_assert_int_eq(append_keyed(NULL, "issue:b", 1, "ISS", &r), 0);
    ck_assert_str_eq(last_num(), "ISS-00003");
    reopen();
    ck_assert_int_eq(append_keyed(NULL, "issue:c", 1, "ISS", &r), 0);
    ck_assert_str_eq(last_num(), "ISS-00004");
}
END_TEST

START_TEST(failed_batch_takes_no_number)
{
    fl_log_new_t ev = tu_ev(&arena, "issue:a", "t.x", "{}");
    fl_log_expect_t ex = {.stream = "issue:a", .version = 3};
    fl_log_batch_t bad = {.events = &ev, .n_events = 1, .expects = &ex, .n_expects = 1};
    fl_log_result_t r;

    ev.number = "ISS";
    ck_assert_int_eq(append_keyed(NULL, "issue:z", 1, "ISS", &r), 0);
    ck_assert_int_eq(fl_log_append(lg, &bad, &r), FL_EVERSION);
    ck_assert_int_eq(append_keyed("dup", "issue:y", 1, "ISS", &r), 0);
    ck_assert_int_eq(append_keyed("dup", "issue:y", 1, "ISS", &r), 0); /* duplicate */
    ck_assert_int_eq(append_keyed(NULL, "issue:x", 1, "ISS", &r), 0);
    ck_assert_str_eq(last_num(), "ISS-00003");
}
END_TEST

START_TEST(failed_batch_in_append_many_takes_no_number)
{
    fl_log_new_t ev[3] = {tu_ev(&arena, "issue:a", "t.x", "{}"),
                          tu_ev(&arena, "issue:b", "t.x", "{}"),
                          tu_ev(&arena, "issue:c", "t.x", "{}")};
    fl_log_expect_t ex = {.stream = "issue:b", .version = 9};
    fl_log_batch_t b[3] = {{.events = &ev[0], .n_events = 1},
                           {.events = &ev[1], .n_events = 1, .expects = &ex, .n_expects = 1},
                           {.events = &ev[2], .n_events = 1}};
    fl_log_result_t r[3];
    fl_event_t *evs;
    size_t n;

    for (int i = 0; i < 3; i++)
        ev[i].number = "CHG";
    ck_assert_int_eq(fl_log_append_many(lg, b, 3, r), 0);
    ck_assert_int_eq(r[1].rc, FL_EVERSION);
    evs = read_all(&n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(evs[0].num, "CHG-00001");
    ck_assert_str_eq(evs[1].num, "CHG-00002");
}
END_TEST

START_TEST(number_format)
{
    char buf[FL_LOG_NUM_MAX];

    fl_log_number_format("ISS", 1, buf, sizeof(buf));
    ck_assert_str_eq(buf, "ISS-00001");
    fl_log_number_format("REQ", 99999, buf, sizeof(buf));
    ck_assert_str_eq(buf, "REQ-99999");
    fl_log_number_format("TSK", 123456, buf, sizeof(buf));
    ck_assert_str_eq(buf, "TSK-123456");
}
END_TEST

static uint64_t checkpoint(const char *name)
{
    uint64_t pos = 77;
    int rc = fl_log_checkpoint_get(lg, name, &pos);

    if (rc == FL_ENOTFOUND)
        return 0;
    ck_assert_int_eq(rc, 0);
    return pos;
}

START_TEST(checkpoints)
{
    ck_assert_uint_eq(checkpoint("projector"), 0);
    ck_assert_int_eq(fl_log_checkpoint_set(lg, "projector", 5), 0);
    ck_assert_int_eq(fl_log_checkpoint_set(lg, "webhooks", 3), 0);
    ck_assert_uint_eq(checkpoint("projector"), 5);
    ck_assert_uint_eq(checkpoint("webhooks"), 3);
    ck_assert_int_eq(fl_log_checkpoint_set(lg, "projector", 9), 0);
    reopen();
    ck_assert_uint_eq(checkpoint("projector"), 9);
    ck_assert_uint_eq(checkpoint("webhooks"), 3);
    ck_assert_uint_eq(checkpoint("email"), 0);
    ck_assert_uint_eq(head_pos(), 0); /* checkpoints are not events */
}
END_TEST

static Suite *idem_suite(void)
{
    Suite *s = suite_create("idem");
    TCase *idem = tcase_create("idempotency");
    TCase *num = tcase_create("numbers");
    TCase *cp = tcase_create("checkpoints");

    tcase_add_checked_fixture(idem, setup, teardown);
    tcase_add_checked_fixture(num, setup, teardown);
    tcase_add_checked_fixture(cp, setup, teardown);
    tcase_add_test(idem, same_key_appends_nothing);
    tcase_add_test(idem, same_key_after_reopen);
    tcase_add_test(idem, same_key_twice_in_one_transaction);
    tcase_add_test(idem, failed_batch_does_not_keep_its_key);
    tcase_add_test(idem, key_too_long_is_refused);
    tcase_add_test(num, numbers_per_prefix);
    tcase_add_test(num, numbers_continue_after_reopen);
    tcase_add_test(num, failed_batch_takes_no_number);
    tcase_add_test(num, failed_batch_in_append_many_takes_no_number);
    tcase_add_test(num, number_format);
    tcase_add_test(cp, checkpoints);
    suite_add_tcase(s, idem);
    suite_add_tcase(s, num);
    suite_add_tcase(s, cp);
    return s;
}

int main(void)
{
    return tu_run(idem_suite());
}

/*
 * The timer queue against a naive reference (an array indexed by id, the
 * minimum found by a scan): random sets, moves, removals and pops.
 */
#include "firelater/err.h"
#include "slaclock_test.h"

#define IDS 300

static uint64_t s = 88172645463325252u;

static uint64_t rnd(uint64_t n)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s % n;
}

typedef struct naive {
    bool has[IDS];
    fl_time_t at[IDS];
} naive_t;

static bool naive_min(const naive_t *nv, fl_time_t *at, uint32_t *id)
{
    bool found = false;

    for (uint32_t i = 0; i < IDS; i++)
        if (nv->has[i] && (!found || nv->at[i] < *at)) {
            *at = nv->at[i];
            *id = i;
            found = true;
        }
    return found;
}

START_TEST(random_operations_match_a_naive_queue)
{
    fl_timerq_t q;
    naive_t nv = {0};
    uint32_t len = 0;

    fl_timerq_init(&q, 0);
    for (int step = 0; step < 200000; step++) {
        uint32_t id = (uint32_t)rnd(IDS), gid, wid;
        fl_time_t at = (fl_time_t)rnd(1000), got, want;
        uint64_t op = rnd(10);

        if (op < 5) {
            ck_assert_int_eq(fl_timerq_set(&q, id, at), 0);
            len += !nv.has[id];
            nv.has[id] = true;
            nv.at[id] = at;
        } else if (op < 7) {
            ck_assert_int_eq(fl_timerq_remove(&q, id), nv.has[id]);
            len -= nv.has[id];
            nv.has[id] = false;
        } else if (op < 9) {
            bool ok = naive_min(&nv, &want, &wid);

            ck_assert_int_eq(fl_timerq_pop(&q, &got, &gid), ok);
            if (ok) {
                ck_assert_int_eq(got, want);
                ck_assert_int_eq(gid, wid); /* ties go to the smaller id */
                nv.has[gid] = false;
                len--;
            }
        } else {
            ck_assert_int_eq(fl_timerq_get(&q, id, &got), nv.has[id]);
            if (nv.has[id])
                ck_assert_int_eq(got, nv.at[id]);
        }
        ck_assert_uint_eq(fl_timerq_len(&q), len);
        if (naive_min(&nv, &want, &wid)) {
            ck_assert(fl_timerq_peek(&q, &got, &gid));
            ck_assert_int_eq(got, want);
            ck_assert_uint_eq(gid, wid);
        } else {
            ck_assert(!fl_timerq_peek(&q, &got, &gid));
        }
    }
    fl_timerq_free(&q);
}
END_TEST

START_TEST(pops_come_out_in_order_and_ids_are_checked)
{
    fl_timerq_t q;
    fl_time_t at, prev = -1;
    uint32_t id, n = 0;

    fl_timerq_init(&q, 1000);
    for (uint32_t i = 0; i < 100000; i++)
        ck_assert_int_eq(fl_timerq_set(&q, i * 7, (fl_time_t)rnd(1u << 30)), 0);
    ck_assert_uint_le(fl_timerq_bytes(&q), (size_t)2 * 100000 * 12 + (size_t)2 * 700000 * 4);
    while (fl_timerq_pop(&q, &at, &id)) {
        ck_assert_int_ge(at, prev);
        prev = at;
        n++;
    }
    ck_assert_uint_eq(n, 100000);
    ck_assert_int_eq(fl_timerq_set(&q, UINT32_MAX, 1), FL_EINVAL);
    ck_assert(!fl_timerq_remove(&q, UINT32_MAX));
    fl_timerq_free(&q);
}
END_TEST

TCase *sc_timerq_tcase(void)
{
    TCase *tc = tcase_create("timerq");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_operations_match_a_naive_queue);
    tcase_add_test(tc, pops_come_out_in_order_and_ids_are_checked);
    return tc;
}

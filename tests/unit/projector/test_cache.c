/*
 * The projector's answer cache (src/projector/cache.c) against a real
 * PostgreSQL: an answer is kept only with the ticket of the current epoch,
 * every batch that ends drops what was kept, unknown tenants never cache, and
 * the cache stays within its bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgfix.h"
#include "projfix.h"

#include "firelater/err.h"

/* The answer kept for key, as a string in a static buffer, or NULL. */
static const char *get(pf_t *f, const char *key)
{
    static char buf[64];
    size_t len = 0;
    const char *v = fl_projector_cache_get(f->p, "acme", key, strlen(key), &len);

    if (v == NULL)
        return NULL;
    ck_assert_uint_lt(len, sizeof(buf));
    memcpy(buf, v, len);
    buf[len] = '\0';
    return buf;
}

static void put(pf_t *f, uint64_t ticket, const char *key, const char *val)
{
    fl_projector_cache_put(f->p, "acme", ticket, key, strlen(key), val, strlen(val));
}

START_TEST(kept_until_the_next_batch)
{
    pf_t f;
    uint64_t t1, t2;

    pf_open(&f, "proj_cache_epoch");
    pf_append(&f, "thing.table", 0, 0);
    pf_append(&f, "thing.created", 1, 1);
    pf_start(&f);
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    t1 = fl_projector_cache_ticket(f.p, "acme");
    ck_assert_uint_ne(t1, 0);
    ck_assert_ptr_null(get(&f, "list"));
    put(&f, t1, "list", "[1]");
    ck_assert_str_eq(get(&f, "list"), "[1]");
    ck_assert_ptr_null(get(&f, "lis"));
    /* A query that started before a batch ended is not kept after it. */
    t2 = fl_projector_cache_ticket(f.p, "acme");
    pf_append(&f, "thing.renamed", 1, 7);
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    ck_assert_ptr_null(get(&f, "list"));
    put(&f, t2, "list", "[stale]");
    ck_assert_ptr_null(get(&f, "list"));
    t2 = fl_projector_cache_ticket(f.p, "acme");
    ck_assert_uint_gt(t2, t1);
    put(&f, t2, "list", "[7]");
    ck_assert_str_eq(get(&f, "list"), "[7]");
    /* Unknown tenants and ticket 0 never cache. */
    ck_assert_uint_eq(fl_projector_cache_ticket(f.p, "nobody"), 0);
    fl_projector_cache_put(f.p, "nobody", t2, "k", 1, "v", 1);
    ck_assert_ptr_null(fl_projector_cache_get(f.p, "nobody", "k", 1, &(size_t){0}));
    put(&f, 0, "zero", "v");
    ck_assert_ptr_null(get(&f, "zero"));
    pf_close(&f);
}
END_TEST

START_TEST(bounded)
{
    pf_t f;
    uint64_t t;
    char key[32];
    char *big = malloc((2u << 20) + 2);

    pf_open(&f, "proj_cache_bounds");
    pf_append(&f, "thing.table", 0, 0);
    pf_start(&f);
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    t = fl_projector_cache_ticket(f.p, "acme");
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        put(&f, t, key, key);
    }
    ck_assert_ptr_null(get(&f, "k0"));
    ck_assert_ptr_null(get(&f, "k35"));
    ck_assert_str_eq(get(&f, "k36"), "k36");
    ck_assert_str_eq(get(&f, "k99"), "k99");
    /* An answer above a quarter of the bytes is not kept. */
    memset(big, 'x', (2u << 20) + 1);
    big[(2u << 20) + 1] = '\0';
    put(&f, t, "big", big);
    ck_assert_ptr_null(get(&f, "big"));
    free(big);
    pf_close(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("projector_cache");
    TCase *tc = tcase_create("cache");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, kept_until_the_next_batch);
    tcase_add_test(tc, bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pgfix_main(suite());
}

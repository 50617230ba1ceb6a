/*
 * The compiled-form cache (fl_catalog_form): the same pointer for the same
 * (item, version), a new version compiled anew while the old one stays,
 * least-recently-used eviction at capacity, unknown items and versions,
 * and one cache per tenant sharing nothing. Whether an entry is kept is
 * observed by asking through an aggregate cache over an empty log: a kept
 * form is answered without loading, an evicted one is FL_ENOTFOUND there.
 */
#include <string.h>

#include "cat_test.h"
#include "firelater/err.h"

static fl_arena_t arena;
static fl_time_t now = 1000;
static char *dir, *empty_dir;
static fl_log_t *log_, *empty_log;
static fl_agg_cache_t *cache, *empty;
static const fl_cat_item_refs_t no_refs = {0};

static void setup(void)
{
    fl_arena_init(&arena, 0);
    log_ = tu_open_temp(&dir, &now);
    empty_log = tu_open_temp(&empty_dir, &now);
    ck_assert_int_eq(fl_agg_cache_init(&cache, log_, 64), 0);
    ck_assert_int_eq(fl_agg_cache_init(&empty, empty_log, 64), 0);
}

static void teardown(void)
{
    fl_agg_cache_free(cache);
    fl_agg_cache_free(empty);
    tu_close_temp(log_, dir);
    tu_close_temp(empty_log, empty_dir);
    fl_arena_free(&arena);
}

/* An item created and published in the log; version 2 too when two. Its id, in the arena. */
static const char *logged_item(const char *name, bool two)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_cat_item_t s;
    fl_decision_t d;
    char body[512];

    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"form_schema\":%s}", name, FORM1);
    json_t *v = ct_item_values(&arena, body, true);
    fl_cat_item_agg.init(&s);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_cat_decide_item_create(&ctx, v, &no_refs, &d), 0);
    json_decref(v);
    ck_assert_int_eq(tu_append_decision(log_, &d), 0);
    ct_fold_item(&s, &arena, &d);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_cat_decide_item_publish(&ctx, &s, FL_LOG_ANY, &no_refs, &d), 0);
    ck_assert_int_eq(tu_append_decision(log_, &d), 0);
    ct_fold_item(&s, &arena, &d);
    fl_decision_release(&d);
    if (two) {
        fl_decision_init(&d);
        v = ct_item_values(&arena, "{\"form_schema\":" FORM2 "}", false);
        ck_assert_int_eq(fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d), 0);
        json_decref(v);
        ck_assert_int_eq(tu_append_decision(log_, &d), 0);
        fl_decision_release(&d);
    }
    return fl_arena_strndup(&arena, s.e.id, strlen(s.e.id));
}

static const fl_form_t *form(fl_catalog_forms_t *f, const char *id, int version)
{
    const fl_form_t *out = NULL;

    ck_assert_int_eq(fl_catalog_form(f, cache, id, version, &out), 0);
    ck_assert_ptr_nonnull(out);
    return out;
}

static bool kept(fl_catalog_forms_t *f, const char *id, int version)
{
    const fl_form_t *out;
    int rc = fl_catalog_form(f, empty, id, version, &out);

    ck_assert(rc == 0 || rc == FL_ENOTFOUND);
    return rc == 0;
}

START_TEST(same_pointer_and_new_versions)
{
    fl_catalog_forms_t *f;
    const char *a = logged_item("A", true);
    const fl_form_t *out;

    ck_assert_int_eq(fl_catalog_forms_init(&f, 8), 0);
    ck_assert(!kept(f, a, 1));
    const fl_form_t *v1 = form(f, a, 1);
    ck_assert_ptr_eq(form(f, a, 1), v1);
    ck_assert(kept(f, a, 1));
    ck_assert(!kept(f, a, 2)); /* a new version is compiled anew */
    const fl_form_t *v2 = form(f, a, 2);
    ck_assert_ptr_ne(v2, v1);
    ck_assert_ptr_eq(form(f, a, 1), v1);
    ck_assert_ptr_eq(form(f, a, 2), v2);
    /* Unknown: a version never published, version 0, an unknown or malformed item. */
    ck_assert_int_eq(fl_catalog_form(f, cache, a, 3, &out), FL_ENOTFOUND);
    ck_assert_int_eq(fl_catalog_form(f, cache, a, 0, &out), FL_ENOTFOUND);
    ck_assert_int_eq(fl_catalog_form(f, cache, "00000000-0000-4000-8000-000000000009", 1, &out),
                     FL_ENOTFOUND);
    ck_assert_int_eq(fl_catalog_form(f, cache, "../x", 1, &out), FL_ENOTFOUND);
    ck_assert_ptr_eq(form(f, a, 1), v1); /* the misses evicted nothing */
    fl_catalog_forms_free(f);
}
END_TEST

START_TEST(lru_eviction_at_capacity)
{
    fl_catalog_forms_t *f;
    const char *a = logged_item("A", true), *b = logged_item("B", false);

    ck_assert_int_eq(fl_catalog_forms_init(&f, 2), 0);
    const fl_form_t *a1 = form(f, a, 1);
    form(f, a, 2);
    ck_assert_ptr_eq(form(f, a, 1), a1); /* a1 is now the most recent */
    form(f, b, 1);                       /* full: evicts a2, the least recently used */
    ck_assert(kept(f, a, 1));
    ck_assert(kept(f, b, 1));
    ck_assert(!kept(f, a, 2));
    ck_assert_ptr_eq(form(f, a, 1), a1);
    form(f, a, 2); /* back, evicting b1 (a1 was used since) */
    ck_assert(!kept(f, b, 1));
    ck_assert(kept(f, a, 1) && kept(f, a, 2));
    fl_catalog_forms_free(f);
}
END_TEST

/* Two tenants' caches: what one compiled, the other does not have. */
START_TEST(one_cache_per_tenant)
{
    fl_catalog_forms_t *f1, *f2;
    const char *a = logged_item("A", false);

    ck_assert_int_eq(fl_catalog_forms_init(&f1, 4), 0);
    ck_assert_int_eq(fl_catalog_forms_init(&f2, 4), 0);
    form(f1, a, 1);
    ck_assert(kept(f1, a, 1));
    ck_assert(!kept(f2, a, 1));
    fl_catalog_forms_free(f1);
    fl_catalog_forms_free(f2);
}
END_TEST

TCase *ct_forms_cache_tcase(void)
{
    TCase *tc = tcase_create("forms_cache");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, same_pointer_and_new_versions);
    tcase_add_test(tc, lru_eviction_at_capacity);
    tcase_add_test(tc, one_cache_per_tenant);
    return tc;
}

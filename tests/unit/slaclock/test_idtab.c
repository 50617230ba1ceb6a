/*
 * The UUID table (src/core/idtab.c): keys give their text back exactly (case
 * included), bad text is refused, and many keys get dense, stable slots
 * through the index's growth.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/idtab.h"
#include "slaclock_test.h"

START_TEST(keys_give_their_text_back)
{
    static const char *const ok[] = {"0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11",
                                     "0B9EF6E4-3C39-4C55-9B0F-3D6A6B0F4D11",
                                     "0b9Ef6e4-3c39-4C55-9b0f-3d6a6b0f4D11"};
    static const char *const bad[] = {
        "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d1", "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d1g",
        "0b9ef6e4+3c39-4c55-9b0f-3d6a6b0f4d11", "0b9ef6e43c39-4c55-9b0f-3d6a6b0f4d11a"};
    fl_uuid_key_t k[3];
    char out[FL_IDTAB_TEXT_LEN + 1];

    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(fl_uuid_key_parse(ok[i], strlen(ok[i]), &k[i]), 0);
        fl_uuid_key_format(&k[i], out);
        ck_assert_str_eq(out, ok[i]);
        ck_assert(memcmp(k[i].b, k[0].b, 16) == 0); /* the same UUID ... */
    }
    ck_assert(k[0].upper != k[1].upper && k[1].upper != k[2].upper); /* ... different text */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(fl_uuid_key_parse(bad[i], strlen(bad[i]), &k[0]), FL_EINVAL);
}
END_TEST

static void key_n(uint32_t n, bool upper, fl_uuid_key_t *k)
{
    char s[FL_IDTAB_TEXT_LEN + 1];
    int rc;

    /* "a" in every key, so that the upper-case one differs. */
    snprintf(s, sizeof(s), upper ? "%08X-0000-4000-A000-%012X" : "%08x-0000-4000-a000-%012x", n,
             n * 2654435761u);
    if ((rc = fl_uuid_key_parse(s, strlen(s), k)) != 0)
        ck_abort_msg("parse %s: %d", s, rc);
}

/* Check marks every assertion (a write to its pipe): the loops count mistakes instead. */
START_TEST(many_keys_get_dense_stable_slots)
{
    enum { N = 300000 };
    fl_idtab_t t;
    fl_uuid_key_t k;
    bool added;
    uint32_t wrong = 0;

    fl_idtab_init(&t, 0);
    for (uint32_t i = 0; i < N; i++) {
        key_n(i / 2, i % 2 == 1, &k); /* the same number in both cases: two keys */
        wrong += fl_idtab_put(&t, &k, &added) != i || !added;
    }
    ck_assert_uint_eq(wrong, 0);
    ck_assert_uint_eq(t.n, N);
    for (uint32_t i = 0; i < N; i++) {
        key_n(i / 2, i % 2 == 1, &k);
        wrong += fl_idtab_get(&t, &k) != i;
        wrong += fl_idtab_put(&t, &k, &added) != i || added;
        wrong += memcmp(fl_idtab_key(&t, i), &k, sizeof(k)) != 0;
    }
    ck_assert_uint_eq(wrong, 0);
    ck_assert_uint_eq(t.n, N);
    key_n(N, false, &k);
    ck_assert_uint_eq(fl_idtab_get(&t, &k), FL_IDTAB_NONE);
    /* Keys double (20 bytes, up to twice that), the index stays at most half full (8-16). */
    ck_assert_uint_le(fl_idtab_bytes(&t), (size_t)N * (2 * 20 + 16));
    fl_idtab_free(&t);
}
END_TEST

TCase *sc_idtab_tcase(void)
{
    TCase *tc = tcase_create("idtab");

    tcase_add_test(tc, keys_give_their_text_back);
    tcase_add_test(tc, many_keys_get_dense_stable_slots);
    return tc;
}

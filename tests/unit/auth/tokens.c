/*
 * Refresh tokens (format, parsing, hashing) and sign-in throttling (sliding
 * window, Retry-After, bounded memory).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "auth_tests.h"

#define SEC 1000000LL

static bool is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

START_TEST(refresh_format)
{
    char tok[FL_REFRESH_TOKEN_MAX], fam[33], hash[FL_TOKEN_HASH_HEX];
    char fam2[33], hash2[FL_TOKEN_HASH_HEX], direct[FL_TOKEN_HASH_HEX];

    ck_assert_int_eq(fl_refresh_token_new(NULL, tok, fam, hash), 0);
    ck_assert_int_eq(strlen(tok), FL_REFRESH_TOKEN_LEN);
    ck_assert_int_eq(strlen(fam), 32);
    ck_assert_int_eq(strncmp(tok, fam, 32), 0);
    ck_assert_int_eq(tok[32], '.');
    for (int i = 0; i < 32; i++)
        ck_assert(strchr("0123456789abcdef", fam[i]) != NULL);
    for (int i = 33; i < FL_REFRESH_TOKEN_LEN; i++)
        ck_assert(is_b64url(tok[i]));
    ck_assert_int_eq(strlen(hash), 64);
    fl_secret_hash(tok, direct);
    ck_assert_str_eq(hash, direct);

    ck_assert_int_eq(fl_refresh_token_parse(tok, fam2, hash2), 0);
    ck_assert_str_eq(fam2, fam);
    ck_assert_str_eq(hash2, hash);
}
END_TEST

START_TEST(refresh_same_family)
{
    char a[FL_REFRESH_TOKEN_MAX], b[FL_REFRESH_TOKEN_MAX], fa[33], fb[33];
    char ha[FL_TOKEN_HASH_HEX], hb[FL_TOKEN_HASH_HEX];

    ck_assert_int_eq(fl_refresh_token_new(NULL, a, fa, ha), 0);
    ck_assert_int_eq(fl_refresh_token_new(fa, b, fb, hb), 0);
    ck_assert_str_eq(fa, fb);
    ck_assert_str_ne(a, b);
    ck_assert_str_ne(ha, hb);
    ck_assert_int_eq(fl_refresh_token_new("00112233445566778899AABBCCDDEEFF", b, fb, hb),
                     FL_EINVAL);
    ck_assert_int_eq(fl_refresh_token_new("0011", b, fb, hb), FL_EINVAL);
    ck_assert_int_eq(fl_refresh_token_new("", b, fb, hb), FL_EINVAL);
}
END_TEST

START_TEST(refresh_malformed)
{
    char good[FL_REFRESH_TOKEN_MAX], bad[FL_REFRESH_TOKEN_MAX * 2], fam[33];
    char hash[FL_TOKEN_HASH_HEX];

    ck_assert_int_eq(fl_refresh_token_new(NULL, good, fam, hash), 0);
    ck_assert_int_eq(fl_refresh_token_parse("", fam, hash), FL_EINVAL);
    ck_assert_int_eq(fl_refresh_token_parse("abc.def", fam, hash), FL_EINVAL);
    snprintf(bad, sizeof(bad), "%.75s", good); /* one short */
    ck_assert_int_eq(fl_refresh_token_parse(bad, fam, hash), FL_EINVAL);
    snprintf(bad, sizeof(bad), "%sA", good); /* one long */
    ck_assert_int_eq(fl_refresh_token_parse(bad, fam, hash), FL_EINVAL);

    struct {
        int at;
        char c;
    } const edits[] = {
        {0, 'A'},                        /* upper-case family */
        {5, 'g'},                        /* not hex */
        {32, '-'},                       /* no dot */
        {40, '+'},                       /* standard base64, not URL-safe */
        {41, '/'}, {50, '.'}, {75, '='}, /* padding */
        {75, 'B'}, /* non-zero trailing bits: a second spelling of the secret */
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        memcpy(bad, good, sizeof(good));
        bad[edits[i].at] = edits[i].c;
        ck_assert_msg(fl_refresh_token_parse(bad, fam, hash) == FL_EINVAL, "edit %zu", i);
    }
}
END_TEST

START_TEST(secret_hash_known)
{
    char h[FL_TOKEN_HASH_HEX];

    /* BLAKE2b-256 of the empty string (RFC 7693's construction, 32-byte output). */
    fl_secret_hash("", h);
    ck_assert_str_eq(h, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}
END_TEST

TCase *auth_tcase_tokens(void)
{
    TCase *tc = tcase_create("refresh tokens");

    tcase_add_test(tc, refresh_format);
    tcase_add_test(tc, refresh_same_family);
    tcase_add_test(tc, refresh_malformed);
    tcase_add_test(tc, secret_hash_known);
    return tc;
}

/* ---------------------------------------------------------------- throttle */

static fl_throttle_t *throttle(unsigned max, unsigned window_s, size_t keys)
{
    fl_throttle_t *t = NULL;

    ck_assert_int_eq(fl_throttle_init(&t, max, window_s, keys), 0);
    return t;
}

START_TEST(throttle_init_args)
{
    fl_throttle_t *t = NULL;

    ck_assert_int_eq(fl_throttle_init(&t, 0, 60, 10), FL_EINVAL);
    ck_assert_int_eq(fl_throttle_init(&t, 5, 0, 10), FL_EINVAL);
    ck_assert_int_eq(fl_throttle_init(&t, 5, 60, 0), FL_EINVAL);
    ck_assert_ptr_null(t);
    fl_throttle_free(NULL);
}
END_TEST

START_TEST(throttle_window)
{
    fl_throttle_t *t = throttle(3, 60, 100);
    fl_time_t t0 = 1000 * SEC;

    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0), 0);
    fl_throttle_fail(t, "ip:1.2.3.4", t0);
    fl_throttle_fail(t, "ip:1.2.3.4", t0);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0), 0);
    fl_throttle_fail(t, "ip:1.2.3.4", t0);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0), 60);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0 + 30 * SEC), 30);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0 + 60 * SEC - 1), 1);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.4", t0 + 60 * SEC), 0);
    /* A key whose failures have all left the window is forgotten. */
    ck_assert_uint_eq(fl_throttle_size(t), 0);
    /* Other keys are untouched. */
    ck_assert_uint_eq(fl_throttle_check(t, "ip:1.2.3.5", t0), 0);
    fl_throttle_free(t);
}
END_TEST

/* The window slides: each failure leaves it on its own, not all at once. */
START_TEST(throttle_sliding)
{
    fl_throttle_t *t = throttle(3, 60, 100);
    const char *k = "acct:acme:ann@example.com";

    fl_throttle_fail(t, k, 0);
    fl_throttle_fail(t, k, 20 * SEC);
    fl_throttle_fail(t, k, 40 * SEC);
    ck_assert_uint_eq(fl_throttle_check(t, k, 59 * SEC), 1);
    ck_assert_uint_eq(fl_throttle_check(t, k, 60 * SEC), 0);
    fl_throttle_fail(t, k, 60 * SEC); /* the failures at 20, 40 and 60 s */
    ck_assert_uint_eq(fl_throttle_check(t, k, 60 * SEC), 20);
    /* Retry-After is rounded up: waiting that long always suffices. */
    ck_assert_uint_eq(fl_throttle_check(t, k, 60 * SEC + SEC / 2), 20);
    ck_assert_uint_eq(fl_throttle_check(t, k, 80 * SEC), 0);
    /* More failures than max keep only the newest: blocked for the newest's window. */
    for (int i = 0; i < 10; i++)
        fl_throttle_fail(t, k, (100 + i) * SEC);
    ck_assert_uint_eq(fl_throttle_check(t, k, 110 * SEC), 57);
    fl_throttle_free(t);
}
END_TEST

START_TEST(throttle_reset)
{
    fl_throttle_t *t = throttle(2, 60, 100);

    fl_throttle_fail(t, "k", 0);
    fl_throttle_fail(t, "k", 0);
    ck_assert_uint_gt(fl_throttle_check(t, "k", 0), 0);
    fl_throttle_reset(t, "k");
    ck_assert_uint_eq(fl_throttle_check(t, "k", 0), 0);
    ck_assert_uint_eq(fl_throttle_size(t), 0);
    fl_throttle_reset(t, "never seen");
    fl_throttle_free(t);
}
END_TEST

/* No more than max_keys keys are held; the least recently touched go first. */
START_TEST(throttle_eviction)
{
    fl_throttle_t *t = throttle(1, 60, 4);
    char key[32];

    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof(key), "ip:10.0.0.%d", i);
        fl_throttle_fail(t, key, 0);
    }
    ck_assert_uint_eq(fl_throttle_size(t), 4);
    /* Touching key 0 makes key 1 the least recently touched. */
    ck_assert_uint_gt(fl_throttle_check(t, "ip:10.0.0.0", 0), 0);
    fl_throttle_fail(t, "ip:10.0.0.9", 0);
    ck_assert_uint_eq(fl_throttle_size(t), 4);
    ck_assert_uint_gt(fl_throttle_check(t, "ip:10.0.0.0", 0), 0);
    ck_assert_uint_eq(fl_throttle_check(t, "ip:10.0.0.1", 0), 0);
    ck_assert_uint_gt(fl_throttle_check(t, "ip:10.0.0.2", 0), 0);
    ck_assert_uint_gt(fl_throttle_check(t, "ip:10.0.0.9", 0), 0);
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "ip:spray-%d", i);
        fl_throttle_fail(t, key, 0);
        ck_assert_uint_le(fl_throttle_size(t), 4);
    }
    fl_throttle_free(t);
}
END_TEST

/* Keys too long to store verbatim are hashed, and still kept apart. */
START_TEST(throttle_long_keys)
{
    fl_throttle_t *t = throttle(1, 60, 10);
    char a[400], b[400];

    memset(a, 'x', sizeof(a) - 1);
    a[sizeof(a) - 1] = '\0';
    memcpy(b, a, sizeof(a));
    b[sizeof(b) - 2] = 'y';
    fl_throttle_fail(t, a, 0);
    ck_assert_uint_eq(fl_throttle_check(t, a, 0), 60);
    ck_assert_uint_eq(fl_throttle_check(t, b, 0), 0);
    fl_throttle_reset(t, a);
    ck_assert_uint_eq(fl_throttle_check(t, a, 0), 0);
    fl_throttle_free(t);
}
END_TEST

TCase *auth_tcase_throttle(void)
{
    TCase *tc = tcase_create("throttle");

    tcase_add_test(tc, throttle_init_args);
    tcase_add_test(tc, throttle_window);
    tcase_add_test(tc, throttle_sliding);
    tcase_add_test(tc, throttle_reset);
    tcase_add_test(tc, throttle_eviction);
    tcase_add_test(tc, throttle_long_keys);
    return tc;
}

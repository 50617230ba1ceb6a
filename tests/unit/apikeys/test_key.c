/*
 * The key a client holds: format and parse agree, every malformed key is
 * refused, the prefix shows no secret, the hash matches only its secret, and
 * a key's permissions are its scopes narrowed to what its creator holds.
 */
#include <stdio.h>
#include <string.h>

#include "apikeys_test.h"

static fl_api_key_parts_t sample(const char *slug)
{
    fl_api_key_parts_t p;
    memset(&p, 0, sizeof(p));
    snprintf(p.slug, sizeof(p.slug), "%s", slug);
    snprintf(p.id, sizeof(p.id), "%s", KEY_ID);
    for (int i = 0; i < FL_APIKEYS_SECRET_BYTES; i++)
        p.secret[i] = (uint8_t)(0xF0 + i); /* base64url of these holds '-' and '_' */
    return p;
}

START_TEST(format_then_parse)
{
    const char *slugs[] = {"acme", "a_b_c", "x9"};
    for (size_t i = 0; i < 3; i++) {
        fl_api_key_parts_t in = sample(slugs[i]), out;
        char key[FL_APIKEYS_KEY_MAX + 1];
        ck_assert_int_eq(fl_apikeys_format(&in, key, sizeof(key)), 0);
        ck_assert_uint_eq(strlen(key), 3 + strlen(slugs[i]) + 1 + 36 + 1 + 43);
        ck_assert_int_eq(fl_apikeys_parse(key, &out), 0);
        ck_assert_str_eq(out.slug, slugs[i]);
        ck_assert_str_eq(out.id, KEY_ID);
        ck_assert_mem_eq(out.secret, in.secret, FL_APIKEYS_SECRET_BYTES);
    }
}
END_TEST

START_TEST(malformed_keys_refused)
{
    fl_api_key_parts_t in = sample("acme"), out;
    char key[FL_APIKEYS_KEY_MAX + 1], bad[FL_APIKEYS_KEY_MAX + 8];
    ck_assert_int_eq(fl_apikeys_format(&in, key, sizeof(key)), 0);
    size_t n = strlen(key);
    const char *fixed[] = {"", "fl_", "fl_acme", "fl_acme_" KEY_ID "_", "FL_acme_x", "nope"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        ck_assert_int_ne(fl_apikeys_parse(fixed[i], &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    bad[n - 1] = '\0'; /* a character short */
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    snprintf(bad + n, sizeof(bad) - n, "A"); /* a character long */
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    bad[n - 5] = '=';
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    bad[8] = 'B'; /* an uppercase id: one key, one spelling */
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    bad[3] = 'A'; /* slug */
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
    snprintf(bad, sizeof(bad), "%s", key);
    bad[7] = '-'; /* the separator before the id */
    ck_assert_int_ne(fl_apikeys_parse(bad, &out), 0);
}
END_TEST

START_TEST(prefix_and_hash)
{
    fl_api_key_parts_t p = sample("acme");
    char prefix[FL_APIKEYS_PREFIX_MAX + 1], key[FL_APIKEYS_KEY_MAX + 1];
    uint8_t h1[32], h2[32];
    fl_apikeys_prefix("acme", KEY_ID, prefix, sizeof(prefix));
    ck_assert_str_eq(prefix, "fl_acme_0b5e1c3a");
    fl_apikeys_format(&p, key, sizeof(key));
    ck_assert_int_eq(strncmp(key, prefix, strlen(prefix)), 0);
    fl_apikeys_hash(p.secret, h1);
    p.secret[31] ^= 1;
    fl_apikeys_hash(p.secret, h2);
    ck_assert_int_ne(memcmp(h1, h2, 32), 0);
}
END_TEST

START_TEST(effective_is_scopes_within_creator)
{
    static const char *const scopes[] = {"users:read", "users:create", "groups:manage",
                                         "issues:read"};
    static const char *const creator[] = {"users:manage", "groups:read", "roles:read"};
    fl_perms_t s = at_perms(scopes, 4), c = at_perms(creator, 3), e;
    fl_apikeys_effective(&s, &c, &e);
    ck_assert(fl_perms_allow(&e, FL_RES_USERS, FL_ACT_READ));
    ck_assert(fl_perms_allow(&e, FL_RES_USERS, FL_ACT_CREATE));
    ck_assert(!fl_perms_allow(&e, FL_RES_USERS, FL_ACT_DELETE)); /* creator may, key may not */
    ck_assert(fl_perms_allow(&e, FL_RES_GROUPS, FL_ACT_READ));
    ck_assert(!fl_perms_allow(&e, FL_RES_GROUPS, FL_ACT_UPDATE)); /* key may, creator may not */
    ck_assert(!fl_perms_allow(&e, FL_RES_ISSUES, FL_ACT_READ));
    ck_assert(!fl_perms_allow(&e, FL_RES_ROLES, FL_ACT_READ));
    ck_assert(fl_perms_subset(&e, &s) && fl_perms_subset(&e, &c));
}
END_TEST

TCase *apikeys_key_tcase(void)
{
    TCase *tc = tcase_create("key");
    tcase_add_test(tc, format_then_parse);
    tcase_add_test(tc, malformed_keys_refused);
    tcase_add_test(tc, prefix_and_hash);
    tcase_add_test(tc, effective_is_scopes_within_creator);
    return tc;
}

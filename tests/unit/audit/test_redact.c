/*
 * Redaction: which keys are secrets, at any depth, and strings PostgreSQL's
 * jsonb accepts.
 */
#include <string.h>

#include "audit_test.h"

START_TEST(secret_keys)
{
    static const char *const secret[] = {
        "password_hash", "token_hash",    "secret_hash",  "key_hash",
        "previous_hash", "password",      "new_password", "PASSWORD",
        "client_secret", "refresh_token", "Token",        "x_HASH",
    };
    static const char *const plain[] = {"email", "name", "hash",   "_has",   "key_prefix",
                                        "id",    "",     "scopes", "changes"};

    for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
        ck_assert_msg(fl_audit_key_is_secret(secret[i]), "%s is a secret", secret[i]);
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        ck_assert_msg(!fl_audit_key_is_secret(plain[i]), "%s is not a secret", plain[i]);
    ck_assert(!fl_audit_key_is_secret(NULL));
}
END_TEST

START_TEST(redacts_at_any_depth)
{
    json_t *in = tu_json("{\"name\":\"n\",\"password_hash\":\"h\",\"nested\":{\"token\":{\"a\":1},"
                         "\"keep\":[1,{\"secret\":\"s\",\"ok\":\"v\"},\"password\"]},"
                         "\"changes\":{\"key_hash\":{\"from\":\"a\",\"to\":\"b\"},"
                         "\"name\":{\"from\":\"x\",\"to\":\"y\"}},\"n\":1.5,\"t\":true}");
    json_t *want = tu_json("{\"name\":\"n\",\"password_hash\":\"[redacted]\",\"nested\":"
                           "{\"token\":\"[redacted]\",\"keep\":[1,{\"secret\":\"[redacted]\","
                           "\"ok\":\"v\"},\"password\"]},\"changes\":{\"key_hash\":\"[redacted]\","
                           "\"name\":{\"from\":\"x\",\"to\":\"y\"}},\"n\":1.5,\"t\":true}");
    json_t *got = fl_audit_redact(in);
    char *text = json_dumps(got, JSON_COMPACT);

    ck_assert_msg(json_equal(got, want), "got %s", text);
    /* The input is untouched. */
    ck_assert_str_eq(json_string_value(json_object_get(in, "password_hash")), "h");
    free(text);
    json_decref(in);
    json_decref(want);
    json_decref(got);
    ck_assert_ptr_null(fl_audit_redact(NULL));
}
END_TEST

START_TEST(nul_in_strings)
{
    json_t *in = tu_json("{\"a\":\"x\\u0000y\",\"b\":[\"\\u0000\"]}");
    json_t *got = fl_audit_redact(in);
    char *text = json_dumps(got, JSON_COMPACT);

    ck_assert_str_eq(json_string_value(json_object_get(got, "a")), "x\xEF\xBF\xBDy");
    ck_assert_ptr_null(strstr(text, "\\u0000"));
    free(text);
    json_decref(in);
    json_decref(got);
}
END_TEST

TCase *audit_redact_tcase(void)
{
    TCase *tc = tcase_create("redact");

    tcase_add_test(tc, secret_keys);
    tcase_add_test(tc, redacts_at_any_depth);
    tcase_add_test(tc, nul_in_strings);
    return tc;
}

/*
 * Access tokens: what fl_jwt_sign makes fl_jwt_verify accepts, and nothing
 * else: not a changed byte in any part, not another algorithm, not a claim of
 * the wrong type, not a token past its size.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "auth_tests.h"

#define NOW 1780000000LL

static const uint8_t key[FL_AUTH_KEY_LEN] = "0123456789abcdef0123456789abcdef";

static fl_jwt_claims_t sample(void)
{
    fl_jwt_claims_t c = {.iat = NOW, .exp = NOW + FL_ACCESS_TTL_S};

    snprintf(c.sub, sizeof(c.sub), "%s", "7f1d0c9e-8a53-4b8e-9a43-6b2f4f0d2c11");
    snprintf(c.tid, sizeof(c.tid), "%s", "acme");
    snprintf(c.sid, sizeof(c.sid), "%s", "00112233445566778899aabbccddeeff");
    snprintf(c.jti, sizeof(c.jti), "%s", "j-1");
    return c;
}

static void b64(const char *text, char *out, size_t len)
{
    sodium_bin2base64(out, len, (const unsigned char *)text, strlen(text),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A token with any header and payload text, correctly signed with key. */
static void forge(const char *header, const char *payload, char *out, size_t len)
{
    char h[8192], p[8192], sig[64];
    uint8_t mac[32];

    b64(header, h, sizeof(h));
    b64(payload, p, sizeof(p));
    snprintf(out, len, "%s.%s", h, p);
    crypto_auth_hmacsha256(mac, (const unsigned char *)out, strlen(out), key);
    sodium_bin2base64(sig, sizeof(sig), mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out + strlen(out), len - strlen(out), ".%s", sig);
}

static int verify_forged(const char *header, const char *payload)
{
    char tok[16384];
    fl_jwt_claims_t c;

    forge(header, payload, tok, sizeof(tok));
    return fl_jwt_verify(key, tok, NOW, &c);
}

#define HS256   "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PAYLOAD "{\"sub\":\"u1\",\"tid\":\"acme\",\"exp\":1780000900"

START_TEST(jwt_round_trip)
{
    fl_jwt_claims_t in = sample(), out;
    char tok[1024];

    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    ck_assert_msg(strncmp(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0, "%s", tok);
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), 0);
    ck_assert_mem_eq(&in, &out, sizeof(in));

    /* sid and jti are optional. */
    in.sid[0] = in.jti[0] = '\0';
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), 0);
    ck_assert_str_eq(out.sid, "");
    ck_assert_str_eq(out.sub, in.sub);
}
END_TEST

START_TEST(jwt_forged_baseline)
{
    /* The forging helper makes tokens the verifier accepts, so the refusals below mean it. */
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD "}"), 0);
    ck_assert_int_eq(verify_forged("{\"alg\":\"HS256\"}", PAYLOAD "}"), 0);
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD ",\"other\":[1,2]}"), 0);
}
END_TEST

START_TEST(jwt_expired)
{
    fl_jwt_claims_t in = sample(), out;
    char tok[1024];

    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    ck_assert_int_eq(fl_jwt_verify(key, tok, in.exp - 1, &out), 0);
    ck_assert_int_eq(fl_jwt_verify(key, tok, in.exp, &out), FL_EEXPIRED);
    ck_assert_int_eq(fl_jwt_verify(key, tok, in.exp + 3600, &out), FL_EEXPIRED);
}
END_TEST

START_TEST(jwt_wrong_key_and_short_buffer)
{
    fl_jwt_claims_t in = sample(), out;
    uint8_t other[FL_AUTH_KEY_LEN];
    char tok[1024];

    memcpy(other, key, sizeof(other));
    other[0] ^= 1;
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    ck_assert_int_eq(fl_jwt_verify(other, tok, NOW, &out), FL_EAUTH);
    size_t len = strlen(tok);
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, len), FL_ETOOBIG);
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, 20), FL_ETOOBIG);
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, len + 1), 0);
}
END_TEST

/* Every single-character change, in each of the three parts, is refused. */
START_TEST(jwt_tampered)
{
    fl_jwt_claims_t in = sample(), out;
    char tok[1024], bad[1024];

    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    for (size_t i = 0; tok[i] != '\0'; i++) {
        if (tok[i] == '.')
            continue;
        memcpy(bad, tok, sizeof(tok));
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        ck_assert_msg(fl_jwt_verify(key, bad, NOW, &out) == FL_EAUTH, "changed at %zu", i);
    }
}
END_TEST

/* A payload re-encoded with another user and the original signature. */
START_TEST(jwt_swapped_payload)
{
    fl_jwt_claims_t in = sample(), out;
    char tok[1024], p[512], bad[2048];

    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    b64("{\"sub\":\"admin\",\"tid\":\"acme\",\"exp\":1780000900}", p, sizeof(p));
    const char *d1 = strchr(tok, '.'), *d2 = strchr(d1 + 1, '.');
    snprintf(bad, sizeof(bad), "%.*s.%s%s", (int)(d1 - tok), tok, p, d2);
    ck_assert_int_eq(fl_jwt_verify(key, bad, NOW, &out), FL_EAUTH);
}
END_TEST

START_TEST(jwt_other_algorithms)
{
    char tok[1024], h[128], p[256];
    fl_jwt_claims_t out;

    /* "none" with no signature, as attackers send it. */
    b64("{\"alg\":\"none\",\"typ\":\"JWT\"}", h, sizeof(h));
    b64(PAYLOAD "}", p, sizeof(p));
    snprintf(tok, sizeof(tok), "%s.%s.", h, p);
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), FL_EAUTH);
    /* Other algorithms even with a valid HS256 signature over the bytes. */
    ck_assert_int_eq(verify_forged("{\"alg\":\"none\",\"typ\":\"JWT\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"hs256\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"RS256\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"typ\":\"JWT\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"HS256\",\"typ\":\"JWS\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"HS256\",\"kid\":\"x\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("{\"alg\":\"HS256\",\"alg\":\"none\"}", PAYLOAD "}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged("[\"HS256\"]", PAYLOAD "}"), FL_EAUTH);
}
END_TEST

START_TEST(jwt_claim_types)
{
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":\"u1\",\"tid\":\"acme\"}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":\"u\",\"tid\":\"a\",\"exp\":\"1780000900\"}"),
                     FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":\"u\",\"tid\":\"a\",\"exp\":1780000900.0}"),
                     FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":1,\"tid\":\"a\",\"exp\":1780000900}"),
                     FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"tid\":\"a\",\"exp\":1780000900}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":\"u\",\"exp\":1780000900}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD ",\"sid\":5}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD ",\"jti\":null}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD ",\"iat\":\"now\"}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, PAYLOAD ",\"sub\":\"dup\"}"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "{\"sub\":\"u\\u0000admin\",\"tid\":\"a\",\"exp\":"
                                          "1780000900}"),
                     FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "[1,2,3]"), FL_EAUTH);
    ck_assert_int_eq(verify_forged(HS256, "not json"), FL_EAUTH);
    /* A string claim of 64 bytes does not fit fl_jwt_claims_t. */
    char p[256];
    snprintf(p, sizeof(p), "{\"sub\":\"%064d\",\"tid\":\"a\",\"exp\":1780000900}", 0);
    ck_assert_int_eq(verify_forged(HS256, p), FL_EAUTH);
}
END_TEST

START_TEST(jwt_garbage)
{
    static const char *const bad[] = {
        "",
        ".",
        "..",
        "a.b.c",
        "abc",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9=.e30.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        " eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    fl_jwt_claims_t in = sample(), out;
    char tok[1024], more[1100];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(fl_jwt_verify(key, bad[i], NOW, &out) == FL_EAUTH, "accepted %s", bad[i]);
    ck_assert_int_eq(fl_jwt_sign(key, &in, tok, sizeof(tok)), 0);
    snprintf(more, sizeof(more), "%s.", tok);
    ck_assert_int_eq(fl_jwt_verify(key, more, NOW, &out), FL_EAUTH);
    snprintf(more, sizeof(more), "%s.%s", tok, "x");
    ck_assert_int_eq(fl_jwt_verify(key, more, NOW, &out), FL_EAUTH);
    snprintf(more, sizeof(more), "%sA", tok);
    ck_assert_int_eq(fl_jwt_verify(key, more, NOW, &out), FL_EAUTH);
    snprintf(more, sizeof(more), "%s=", tok);
    ck_assert_int_eq(fl_jwt_verify(key, more, NOW, &out), FL_EAUTH);
}
END_TEST

/* The size bound: a correctly signed token just under 4 KiB passes, one over does not. */
START_TEST(jwt_huge)
{
    char payload[4096], tok[16384];
    fl_jwt_claims_t out;
    size_t pad = 2900;

    snprintf(payload, sizeof(payload), PAYLOAD ",\"pad\":\"%0*d\"}", (int)pad, 0);
    forge(HS256, payload, tok, sizeof(tok));
    ck_assert_int_le(strlen(tok), FL_JWT_MAX);
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), 0);
    snprintf(payload, sizeof(payload), PAYLOAD ",\"pad\":\"%0*d\"}", (int)pad + 100, 0);
    forge(HS256, payload, tok, sizeof(tok));
    ck_assert_int_gt(strlen(tok), FL_JWT_MAX);
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), FL_EAUTH);
    memset(tok, 'a', sizeof(tok) - 1);
    tok[sizeof(tok) - 1] = '\0';
    ck_assert_int_eq(fl_jwt_verify(key, tok, NOW, &out), FL_EAUTH);
}
END_TEST

TCase *auth_tcase_jwt(void)
{
    TCase *tc = tcase_create("jwt");

    tcase_add_test(tc, jwt_round_trip);
    tcase_add_test(tc, jwt_forged_baseline);
    tcase_add_test(tc, jwt_expired);
    tcase_add_test(tc, jwt_wrong_key_and_short_buffer);
    tcase_add_test(tc, jwt_tampered);
    tcase_add_test(tc, jwt_swapped_payload);
    tcase_add_test(tc, jwt_other_algorithms);
    tcase_add_test(tc, jwt_claim_types);
    tcase_add_test(tc, jwt_garbage);
    tcase_add_test(tc, jwt_huge);
    return tc;
}

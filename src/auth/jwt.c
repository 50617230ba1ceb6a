/*
 * Access tokens: compact JWTs signed with HMAC-SHA256 (RFC 7519, RFC 7515).
 * Only tokens this server issued are ever accepted, so parsing is strict:
 * one header, one algorithm, known claim types, a bounded size.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "internal.h"

#define SIG_B64_LEN 43 /* 32 bytes of HMAC in base64url without padding */

static const char header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* HMAC-SHA256 of in[0..len) as base64url (SIG_B64_LEN characters and a NUL). */
static void sign_b64(const uint8_t key[FL_AUTH_KEY_LEN], const char *in, size_t len,
                     char sig[SIG_B64_LEN + 1])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256(mac, (const unsigned char *)in, len, key);
    fl__auth_b64_encode(mac, sizeof(mac), sig, SIG_B64_LEN + 1);
}

static json_t *claims_to_json(const fl_jwt_claims_t *c)
{
    json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "sub", c->sub, "tid", c->tid, "iat",
                          (json_int_t)c->iat, "exp", (json_int_t)c->exp);

    /* json_pack refuses strings that are not UTF-8: such claims cannot be signed. */
    if (j != NULL && c->sid[0] != '\0' && json_object_set_new(j, "sid", json_string(c->sid)) != 0)
        goto fail;
    if (j != NULL && c->jti[0] != '\0' && json_object_set_new(j, "jti", json_string(c->jti)) != 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

/* Appends base64url(in) at out + *pos, then NUL; moves *pos past it. */
static int put_b64(char *out, size_t len, size_t *pos, const void *in, size_t n)
{
    int rc = fl__auth_b64_encode(in, n, out + *pos, len - *pos);

    if (rc == 0)
        *pos += strlen(out + *pos);
    return rc;
}

int fl_jwt_sign(const uint8_t key[FL_AUTH_KEY_LEN], const fl_jwt_claims_t *c, char *out, size_t len)
{
    json_t *j = claims_to_json(c);
    char *payload = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    size_t pos = 0;
    int rc = payload != NULL ? 0 : FL_EINVAL;

    if (rc == 0)
        rc = put_b64(out, len, &pos, header_json, sizeof(header_json) - 1);
    if (rc == 0 && pos + 1 < len) {
        out[pos++] = '.';
        rc = put_b64(out, len, &pos, payload, strlen(payload));
    } else if (rc == 0) {
        rc = FL_ETOOBIG;
    }
    if (rc == 0 && pos + 1 + SIG_B64_LEN + 1 <= len) {
        char sig[SIG_B64_LEN + 1];
        sign_b64(key, out, pos, sig);
        out[pos++] = '.';
        memcpy(out + pos, sig, sizeof(sig));
    } else if (rc == 0) {
        rc = FL_ETOOBIG;
    }
    free(payload);
    json_decref(j);
    return rc;
}

/* One base64url part decoded and parsed as a JSON object (duplicate keys refused). */
static int part_json(const char *part, size_t len, json_t **out)
{
    uint8_t buf[FL_JWT_MAX];
    size_t n;

    if (fl__auth_b64_decode(part, len, buf, sizeof(buf), &n) != 0)
        return FL_EAUTH;
    *out = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    if (*out != NULL && json_is_object(*out))
        return 0;
    json_decref(*out);
    *out = NULL;
    return FL_EAUTH;
}

/*
 * Only {"alg":"HS256"} with an optional "typ":"JWT". Anything else, "none"
 * above all, would let the token choose how it is checked.
 */
/* base64url of {"alg":"HS256","typ":"JWT"}: the header every token FireLater signs carries. */
static const char own_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

static int check_header(const char *part, size_t len)
{
    json_t *h;

    /* The common case without a JSON parse; any other spelling is parsed and checked. */
    if (len == sizeof(own_header) - 1 && memcmp(part, own_header, len) == 0)
        return 0;
    if (part_json(part, len, &h) != 0)
        return FL_EAUTH;
    const char *alg = json_string_value(json_object_get(h, "alg"));
    json_t *typ = json_object_get(h, "typ");
    bool ok =
        alg != NULL && strcmp(alg, "HS256") == 0 &&
        (typ == NULL || (json_is_string(typ) && strcmp(json_string_value(typ), "JWT") == 0)) &&
        json_object_size(h) == (typ != NULL ? 2u : 1u);
    json_decref(h);
    return ok ? 0 : FL_EAUTH;
}

/* A string claim into dst[64]: absent is "" (or an error when required). */
static int claim_str(json_t *j, const char *key, bool required, char dst[64])
{
    json_t *v = json_object_get(j, key);

    dst[0] = '\0';
    if (v == NULL)
        return required ? FL_EAUTH : 0;
    if (!json_is_string(v) || json_string_length(v) >= 64)
        return FL_EAUTH;
    /* A NUL inside the string would make it read as something shorter. */
    if (strlen(json_string_value(v)) != json_string_length(v))
        return FL_EAUTH;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int claim_int(json_t *j, const char *key, bool required, int64_t *dst)
{
    json_t *v = json_object_get(j, key);

    *dst = 0;
    if (v == NULL)
        return required ? FL_EAUTH : 0;
    if (!json_is_integer(v))
        return FL_EAUTH;
    *dst = json_integer_value(v);
    return 0;
}

static int parse_claims(const char *part, size_t len, fl_jwt_claims_t *c)
{
    json_t *j;
    int rc = part_json(part, len, &j);

    if (rc == 0)
        rc = claim_str(j, "sub", true, c->sub);
    if (rc == 0)
        rc = claim_str(j, "tid", true, c->tid);
    if (rc == 0)
        rc = claim_str(j, "sid", false, c->sid);
    if (rc == 0)
        rc = claim_str(j, "jti", false, c->jti);
    if (rc == 0)
        rc = claim_int(j, "iat", false, &c->iat);
    if (rc == 0)
        rc = claim_int(j, "exp", true, &c->exp);
    json_decref(j);
    return rc;
}

int fl_jwt_verify(const uint8_t key[FL_AUTH_KEY_LEN], const char *token, int64_t now_s,
                  fl_jwt_claims_t *out)
{
    size_t len = strnlen(token, FL_JWT_MAX + 1);
    const char *d1, *d2, *sig;
    char want[SIG_B64_LEN + 1];
    fl_jwt_claims_t c = {0};

    if (len > FL_JWT_MAX || (d1 = memchr(token, '.', len)) == NULL)
        return FL_EAUTH;
    d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token));
    if (d2 == NULL || d1 == token || d2 == d1 + 1)
        return FL_EAUTH;
    sig = d2 + 1;
    /* Exactly 43 characters after the second dot: no third dot, nothing more. */
    if (len - (size_t)(sig - token) != SIG_B64_LEN || memchr(sig, '.', SIG_B64_LEN) != NULL)
        return FL_EAUTH;
    if (check_header(token, (size_t)(d1 - token)) != 0)
        return FL_EAUTH;
    sign_b64(key, token, (size_t)(d2 - token), want);
    if (sodium_memcmp(want, sig, SIG_B64_LEN) != 0)
        return FL_EAUTH;
    if (parse_claims(d1 + 1, (size_t)(d2 - d1 - 1), &c) != 0)
        return FL_EAUTH;
    if (now_s >= c.exp)
        return FL_EEXPIRED;
    *out = c;
    return 0;
}

/*
 * Refresh tokens and secret hashes. A refresh token names its family (the
 * session) in clear and carries 256 random bits; only its BLAKE2b-256 hash is
 * stored, so a copy of the log or the database cannot be replayed as tokens.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "internal.h"

#define SECRET_BYTES   32
#define SECRET_B64_LEN 43

void fl_secret_hash(const char *secret, char hash_out[FL_TOKEN_HASH_HEX])
{
    uint8_t h[32];

    crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(hash_out, FL_TOKEN_HASH_HEX, h, sizeof(h));
}

int fl_refresh_token_new(const char *family, char token[FL_REFRESH_TOKEN_MAX], char family_out[33],
                         char hash_out[FL_TOKEN_HASH_HEX])
{
    uint8_t secret[SECRET_BYTES];
    char fam[FL_REFRESH_FAMILY_LEN + 1];

    if (sodium_init() < 0)
        return -ENOMEM;
    if (family == NULL) {
        uint8_t id[FL_REFRESH_FAMILY_LEN / 2];
        randombytes_buf(id, sizeof(id));
        sodium_bin2hex(fam, sizeof(fam), id, sizeof(id));
    } else if (strlen(family) == FL_REFRESH_FAMILY_LEN &&
               fl__auth_is_hex(family, FL_REFRESH_FAMILY_LEN)) {
        memcpy(fam, family, sizeof(fam));
    } else {
        return FL_EINVAL;
    }
    randombytes_buf(secret, sizeof(secret));
    memcpy(token, fam, FL_REFRESH_FAMILY_LEN);
    token[FL_REFRESH_FAMILY_LEN] = '.';
    fl__auth_b64_encode(secret, sizeof(secret), token + FL_REFRESH_FAMILY_LEN + 1,
                        FL_REFRESH_TOKEN_MAX - FL_REFRESH_FAMILY_LEN - 1);
    sodium_memzero(secret, sizeof(secret));
    memcpy(family_out, fam, sizeof(fam));
    fl_secret_hash(token, hash_out);
    return 0;
}

int fl_refresh_token_parse(const char *token, char family_out[33], char hash_out[FL_TOKEN_HASH_HEX])
{
    uint8_t secret[SECRET_BYTES];
    size_t n;

    if (strnlen(token, FL_REFRESH_TOKEN_LEN + 1) != FL_REFRESH_TOKEN_LEN ||
        token[FL_REFRESH_FAMILY_LEN] != '.' || !fl__auth_is_hex(token, FL_REFRESH_FAMILY_LEN))
        return FL_EINVAL;
    /* Decoding refuses other alphabets and non-canonical spellings of the secret. */
    if (fl__auth_b64_decode(token + FL_REFRESH_FAMILY_LEN + 1, SECRET_B64_LEN, secret,
                            sizeof(secret), &n) != 0 ||
        n != SECRET_BYTES)
        return FL_EINVAL;
    sodium_memzero(secret, sizeof(secret));
    memcpy(family_out, token, FL_REFRESH_FAMILY_LEN);
    family_out[FL_REFRESH_FAMILY_LEN] = '\0';
    fl_secret_hash(token, hash_out);
    return 0;
}

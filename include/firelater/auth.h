/*
 * Authentication primitives: password hashing (argon2id), access tokens (JWT
 * HS256), refresh tokens, the server's signing key, and sign-in throttling.
 * The session lifecycle (refresh-token families) is a domain aggregate: see
 * firelater/session.h, whose decide and fold functions are pure.
 *
 * Everything here except the throttle is thread-safe.
 */
#ifndef FIRELATER_AUTH_H
#define FIRELATER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "firelater/clock.h"

#define FL_PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define FL_AUTH_KEY_LEN      32
#define FL_ACCESS_TTL_S      (15 * 60)
#define FL_REFRESH_TTL_S     (7 * 24 * 3600)

/* ---------------------------------------------------------------- passwords */

/*
 * argon2id with libsodium's interactive limits; out gets the encoded string
 * ("$argon2id$v=19$m=65536,t=2,p=1$..."). Returns 0 or -ENOMEM.
 */
int fl_password_hash(const char *password, char out[FL_PASSWORD_HASH_MAX]);

/*
 * True when password matches hash. hash == NULL (an unknown account) checks
 * against a fixed dummy hash of the same cost and is always false. A hash
 * that is not an argon2 string is false.
 */
bool fl_password_verify(const char *hash, const char *password);

/*
 * The same on libuv's thread pool, so the loop never waits for argon2id.
 * Both copy their arguments (the password is wiped after use), so the caller
 * may free them at once. hash == NULL verifies against the dummy hash (same
 * cost, always false): unknown accounts take as long as known ones.
 * The callback runs on the loop with rc 0 (or -ENOMEM, UV_ECANCELED), ok the
 * verification's result, and hash_out the new hash (hashing only; valid only
 * during the callback). Returns 0 or the error of uv_queue_work.
 */
typedef void (*fl_password_cb)(void *ctx, int rc, bool ok, const char *hash_out);
int fl_password_hash_async(uv_loop_t *loop, const char *password, fl_password_cb cb, void *ctx);
int fl_password_verify_async(uv_loop_t *loop, const char *hash, const char *password,
                             fl_password_cb cb, void *ctx);

/* ------------------------------------------------------------- access tokens */

#define FL_JWT_MAX 4096 /* longer tokens are refused unread */

/* Strings are NUL-terminated; sid and jti may be empty (then left out of the token). */
typedef struct fl_jwt_claims {
    char sub[64]; /* user id */
    char tid[64]; /* tenant slug */
    char sid[64]; /* session (refresh family) id */
    char jti[64]; /* token id */
    int64_t iat;  /* seconds */
    int64_t exp;  /* seconds */
} fl_jwt_claims_t;

/*
 * Signs the claims as a compact JWT (HS256, header {"alg":"HS256","typ":"JWT"})
 * into out, NUL-terminated. FL_ETOOBIG if len is short.
 */
int fl_jwt_sign(const uint8_t key[FL_AUTH_KEY_LEN], const fl_jwt_claims_t *c, char *out,
                size_t len);

/*
 * Verifies structure (three base64url parts, at most FL_JWT_MAX bytes), the
 * header (alg HS256 only: "none" and every other alg are refused; typ, if
 * present, "JWT"; no other member), the signature (constant time), the claims
 * (sub and tid strings, sid and jti strings if present, exp an integer, iat an
 * integer if present; each string shorter than 64 bytes) and expiry: the
 * token is expired when now_s >= exp. *out is filled only on success.
 * Errors: FL_EAUTH (malformed, bad signature, wrong algorithm), FL_EEXPIRED.
 */
int fl_jwt_verify(const uint8_t key[FL_AUTH_KEY_LEN], const char *token, int64_t now_s,
                  fl_jwt_claims_t *out);

/*
 * The signing key: <data>/secrets/jwt.key, 64 lower-case hex characters and a
 * newline (32 bytes from randombytes), mode 0600 in a 0700 directory. The
 * first caller generates it; processes racing to create it all end up with
 * the one that was linked into place first. Returns -errno on I/O errors,
 * FL_ECORRUPT when the file holds anything else.
 */
int fl_auth_key_load(const char *data_dir, uint8_t key[FL_AUTH_KEY_LEN]);

/* ------------------------------------------------------------ refresh tokens */

#define FL_REFRESH_TOKEN_MAX  128
#define FL_REFRESH_TOKEN_LEN  76 /* 32 + 1 + 43 */
#define FL_REFRESH_FAMILY_LEN 32
#define FL_TOKEN_HASH_HEX     65 /* 64 hex characters and a NUL */

/*
 * A new refresh token "<family>.<secret>" (family: 32 lower-case hex; secret:
 * 43 base64url characters of 32 random bytes). family NULL starts a new family
 * (written to family_out); otherwise it must be 32 lower-case hex (FL_EINVAL)
 * and is copied to family_out. hash_out gets the hex BLAKE2b-256 of the whole
 * token, which is all that is ever stored.
 */
int fl_refresh_token_new(const char *family, char token[FL_REFRESH_TOKEN_MAX], char family_out[33],
                         char hash_out[FL_TOKEN_HASH_HEX]);

/* Splits a presented token: its family and hash. FL_EINVAL when malformed. */
int fl_refresh_token_parse(const char *token, char family_out[33],
                           char hash_out[FL_TOKEN_HASH_HEX]);

/* Hex BLAKE2b-256 of any secret (refresh tokens, API keys, reset tokens). */
void fl_secret_hash(const char *secret, char hash_out[FL_TOKEN_HASH_HEX]);

/* ---------------------------------------------------------------- throttling */

/*
 * Counts sign-in failures per key ("acct:<tenant>:<email>", "ip:<addr>") in a
 * sliding window: after max_failures within window_s seconds the key is
 * blocked until its oldest failure leaves the window. Memory is bounded:
 * at most max_keys keys, the least recently touched evicted first (keys
 * longer than 128 bytes are stored as their hash). Not thread-safe: one per
 * loop. Errors: FL_EINVAL for a zero argument.
 */
typedef struct fl_throttle fl_throttle_t;
int fl_throttle_init(fl_throttle_t **out, unsigned max_failures, unsigned window_s,
                     size_t max_keys);
void fl_throttle_free(fl_throttle_t *t);

/* 0 when allowed, else the whole seconds to wait (at least 1: for Retry-After). */
unsigned fl_throttle_check(fl_throttle_t *t, const char *key, fl_time_t now);

/* Records a failure at now (now never earlier than the key's last failure). */
void fl_throttle_fail(fl_throttle_t *t, const char *key, fl_time_t now);

/* Forgets the key's failures (after a successful sign-in). */
void fl_throttle_reset(fl_throttle_t *t, const char *key);

/* How many keys are tracked (for tests and metrics). */
size_t fl_throttle_size(const fl_throttle_t *t);

#endif

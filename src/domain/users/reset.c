/*
 * Forgotten passwords: the reset token, and the two commands.
 *
 *   from      command          condition                      events
 *   active    request a reset  -                              user.password_reset_requested
 *   active    reset            token is the latest request's, user.password_reset
 *                              unused and unexpired
 *   active    reset            any other token                400 (one answer for all)
 *   inactive  request a reset  -                              409 (the glue says nothing)
 *   inactive  reset            -                              400 (as a bad token)
 *   (none)    either           -                              404 / 400
 *
 * The token's secret never enters the log: events carry its hash only, and
 * the glue writes the token itself to the notifications table.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "internal.h"

#define SECRET_BYTES 32
#define SECRET_LEN   43 /* base64url of 32 bytes, unpadded */
#define HASH_LEN     (FL_USERS_RESET_HASH_HEX - 1)

/* ------------------------------------------------------------------ token */

int fl_users_reset_token_new(const char *tenant, const char *user_id,
                             char token[FL_USERS_RESET_TOKEN_MAX],
                             char hash_out[FL_USERS_RESET_HASH_HEX])
{
    uint8_t secret[SECRET_BYTES];
    char b64[SECRET_LEN + 1];

    if (!fl_store_slug_is_valid(tenant) || !fl_uuid_is_valid(user_id))
        return FL_EINVAL;
    randombytes_buf(secret, sizeof(secret));
    sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof(secret));
    snprintf(token, FL_USERS_RESET_TOKEN_MAX, "%s.%s.%s", tenant, user_id, b64);
    /* The hash covers "<user id>.<secret>": the part that names the account. */
    fl_secret_hash(token + strlen(tenant) + 1, hash_out);
    sodium_memzero(b64, sizeof(b64));
    return 0;
}

static bool is_b64url(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

int fl_users_reset_token_parse(const char *token, char tenant[FL_STORE_SLUG_MAX + 1],
                               char user_id[FL_UUID_LEN + 1],
                               char hash_out[FL_USERS_RESET_HASH_HEX])
{
    const char *dot = token != NULL ? strchr(token, '.') : NULL;
    size_t slug_len = dot != NULL ? (size_t)(dot - token) : 0;
    const char *inner = dot != NULL ? dot + 1 : NULL;

    if (dot == NULL || slug_len == 0 || slug_len > FL_STORE_SLUG_MAX)
        return FL_EINVAL;
    if (strlen(inner) != FL_UUID_LEN + 1 + SECRET_LEN || inner[FL_UUID_LEN] != '.' ||
        !is_b64url(inner + FL_UUID_LEN + 1, SECRET_LEN))
        return FL_EINVAL;
    memcpy(tenant, token, slug_len);
    tenant[slug_len] = '\0';
    memcpy(user_id, inner, FL_UUID_LEN);
    user_id[FL_UUID_LEN] = '\0';
    if (!fl_store_slug_is_valid(tenant) || !fl_uuid_is_valid(user_id))
        return FL_EINVAL;
    fl_secret_hash(inner, hash_out);
    return 0;
}

/* ---------------------------------------------------------------- request */

static bool is_hash(const char *s)
{
    if (s == NULL || strlen(s) != HASH_LEN)
        return false;
    for (size_t i = 0; i < HASH_LEN; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

static int emit(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_users_stream(ctx->a, u->id);
    int rc;

    if (data == NULL)
        fl_oom();
    if (stream == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    rc = expected == FL_LOG_ANY ? 0 : fl_decision_expect(d, stream, expected);
    if (rc == 0)
        return fl_decision_emit(d, ctx, stream, type, data, NULL);
    json_decref(data);
    return rc;
}

int fl_users_decide_reset_request(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                                  const char *token_hash, fl_decision_t *d)
{
    char expires[40];

    if (!u->exists)
        return fl_decision_refuse(d, 404, "user not found", NULL, NULL);
    if (u->status != FL_USER_ACTIVE)
        return fl_decision_refuse(d, 409, "user is inactive", "status", NULL);
    fl_assert(is_hash(token_hash));
    fl_time_format(ctx->now + (fl_time_t)FL_USERS_RESET_TTL_S * 1000000, expires, sizeof(expires));
    /* No expectation: a request commutes with every edit, and the latest one wins. */
    return emit(
        ctx, u, FL_LOG_ANY, "user.password_reset_requested",
        json_pack("{s:s,s:s,s:s}", "id", u->id, "token_hash", token_hash, "expires_at", expires),
        d);
}

/* ------------------------------------------------------------------ reset */

static bool token_matches(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, const char *hash)
{
    if (!u->exists || u->status != FL_USER_ACTIVE || !is_hash(hash) || !is_hash(u->reset_hash))
        return false;
    if (ctx->now >= u->reset_expires_at)
        return false;
    return sodium_memcmp(hash, u->reset_hash, HASH_LEN) == 0;
}

int fl_users_check_reset(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, const char *token_hash,
                         const char *new_password, fl_decision_t *d)
{
    static const char why[] = "the reset token is not valid or has expired";

    if (!token_matches(ctx, u, token_hash)) {
        d->problem.slug = "invalid-reset-token";
        fl_decision_fail(d, 400, "invalid reset token", why);
        fl_decision_field(d, "token", why);
        return FL_EINVAL;
    }
    return fl_users_check_password(new_password, u->email, "new_password", d) ? 0 : FL_EINVAL;
}

int fl_users_decide_reset(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, const char *token_hash,
                          const char *new_password, const char *password_hash, fl_decision_t *d)
{
    if (fl_users_check_reset(ctx, u, token_hash, new_password, d) < 0)
        return FL_EINVAL;
    fl_assert(password_hash != NULL);
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:{s:{s:b}}}", "id", u->id, "password_hash", password_hash,
                  "token_hash", token_hash, "changes", "password", "redacted", 1);
    /* Expecting the version the token was checked at: of two racing resets, one is appended. */
    return emit(ctx, u, (int64_t)u->version, "user.password_reset", data, d);
}

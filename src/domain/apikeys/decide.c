/*
 * Deciding API key commands. The lifecycle:
 *
 *   | from    | command | to      | events          | refusals                          |
 *   | none    | create  | active  | api_key.created | 403 by a key, 403 scopes, 422     |
 *   | active  | revoke  | revoked | api_key.revoked | —                                 |
 *   | active  | use     | active  | api_key.used    | (nothing recorded within a minute)|
 *   | revoked | revoke  | —       | —               | 409 already revoked               |
 *   | revoked | use     | —       | —               | (nothing recorded)                |
 *   | none    | revoke  | —       | —               | 404                               |
 *
 * An expired key is still "active" here: it may be revoked, and it is never
 * used (authentication refuses it before anything is recorded).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/apikeys.h"
#include "firelater/err.h"

static int check_create(const fl_cmd_ctx_t *ctx, const fl_api_key_cmd_t *cmd,
                        const fl_api_key_creator_t *by, fl_decision_t *d)
{
    if (by->is_api_key)
        return fl_decision_refuse(d, 403, "an API key cannot create API keys", NULL, NULL);
    if (!fl_perms_subset(&cmd->scopes, &by->perms))
        return fl_decision_refuse(d, 403, "you may not grant what you do not hold", "scopes",
                                  "names a permission you do not hold");
    if (cmd->expires_at != 0 && cmd->expires_at <= ctx->now)
        return fl_decision_refuse(d, 422, "validation failed", "expires_at",
                                  "must be in the future");
    if (cmd->expires_at != 0 && cmd->expires_at - ctx->now > FL_APIKEYS_TTL_MAX_S * 1000000)
        return fl_decision_refuse(d, 422, "validation failed", "expires_at",
                                  "must be at most 730 days (2 years) ahead");
    return 0;
}

static json_t *created_data(const fl_cmd_ctx_t *ctx, const fl_api_key_cmd_t *cmd,
                            const fl_api_key_creator_t *by)
{
    char prefix[FL_APIKEYS_PREFIX_MAX + 1], hex[2 * FL_APIKEYS_HASH_BYTES + 1];
    fl_apikeys_prefix(ctx->tenant, cmd->id, prefix, sizeof(prefix));
    sodium_bin2hex(hex, sizeof(hex), cmd->secret_hash, sizeof(cmd->secret_hash));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", cmd->id, "name", cmd->name,
                     "prefix", prefix, "secret_hash", hex, "scopes",
                     fl_apikeys_scopes_to_json(&cmd->scopes), "expires_at",
                     fl_json_time_or_null(cmd->expires_at), "created_by", by->user_id);
}

int fl_apikeys_decide_create(const fl_cmd_ctx_t *ctx, const fl_api_key_cmd_t *cmd,
                             const fl_api_key_creator_t *by, fl_decision_t *d)
{
    if (check_create(ctx, cmd, by, d) < 0)
        return FL_EINVAL;
    char *stream = fl_apikeys_stream(ctx->a, cmd->id);
    json_t *data = created_data(ctx, cmd, by);
    if (stream == NULL || data == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    int rc = fl_decision_expect(d, stream, FL_LOG_NO_STREAM);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, "api_key.created", data, NULL);
    else
        json_decref(data);
    size_t n = sizeof("/api/v1/api-keys/") + FL_UUID_LEN;
    if (rc == 0 && (d->location = fl_arena_alloc(ctx->a, n)) == NULL)
        return FL_ETOOBIG;
    if (rc == 0)
        snprintf((char *)d->location, n, "/api/v1/api-keys/%s", cmd->id);
    return rc;
}

int fl_apikeys_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_api_key_state_t *k, int64_t expected,
                             fl_decision_t *d)
{
    if (k == NULL || !k->exists)
        return fl_decision_refuse(d, 404, "no such API key", NULL, NULL);
    if (k->revoked)
        return fl_decision_refuse(d, 409, "the API key is already revoked", NULL, NULL);
    char *stream = fl_apikeys_stream(ctx->a, k->id);
    if (stream == NULL)
        return FL_ETOOBIG;
    /* Without If-Match nothing is expected: a revocation commutes with api_key.used. */
    int rc = expected == FL_LOG_ANY ? 0 : fl_decision_expect(d, stream, expected);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, "api_key.revoked", json_pack("{s:s}", "id", k->id),
                              NULL);
    return rc;
}

int fl_apikeys_decide_used(const fl_cmd_ctx_t *ctx, const fl_api_key_state_t *k, fl_decision_t *d)
{
    if (!fl_api_key_is_usable(k, ctx->now) ||
        (k->last_used_at != 0 && ctx->now - k->last_used_at < FL_APIKEYS_USE_EVERY_S * 1000000LL))
        return 0;
    char *stream = fl_apikeys_stream(ctx->a, k->id);
    if (stream == NULL)
        return FL_ETOOBIG;
    return fl_decision_emit(
        d, ctx, stream, "api_key.used",
        json_pack("{s:s, s:o}", "id", k->id, "at", fl_json_time_or_null(ctx->now)), NULL);
}

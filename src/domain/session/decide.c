/*
 * Session commands decided against the folded state.
 *
 * The lifecycle, as a transition table (SQLite's pager.c):
 *
 *   state      command   condition                         events             result
 *   ---------  --------  --------------------------------  -----------------  ------
 *   none       start     stream does not exist             session.started    ok
 *   none       refresh   -                                 -                  401
 *   none       revoke    -                                 -                  404
 *   active     refresh   presented == current              session.refreshed  ok
 *   active     refresh   presented was rotated out         session.revoked    401 (kept)
 *   active     refresh   unknown token, expired, or        -                  401
 *                        started before valid_after
 *   active     revoke    -                                 session.revoked    ok
 *   revoked    refresh   -                                 -                  401
 *   revoked    revoke    -                                 -                  ok
 *
 * "Expired" is not a state of its own: it is active past expires_at, which
 * only ctx->now can tell.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "firelater/err.h"
#include "firelater/session.h"

#define TEXT_MAX 256 /* bytes kept of the client address and the user agent */

static const char *const reason_names[] = {
    [FL_SESSION_LOGOUT] = "logout",
    [FL_SESSION_REUSE] = "reuse",
    [FL_SESSION_PASSWORD_CHANGED] = "password_changed",
    [FL_SESSION_DEACTIVATED] = "deactivated",
    [FL_SESSION_ADMIN] = "admin",
};

#define N_REASONS (sizeof(reason_names) / sizeof(reason_names[0]))

const char *fl_session_reason_name(fl_session_reason_t r)
{
    return (unsigned)r < N_REASONS ? reason_names[r] : NULL;
}

fl_session_reason_t fl_session_reason_parse(const char *s)
{
    for (unsigned i = 1; s != NULL && i < N_REASONS; i++) {
        if (strcmp(s, reason_names[i]) == 0)
            return (fl_session_reason_t)i;
    }
    return FL_SESSION_ACTIVE;
}

static bool is_hex(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

int fl_session_stream(const char *family, char *buf, size_t len)
{
    if (!is_hex(family, FL_REFRESH_FAMILY_LEN) || len < FL_SESSION_STREAM_MAX)
        return FL_EINVAL;
    memcpy(buf, FL_SESSION_STREAM_PREFIX, sizeof(FL_SESSION_STREAM_PREFIX) - 1);
    memcpy(buf + sizeof(FL_SESSION_STREAM_PREFIX) - 1, family, FL_REFRESH_FAMILY_LEN + 1);
    return 0;
}

/* The stream name in the arena: fl_decision_expect keeps the pointer. */
static const char *stream_of(const fl_cmd_ctx_t *ctx, const char *family)
{
    char *buf = fl_arena_alloc(ctx->a, FL_SESSION_STREAM_MAX);

    if (buf == NULL || fl_session_stream(family, buf, FL_SESSION_STREAM_MAX) != 0)
        return NULL;
    return buf;
}

/*
 * Client-supplied text for the audit trail: at most TEXT_MAX bytes, cut on a
 * character boundary, and null when it is absent or not UTF-8 (which JSON
 * cannot carry).
 */
static json_t *text_or_null(const char *s)
{
    size_t len = s != NULL ? strnlen(s, TEXT_MAX + 1) : 0;

    if (s == NULL)
        return json_null();
    if (len > TEXT_MAX) {
        len = TEXT_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    json_t *j = json_stringn(s, len);
    return j != NULL ? j : json_null();
}

int fl_session_decide_start(const fl_cmd_ctx_t *ctx, const char *family, const char *user_id,
                            const char *token_hash, fl_decision_t *d)
{
    char expires[40];
    const char *stream;

    if (!is_hex(family, FL_REFRESH_FAMILY_LEN) || !fl_uuid_is_valid(user_id) ||
        !is_hex(token_hash, FL_TOKEN_HASH_HEX - 1))
        return fl_decision_fail(d, 400, "invalid session", "family, user or token hash malformed");
    if ((stream = stream_of(ctx, family)) == NULL)
        return FL_ETOOBIG;
    fl_time_format(ctx->now + (fl_time_t)FL_REFRESH_TTL_S * 1000000, expires, sizeof(expires));
    json_t *data = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "family", family, "user_id", user_id,
                             "token_hash", token_hash, "client", text_or_null(ctx->client),
                             "user_agent", text_or_null(ctx->user_agent), "expires_at", expires);
    if (data == NULL)
        fl_oom();
    int rc = fl_decision_emit(d, ctx, stream, "session.started", data, NULL);
    return rc != 0 ? rc : fl_decision_expect(d, stream, FL_LOG_NO_STREAM);
}

/* One answer for every refusal, so a caller learns nothing about other sessions. */
static int refuse(fl_decision_t *d)
{
    d->problem.slug = "invalid-refresh-token";
    return fl_decision_fail(d, 401, "invalid refresh token",
                            "the refresh token is not valid any more; sign in again");
}

static int emit_revoked(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                        fl_session_reason_t reason, fl_decision_t *d)
{
    const char *stream = stream_of(ctx, s->family);
    json_t *data;
    int rc;

    if (stream == NULL)
        return FL_ETOOBIG;
    if ((data = json_pack("{s:s}", "reason", fl_session_reason_name(reason))) == NULL)
        fl_oom();
    rc = fl_decision_emit(d, ctx, stream, "session.revoked", data, NULL);
    return rc != 0 ? rc : fl_decision_expect(d, stream, (int64_t)version);
}

static int emit_refreshed(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                          const char *new_hash, fl_decision_t *d)
{
    const char *stream = stream_of(ctx, s->family);
    json_t *data;
    int rc;

    if (stream == NULL)
        return FL_ETOOBIG;
    data = json_pack("{s:s, s:s}", "token_hash", new_hash, "previous_hash", s->token_hash);
    if (data == NULL)
        fl_oom();
    rc = fl_decision_emit(d, ctx, stream, "session.refreshed", data, NULL);
    return rc != 0 ? rc : fl_decision_expect(d, stream, (int64_t)version);
}

int fl_session_decide_refresh(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                              const char *presented_hash, const char *new_hash,
                              fl_time_t tokens_valid_after, fl_decision_t *d)
{
    if (!fl_session_is_active(s, ctx->now) || !is_hex(presented_hash, FL_TOKEN_HASH_HEX - 1))
        return refuse(d);
    if (tokens_valid_after != 0 && s->started_at < tokens_valid_after)
        return refuse(d);
    if (sodium_memcmp(presented_hash, s->token_hash, FL_TOKEN_HASH_HEX - 1) == 0) {
        if (!is_hex(new_hash, FL_TOKEN_HASH_HEX - 1) || strcmp(new_hash, s->token_hash) == 0)
            return fl_decision_fail(d, 400, "invalid session", "new token hash malformed");
        return emit_refreshed(ctx, s, version, new_hash, d);
    }
    if (!fl_session_was_rotated(s, presented_hash))
        return refuse(d);
    /*
     * A token that was already exchanged is being presented again: either
     * the client or an attacker holds a copy. Neither can be told apart, so
     * the family ends for both, and the revocation is recorded although the
     * request itself is refused.
     */
    int rc = emit_revoked(ctx, s, version, FL_SESSION_REUSE, d);
    if (rc != 0)
        return rc;
    d->keep_events = true;
    return refuse(d);
}

int fl_session_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                             fl_session_reason_t reason, fl_decision_t *d)
{
    if (fl_session_reason_name(reason) == NULL)
        return fl_decision_fail(d, 400, "invalid session", "unknown revocation reason");
    if (!s->exists)
        return fl_decision_fail(d, 404, "session not found", NULL);
    if (s->revoked)
        return 0;
    return emit_revoked(ctx, s, version, reason, d);
}

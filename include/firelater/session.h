/*
 * Sessions: one refresh-token family per sign-in, an aggregate on the stream
 * "session:<family>" of the tenant's log (so a session belongs to exactly one
 * tenant: the log it lives in). Every refresh rotates the token; presenting a
 * token that was already rotated out means it was copied, so the whole family
 * is revoked (RFC 9700 §4.14.2).
 *
 * Events (data as JSON; stored as msgpack):
 *   session.started   {family, user_id, token_hash, client, user_agent, expires_at}
 *   session.refreshed {token_hash, previous_hash}
 *   session.revoked   {reason: "logout" | "reuse" | "password_changed" | "deactivated" | "admin"}
 * Token hashes are hex BLAKE2b-256 of the whole token (fl_refresh_token_*).
 *
 * The decide functions are pure (domain.h): no I/O, no clock but ctx->now,
 * memory from ctx->a. Each returns 0 with events in d, FL_EINVAL when the
 * command is refused (d->status and d->problem say why), or FL_ETOOBIG when
 * the arena or the decision is full.
 */
#ifndef FIRELATER_SESSION_H
#define FIRELATER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/auth.h"
#include "firelater/clock.h"
#include "firelater/domain.h"

#define FL_SESSION_STREAM_PREFIX "session:"
#define FL_SESSION_STREAM_MAX    (sizeof(FL_SESSION_STREAM_PREFIX) + FL_REFRESH_FAMILY_LEN)

/*
 * How many rotated-out hashes a session remembers. Past that, the oldest are
 * forgotten: presenting one of those is refused (401) like any unknown token,
 * but no longer revokes the family. 256 refreshes are over 2.5 days of
 * 15-minute access tokens used without pause, inside the 7-day lifetime.
 */
#define FL_SESSION_ROTATED_MAX 256

typedef enum fl_session_reason {
    FL_SESSION_ACTIVE = 0, /* not revoked */
    FL_SESSION_LOGOUT,
    FL_SESSION_REUSE,
    FL_SESSION_PASSWORD_CHANGED,
    FL_SESSION_DEACTIVATED,
    FL_SESSION_ADMIN,
} fl_session_reason_t;

/* "logout", "reuse", ...; NULL for FL_SESSION_ACTIVE or an unknown value. */
const char *fl_session_reason_name(fl_session_reason_t r);
/* The reason named s; FL_SESSION_ACTIVE when s names none. */
fl_session_reason_t fl_session_reason_parse(const char *s);

/*
 * The folded state. Strings are NUL-terminated; client and user_agent live in
 * the fold's arena (the cache entry's) and are "" until started.
 */
typedef struct fl_session {
    bool exists;
    char family[FL_REFRESH_FAMILY_LEN + 1];
    char user_id[FL_UUID_LEN + 1];
    char token_hash[FL_TOKEN_HASH_HEX]; /* the current token's */
    /* The hashes rotated out, binary, a ring of the most recent FL_SESSION_ROTATED_MAX. */
    uint8_t rotated[FL_SESSION_ROTATED_MAX][32];
    unsigned n_rotated;    /* how many the ring holds */
    unsigned rotated_next; /* where the next one goes */
    uint64_t refreshes;    /* every refresh ever, remembered or not */
    bool revoked;
    fl_session_reason_t reason;
    const char *client;
    const char *user_agent;
    fl_time_t started_at;   /* the session.started event's time */
    fl_time_t expires_at;   /* started + FL_REFRESH_TTL_S: refreshes do not extend it */
    fl_time_t refreshed_at; /* 0 until the first refresh */
    fl_time_t revoked_at;
} fl_session_t;

/* For fl_agg_load: name "session", state fl_session_t. */
extern const fl_agg_type_t fl_session_agg;

/* "session:<family>" into buf (at least FL_SESSION_STREAM_MAX); FL_EINVAL for a bad family. */
int fl_session_stream(const char *family, char *buf, size_t len);

/* True when the session can be refreshed at now: started, not revoked, not expired. */
bool fl_session_is_active(const fl_session_t *s, fl_time_t now);

/* True when hash (hex) was this session's token once and has been rotated out. */
bool fl_session_was_rotated(const fl_session_t *s, const char *hash);

/*
 * A new session for user_id (a UUID) whose first token hashes to token_hash;
 * the stream must not exist yet. Records ctx->client and ctx->user_agent
 * (truncated to 256 bytes). Bad arguments are a 400 problem.
 */
int fl_session_decide_start(const fl_cmd_ctx_t *ctx, const char *family, const char *user_id,
                            const char *token_hash, fl_decision_t *d);

/*
 * A refresh presenting the token that hashes to presented_hash, rotating to
 * new_hash, against the state at version. Refused with 401 "invalid refresh
 * token" when the session is unknown, expired, revoked, started before
 * tokens_valid_after (the user's last password change or deactivation; 0 for
 * none), or the token is not its current one. A token that was rotated out
 * revokes the family: d holds session.revoked {reason: "reuse"} with
 * d->keep_events set, and the command is refused all the same.
 */
int fl_session_decide_refresh(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                              const char *presented_hash, const char *new_hash,
                              fl_time_t tokens_valid_after, fl_decision_t *d);

/*
 * Revokes the session for reason. Idempotent: a revoked session gives no
 * events and succeeds. A session that does not exist is a 404 problem.
 */
int fl_session_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_session_t *s, uint64_t version,
                             fl_session_reason_t reason, fl_decision_t *d);

/*
 * The session as the API shows it (no token hashes): {family, user_id, client,
 * user_agent, started_at, expires_at, refreshed_at, revoked, reason}. The
 * caller owns the result. Has the shape of the server's render functions.
 */
json_t *fl_session_to_json(const void *state, uint64_t version);

#endif

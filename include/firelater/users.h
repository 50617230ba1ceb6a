/*
 * Users and roles: the write side (aggregates, decode, decide), the read side
 * (projection into the tenant schema's users, roles and user_roles tables,
 * the list query) and the JSON a client sees.
 *
 * Streams:
 *   user:<uuid>              a user's profile, status, roles and password hash
 *   email:<lowercased email> who holds an address: the write-side guarantee
 *                            that emails are unique per tenant
 *   (roles, role:<uuid> and role-name:<name>, are firelater/roles.h's)
 *
 * Decoders and deciders fill an fl_decision_t: on a refusal they return
 * FL_EINVAL and the decision holds the status and the problem (every field
 * error collected); on success they return 0. Deciders are pure: no I/O, no
 * clock (ctx->now), memory only from ctx->a. Strings of commands and states
 * live in the arena given to the decoder or the fold.
 */
#ifndef FIRELATER_USERS_H
#define FIRELATER_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/projector.h"
#include "firelater/store.h"

#define FL_USERS_MAX_ROLES    16   /* roles granted directly to one user */
#define FL_USERS_EMAIL_MAX    255  /* bytes */
#define FL_USERS_NAME_MAX     255  /* characters */
#define FL_USERS_PHONE_MAX    50   /* characters */
#define FL_USERS_TZ_MAX       100  /* bytes */
#define FL_USERS_URL_MAX      2048 /* bytes */
#define FL_USERS_ROLE_MAX     100  /* bytes of a role name */
#define FL_USERS_PASSWORD_MIN 12   /* characters */
#define FL_USERS_PASSWORD_MAX 1024 /* bytes */

/* The spec's four system roles, in this order: admin, manager, agent, requester. */
#define FL_USERS_N_SYSTEM_ROLES 4
extern const char *const fl_users_system_roles[FL_USERS_N_SYSTEM_ROLES];

/* ------------------------------------------------------------- aggregates */

typedef enum fl_user_status {
    FL_USER_NONE = 0, /* the stream does not exist */
    FL_USER_ACTIVE,
    FL_USER_INACTIVE,
} fl_user_status_t;

/* "active", "inactive" ("" for NONE); and back (FL_USER_NONE when unknown). */
const char *fl_user_status_name(fl_user_status_t s);
fl_user_status_t fl_user_status_parse(const char *s);

/* user:<uuid>. Strings live in the fold's arena; phone, avatar_url, password_hash may be NULL. */
typedef struct fl_user_state {
    bool exists;
    uint64_t version; /* the stream version folded up to; 0 when absent */
    char id[FL_UUID_LEN + 1];
    const char *email; /* as given; compared lowercased */
    const char *name;
    const char *phone;
    const char *timezone;
    const char *avatar_url;
    fl_user_status_t status;
    const char *roles[FL_USERS_MAX_ROLES]; /* names, sorted, distinct */
    size_t n_roles;
    const char *password_hash;    /* argon2id string; NULL: cannot sign in with a password */
    fl_time_t tokens_valid_after; /* tokens issued before this are void (0: none) */
    fl_time_t last_login_at;      /* 0: never */
    fl_time_t created_at;
    fl_time_t updated_at;
    /* A pending password reset: the hex BLAKE2b-256 of its token (NULL: none) and when it
     * expires. Set by user.password_reset_requested; cleared by user.password_reset,
     * user.password_changed and user.deactivated. */
    const char *reset_hash;
    fl_time_t reset_expires_at;
} fl_user_state_t;

/* email:<lowercased email>: claimed by a user, or released (or never claimed). */
typedef struct fl_email_claim_state {
    bool claimed;
    uint64_t version;              /* 0 when the stream does not exist */
    char user_id[FL_UUID_LEN + 1]; /* "" unless claimed */
} fl_email_claim_state_t;

extern const fl_agg_type_t fl_user_agg;        /* fl_user_state_t */
extern const fl_agg_type_t fl_email_claim_agg; /* fl_email_claim_state_t */

/*
 * Stream names, in the arena: "user:<id>", "email:<lowercased email>".
 * NULL past the arena's budget.
 */
char *fl_users_stream(fl_arena_t *a, const char *user_id);
char *fl_users_email_stream(fl_arena_t *a, const char *email);

/* True when a token of the user issued at iat (µs) is honoured: active, and not issued
 * before tokens_valid_after (compared in whole seconds, as JWT iat is). */
bool fl_user_token_is_valid(const fl_user_state_t *u, fl_time_t iat);

/* ---------------------------------------------------------------- commands */

enum {
    FL_USER_F_EMAIL = 1u << 0,
    FL_USER_F_NAME = 1u << 1,
    FL_USER_F_PHONE = 1u << 2,
    FL_USER_F_TIMEZONE = 1u << 3,
    FL_USER_F_AVATAR_URL = 1u << 4,
    FL_USER_F_ROLES = 1u << 5,
    FL_USER_F_STATUS = 1u << 6,
};

/* The profile fields of a body; `set` says which were present. phone/avatar_url NULL = cleared. */
typedef struct fl_user_fields {
    unsigned set; /* FL_USER_F_* */
    const char *email;
    const char *name;
    const char *phone;
    const char *timezone;
    const char *avatar_url;
    fl_user_status_t status;
    const char *roles[FL_USERS_MAX_ROLES]; /* sorted, distinct */
    size_t n_roles;
} fl_user_fields_t;

/* POST /users. Absent fields take defaults in decide (timezone UTC, active, ["requester"]). */
typedef struct fl_user_create_cmd {
    fl_user_fields_t f;
    const char *password; /* plaintext for the caller to hash; NULL: no password yet */
} fl_user_create_cmd_t;

/* PUT /users/{id}: only the fields present change. */
typedef struct fl_user_update_cmd {
    fl_user_fields_t f;
    bool by_admin; /* set by the caller (not decoded): the actor holds the admin role */
} fl_user_update_cmd_t;

/* PUT /users/{id}/password. */
typedef struct fl_user_password_cmd {
    const char *current_password; /* NULL when absent */
    const char *new_password;
    bool current_verified; /* set by the caller: current_password matched the stored hash */
    bool by_admin;         /* set by the caller */
} fl_user_password_cmd_t;

/*
 * Decode a JSON body into a command. Every problem is collected into d (422
 * naming the field; unknown fields named too); strings are copied into a.
 * known_roles lists the role names a body may grant (n_known of them): the
 * live roles the caller found for the body's names (firelater/roles.h); any
 * other is 422 naming roles[i].
 * Returns 0, or FL_EINVAL when d was failed. timezone is checked against the
 * system tz database (/usr/share/zoneinfo), the only I/O here.
 */
int fl_users_decode_create(const json_t *body, const char *const *known_roles, size_t n_known,
                           fl_arena_t *a, fl_user_create_cmd_t *cmd, fl_decision_t *d);
int fl_users_decode_update(const json_t *body, const char *const *known_roles, size_t n_known,
                           fl_arena_t *a, fl_user_update_cmd_t *cmd, fl_decision_t *d);
int fl_users_decode_password(const json_t *body, fl_arena_t *a, fl_user_password_cmd_t *cmd,
                             fl_decision_t *d);

/*
 * The password policy: FL_USERS_PASSWORD_MIN characters, at most
 * FL_USERS_PASSWORD_MAX bytes, not the email (case-insensitive; email may be
 * NULL). Adds a field error named `field` to d and returns false when broken.
 * Call it before hashing: argon2id is expensive.
 */
bool fl_users_check_password(const char *password, const char *email, const char *field,
                             fl_decision_t *d);

/* ------------------------------------------------------------------ decide */

/*
 * Creates a user: user.created on user:<new id> (expected absent) and
 * user.email_claimed on the email's claim stream, expected at claim->version
 * (FL_LOG_NO_STREAM when never claimed). A claimed address is 409 naming
 * email. password_hash (computed by the caller from cmd->password) may be
 * NULL. Sets d->location.
 */
int fl_users_decide_create(const fl_cmd_ctx_t *ctx, const fl_user_create_cmd_t *cmd,
                           const char *password_hash, const fl_email_claim_state_t *claim,
                           fl_decision_t *d);

/*
 * Updates the fields present that really change: user.updated {id, changes}
 * (nothing changed: no events, success), user.deactivated for status
 * inactive, and for a new address user.email_claimed on its claim stream
 * (claim: that stream's state; NULL when cmd has no email) and
 * user.email_released on the old one. expected: If-Match, or FL_LOG_ANY to
 * expect u->version. 404 unknown user; 403 a non-admin changing roles or
 * status; 409 a claimed address, deactivating yourself, dropping your own
 * admin role.
 */
int fl_users_decide_update(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                           const fl_user_update_cmd_t *cmd, const fl_email_claim_state_t *claim,
                           fl_decision_t *d);

/* DELETE /users/{id}: user.deactivated. 404 unknown; 409 already inactive, or yourself. */
int fl_users_decide_deactivate(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                               fl_decision_t *d);

/*
 * user.password_changed {id, password_hash, changes: {password: {redacted}}}.
 * Changing your own password needs current_password, verified by the caller
 * (422 when absent, 403 when wrong); someone else's needs by_admin (403).
 * The policy is checked against the user's email (422). 404, 409 inactive.
 */
int fl_users_decide_password(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                             const fl_user_password_cmd_t *cmd, const char *password_hash,
                             fl_decision_t *d);

/*
 * A successful sign-in: user.logged_in {id, at = ctx->now} on the user's
 * stream, with no expectation (it commutes with every other change). It is on
 * the user stream because last_login_at is part of the user's representation,
 * so its ETag must move. 404 unknown; 409 inactive.
 */
int fl_users_decide_login_recorded(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                                   fl_decision_t *d);

/* --------------------------------------------------------------- responses */

/*
 * The user as the API shows it: the spec's columns without password_hash,
 * timestamps in RFC 3339 (null when unset), roles as names, and "version"
 * (an integer: stream_version when it is digits, else u->version).
 * The caller owns the result (json_decref).
 */
json_t *fl_user_to_json(const fl_user_state_t *u, const char *stream_version);

/* --------------------------------------------------------------- read side */

/* Handlers for user.created/updated/deactivated/password_changed/logged_in. */
extern const fl_proj_handler_t fl_users_projections[];

#define FL_USERS_LIST_MAX_PARAMS 8

/*
 * GET /users as one statement: sql with params[0..nparams-1] (text, in the
 * arena). It returns at least one row: column _total holds meta.total on
 * every row; a page past the end gives one row whose _id is NULL (which
 * fl_users_row_to_json skips).
 */
typedef struct fl_users_list {
    const char *sql;
    const char *params[FL_USERS_LIST_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_users_list_t;

/*
 * Builds the list query from the request's query parameters: page (>= 1),
 * per_page (1..100, default 25), sort (created_at, updated_at, name, email,
 * status, last_login_at; default created_at), order (asc|desc, default asc),
 * status, role, email (exact, case-insensitive), q (substring of name or
 * email), fields (comma-separated columns). Unknown or repeated parameters
 * and bad values are 422 naming them. Returns 0 or FL_EINVAL.
 */
int fl_users_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_users_list_t *out,
                        fl_decision_t *d);

/*
 * One result row as JSON, every column but those starting with '_' (roles
 * parsed as an array, NULL as null); NULL for the padding row of an empty
 * page. The caller owns the result.
 */
json_t *fl_users_row_to_json(const fl_store_res_t *r, int row);

/* {data: [...], meta: {page, per_page, total}} from the list query's result. */
json_t *fl_users_list_to_json(const fl_store_res_t *r, const fl_users_list_t *q);

/* ---------------------------------------------------------- password reset */

/*
 * Forgotten passwords (POST /auth/forgot-password, /auth/reset-password).
 * The token a user receives is "<tenant>.<user id>.<secret>" (secret: 43
 * base64url characters of 32 random bytes); only the hex BLAKE2b-256 of
 * "<user id>.<secret>" is ever in the log. A token is valid for
 * FL_USERS_RESET_TTL_S, once, and only the latest one requested.
 */
#define FL_USERS_RESET_TTL_S     (30 * 60)
#define FL_USERS_RESET_TOKEN_MAX 160 /* bytes of a whole token, NUL included */
#define FL_USERS_RESET_HASH_HEX  65  /* 64 hex characters and a NUL */

/* POST /auth/forgot-password {tenant, email}. */
typedef struct fl_user_forgot_cmd {
    const char *tenant;
    const char *email;
} fl_user_forgot_cmd_t;

/* POST /auth/reset-password {token, new_password}. */
typedef struct fl_user_reset_cmd {
    const char *token;
    const char *new_password;
} fl_user_reset_cmd_t;

/* Bodies -> commands, every problem collected (422 naming the field); strings copied into a.
 * The reset's new_password is checked against the policy without the email (see decide). */
int fl_users_decode_forgot(const json_t *body, fl_arena_t *a, fl_user_forgot_cmd_t *cmd,
                           fl_decision_t *d);
int fl_users_decode_reset(const json_t *body, fl_arena_t *a, fl_user_reset_cmd_t *cmd,
                          fl_decision_t *d);

/*
 * A new token for user_id of tenant into token, and the hash the log keeps
 * into hash_out. Random (libsodium), so not for deciders. FL_EINVAL for a bad
 * slug or id.
 */
int fl_users_reset_token_new(const char *tenant, const char *user_id,
                             char token[FL_USERS_RESET_TOKEN_MAX],
                             char hash_out[FL_USERS_RESET_HASH_HEX]);

/* Splits a presented token into its tenant, user id and hash. FL_EINVAL when malformed. */
int fl_users_reset_token_parse(const char *token, char tenant[FL_STORE_SLUG_MAX + 1],
                               char user_id[FL_UUID_LEN + 1],
                               char hash_out[FL_USERS_RESET_HASH_HEX]);

/*
 * user.password_reset_requested {id, token_hash, expires_at = now + TTL} on
 * the user's stream, with no expectation (a later request supersedes an
 * earlier one). 404 unknown; 409 inactive: the glue then does nothing, and
 * tells the client nothing either.
 */
int fl_users_decide_reset_request(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                                  const char *token_hash, fl_decision_t *d);

/*
 * Whether a reset may go ahead, before the expensive hashing: token_hash must
 * be the user's latest request's, unused and unexpired at ctx->now (compared
 * in constant time), and the user active; every failure is the same 400
 * naming token. Then the policy against the user's email: 422 naming
 * new_password. Returns 0 or FL_EINVAL.
 */
int fl_users_check_reset(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, const char *token_hash,
                         const char *new_password, fl_decision_t *d);

/*
 * The same checks, then user.password_reset {id, password_hash, token_hash,
 * changes: {password: {redacted}}} expecting u->version, so a token is spent
 * once even by racing requests. Its fold consumes the token and moves
 * tokens_valid_after: earlier access tokens and sessions stop working.
 */
int fl_users_decide_reset(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, const char *token_hash,
                          const char *new_password, const char *password_hash, fl_decision_t *d);

#endif

/*
 * API keys for service accounts: the key format (parse, hash, prefix), the
 * write side (decode, decide, fold), the read side (projection into the
 * tenant schema's api_keys table, the list query) and the JSON a client sees.
 * The HTTP glue (src/server/api_apikeys.c, auth_apikey.c) puts them together.
 *
 * A key is "fl_<tenant slug>_<key id>_<secret>": the secret is 32 random
 * bytes in base64url without padding (43 characters), the key id a UUID. The
 * id and the secret have fixed lengths, so a key is split from its end even
 * though slugs may hold '_'. The log and the read model keep only the
 * BLAKE2b-256 of the secret.
 *
 * Stream: apikey:<uuid>. Events:
 *   api_key.created {id, name, prefix, secret_hash (hex), scopes, expires_at, created_by}
 *   api_key.revoked {id}
 *   api_key.used    {id, at}
 *
 * Decoders and deciders fill an fl_decision_t: on a refusal they return
 * FL_EINVAL and the decision holds the status and the problem; on success 0.
 * Deciders are pure: no I/O, no clock (ctx->now), memory only from ctx->a.
 */
#ifndef FIRELATER_APIKEYS_H
#define FIRELATER_APIKEYS_H

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
#include "firelater/rbac.h"
#include "firelater/store.h"

#define FL_APIKEYS_NAME_MAX     255 /* characters */
#define FL_APIKEYS_SECRET_BYTES 32
#define FL_APIKEYS_SECRET_LEN   43                         /* base64url of 32 bytes, no padding */
#define FL_APIKEYS_HASH_BYTES   32                         /* BLAKE2b-256 */
#define FL_APIKEYS_SLUG_MAX     56                         /* as tenant slugs */
#define FL_APIKEYS_KEY_MAX      (3 + 56 + 1 + 36 + 1 + 43) /* "fl_" slug "_" id "_" secret */
#define FL_APIKEYS_PREFIX_MAX   (3 + 56 + 1 + 8)           /* "fl_" slug "_" 8 id digits */
#define FL_APIKEYS_TTL_MAX_S    (730LL * 86400)            /* expires_at at most 2 years ahead */
#define FL_APIKEYS_USE_EVERY_S  60 /* api_key.used at most once a minute per key */

/* ---------------------------------------------------------------- the key */

/* A key split into its parts (parse) or about to be written (format). */
typedef struct fl_api_key_parts {
    char slug[FL_APIKEYS_SLUG_MAX + 1];
    char id[FL_UUID_LEN + 1];
    uint8_t secret[FL_APIKEYS_SECRET_BYTES];
} fl_api_key_parts_t;

/*
 * Splits "fl_<slug>_<id>_<secret>": the slug [a-z][a-z0-9_]{1,55}, a
 * lowercase UUID, a base64url secret of exactly 32 bytes. FL_EINVAL for
 * anything else (no detail: every malformed key is refused alike).
 */
int fl_apikeys_parse(const char *key, fl_api_key_parts_t *out);

/* Writes the key of parts into buf (FL_APIKEYS_KEY_MAX + 1 bytes); FL_EINVAL if it does not fit. */
int fl_apikeys_format(const fl_api_key_parts_t *parts, char *buf, size_t len);

/* "fl_<slug>_<first 8 digits of id>" into buf (FL_APIKEYS_PREFIX_MAX + 1 bytes). */
void fl_apikeys_prefix(const char *slug, const char *id, char *buf, size_t len);

/* BLAKE2b-256 of a secret (256 random bits: a fast hash is enough, no argon2). */
void fl_apikeys_hash(const uint8_t secret[FL_APIKEYS_SECRET_BYTES],
                     uint8_t out[FL_APIKEYS_HASH_BYTES]);

/*
 * What a key may do now: each permission its scopes allow that its creator
 * also holds (manage counts on both sides, so users:read under a creator
 * holding users:manage stays, and users:manage under a creator holding
 * users:read leaves users:read).
 */
void fl_apikeys_effective(const fl_perms_t *scopes, const fl_perms_t *creator, fl_perms_t *out);

/* ------------------------------------------------------------- aggregate */

/* apikey:<uuid>. name lives in the fold's arena. */
typedef struct fl_api_key_state {
    bool exists;
    bool revoked;
    uint64_t version; /* the stream version folded up to; 0 when absent */
    char id[FL_UUID_LEN + 1];
    const char *name;
    char prefix[FL_APIKEYS_PREFIX_MAX + 1];
    uint8_t secret_hash[FL_APIKEYS_HASH_BYTES];
    fl_perms_t scopes;
    char created_by[FL_UUID_LEN + 1];
    fl_time_t expires_at; /* 0: never */
    fl_time_t created_at;
    fl_time_t last_used_at; /* 0: never (recorded at most once a minute) */
    fl_time_t revoked_at;
} fl_api_key_state_t;

extern const fl_agg_type_t fl_api_key_agg; /* fl_api_key_state_t */

/* "apikey:<id>" in the arena; NULL past its budget. */
char *fl_apikeys_stream(fl_arena_t *a, const char *id);

/* True when the key exists, is not revoked and has not expired at now. */
bool fl_api_key_is_usable(const fl_api_key_state_t *k, fl_time_t now);

/* True when the secret is the key's (constant time). */
bool fl_api_key_secret_matches(const fl_api_key_state_t *k,
                               const uint8_t secret[FL_APIKEYS_SECRET_BYTES]);

/* -------------------------------------------------------------- commands */

/* POST /api-keys {name, scopes, expires_at}; id and secret_hash are the glue's. */
typedef struct fl_api_key_cmd {
    const char *name;
    fl_perms_t scopes;
    fl_time_t expires_at; /* 0: never */
    const char *id;
    uint8_t secret_hash[FL_APIKEYS_HASH_BYTES];
} fl_api_key_cmd_t;

/*
 * Decodes a create body: name (1..255 characters, no control characters),
 * scopes (a non-empty array of distinct "resource:action" names, 422 naming
 * scopes[i]), expires_at (RFC 3339, or null or absent for no expiry).
 * Unknown fields are named. Strings are copied into a. 0 or FL_EINVAL.
 */
int fl_apikeys_decode_create(const json_t *body, fl_arena_t *a, fl_api_key_cmd_t *cmd,
                             fl_decision_t *d);

/*
 * Who creates the key: the permissions they hold now and whether they are
 * an API key themselves.
 */
typedef struct fl_api_key_creator {
    const char *user_id;
    fl_perms_t perms;
    bool is_api_key;
} fl_api_key_creator_t;

/*
 * api_key.created on apikey:<cmd->id> (expected absent). 403 when the
 * creator is an API key, 403 naming scopes when it holds less than them,
 * 422 naming expires_at when it is not after ctx->now or more than
 * FL_APIKEYS_TTL_MAX_S ahead. Sets d->location.
 */
int fl_apikeys_decide_create(const fl_cmd_ctx_t *ctx, const fl_api_key_cmd_t *cmd,
                             const fl_api_key_creator_t *by, fl_decision_t *d);

/* api_key.revoked. 404 unknown key, 409 already revoked. expected: If-Match or FL_LOG_ANY. */
int fl_apikeys_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_api_key_state_t *k, int64_t expected,
                             fl_decision_t *d);

/*
 * api_key.used {id, at: ctx->now} without expectation (it commutes with
 * everything), when the key is usable and its last recorded use is at least
 * FL_APIKEYS_USE_EVERY_S old; else no events. 0, or FL_ETOOBIG.
 */
int fl_apikeys_decide_used(const fl_cmd_ctx_t *ctx, const fl_api_key_state_t *k, fl_decision_t *d);

/* ------------------------------------------------------------- responses */

/*
 * The key as the API shows it: id, name, prefix, scopes (names, catalogue
 * order), expires_at, created_by, created_at, last_used_at, revoked_at,
 * version. Never the secret nor its hash. The caller owns the result.
 */
json_t *fl_api_key_to_json(const fl_api_key_state_t *k);

/* The scopes as an array of "resource:action" names, catalogue order. New reference. */
json_t *fl_apikeys_scopes_to_json(const fl_perms_t *scopes);

/* -------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_apikeys_projections[];

#define FL_APIKEYS_QUERY_MAX_PARAMS 6

/*
 * One statement: sql with params (text, in the arena). The list returns at
 * least one row: _total holds meta.total and a page past the end gives one
 * row whose id is NULL.
 */
typedef struct fl_apikeys_query {
    const char *sql;
    const char *params[FL_APIKEYS_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_apikeys_query_t;

/*
 * GET /api-keys: page (>= 1), per_page (1..100, default 25), sort
 * (created_at, name, last_used_at, expires_at; default created_at), order
 * (asc|desc), revoked (true|false). Unknown or repeated parameters and bad
 * values are 422 naming them. 0 or FL_EINVAL.
 */
int fl_apikeys_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                          fl_apikeys_query_t *out, fl_decision_t *d);

/* GET /api-keys/{id}: one row, or none. id must be a UUID (FL_EINVAL). */
int fl_apikeys_get_query(const char *id, fl_arena_t *a, fl_apikeys_query_t *out);

/* A row as JSON (the API's fields; no hash is ever selected); NULL for the padding row. */
json_t *fl_apikeys_row_to_json(const fl_store_res_t *r, int row);

/* {data: [...], meta: {page, per_page, total}}. */
json_t *fl_apikeys_page_to_json(const fl_store_res_t *r, const fl_apikeys_query_t *q);

#endif

/*
 * Approval delegations (issue 6): a user (the delegator) hands their
 * approvals to another user (the delegate) for a period [starts_at,
 * ends_at). The write side (aggregate, decode, decide), the lookup the
 * requests module's approvals call, the read side (projection into the
 * tenant schema's delegations table, the list queries) and the JSON a
 * client sees. The HTTP glue is src/server/api_delegations.c.
 *
 * Stream: delegations:<delegator uuid>, holding every delegation of that
 * user (so "is X a delegate of M at t" is one aggregate load). Events:
 *   delegation.created {id, delegator_id, delegate_id, starts_at, ends_at, reason, created_by}
 *   delegation.revoked {id, delegator_id, revoked_at, revoked_by}
 * A revocation ends a delegation at revoked_at; the delegation stays in the
 * history. Deciders are pure: no I/O, no clock (ctx->now), memory from ctx->a.
 */
#ifndef FIRELATER_DELEGATIONS_H
#define FIRELATER_DELEGATIONS_H

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
#include "firelater/users.h"

#define FL_DELEG_MAX_DAYS    90  /* ends_at - starts_at at most */
#define FL_DELEG_REASON_MAX  500 /* characters */
#define FL_DELEG_MAX_OPEN    50  /* scheduled or running delegations of one delegator */
#define FL_DELEG_START_GRACE 300 /* seconds: a starts_at this far in the past means now */

/* ------------------------------------------------------------- aggregate */

/* One delegation; reason lives in the fold's arena (NULL: none). */
typedef struct fl_delegation {
    char id[FL_UUID_LEN + 1];
    char delegate_id[FL_UUID_LEN + 1];
    fl_time_t starts_at;
    fl_time_t ends_at; /* as planned */
    const char *reason;
    char created_by[FL_UUID_LEN + 1];
    fl_time_t created_at;
    fl_time_t revoked_at; /* 0: not revoked */
    char revoked_by[FL_UUID_LEN + 1];
    uint64_t version; /* the stream version of its last event */
} fl_delegation_t;

/* delegations:<user uuid>: every delegation of one delegator, in creation order. */
typedef struct fl_delegations_state {
    uint64_t version; /* 0: the stream does not exist */
    char user_id[FL_UUID_LEN + 1];
    fl_delegation_t *items; /* in the fold's arena */
    size_t n, cap;
    size_t last; /* the delegation the latest event created or revoked */
} fl_delegations_state_t;

extern const fl_agg_type_t fl_delegations_agg; /* fl_delegations_state_t */

/* "delegations:<user id>" (lowercased) in a; NULL when user_id is not a uuid or past the budget. */
char *fl_delegations_stream(fl_arena_t *a, const char *user_id);

/* When the delegation stops: ends_at, or revoked_at when it was revoked before that. */
fl_time_t fl_delegation_end(const fl_delegation_t *x);

/* "scheduled", "active", "ended" or "revoked" at now. */
const char *fl_delegation_status(const fl_delegation_t *x, fl_time_t now);

/* The delegation with that id, or NULL. */
const fl_delegation_t *fl_delegations_get(const fl_delegations_state_t *s, const char *id);

/* -------------------------------------------------------------- commands */

/* POST /users/{id}/delegations {delegate_id, starts_at, ends_at, reason}; strings in the arena. */
typedef struct fl_delegation_cmd {
    const char *delegate_id;
    fl_time_t starts_at; /* 0: absent (now) */
    fl_time_t ends_at;
    const char *reason; /* NULL: none */
} fl_delegation_cmd_t;

/*
 * Decodes a create body: delegate_id (a uuid), starts_at (RFC 3339, null or
 * absent for now), ends_at (RFC 3339, required), reason (a string of at most
 * 500 characters without control characters other than newlines and tabs,
 * or null). Every bad or unknown field is named (422). 0 or FL_EINVAL.
 */
int fl_delegations_decode_create(const json_t *body, fl_arena_t *a, fl_delegation_cmd_t *cmd,
                                 fl_decision_t *d);

/* What a create is decided against, loaded by the glue. */
typedef struct fl_delegation_parties {
    const fl_user_state_t *delegator;            /* the user of {id} */
    const fl_delegations_state_t *mine;          /* delegations:<delegator> */
    const fl_user_state_t *delegate;             /* NULL when delegate_id names no user */
    const fl_delegations_state_t *delegates_own; /* delegations:<delegate>; NULL: none */
} fl_delegation_parties_t;

/*
 * delegation.created on delegations:<delegator>, expecting it and the
 * delegate's own stream at their versions (a concurrent create is retried,
 * never let through). Refusals: 409 when the delegator is not active; 422
 * naming delegate_id (unknown, inactive, the delegator, or has delegated
 * their own approvals for an overlapping period: no chains), starts_at
 * (more than FL_DELEG_START_GRACE in the past), ends_at (not after
 * starts_at, not in the future, more than 90 days after starts_at); 422
 * when FL_DELEG_MAX_OPEN delegations are scheduled or running; 409 naming
 * the overlapping live delegation. Sets d->location.
 */
int fl_delegations_decide_create(const fl_cmd_ctx_t *ctx, const fl_delegation_cmd_t *cmd,
                                 const fl_delegation_parties_t *pt, fl_decision_t *d);

/*
 * delegation.revoked {id, revoked_at: ctx->now}: the delegation ends now (a
 * scheduled one never starts). 404 unknown id, 409 already revoked or
 * ended, 412 when expected (If-Match: the stream's version) differs.
 */
int fl_delegations_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_delegations_state_t *s,
                                 const char *id, int64_t expected, fl_decision_t *d);

/* ------------------------------------------------------------ for requests */

/* A delegation found by fl_delegation_find; times in µs, revoked_at 0 when not revoked. */
typedef struct fl_delegation_ref {
    char id[FL_UUID_LEN + 1];
    fl_time_t starts_at;
    fl_time_t ends_at;
    fl_time_t revoked_at;
    const char *reason; /* in a; NULL: none */
} fl_delegation_ref_t;

/*
 * Whether delegator_id had handed their approvals to delegate_id at instant
 * at (starts_at <= at < ends_at, and not revoked at or before at), from the
 * tenant's aggregate cache: 1 with out filled, 0 when not (also for ids
 * that are not uuids), or the log's error (< 0). Delegations are not
 * transitive: M -> X and X -> Y does not make Y a delegate of M.
 */
int fl_delegation_find(fl_agg_cache_t *cache, fl_arena_t *a, const char *delegator_id,
                       const char *delegate_id, fl_time_t at, fl_delegation_ref_t *out);

/* ------------------------------------------------------------- responses */

/* A delegation: id, delegator_id, delegate_id, starts_at, ends_at, reason, status (at now),
 * created_by, created_at, revoked_at, revoked_by, version. New reference. */
json_t *fl_delegation_to_json(const fl_delegations_state_t *s, const fl_delegation_t *x,
                              fl_time_t now);

/* Every delegation of the state, newest first: {data: [...], meta: {total}}. */
json_t *fl_delegations_to_json(const fl_delegations_state_t *s, fl_time_t now);

/* -------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_delegations_projections[];

#define FL_DELEG_QUERY_MAX_PARAMS 6

/* One statement with its parameters (text, in the arena); rows carry j and _total. */
typedef struct fl_delegations_query {
    const char *sql;
    const char *params[FL_DELEG_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_delegations_query_t;

/*
 * A list: GET /users/{id}/delegations (column "delegator_id" = user_id) or
 * GET /delegations?delegate_id= (column "delegate_id"). Parameters: page,
 * per_page (1..100, default 25), status (scheduled, active, ended, revoked),
 * and for the second also delegate_id (the glue resolves "me"). Newest
 * starts_at first. Unknown, repeated or bad parameters are 422 naming them.
 */
int fl_delegations_list_query(const char *column, const char *user_id, fl_time_t now,
                              const fl_http_param_t *query, size_t n, fl_arena_t *a,
                              fl_delegations_query_t *out, fl_decision_t *d);

#endif

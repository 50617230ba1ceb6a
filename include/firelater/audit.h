/*
 * The audit trail: who did what to which entity, when, from where, with
 * which fields changed, for every event of a tenant's log. A projection
 * (a wildcard handler: it sees every event type) keeps one audit_logs row
 * per event (schemas/tenant/0007_audit_logs.sql), keyed by the event's log
 * position and carrying its BLAKE2b-256 hash, so each entry can be tied to
 * `flctl log verify` and `flctl audit export`. Secrets never reach the table:
 * they are redacted when the row is built.
 *
 * An entry's parts, from the event:
 *   entity_type  the event type's prefix ("user" of "user.updated")
 *   action       the rest ("updated"); event_type is kept whole too
 *   entity_id    data.id, else data.<entity_type>_id, else the stream after ':'
 *   user_id      the actor's uuid when the actor is "user:<uuid>"
 *   changes      data.changes; for a "created" event every field but id as
 *                {from: null, to: value}; otherwise null (see data)
 *   data         the event's data, redacted
 */
#ifndef FIRELATER_AUDIT_H
#define FIRELATER_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/store.h"

#define FL_AUDIT_REDACTED         "[redacted]"
#define FL_AUDIT_PER_PAGE_DEFAULT 50
#define FL_AUDIT_PER_PAGE_MAX     100
#define FL_AUDIT_TYPE_MAX         64 /* bytes of an entity type in a filter or path */

/* ------------------------------------------------------------------ rows */

/*
 * True for a data key whose value is a secret: password_hash, token_hash,
 * secret_hash, key_hash and any other key ending in "_hash", and any key
 * containing "password", "secret" or "token" (ASCII case ignored).
 */
bool fl_audit_key_is_secret(const char *key);

/*
 * A deep copy of v in which the value of every secret key, at any depth (in
 * objects inside arrays too), is FL_AUDIT_REDACTED, and NUL characters in
 * strings are U+FFFD (PostgreSQL's jsonb refuses \u0000). New reference;
 * NULL only when v is NULL.
 */
json_t *fl_audit_redact(const json_t *v);

/* One audit_logs row. Strings live in the arena given to fl_audit_row_build. */
typedef struct fl_audit_row {
    const char *event_type;
    const char *entity_type;
    const char *action;
    const char *entity_id;
    const char *user_id;    /* NULL unless the actor is "user:<uuid>" */
    const char *ip;         /* the client's address without its port; NULL when absent or bad */
    const char *actor;      /* these four: valid UTF-8 (bad bytes become U+FFFD) */
    const char *request_id; /* NULL when the event has no cid */
    const char *user_agent; /* NULL when absent */
    const char *stream;
    json_t *changes; /* owned; NULL when the event carries none */
    json_t *data;    /* owned; redacted */
    char hash[2 * FL_LOG_HASH_LEN + 1];
} fl_audit_row_t;

/*
 * Builds the row of one event (data: its data as JSON, borrowed; NULL is
 * an empty object). Returns 0, or FL_ETOOBIG when the arena is full; release
 * the row either way.
 */
int fl_audit_row_build(const fl_event_t *ev, const json_t *data, fl_arena_t *a,
                       fl_audit_row_t *row);
void fl_audit_row_release(fl_audit_row_t *row);

/* The projection: one handler of type FL_PROJ_ANY_TYPE, an idempotent insert per event. */
extern const fl_proj_handler_t fl_audit_projections[];

/* ---------------------------------------------------------------- queries */

#define FL_AUDIT_LIST_MAX_PARAMS 12

/* A list query: one statement and its text parameters (in the arena), as fl_users_list_t. */
typedef struct fl_audit_list {
    const char *sql;
    const char *params[FL_AUDIT_LIST_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_audit_list_t;

/*
 * GET /audit-logs (entity_type and entity_id NULL) or
 * GET /audit-logs/{entityType}/{id} (both set, from the path: errors name
 * "entityType" and "id"; the query may not repeat them). Query parameters:
 * user (a user id), actor (exact: "apikey:<id>"), entity_type, entity_id,
 * action (a verb "updated" or a type "user.updated"), request_id, from and
 * to (RFC 3339, inclusive),
 * page (>= 1), per_page (1..100, default 50), order (desc by log position,
 * the default, or asc). Unknown or repeated parameters and bad values are
 * 422 naming them. Returns 0 or FL_EINVAL (d failed), FL_ETOOBIG.
 */
int fl_audit_list_query(const fl_http_param_t *query, size_t n, const char *entity_type,
                        const char *entity_id, fl_arena_t *a, fl_audit_list_t *out,
                        fl_decision_t *d);

/*
 * {data: [entries], meta: {page, per_page, total}} from the list query's
 * result. An entry: position, hash, created_at, actor, user_id, user_email,
 * user_name, action, event_type, entity_type, entity_id, stream,
 * stream_version, changes, data, request_id, ip_address, user_agent.
 * The caller owns the result.
 */
json_t *fl_audit_list_to_json(const fl_store_res_t *r, const fl_audit_list_t *q);

#endif

/*
 * Roles: the spec's four system roles and the tenant's custom roles, each a
 * named set of permissions (firelater/rbac.h). The write side (aggregates,
 * decode, decide), the read side (projection into the tenant schema's roles
 * and role_permissions tables, the list query) and the JSON a client sees.
 *
 * Streams:
 *   role:<uuid>        a role: names, description, permissions, deletion
 *   role-name:<name>   who holds a role name: the write-side guarantee that
 *                      live role names are unique per tenant
 *
 * Decoders and deciders fill an fl_decision_t: on a refusal they return
 * FL_EINVAL and the decision holds the status and the problem; on success 0.
 * Deciders are pure: no I/O, no clock (ctx->now), memory only from ctx->a.
 */
#ifndef FIRELATER_ROLES_H
#define FIRELATER_ROLES_H

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

#define FL_ROLES_NAME_MAX    63   /* bytes: [a-z][a-z0-9_-]{1,62} */
#define FL_ROLES_DISPLAY_MAX 255  /* characters */
#define FL_ROLES_DESC_MAX    4000 /* characters */

/* The spec's four system roles, in this order: admin, manager, agent, requester. */
#define FL_ROLES_N_SYSTEM 4
extern const char *const fl_roles_system_names[FL_ROLES_N_SYSTEM];

/* ------------------------------------------------------------- aggregates */

/*
 * role:<uuid>. Strings live in the fold's arena; description may be NULL.
 * perms: a custom role's from its events; a system role's are the code's
 * grants (fl_rbac_system_role_perms), whatever its events say.
 */
typedef struct fl_role_state {
    bool exists;  /* role.created was folded */
    bool deleted; /* role.deleted was folded: gone for the API, its name free */
    uint64_t version;
    char id[FL_UUID_LEN + 1];
    const char *name;
    const char *display_name;
    const char *description;
    bool is_system;
    fl_perms_t perms;
    fl_time_t created_at;
    fl_time_t updated_at;
    fl_time_t deleted_at;
} fl_role_state_t;

/* role-name:<name>: claimed by a role, or released (or never claimed). */
typedef struct fl_role_name_claim_state {
    bool claimed;
    uint64_t version;              /* 0 when the stream does not exist */
    char role_id[FL_UUID_LEN + 1]; /* "" unless claimed */
} fl_role_name_claim_state_t;

extern const fl_agg_type_t fl_role_agg;            /* fl_role_state_t */
extern const fl_agg_type_t fl_role_name_claim_agg; /* fl_role_name_claim_state_t */

/* "role:<id>" and "role-name:<name>", in the arena; NULL past its budget. */
char *fl_roles_stream(fl_arena_t *a, const char *role_id);
char *fl_roles_name_stream(fl_arena_t *a, const char *name);

/* A role name's syntax: [a-z][a-z0-9_-]{1,62}. */
bool fl_roles_name_ok(const char *s);

/*
 * A body's list of role names (users' and groups' `roles`): an array of at
 * most max strings, each among known (n_known names: the live roles the
 * caller found), else 422 naming field[i]. On success out[0..*n) points
 * into known, sorted (strcmp) and distinct. Errors are collected into d.
 */
void fl_roles_decode_names(const json_t *v, const char *field, const char *const *known,
                           size_t n_known, size_t max, fl_arena_t *a, const char **out, size_t *n,
                           fl_decision_t *d);

/* ---------------------------------------------------------------- commands */

enum {
    FL_ROLE_F_NAME = 1u << 0,
    FL_ROLE_F_DISPLAY_NAME = 1u << 1,
    FL_ROLE_F_DESCRIPTION = 1u << 2,
    FL_ROLE_F_PERMISSIONS = 1u << 3,
};

/*
 * POST /roles {name, display_name, description, permissions} (name and
 * display_name required; permissions default to none) and PUT /roles/{id}
 * (display_name, description, permissions; only those present change).
 * description NULL = cleared.
 */
typedef struct fl_role_cmd {
    unsigned set; /* FL_ROLE_F_* */
    const char *name;
    const char *display_name;
    const char *description;
    fl_perms_t perms;
} fl_role_cmd_t;

/*
 * Decode a JSON body into a command. Every problem is collected into d (422
 * naming the field: an unknown permission string is named permissions[i];
 * unknown fields are named too, and `name` in an update is refused as it
 * cannot change); strings are copied into a. Returns 0, or FL_EINVAL.
 */
int fl_roles_decode_create(const json_t *body, fl_arena_t *a, fl_role_cmd_t *cmd, fl_decision_t *d);
int fl_roles_decode_update(const json_t *body, fl_arena_t *a, fl_role_cmd_t *cmd, fl_decision_t *d);

/* ------------------------------------------------------------------ decide */

/*
 * role.created {id, name, display_name, description, is_system: false,
 * permissions} on role:<new id> (expected absent) and role.name_claimed
 * {name, role_id} on the name's claim stream (expected at claim->version).
 * 409 name in use; 403 naming permissions when they exceed actor (no one
 * creates a role with more than they hold). Sets d->location.
 */
int fl_roles_decide_create(const fl_cmd_ctx_t *ctx, const fl_role_cmd_t *cmd,
                           const fl_role_name_claim_state_t *claim, const fl_perms_t *actor,
                           fl_decision_t *d);

/*
 * role.updated {id, changes: {display_name|description|permissions: {from,
 * to}}} for what really changes (nothing: no events, success). A system
 * role's permissions cannot change (409 naming permissions); new permissions
 * that exceed actor are 403 naming permissions. expected: If-Match, or
 * FL_LOG_ANY to expect r->version. 404 unknown or deleted role.
 */
int fl_roles_decide_update(const fl_cmd_ctx_t *ctx, const fl_role_state_t *r, int64_t expected,
                           const fl_role_cmd_t *cmd, const fl_perms_t *actor, fl_decision_t *d);

/*
 * role.deleted {id, name} and role.name_released {name, role_id}. 409 for a
 * system role; 409 while n_users users or n_groups groups hold it (counted by
 * the caller on the read model). 404 unknown or deleted.
 */
int fl_roles_decide_delete(const fl_cmd_ctx_t *ctx, const fl_role_state_t *r, int64_t expected,
                           long n_users, long n_groups, fl_decision_t *d);

/*
 * The spec's four system roles for a new tenant: role.created {id, name,
 * display_name, description, is_system: true} (no permissions: the code
 * grants them) on role:<new id> and role.name_claimed on role-name:<name>,
 * each expected absent, so seeding twice fails as a whole with FL_EVERSION
 * at append (nothing is duplicated).
 */
int fl_roles_decide_seed(const fl_cmd_ctx_t *ctx, fl_decision_t *d);

/* --------------------------------------------------------------- responses */

/* The permissions as a JSON array of "resource:action", sorted (strcmp). The caller owns it. */
json_t *fl_perms_to_json(const fl_perms_t *p);

/*
 * The role as the API shows it: {id, name, display_name, description,
 * is_system, permissions, created_at, updated_at, version} (version:
 * stream_version when it is digits, else r->version). The caller owns it.
 */
json_t *fl_role_to_json(const fl_role_state_t *r, const char *stream_version);

/*
 * GET /permissions: {data: [{name, resource, action, description}]}, every
 * resource x action of the catalogue in the catalogue's order.
 */
json_t *fl_roles_catalogue_to_json(void);

/* --------------------------------------------------------------- read side */

/* Handlers for role.created, role.updated, role.deleted. */
extern const fl_proj_handler_t fl_roles_projections[];

#define FL_ROLES_QUERY_MAX_PARAMS 6

/*
 * One statement: sql with params[0..nparams-1] (text, in the arena). The
 * list returns at least one row: _total holds meta.total on every row and a
 * page past the end gives one row whose _id is NULL.
 */
typedef struct fl_roles_query {
    const char *sql;
    const char *params[FL_ROLES_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_roles_query_t;

/*
 * GET /roles: page, per_page (1..100, default 25), sort (name, created_at,
 * updated_at; default name), order (asc|desc), is_system (true|false), q
 * (substring of name or display_name). Deleted roles never show. Unknown or
 * repeated parameters and bad values are 422 naming them. 0 or FL_EINVAL.
 */
int fl_roles_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                        fl_roles_query_t *out, fl_decision_t *d);

/* One live role's row (no row: 404); role_id must be a uuid (else FL_EINVAL). */
int fl_roles_get_query(const char *role_id, fl_arena_t *a, fl_roles_query_t *out);

/* How many users and live groups hold the role: columns users, groups. */
int fl_roles_holders_query(const char *role_id, fl_arena_t *a, fl_roles_query_t *out);

/*
 * A row of the queries above as the role's JSON (a system role's
 * permissions from the code); NULL for the padding row of an empty page.
 */
json_t *fl_roles_row_to_json(const fl_store_res_t *r, int row);

/* {data: [...], meta: {page, per_page, total}} from the list's result. */
json_t *fl_roles_page_to_json(const fl_store_res_t *r, const fl_roles_query_t *q);

#endif

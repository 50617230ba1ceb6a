/*
 * Groups and team hierarchies: the write side (aggregates, decode, decide),
 * the read side (projection into the tenant schema's groups and
 * group_members tables, the list and tree queries) and the JSON a client
 * sees. The HTTP glue (src/server) loads states and runs the queries.
 *
 * Streams:
 *   group:<uuid>             a group: profile, parent, manager, members
 *   group-name:<lowercased>  who holds a group name: the write-side guarantee
 *                            that names are unique per tenant (ASCII case
 *                            folded; a name too long for a stream key is
 *                            named by its BLAKE2b-256 instead)
 *
 * Decoders and deciders fill an fl_decision_t: on a refusal they return
 * FL_EINVAL and the decision holds the status and the problem; on success 0.
 * Deciders are pure: no I/O, no clock (ctx->now), memory only from ctx->a.
 */
#ifndef FIRELATER_GROUPS_H
#define FIRELATER_GROUPS_H

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
#include "firelater/users.h"

#define FL_GROUPS_MAX_MEMBERS 1000 /* direct members of one group (the aggregate holds them) */
#define FL_GROUPS_MAX_DEPTH   32   /* levels of nesting: a root is level 1 */
#define FL_GROUPS_NAME_MAX    255  /* characters */
#define FL_GROUPS_DESC_MAX    4000 /* characters */
#define FL_GROUPS_EMAIL_MAX   255  /* bytes */
#define FL_GROUPS_MAX_ROLES   16   /* roles one group holds (names of live roles) */

/* ------------------------------------------------------------- aggregates */

typedef enum fl_group_type {
    FL_GROUP_TYPE_NONE = 0,
    FL_GROUP_TEAM,
    FL_GROUP_DEPARTMENT,
    FL_GROUP_DISTRIBUTION,
} fl_group_type_t;

typedef enum fl_group_role {
    FL_GROUP_ROLE_NONE = 0,
    FL_GROUP_MEMBER,
    FL_GROUP_LEAD,
} fl_group_role_t;

/* "team", "department", "distribution" / "member", "lead" ("" for NONE); and back (NONE). */
const char *fl_group_type_name(fl_group_type_t t);
fl_group_type_t fl_group_type_parse(const char *s);
const char *fl_group_role_name(fl_group_role_t r);
fl_group_role_t fl_group_role_parse(const char *s);

typedef struct fl_group_member {
    char user_id[FL_UUID_LEN + 1];
    fl_group_role_t role;
    fl_time_t joined_at;
} fl_group_member_t;

/*
 * group:<uuid>. Strings and members live in the fold's arena; description
 * and email may be NULL; parent_id and manager_id are "" when unset.
 * members are sorted by user_id, at most FL_GROUPS_MAX_MEMBERS.
 */
typedef struct fl_group_state {
    bool exists;      /* group.created was folded */
    bool deleted;     /* group.deleted was folded: the group is gone for the API */
    uint64_t version; /* the stream version folded up to; 0 when absent */
    char id[FL_UUID_LEN + 1];
    const char *name;
    const char *description;
    fl_group_type_t type;
    char parent_id[FL_UUID_LEN + 1];
    char manager_id[FL_UUID_LEN + 1];
    const char *email;
    const char *roles[FL_GROUPS_MAX_ROLES]; /* names, sorted (strcmp), distinct */
    size_t n_roles;
    fl_group_member_t *members;
    size_t n_members, cap_members;
    fl_time_t created_at;
    fl_time_t updated_at; /* ts of the stream's last event (membership changes included) */
    fl_time_t deleted_at;
} fl_group_state_t;

/* group-name:<...>: claimed by a group, or released (or never claimed). */
typedef struct fl_group_name_claim_state {
    bool claimed;
    uint64_t version;               /* 0 when the stream does not exist */
    char group_id[FL_UUID_LEN + 1]; /* "" unless claimed */
} fl_group_name_claim_state_t;

extern const fl_agg_type_t fl_group_agg;            /* fl_group_state_t */
extern const fl_agg_type_t fl_group_name_claim_agg; /* fl_group_name_claim_state_t */

/* "group:<id>" and the name's claim stream, in the arena; NULL past its budget. */
char *fl_groups_stream(fl_arena_t *a, const char *group_id);
char *fl_groups_name_stream(fl_arena_t *a, const char *name);

/* The member entry of user_id, or NULL. */
const fl_group_member_t *fl_group_member_find(const fl_group_state_t *g, const char *user_id);

/* ---------------------------------------------------------------- commands */

enum {
    FL_GROUP_F_NAME = 1u << 0,
    FL_GROUP_F_DESCRIPTION = 1u << 1,
    FL_GROUP_F_TYPE = 1u << 2,
    FL_GROUP_F_PARENT_ID = 1u << 3,
    FL_GROUP_F_MANAGER_ID = 1u << 4,
    FL_GROUP_F_EMAIL = 1u << 5,
    FL_GROUP_F_ROLES = 1u << 6,
};

/*
 * The fields of a body; `set` says which were present. description,
 * parent_id, manager_id and email NULL = cleared (JSON null).
 */
typedef struct fl_group_fields {
    unsigned set; /* FL_GROUP_F_* */
    const char *name;
    const char *description;
    fl_group_type_t type;
    const char *parent_id;
    const char *manager_id;
    const char *email;
    const char *roles[FL_GROUPS_MAX_ROLES]; /* sorted, distinct */
    size_t n_roles;
} fl_group_fields_t;

/* POST /groups (name required; type defaults to team) and PUT /groups/{id} (partial). */
typedef struct fl_group_cmd {
    fl_group_fields_t f;
} fl_group_cmd_t;

/* POST /groups/{id}/members {user_id, role = "member"}. */
typedef struct fl_group_member_cmd {
    const char *user_id;
    fl_group_role_t role;
} fl_group_member_cmd_t;

/*
 * Decode a JSON body into a command. Every problem is collected into d (422
 * naming the field; unknown fields named too); strings are copied into a.
 * known_roles lists the role names `roles` may hold (n_known of them): the
 * live roles the caller found for the body's names (firelater/roles.h); any
 * other is 422 naming roles[i]. Returns 0, or FL_EINVAL when d was failed.
 */
int fl_groups_decode_create(const json_t *body, const char *const *known_roles, size_t n_known,
                            fl_arena_t *a, fl_group_cmd_t *cmd, fl_decision_t *d);
int fl_groups_decode_update(const json_t *body, const char *const *known_roles, size_t n_known,
                            fl_arena_t *a, fl_group_cmd_t *cmd, fl_decision_t *d);
int fl_groups_decode_member(const json_t *body, fl_arena_t *a, fl_group_member_cmd_t *cmd,
                            fl_decision_t *d);

/* ------------------------------------------------------------------ decide */

/*
 * What a create or update refers to, loaded by the caller. Copy each state
 * out of the aggregate cache before loading the next (fl_agg_load's pointer
 * lives only until the next call); every pointer may be NULL when the
 * command does not name that reference.
 *   claim      the claim stream of cmd's name (fl_groups_name_stream)
 *   parent     the group cmd's parent_id names (not existing: exists false)
 *   ancestors  ids of the parent's ancestors, nearest first (the parent's
 *              parent_id, its parent_id, ...), walked through fl_group_agg
 *              until a root or FL_GROUPS_MAX_DEPTH ids
 *   manager    the user cmd's manager_id names
 */
typedef struct fl_group_refs {
    const fl_group_name_claim_state_t *claim;
    const fl_group_state_t *parent;
    const char *const *ancestors;
    size_t n_ancestors;
    const fl_user_state_t *manager;
} fl_group_refs_t;

/*
 * group.created {id, name, description, type, parent_id, manager_id, email,
 * roles}
 * on group:<new id> (expected absent) and group.name_claimed {name, group_id}
 * on the claim stream (expected at claim->version). 409 name in use; 422
 * parent_id (unknown or deleted group, nesting past FL_GROUPS_MAX_DEPTH),
 * 422 manager_id (unknown or inactive user). Sets d->location.
 */
int fl_groups_decide_create(const fl_cmd_ctx_t *ctx, const fl_group_cmd_t *cmd,
                            const fl_group_refs_t *refs, fl_decision_t *d);

/*
 * group.updated {id, changes: {field: {from, to}}} for the fields that
 * really change (none: no events, success; roles: sorted name lists). A new name (other than by
 * case) claims the new name and releases the old. References are checked only when they change, as
 * on create; a new parent that is the group itself or has it among refs->ancestors is 409 "a group
 * cannot be its own ancestor". expected: If-Match, or FL_LOG_ANY to expect g->version. 404 unknown
 * or deleted group.
 */
int fl_groups_decide_update(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                            const fl_group_cmd_t *cmd, const fl_group_refs_t *refs,
                            fl_decision_t *d);

/*
 * group.deleted {id, name, members: [user ids]} (soft: the group's members
 * go with it) and group.name_released. n_children: live groups whose
 * parent_id is g (the read model's fl_groups_children_count_query); any is
 * 409 naming "children". 404 unknown or deleted.
 */
int fl_groups_decide_delete(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                            long n_children, fl_decision_t *d);

/*
 * group.member_added {group_id, user_id, role}, or group.member_role_changed
 * {group_id, user_id, changes: {role: {from, to}}} for a member with another
 * role; the same role: no events, success. user: the state of cmd->user_id
 * (NULL or not existing: 422 user_id; inactive: 422 user_id). 409 when the
 * group already holds FL_GROUPS_MAX_MEMBERS. 404 unknown or deleted group.
 */
int fl_groups_decide_add_member(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g,
                                int64_t expected, const fl_group_member_cmd_t *cmd,
                                const fl_user_state_t *user, fl_decision_t *d);

/* group.member_removed {group_id, user_id, role}. 404 unknown group, or not a member. */
int fl_groups_decide_remove_member(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g,
                                   int64_t expected, const char *user_id, fl_decision_t *d);

/* --------------------------------------------------------------- responses */

/*
 * The group as the API shows it: the spec's columns (settings {}),
 * timestamps in RFC 3339, member_count, roles (names), and version (stream_version when it
 * is digits, else g->version). The caller owns the result (json_decref).
 */
json_t *fl_group_to_json(const fl_group_state_t *g, const char *stream_version);

/* The direct members of g: [{user_id, role, joined_at}], by user_id. The caller owns it. */
json_t *fl_group_members_to_json(const fl_group_state_t *g);

/* --------------------------------------------------------------- read side */

/* Handlers for every group.* event that changes the read model. */
extern const fl_proj_handler_t fl_groups_projections[];

#define FL_GROUPS_QUERY_MAX_PARAMS 10

/*
 * One statement: sql with params[0..nparams-1] (text, in the arena). A
 * paged query (list, members, of_user) returns at least one row: column
 * _total holds meta.total on every row and a page past the end gives one row
 * whose _id is NULL; page and per_page are then set. Other queries have
 * page 0.
 */
typedef struct fl_groups_query {
    const char *sql;
    const char *params[FL_GROUPS_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_groups_query_t;

/*
 * GET /groups: page (>= 1), per_page (1..100, default 25), sort (name,
 * created_at, updated_at, type; default name), order (asc|desc), type,
 * parent_id (a uuid, or "null" for roots), manager_id, q (substring of name,
 * description or email). Deleted groups never show. Unknown or repeated
 * parameters and bad values are 422 naming them. Returns 0 or FL_EINVAL.
 */
int fl_groups_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                         fl_groups_query_t *out, fl_decision_t *d);

/*
 * GET /groups/{id}/members: the members of the group and of its live
 * descendants, once each (a direct membership wins, else the nearest
 * group's): user_id, name, email, status, role, joined_at, group_id (where
 * the membership is held), inherited (true when held in a descendant).
 * Parameters: page, per_page, sort (name, email, role, joined_at; default
 * name), order, role, inherited (true|false; false: direct members only).
 */
int fl_groups_members_query(const char *group_id, const fl_http_param_t *query, size_t n,
                            fl_arena_t *a, fl_groups_query_t *out, fl_decision_t *d);

/*
 * GET /users/{id}/groups: the live groups the user belongs to, directly or
 * (inherited true) as a member of one of their descendants; each group
 * once, with role and group columns. Parameters as members (sort name,
 * type, role, joined_at).
 */
int fl_groups_of_user_query(const char *user_id, const fl_http_param_t *query, size_t n,
                            fl_arena_t *a, fl_groups_query_t *out, fl_decision_t *d);

/*
 * Unpaged statements on one id (group_id must be a valid uuid: FL_EINVAL):
 * one live group's row (no row: 404); its live ancestors nearest first, and
 * its live descendants by depth then name (both with a depth column, 1 for
 * the parent or a child); the count of its live child groups (column n).
 */
int fl_groups_get_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out);
int fl_groups_ancestors_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out);
int fl_groups_descendants_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out);
int fl_groups_children_count_query(const char *group_id, fl_arena_t *a, fl_groups_query_t *out);

/*
 * One result row of any query above as JSON: every known column present
 * (member_count, depth, version as integers, inherited as a boolean, roles,
 * settings parsed); NULL for the padding row of an empty page. The caller
 * owns the result.
 */
json_t *fl_groups_row_to_json(const fl_store_res_t *r, int row);

/* Every row as a JSON array (ancestors, descendants). */
json_t *fl_groups_rows_to_json(const fl_store_res_t *r);

/* {data: [...], meta: {page, per_page, total}} from a paged query's result. */
json_t *fl_groups_page_to_json(const fl_store_res_t *r, const fl_groups_query_t *q);

#endif

/*
 * Issue categories: a tree (at most FL_ICATS_MAX_DEPTH levels) of names that
 * classify issues. The write side (aggregates, decode, decide), the read side
 * (projection into issue_categories, the tree queries) and the JSON a client
 * sees. The HTTP glue is src/server/api_issue_categories.c.
 *
 * Streams:
 *   issue_category:<uuid>            one category: its fields and lifecycle
 *   issue_category_children:<uuid>   the live children of a category, by id
 *   issue_category_children:root     ... and the live roots. A create, a move or
 *                                    a rename appends to the siblings' stream
 *                                    expecting its version, so two concurrent
 *                                    commands cannot both give one name to two
 *                                    siblings; a delete expects the category's
 *                                    own children stream, so a child created
 *                                    meanwhile makes it fail instead of
 *                                    orphaning the child.
 *
 * Deciders are pure (no I/O, no clock): they fill an fl_decision_t and return
 * 0, or FL_EINVAL with the status and problem in the decision.
 */
#ifndef FIRELATER_ISSUE_CATEGORIES_H
#define FIRELATER_ISSUE_CATEGORIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/projector.h"
#include "firelater/store.h"

#define FL_ICATS_MAX_DEPTH    5    /* levels: a root is level 1 */
#define FL_ICATS_NAME_MAX     255  /* characters */
#define FL_ICATS_DESC_MAX     4000 /* characters */
#define FL_ICATS_MAX_CHILDREN 1000 /* live children of one parent (or roots) */

/* ------------------------------------------------------------- aggregates */

/* issue_category:<uuid>. Strings live in the fold's arena; parent_id "" for a root. */
typedef struct fl_icat_state {
    bool exists;
    bool deleted;
    uint64_t version;
    char id[FL_UUID_LEN + 1];
    const char *name;
    const char *description; /* NULL when unset */
    char parent_id[FL_UUID_LEN + 1];
    long sort_order;
    bool is_active;
    fl_time_t created_at, updated_at, deleted_at;
} fl_icat_state_t;

typedef struct fl_icat_child {
    char id[FL_UUID_LEN + 1];
    const char *name;
} fl_icat_child_t;

/* issue_category_children:<parent|root>: the live children, in the order linked. */
typedef struct fl_icat_children {
    uint64_t version;
    fl_icat_child_t *c;
    size_t n, cap;
} fl_icat_children_t;

extern const fl_agg_type_t fl_icat_agg;          /* fl_icat_state_t */
extern const fl_agg_type_t fl_icat_children_agg; /* fl_icat_children_t */

/* "issue_category:<id>"; "issue_category_children:<id>" ("...:root" for NULL or ""). Arena. */
char *fl_icats_stream(fl_arena_t *a, const char *id);
char *fl_icats_children_stream(fl_arena_t *a, const char *parent_id);

/*
 * For other modules' write sides (an issue's category_id): loads
 * issue_category:<id> from the tenant's aggregate cache and says whether it
 * is usable. *version (may be NULL) gets the stream version, for a caller
 * that wants to expect it. Returns 0, or the log's error; an id that is not
 * a uuid is FL_ICAT_REF_UNKNOWN.
 */
typedef enum fl_icat_ref {
    FL_ICAT_REF_OK = 0,   /* exists, not deleted, is_active */
    FL_ICAT_REF_UNKNOWN,  /* never created */
    FL_ICAT_REF_DELETED,  /* deleted */
    FL_ICAT_REF_INACTIVE, /* live but is_active false */
} fl_icat_ref_t;
int fl_icats_check_ref(fl_agg_cache_t *cache, const char *category_id, fl_icat_ref_t *out,
                       uint64_t *version);
/* The 422 message for a refused reference ("no such category"...); NULL for OK. */
const char *fl_icat_ref_message(fl_icat_ref_t r);

/* ---------------------------------------------------------------- decode */

enum {
    FL_ICAT_F_NAME = 1u << 0,
    FL_ICAT_F_DESCRIPTION = 1u << 1,
    FL_ICAT_F_PARENT_ID = 1u << 2,
    FL_ICAT_F_SORT_ORDER = 1u << 3,
    FL_ICAT_F_IS_ACTIVE = 1u << 4,
};

/* A body; `set` says which fields were present. description, parent_id NULL: null. */
typedef struct fl_icat_cmd {
    unsigned set;
    const char *name;
    const char *description;
    const char *parent_id; /* lowercased */
    long sort_order;
    bool is_active;
} fl_icat_cmd_t;

/*
 * Create: name required; sort_order 0 and is_active true when absent. Update:
 * the fields present. Every bad or unknown field is collected into d (422).
 * Strings are copied into a. 0 or FL_EINVAL.
 */
int fl_icats_decode_create(const json_t *body, fl_arena_t *a, fl_icat_cmd_t *cmd, fl_decision_t *d);
int fl_icats_decode_update(const json_t *body, fl_arena_t *a, fl_icat_cmd_t *cmd, fl_decision_t *d);

/* ---------------------------------------------------------------- decide */

/* One category on the path from the proposed parent up to the root. */
typedef struct fl_icat_link {
    char id[FL_UUID_LEN + 1];
    uint64_t version;
} fl_icat_link_t;

/*
 * What a create or a move refers to, loaded by the caller:
 *   parent    the state cmd's parent_id names (NULL: a root, or parent unchanged)
 *   chain     the parent and its ancestors, nearest first, with their stream
 *             versions (walked through fl_icat_agg; n_chain at most
 *             FL_ICATS_MAX_DEPTH + 1, more is "too deep" anyway); every one is
 *             expected unchanged, so a concurrent move cannot make a cycle
 *   siblings  the children stream of the (new) parent: names and version
 *   height    update only: levels of the category's own subtree (1 for a leaf)
 */
typedef struct fl_icat_refs {
    const fl_icat_state_t *parent;
    const fl_icat_link_t *chain;
    size_t n_chain;
    const fl_icat_children_t *siblings;
    int height;
} fl_icat_refs_t;

/*
 * issue_category.created {id, name, description, parent_id, sort_order,
 * is_active} and issue_category.linked {issue_category_id, parent_id, name}
 * on the siblings' stream. 422 parent_id (unknown, deleted, deeper than
 * FL_ICATS_MAX_DEPTH), 409 name (a sibling has it, ASCII case folded), 409
 * too many siblings. Sets d->location.
 */
int fl_icats_decide_create(const fl_cmd_ctx_t *ctx, const fl_icat_cmd_t *cmd,
                           const fl_icat_refs_t *refs, fl_decision_t *d);

/*
 * issue_category.updated {id, changes: {field: {from, to}}} for the fields
 * that change (none: nothing, success). A move unlinks from the old parent
 * and links under the new one; a rename relinks (same stream). 409 parent_id
 * "a category cannot be its own ancestor"; otherwise as create. 404 unknown
 * or deleted. expected: If-Match or FL_LOG_ANY.
 */
int fl_icats_decide_update(const fl_cmd_ctx_t *ctx, const fl_icat_state_t *s, int64_t expected,
                           const fl_icat_cmd_t *cmd, const fl_icat_refs_t *refs, fl_decision_t *d);

/*
 * issue_category.deleted {id, name, parent_id} and issue_category.unlinked
 * on the parent's children stream. children: s's own children stream; any
 * live child is 409 naming them (field "children"). 404 as update.
 */
int fl_icats_decide_delete(const fl_cmd_ctx_t *ctx, const fl_icat_state_t *s, int64_t expected,
                           const fl_icat_children_t *children, fl_decision_t *d);

/* The category from its state: id, name, description, parent_id, sort_order, is_active,
 * created_at, updated_at, version (no depth or path: those are the read model's). */
json_t *fl_icat_to_json(const fl_icat_state_t *s);

/* --------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_icats_projections[];

#define FL_ICATS_QUERY_MAX_PARAMS 4

/* One statement; rows carry column j (a category's JSON with depth and path). */
typedef struct fl_icats_query {
    const char *sql;
    const char *params[FL_ICATS_QUERY_MAX_PARAMS];
    int nparams;
    bool tree; /* nest the rows (fl_icats_rows_to_json) */
} fl_icats_query_t;

/*
 * GET /issues/categories: tree (true|false), include_inactive (true|false),
 * is_active (true|false; false needs include_inactive=true), parent_id (a
 * uuid or "null": its direct children; with tree=true its whole subtree).
 * Without include_inactive an inactive category hides its subtree. Rows in
 * tree order (sort_order, then name, then id, level by level). 422 naming
 * unknown, repeated or bad parameters.
 */
int fl_icats_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                        fl_icats_query_t *out, fl_decision_t *d);

/* One live category (any is_active) by uuid: FL_EINVAL when id is not one. */
int fl_icats_get_query(const char *id, fl_icats_query_t *out);

/* {data: [...], meta: {total}}: flat, or nested by parent_id ("children") when q->tree. */
json_t *fl_icats_rows_to_json(const fl_store_res_t *r, const fl_icats_query_t *q);
json_t *fl_icats_row_to_json(const fl_store_res_t *r, int row);

#endif

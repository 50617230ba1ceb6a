/*
 * The service catalog: categories (a tree), items (draft -> active ->
 * retired, with versioned form schemas) and bundles of items. The write side
 * (aggregates, decode, decide), the read side (projection into the catalog_*
 * tables, the list queries), the JSON a client sees, and what the requests
 * module needs: an item's state and its compiled forms. The HTTP glue is
 * src/server/api_catalog*.c; the rules are in src/domain/catalog/README.md.
 *
 * Streams:
 *   catalog_category:<uuid>  a category: its fields, lifecycle, and the live
 *                            items filed in it (so a delete that races an
 *                            item's creation fails on the version)
 *   catalog_tree             the tenant's whole category tree (id, parent,
 *                            name of each live category): every create, move,
 *                            rename and delete expects its version, so the
 *                            tree is checked (cycles, depth, sibling names,
 *                            children) in memory and stays consistent
 *   catalog_item:<uuid>      an item: fields, status, every published form
 *   catalog_bundle:<uuid>    a bundle: fields and its items
 *
 * Bodies and events use the spec's column names. Deciders are pure: they fill
 * an fl_decision_t and return 0, or FL_EINVAL with the status and problem in it.
 */
#ifndef FIRELATER_CATALOG_H
#define FIRELATER_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/forms.h"
#include "firelater/http.h"
#include "firelater/projector.h"
#include "firelater/store.h"

#define FL_CAT_MAX_DEPTH      5    /* category levels: a root is level 1 */
#define FL_CAT_MAX_CATEGORIES 2000 /* live categories of a tenant */
#define FL_CAT_MAX_GROUPS     50   /* approval_groups, visible_to_groups entries */
#define FL_CAT_MAX_BUNDLE     50   /* items of a bundle */
#define FL_CAT_TREE_STREAM    "catalog_tree"

/* ------------------------------------------------------------- aggregates */

/* What every catalog entity's state starts with. fields: the entity's fields as compact JSON
 * text by the spec's column names (in the fold's arena); NULL before it exists. */
typedef struct fl_cat_entity {
    bool exists;
    bool deleted;
    uint64_t version;
    char id[FL_UUID_LEN + 1];
    const char *fields;
    fl_time_t created_at, updated_at, deleted_at;
} fl_cat_entity_t;

/* catalog_category:<uuid>. items: the ids of the live (draft or active) items filed in it. */
typedef struct fl_cat_category {
    fl_cat_entity_t e;
    char (*items)[FL_UUID_LEN + 1];
    size_t n_items, cap_items;
} fl_cat_category_t;

typedef enum fl_cat_status {
    FL_CAT_DRAFT,
    FL_CAT_ACTIVE,
    FL_CAT_RETIRED,
    FL_CAT_STATUS__N
} fl_cat_status_t;

/* "draft", "active", "retired". */
const char *fl_cat_status_name(fl_cat_status_t s);

/* One published form of an item: schema is its JSON text (the fold's arena). */
typedef struct fl_cat_form_version {
    int version;
    const char *schema;
    fl_time_t published_at;
} fl_cat_form_version_t;

/*
 * An item as a request needs it (fl_catalog_item_lookup). visible_to_groups NULL (n 0) means
 * everyone; approval_groups in chain order.
 */
typedef struct fl_catalog_item_info {
    bool exists;
    uint64_t version; /* of catalog_item:<id>: expect it to make the check hold at append */
    const char *id;
    const char *name;
    fl_cat_status_t status;
    const char *category_id; /* NULL: none */
    bool approval_required;
    const char *approval_type; /* "sequential", "parallel", "any" */
    const char **approval_groups;
    size_t n_approval_groups;
    const char *sla_policy_id;        /* NULL: none */
    const char *default_priority;     /* "critical" ... "low" */
    const char *fulfillment_type;     /* "manual", "automated", "hybrid" */
    const char *fulfillment_group_id; /* NULL: none */
    const char **visible_to_groups;   /* NULL: everyone */
    size_t n_visible_to_groups;
    int form_version; /* current published version; 0: never published */
} fl_catalog_item_info_t;

/*
 * catalog_item:<uuid>. form_version: the current published version (0: never published);
 * versions[i] is version i + 1. A draft's fields.form_schema may differ from the last
 * published one; an active item's is always its current version's.
 */
typedef struct fl_cat_item {
    fl_cat_entity_t e;
    fl_cat_status_t status;
    int form_version;
    fl_cat_form_version_t *versions;
    size_t n_versions, cap_versions;
    /* fields parsed for requests after every event, strings in the fold's arena (exists
     * false until the item is; version is left to fl_catalog_item_lookup) */
    fl_catalog_item_info_t info;
} fl_cat_item_t;

/* catalog_bundle:<uuid>: fields hold name ... discount_percent and items [{item_id, ...}]. */
typedef struct fl_cat_bundle {
    fl_cat_entity_t e;
} fl_cat_bundle_t;

/* A live category in the tree; parent_id "" for a root. */
typedef struct fl_cat_node {
    char id[FL_UUID_LEN + 1];
    char parent_id[FL_UUID_LEN + 1];
    const char *name;
} fl_cat_node_t;

/* catalog_tree: every live category, in the order placed. */
typedef struct fl_cat_tree {
    uint64_t version;
    fl_cat_node_t *n;
    size_t count, cap;
} fl_cat_tree_t;

extern const fl_agg_type_t fl_cat_category_agg; /* fl_cat_category_t */
extern const fl_agg_type_t fl_cat_item_agg;     /* fl_cat_item_t */
extern const fl_agg_type_t fl_cat_bundle_agg;   /* fl_cat_bundle_t */
extern const fl_agg_type_t fl_cat_tree_agg;     /* fl_cat_tree_t */

/* "catalog_category:<id>", "catalog_item:<id>", "catalog_bundle:<id>" in the arena. */
char *fl_cat_category_stream(fl_arena_t *a, const char *id);
char *fl_cat_item_stream(fl_arena_t *a, const char *id);
char *fl_cat_bundle_stream(fl_arena_t *a, const char *id);

/* The live node of id in t, or NULL. */
const fl_cat_node_t *fl_cat_tree_find(const fl_cat_tree_t *t, const char *id);

/* A field of an entity's fields as a new JSON reference (null when absent). */
json_t *fl_cat_field(const fl_cat_entity_t *e, const char *name);

/* ---------------------------------------------------------------- decode */

/*
 * Bodies -> normalised values (*out: a new object the caller decrefs, keyed by the spec's
 * column names; UUIDs lowercased, cost and discount_percent as "12.50"). create: required
 * fields and defaults filled in; else only the fields present. Every bad or unknown field is
 * collected into d (422): form_schema is checked with fl_form_schema_check (errors named
 * form_schema.fields[3]...), bundle items named items[1].quantity. 0 or FL_EINVAL (*out NULL).
 */
int fl_cat_decode_category(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                           fl_decision_t *d);
int fl_cat_decode_item(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                       fl_decision_t *d);
int fl_cat_decode_bundle(const json_t *body, bool create, fl_arena_t *a, json_t **out,
                         fl_decision_t *d);

/* A clone's body: {} or {name}; body NULL (no body) is {}. *name NULL: "<name> (copy)". */
int fl_cat_decode_clone(const json_t *body, fl_arena_t *a, const char **name, fl_decision_t *d);

/* ---------------------------------------------------------------- decide */

/*
 * Categories, against the tree (the caller's load of catalog_tree; every command expects its
 * version). Create: catalog_category.created + catalog_category.placed (tree). Update:
 * catalog_category.updated {id, changes: {field: {from, to}}} (+ placed for a move or a
 * rename); nothing changes: no events, success. Delete: catalog_category.deleted +
 * catalog_category.removed. 422 parent_id (unknown, too deep), 409 parent_id (own ancestor),
 * 409 name (a sibling has it, ASCII case folded), 409 children / items on delete; 404 when
 * s is not live. expected: If-Match or FL_LOG_ANY.
 */
int fl_cat_decide_category_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                                  const fl_cat_tree_t *tree, fl_decision_t *d);
int fl_cat_decide_category_update(const fl_cmd_ctx_t *ctx, const fl_cat_category_t *s,
                                  int64_t expected, const json_t *v, const fl_cat_tree_t *tree,
                                  fl_decision_t *d);
int fl_cat_decide_category_delete(const fl_cmd_ctx_t *ctx, const fl_cat_category_t *s,
                                  int64_t expected, const fl_cat_tree_t *tree, fl_decision_t *d);

/* Whether something an item names is usable, as the caller found it. */
typedef struct fl_cat_ref {
    const char *id;
    bool live;
} fl_cat_ref_t;

/*
 * What an item command refers to, loaded by the caller:
 *   category      the category the item is (or will be) filed in, or NULL for none
 *   old_category  update: the category it leaves when category_id changes, else NULL
 *   groups        every group id the values name (fl_cat_item_group_ids), found live or not
 *   sla_policy    the sla_policy_id the values name, or NULL
 */
typedef struct fl_cat_item_refs {
    const fl_cat_category_t *category;
    const fl_cat_category_t *old_category;
    const fl_cat_ref_t *groups;
    size_t n_groups;
    const fl_cat_ref_t *sla_policy;
} fl_cat_item_refs_t;

/* The group ids v names (approval_groups, visible_to_groups, fulfillment_group_id), into out
 * (room for max), borrowed from v. Returns how many. */
size_t fl_cat_item_group_ids(const json_t *v, const char **out, size_t max);

/*
 * Items. Create (status draft): catalog_item.created {id, fields...} + the category's
 * catalog_category.item_added. Update: catalog_item.updated {id, changes}; on an active item a
 * changed form_schema is published at once as the next version (catalog_item.published).
 * Publish (draft -> active): catalog_item.published {id, form_version, form_schema}. Retire
 * (active -> retired): catalog_item.retired + item_removed. Clone (any status): a new draft,
 * catalog_item.cloned {id, source_id, fields...} named name or "<name> (copy)". 409 naming
 * the current status for every other transition; 422 for unusable references. d->location.
 */
int fl_cat_decide_item_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                              const fl_cat_item_refs_t *refs, fl_decision_t *d);
int fl_cat_decide_item_update(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                              const json_t *v, const fl_cat_item_refs_t *refs, fl_decision_t *d);
int fl_cat_decide_item_publish(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                               const fl_cat_item_refs_t *refs, fl_decision_t *d);
int fl_cat_decide_item_retire(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                              const fl_cat_item_refs_t *refs, fl_decision_t *d);
int fl_cat_decide_item_clone(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, const char *name,
                             const fl_cat_item_refs_t *refs, fl_decision_t *d);

/*
 * Bundles. items: the states of the items v's items name, in v's order (NULL: not found).
 * Every item must exist and not be retired. Create: catalog_bundle.created; update:
 * catalog_bundle.updated {id, changes}; delete (soft): catalog_bundle.deleted. 404 not live.
 */
int fl_cat_decide_bundle_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                                const fl_cat_item_t *const *items, fl_decision_t *d);
int fl_cat_decide_bundle_update(const fl_cmd_ctx_t *ctx, const fl_cat_bundle_t *s, int64_t expected,
                                const json_t *v, const fl_cat_item_t *const *items,
                                fl_decision_t *d);
int fl_cat_decide_bundle_delete(const fl_cmd_ctx_t *ctx, const fl_cat_bundle_t *s, int64_t expected,
                                fl_decision_t *d);

/* The entity from its state (fields, id, created_at, updated_at, version; an item also status,
 * form_version and, with form_version > 0, that version's form_schema; a category
 * item_count). NULL when version is not one of the item's. New references. */
json_t *fl_cat_category_to_json(const fl_cat_category_t *s);
json_t *fl_cat_item_to_json(const fl_cat_item_t *s, int form_version);
/* items: the bundle's items' states in its order (NULL entries: unknown); adds each item's
 * name and cost and the bundle's total_cost with the discount. */
json_t *fl_cat_bundle_to_json(const fl_cat_bundle_t *s, const fl_cat_item_t *const *items);

/* ------------------------------------------------------ for the requests module */

/* Loads catalog_item:<item_id> through cache into *out, strings and arrays copied into a
 * (the item's fields were parsed when folded). 0 (out->exists false for an unknown or
 * malformed id) or the log's error. */
int fl_catalog_item_lookup(fl_agg_cache_t *cache, const char *item_id, fl_arena_t *a,
                           fl_catalog_item_info_t *out);

/*
 * A tenant's compiled forms, keyed by (item, version): a published version never changes, so
 * it is compiled once (PCRE2 patterns and all) and kept until evicted (least recently used
 * first, past capacity). One per tenant; not thread-safe (the loop's thread).
 */
typedef struct fl_catalog_forms fl_catalog_forms_t;
int fl_catalog_forms_init(fl_catalog_forms_t **out, size_t capacity);
void fl_catalog_forms_free(fl_catalog_forms_t *f);

/*
 * The compiled form of version of item_id (loaded through cache when not kept yet). *out
 * stays valid until the next fl_catalog_form call on f or fl_catalog_forms_free; it may be
 * read by several threads meanwhile. 0; FL_ENOTFOUND (no such item or version); FL_ECORRUPT
 * (a logged schema that no longer compiles); or the log's error.
 */
int fl_catalog_form(fl_catalog_forms_t *f, fl_agg_cache_t *cache, const char *item_id, int version,
                    const fl_form_t **out);

/* --------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_cat_projections[];

#define FL_CAT_QUERY_MAX_PARAMS 16

/* One statement; rows carry column j (an entity's JSON), paged lists also _total. */
typedef struct fl_cat_query {
    const char *sql;
    const char *params[FL_CAT_QUERY_MAX_PARAMS];
    int nparams;
    long page, per_page;
    bool tree;             /* categories: nest the rows under "children" */
    bool include_hidden;   /* categories: keep hidden ones and their subtrees */
    const char *parent_id; /* categories: only this one's subtree */
} fl_cat_query_t;

/*
 * GET /catalog/categories: tree (true|false), include_hidden (true|false; true needs manager,
 * else 403), parent_id (a uuid: only its subtree). The statement reads every live category;
 * fl_cat_categories_json orders, filters and nests them. 422 naming unknown, repeated or bad
 * parameters.
 */
int fl_cat_categories_query(const fl_http_param_t *query, size_t n, bool manager, fl_arena_t *a,
                            fl_cat_query_t *out, fl_decision_t *d);
/* {data, meta: {total}} in tree order (per level sort_order, then name, then id), each with
 * depth (a root is 1) and path (names from the root); hidden ones and their subtrees left
 * out unless q->include_hidden; nested under "children" when q->tree. */
json_t *fl_cat_categories_json(const fl_store_res_t *r, const fl_cat_query_t *q);
/* The statement of one category: the same walk (for depth and path). */
void fl_cat_category_get_query(fl_cat_query_t *out, bool include_hidden);
/* The category id from those rows, with depth and path, or NULL (unknown, deleted, or hidden
 * or under a hidden one without include_hidden). */
json_t *fl_cat_category_find(const fl_store_res_t *r, const fl_cat_query_t *q, const char *id);

/*
 * GET /catalog/items: category_id (with its subtree), status, q (in the name), tag, page,
 * per_page, sort (name, sort_order, created_at, updated_at, cost), order. viewer: NULL for a
 * catalog manager, else the caller's user id: only active items visible to everyone or to one
 * of the caller's groups (or their ancestors), in visible categories.
 */
int fl_cat_items_query(const fl_http_param_t *query, size_t n, const char *viewer, fl_arena_t *a,
                       fl_cat_query_t *out, fl_decision_t *d);
/* One item (viewer as above), form_version 0 for the current form. FL_EINVAL for a bad id. */
int fl_cat_item_get_query(const char *id, const char *viewer, int form_version, fl_arena_t *a,
                          fl_cat_query_t *out);

/* GET /catalog/bundles: status, q, page, per_page, sort (name, created_at), order. viewer as
 * for items: only active bundles. */
int fl_cat_bundles_query(const fl_http_param_t *query, size_t n, const char *viewer, fl_arena_t *a,
                         fl_cat_query_t *out, fl_decision_t *d);
int fl_cat_bundle_get_query(const char *id, const char *viewer, fl_cat_query_t *out);

/* Rows: fl_json_row, a paged list: fl_json_page (domain.h). */

#endif

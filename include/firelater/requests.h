/*
 * Service requests: what people ask for from the catalog. The pure write
 * side (decode, the status machine, the approval chain, decide, fold), the
 * projection into the read model and its queries. No I/O and no clock: the
 * caller loads the item, validates the form data (fl_form_validate), finds
 * what the body names and who may decide each approval step, and passes the
 * time. The rules are in src/domain/requests/README.md; the HTTP glue is
 * src/server/api_requests*.c.
 *
 * Stream: request:<uuid>, numbered REQ-00001 by the log.
 */
#ifndef FIRELATER_REQUESTS_H
#define FIRELATER_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/applications.h"
#include "firelater/arena.h"
#include "firelater/catalog.h"
#include "firelater/domain.h"
#include "firelater/groups.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/sla.h"
#include "firelater/slafacts.h"
#include "firelater/users.h"

#define FL_REQ_NUMBER_PREFIX "REQ" /* the log allocates REQ-00001, REQ-00002, ... */
#define FL_REQ_TEXT_MAX      10000 /* characters of comments, notes and reasons */
#define FL_REQ_MAX_STEPS     FL_CAT_MAX_GROUPS
#define FL_REQ_MAX_CHILDREN  20    /* children of a bundle request (items x quantities) */
#define FL_REQ_COMMENTS_MAX  10000 /* comments of one request, deleted ones included */

/* The statuses of the spec's service_requests.status. new is never a resting state. */
typedef enum fl_req_status {
    FL_REQ_NEW,
    FL_REQ_PENDING_APPROVAL,
    FL_REQ_APPROVED,
    FL_REQ_IN_PROGRESS,
    FL_REQ_COMPLETED,
    FL_REQ_CANCELLED,
    FL_REQ_REJECTED,
    FL_REQ_STATUS__N,
} fl_req_status_t;

/* "new", "pending_approval", ...; "" past the end. */
const char *fl_req_status_name(fl_req_status_t s);

/* The status named by s (exact), or -1. */
int fl_req_status_parse(const char *s);

/*
 * The event a move from -> to is recorded as (request.submitted,
 * request.approved, request.rejected, request.started, request.completed,
 * request.cancelled, request.reopened), or NULL when the machine has none.
 */
const char *fl_req_transition_event(fl_req_status_t from, fl_req_status_t to);

/*
 * 0 when the machine allows from -> to; otherwise 409 "invalid status
 * transition" into d, the detail naming the current status, field
 * "status"; FL_EINVAL.
 */
int fl_req_check_transition(fl_req_status_t from, fl_req_status_t to, fl_arena_t *a,
                            fl_decision_t *d);

/* ------------------------------------------------------------- aggregate */

typedef enum fl_req_step_status {
    FL_REQ_STEP_PENDING,
    FL_REQ_STEP_APPROVED,
    FL_REQ_STEP_REJECTED,
    FL_REQ_STEP_SKIPPED,
} fl_req_step_status_t;

/* "pending", "approved", "rejected", "skipped". */
const char *fl_req_step_status_name(fl_req_step_status_t s);

/* One step of a request's approval chain (step_number from 1). */
typedef struct fl_req_step {
    int step_number;
    char group_id[FL_UUID_LEN + 1];
    fl_req_step_status_t status;
    char approver_id[FL_UUID_LEN + 1];    /* "" until decided */
    char delegated_from[FL_UUID_LEN + 1]; /* "": the approver acted for themselves */
    fl_time_t decision_at;
} fl_req_step_t;

/* One child of a bundle request, as its parent knows it. */
typedef struct fl_req_child {
    char id[FL_UUID_LEN + 1];
    fl_req_status_t status;
} fl_req_child_t;

/*
 * A request's SLA side (src/domain/requests/sla.c): its facts
 * (fl_slafacts_step with the request's entity, the timers' own fold) and the
 * attributes that choose its policy as that fold reads them (priority,
 * sla_policy_id, catalog_item_id; fl_slafacts_attr).
 */
typedef struct fl_req_sla {
    fl_slafacts_state_t st;
    fl_slaclock_fact_t *facts; /* in the fold's arena */
    size_t n_facts, cap;
    bool untracked; /* more than FL_SLAFACTS_MAX facts: no stamps (the timers drop it too) */
    const char *attr[FL_SLAFACTS_ATTRS];
} fl_req_sla_t;

/* One comment of a request, as deciding reads it (request.comment_*). */
typedef struct fl_req_comment {
    char id[FL_UUID_LEN + 1];
    char user_id[FL_UUID_LEN + 1]; /* the author; "" when the author was not a user */
    bool is_internal;
    bool deleted;
} fl_req_comment_t;

/*
 * request:<uuid>. fields: the read model's columns (the spec's names) as
 * compact JSON in the fold's arena; the members below are what deciding
 * reads, kept in step with fields.
 */
typedef struct fl_request_state {
    bool exists;
    uint64_t version;
    char id[FL_UUID_LEN + 1];
    char number[FL_LOG_NUM_MAX];
    fl_req_status_t status;
    const char *fields;
    char requester_id[FL_UUID_LEN + 1];
    char requested_for_id[FL_UUID_LEN + 1];
    char catalog_item_id[FL_UUID_LEN + 1];
    char assigned_to[FL_UUID_LEN + 1]; /* "": none */
    char assigned_group[FL_UUID_LEN + 1];
    int form_version;
    char approval_type[12]; /* "sequential", "parallel", "any"; "": no approval */
    fl_req_step_t *steps;   /* the chain, in step order (the fold's arena) */
    size_t n_steps;
    char parent_id[FL_UUID_LEN + 1]; /* a bundle's child: its parent; "" otherwise */
    char bundle_id[FL_UUID_LEN + 1]; /* a bundle's parent or child; "" otherwise */
    fl_req_child_t *children;        /* a bundle's parent: its children (the fold's arena) */
    size_t n_children;
    fl_req_comment_t *comments; /* every comment, in the order added (the fold's arena) */
    size_t n_comments, comments_cap;
    fl_time_t created_at, updated_at;
    fl_req_sla_t sla;
} fl_request_state_t;

extern const fl_agg_type_t fl_request_agg; /* fl_request_state_t */

/* "request:<id>" in the arena; NULL past its budget. */
char *fl_requests_stream(fl_arena_t *a, const char *request_id);

/* True when user_id (may be NULL) made the request or it is for them. */
bool fl_request_is_party(const fl_request_state_t *s, const char *user_id);

/* True for a bundle request's parent. */
bool fl_request_is_parent(const fl_request_state_t *s);

/*
 * A bundle parent's status from its children's (README "Bundles"): pending_approval while any
 * child is; when every child is completed, cancelled or rejected: completed if one completed,
 * else rejected if every child was rejected, else cancelled; otherwise in_progress when a child
 * is in progress or completed, else approved.
 */
fl_req_status_t fl_request_bundle_status(const fl_req_status_t *children, size_t n);

/* The request as the API shows it: its fields, id, request_number, status, approvals (the
 * chain), parent_id, children (a parent's: id, catalog_item_id, item_name, status), created_at,
 * updated_at, version. New reference. */
json_t *fl_request_to_json(const fl_request_state_t *s);

/* ---------------------------------------------------------------- decode */

/* One child of POST /requests {bundle_id, children: [{item_id, form_data}]}. */
typedef struct fl_req_child_cmd {
    const char *item_id;     /* lowercased */
    const json_t *form_data; /* borrowed from the body: NULL when absent ({}) */
} fl_req_child_cmd_t;

/* POST /requests {catalog_item_id, form_data, requested_for_id, priority} or
 * {bundle_id, children: [{item_id, form_data}], requested_for_id, priority}. */
typedef struct fl_req_create_cmd {
    const char *catalog_item_id; /* lowercased; NULL for a bundle */
    const json_t *form_data;     /* borrowed from the body: {} when absent */
    const char *requested_for_id;
    const char *priority;  /* NULL: the item's default_priority, else medium */
    const char *bundle_id; /* lowercased; NULL for one item */
    fl_req_child_cmd_t children[FL_REQ_MAX_CHILDREN];
    size_t n_children;
} fl_req_create_cmd_t;

/* PUT /requests/{id} {priority, due_date, form_data}: bit i of set says key i was given. */
enum { FL_REQ_UPD_PRIORITY = 1u << 0, FL_REQ_UPD_DUE_DATE = 1u << 1, FL_REQ_UPD_FORM = 1u << 2 };
typedef struct fl_req_update_cmd {
    unsigned set;
    const char *priority;
    const char *due_date;    /* RFC 3339 as given, normalised; NULL clears */
    const json_t *form_data; /* borrowed from the body */
} fl_req_update_cmd_t;

/*
 * The bodies -> commands, every problem collected into d (422 naming the
 * field, unknown keys by name); strings in a, JSON borrowed from body (keep
 * it until deciding is done). Exactly one of catalog_item_id and bundle_id; a bundle's body
 * has children (1..FL_REQ_MAX_CHILDREN entries {item_id, form_data}, errors named
 * children[i].item_id) and no form_data. FL_EINVAL when d failed.
 */
int fl_requests_decode_create(const json_t *body, fl_arena_t *a, fl_req_create_cmd_t *out,
                              fl_decision_t *d);
int fl_requests_decode_update(const json_t *body, fl_arena_t *a, fl_req_update_cmd_t *out,
                              fl_decision_t *d);

typedef enum fl_req_action_kind {
    FL_REQ_ACT_APPROVE,  /* {comments} */
    FL_REQ_ACT_REJECT,   /* {comments}, required */
    FL_REQ_ACT_ASSIGN,   /* {assigned_to, assigned_group}: one of them */
    FL_REQ_ACT_REASSIGN, /* the same, on an assigned request */
    FL_REQ_ACT_START,    /* no body, or {} */
    FL_REQ_ACT_COMPLETE, /* {completion_notes}, required */
    FL_REQ_ACT_CANCEL,   /* DELETE: no body, or {reason} */
    FL_REQ_ACT_REOPEN,   /* {reason}, required */
} fl_req_action_kind_t;

typedef struct fl_req_action {
    fl_req_action_kind_t kind;
    const char *text; /* comments, completion_notes or reason; NULL: none */
    const char *assigned_to, *assigned_group;
} fl_req_action_t;

/* A body (NULL: none, as {}) -> out, every problem into d. FL_EINVAL when d failed. */
int fl_requests_decode_action(fl_req_action_kind_t kind, const json_t *body, fl_arena_t *a,
                              fl_req_action_t *out, fl_decision_t *d);

/* ---------------------------------------------------------------- decide */

/*
 * What submitting needs, loaded and checked by the caller:
 *   item        the catalog item (exists, active and visible to the requester: else 422
 *               catalog_item_id)
 *   form_data   the normalised form data fl_form_validate gave (against item->form_version)
 *   requested_for  the user requested_for_id names (or the requester): must be active
 */
typedef struct fl_req_create_refs {
    const fl_catalog_item_info_t *item;
    bool item_visible;
    const json_t *form_data;
    const fl_user_state_t *requested_for;
} fl_req_create_refs_t;

/*
 * request.created {id, status new, catalog_item_id, item_name, requester_id,
 * requested_for_id, priority, form_data, form_version, sla_policy_id,
 * assigned_group (the item's fulfilment group), approval_type,
 * approval_groups} numbered REQ, then request.submitted {the move new ->
 * pending_approval (approval needed and groups named) or approved, steps}.
 * The item's stream is expected at item->version. Sets d->location.
 */
int fl_requests_decide_create(const fl_cmd_ctx_t *ctx, const fl_req_create_cmd_t *cmd,
                              const fl_req_create_refs_t *refs, fl_decision_t *d);

/*
 * What a bundle submission needs, loaded by the caller:
 *   bundle      the bundle's state (live with status active, else 422 bundle_id)
 *   children    one per cmd->children entry: its item, visibility, normalised form data
 *               (validated by the caller, errors children[i].form_data.<field>) and
 *               requested_for (the same user for all)
 */
typedef struct fl_req_bundle_refs {
    const fl_cat_bundle_t *bundle;
    const fl_req_create_refs_t *children;
} fl_req_bundle_refs_t;

/*
 * The bundle's items expanded by quantity, in the bundle's order, into items (up to cap ids
 * in a); returns how many there are (possibly more than cap), or -1 when the bundle's items
 * cannot be read.
 */
long fl_requests_bundle_items(const fl_cat_bundle_t *b, fl_arena_t *a, const char **items,
                              size_t cap);

/*
 * A bundle request: the parent's request.created {id, status new, bundle_id, item_name (the
 * bundle's name), requester_id, requested_for_id, priority, children [{id, catalog_item_id,
 * item_name, status}]} and request.submitted (new -> pending_approval when a child needs
 * approval, else approved); then each child's pair as fl_requests_decide_create with
 * parent_id and bundle_id. All or nothing: every child's problem is named
 * children[i].<field> (422) and nothing is emitted. The bundle's and each item's streams
 * are expected at the versions checked. d->location is the parent's.
 */
int fl_requests_decide_bundle(const fl_cmd_ctx_t *ctx, const fl_req_create_cmd_t *cmd,
                              const fl_req_bundle_refs_t *refs, fl_decision_t *d);

/*
 * request.updated {id, changes: {field: {from, to}}} for what changes; only
 * while pending_approval or approved (else 409). form_data: the caller's
 * re-validated, normalised data against the request's form_version (NULL
 * when the body had none). Nothing changes: no events.
 */
int fl_requests_decide_update(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                              int64_t expected, const fl_req_update_cmd_t *cmd,
                              const json_t *form_data, fl_decision_t *d);

/*
 * Who the actor is for each step of the chain (index: step - 1), as the
 * caller found it: may decide it (a member of its group, or acting for one
 * by delegation) and for whom (delegated_from, NULL: themselves).
 */
typedef struct fl_req_decider {
    bool may;
    const char *delegated_from;
} fl_req_decider_t;

/*
 * What an action refers to, loaded by the caller:
 *   deciders   approve, reject: one per step (s->n_steps)
 *   user, user_may_work, group, user_in_group: assign, reassign (as issues)
 */
typedef struct fl_req_action_refs {
    const fl_req_decider_t *deciders;
    const fl_request_state_t *parent;          /* a child's parent (s->parent_id) */
    const fl_request_state_t *const *children; /* a parent's cancel: its children, in order */
    const fl_user_state_t *user;
    bool user_may_work;
    const fl_group_state_t *group;
    bool user_in_group;
} fl_req_action_refs_t;

/*
 * The action's events on s's stream:
 *   approve   request.approved {id, step_number, approver_group_id, approver_id, comments,
 *             delegated_from, completes_chain, skipped; when it completes the chain the move
 *             pending_approval -> approved}
 *   reject    request.rejected {the same, the move to rejected}
 *   assign    request.assigned {id, assigned_to, assigned_group, previous}; 409 when it has
 *             an assignee (reassign) / has none (reassign); allowed while approved or
 *             in_progress
 *   start     request.started (approved -> in_progress)
 *   complete  request.completed (in_progress -> completed, completion_notes)
 *   cancel    request.cancelled (pending_approval, approved, in_progress -> cancelled)
 *   reopen    request.reopened (completed -> in_progress, reason)
 * Approving and rejecting: 403 for the requester and requested_for (separation of duties) and
 * for a user who may decide no pending step; 409 for a user who already decided a step of the
 * chain. 409 naming the current status for every move the machine has not. 404 unknown.
 * A bundle's child: when its status changes, its parent's stream (expected at
 * refs->parent's version) gets request.child_moved {id, child_id, child_status} and, when
 * the parent's derived status changes, its move (request.completed, request.cancelled,
 * request.rejected or request.progressed). A bundle's parent takes only cancel (409
 * otherwise), which cancels its open children too (refs->children).
 */
int fl_requests_decide_action(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                              int64_t expected, const fl_req_action_t *cmd,
                              const fl_req_action_refs_t *refs, fl_decision_t *d);

/* The steps an approval may decide now: sequential the first pending one, otherwise every
 * pending one; none unless pending_approval. Bit i: step i + 1. */
uint64_t fl_request_open_steps(const fl_request_state_t *s);

/*
 * The SLA stamps of a decision (README "SLA"): for each request stream of d
 * whose state is known (one of known, by id) or which d creates, each event
 * that changes the clocks is folded onto the request's facts at ctx->now and
 * gets responded_at (on the first response) and, when config is not NULL,
 * sla_policy_id (fl_sla_request_policy, or null) and response_due_at /
 * resolution_due_at (fl_sla_due_json). config must be built
 * (fl_sla_config_build). 0, or an error of the codec (FL_ETOOBIG).
 */
int fl_requests_decide_sla(const fl_cmd_ctx_t *ctx, const fl_request_state_t *const *known,
                           size_t n_known, const fl_sla_config_t *config, fl_decision_t *d);

/* -------------------------------------------------------------- comments */

/* POST /requests/{id}/comments and PUT .../comments/{cid}: {body (required), is_internal
 * (POST: default false; PUT: unchanged when absent)}. */
typedef struct fl_req_comment_cmd {
    const char *body;
    bool is_internal;
    bool is_internal_set; /* the body had is_internal */
} fl_req_comment_cmd_t;

/* The body -> out, every problem into d (422 naming the field). FL_EINVAL when d failed. */
int fl_requests_decode_comment(const json_t *body, fl_arena_t *a, fl_req_comment_cmd_t *out,
                               fl_decision_t *d);

/*
 * request.comment_added {id, comment_id, user_id, body, is_internal}; d->location its URL.
 * requester: the actor is a requester, who may not write internal comments (403). 404 unknown.
 */
int fl_requests_decide_comment(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                               const fl_req_comment_cmd_t *cmd, bool requester, fl_decision_t *d);

/* Who edits or deletes a comment: may_moderate (requests:manage) any comment, else the author. */
typedef struct fl_req_comment_who {
    bool requester;    /* a requester: neither sees nor writes internal comments */
    bool may_moderate; /* may edit and delete others' comments */
} fl_req_comment_who_t;

/*
 * cmd: request.comment_edited {id, comment_id, changed_by, body, is_internal (when given)};
 * cmd NULL: request.comment_deleted {id, comment_id, changed_by}. 404 for an unknown request,
 * and for a comment it does not have, has deleted, or that is internal and who a requester;
 * 403 when the actor is not the author and may not moderate, and for a requester making a
 * comment internal.
 */
int fl_requests_decide_comment_change(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                                      const char *comment_id, const fl_req_comment_cmd_t *cmd,
                                      fl_req_comment_who_t who, fl_decision_t *d);

/* The live (not deleted) comment of that id (any case), or NULL. */
const fl_req_comment_t *fl_request_comment_find(const fl_request_state_t *s, const char *id);

/* --------------------------------------------------------------- read side */

extern const fl_proj_handler_t fl_requests_projections[];

/*
 * GET /requests: page, per_page (1..100, default 25), sort (request_number, created_at,
 * updated_at, priority, status; default request_number), order, status, priority,
 * requester_id, requested_for_id, assigned_to, assigned_group, catalog_item_id, parent_id,
 * top_level (true: no bundle children; false: only children), q (in the
 * number or the item's name). party_only: a requester's id, narrowing the list to requests
 * they made or that are for them. 422 naming unknown, repeated or bad parameters.
 */
int fl_requests_list_query(const fl_http_param_t *query, size_t n, const char *party_only,
                           fl_arena_t *a, fl_apps_query_t *out, fl_decision_t *d);

/* One request by uuid or number (REQ-00001, any case), narrowed by party_only if set. */
int fl_requests_get_query(const char *id_or_number, const char *party_only, fl_arena_t *a,
                          fl_apps_query_t *out);

/* GET /requests/{id}/approvals (every step with its group's name) and /history (status moves,
 * oldest first): no parameters. */
void fl_requests_approvals_query(const char *request_id, fl_apps_query_t *out);
void fl_requests_history_query(const char *request_id, fl_apps_query_t *out);

/* GET /requests/{id}/comments: page, per_page, order (asc: oldest first, the default);
 * public_only leaves internal comments out (requesters). 422 naming bad parameters. */
int fl_requests_comments_query(const char *request_id, bool public_only,
                               const fl_http_param_t *query, size_t n, fl_arena_t *a,
                               fl_apps_query_t *out, fl_decision_t *d);
/* One comment of the request (for answering its creation). */
void fl_requests_comment_get_query(const char *request_id, const char *comment_id,
                                   fl_apps_query_t *out);

#endif

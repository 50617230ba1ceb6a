/* Internals shared by the files of src/domain/requests/; no other folder includes this. */
#ifndef FIRELATER_DOMAIN_REQUESTS_INTERNAL_H
#define FIRELATER_DOMAIN_REQUESTS_INTERNAL_H

#include "firelater/requests.h"

/* The read model's columns an event may set (service_requests), NULL-ended. */
extern const char *const fl__req_columns[];

/* 409 "invalid status transition": "the request is <from> and cannot become <to>", field
 * status. FL_EINVAL. */
int fl__req_refuse_move(fl_arena_t *a, fl_req_status_t from, fl_req_status_t to, fl_decision_t *d);

/* True for low, medium, high, critical. */
bool fl__req_is_priority(const char *v);

/* A text value of at most FL_REQ_TEXT_MAX characters, copied into a; NULL (after naming key in
 * d when it is bad, or missing and required) otherwise. */
const char *fl__req_text(const json_t *v, fl_arena_t *a, const char *key, bool required,
                         fl_decision_t *d);

/*
 * The columns the event sets, as {column: value}: its data's keys among fl__req_columns
 * (request.updated: changes.*.to), with the times its type stamps (started_at, completed_at,
 * cancelled_at) at ev->ts. New reference.
 */
json_t *fl__req_row_of(const fl_event_t *ev, const json_t *data);

/* An event (data taken) on s's stream; the decision's first event expects the stream at
 * expected (FL_LOG_ANY: s's version; a new request: no stream, and the log numbers it). */
int fl__req_emit(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                 const char *type, json_t *data, fl_decision_t *d);

/* A move of the machine on s: {id, history_id, from, to, status, changed_by, reason} and
 * extra's members (taken; may be NULL), checked first (409). */
int fl__req_move(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                 fl_req_status_t to, const char *reason, json_t *extra, fl_decision_t *d);

/* A field of the request's fields, as a new reference (null when absent). */
json_t *fl__req_field(const fl_request_state_t *s, const char *name);

/* decide.c: 422 on item_key ("catalog_item_id", "children[2].item_id") unless r's item may
 * be requested; requested_for_id (when check_for) unless its user is active. FL_EINVAL after naming
 * them. */
int fl__req_check_refs(const fl_req_create_refs_t *r, const char *item_key, bool check_for,
                       fl_decision_t *d);

/* pending_approval when the item needs approval and names groups, else approved. */
fl_req_status_t fl__req_submitted_status(const fl_catalog_item_info_t *it);

/* One request's request.created (data and link's members, taken; link may be NULL) and
 * request.submitted, with id; refs checked. A later request of one decision expects its
 * stream new. */
int fl__req_create_one(const fl_cmd_ctx_t *ctx, const char *id, const char *priority,
                       const fl_req_create_refs_t *refs, json_t *link, fl_decision_t *d);

/* bundles.c: after a child's action (its events in d), its parent's: request.child_moved and
 * the parent's derived move; a parent's cancel (its open children cancelled too). */
int fl__req_bundle_follow(const fl_cmd_ctx_t *ctx, const fl_request_state_t *child,
                          const fl_request_state_t *parent, fl_decision_t *d);
int fl__req_bundle_cancel(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                          const fl_req_action_t *cmd, const fl_request_state_t *const *children,
                          fl_decision_t *d);

/* actions.c: approve and reject. */
int fl__req_decide_approval(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                            const fl_req_action_t *cmd, const fl_req_decider_t *deciders,
                            fl_decision_t *d);

/* sla.c: folds one event into the request's SLA side. 0 or FL_ETOOBIG. */
int fl__req_sla_fold(fl_req_sla_t *x, fl_arena_t *a, const fl_event_t *ev, const json_t *data);

/* comments.c: request.comment_* (type) into s->comments. 0 or FL_ETOOBIG. */
int fl__req_comment_fold(fl_request_state_t *s, fl_arena_t *a, const char *type,
                         const json_t *data);

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__REQ_TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

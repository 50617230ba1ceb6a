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

/* actions.c: approve and reject. */
int fl__req_decide_approval(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s, int64_t expected,
                            const fl_req_action_t *cmd, const fl_req_decider_t *deciders,
                            fl_decision_t *d);

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__REQ_TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

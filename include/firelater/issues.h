/*
 * Issues (incidents): the pure rules of the write side that every command
 * of the module goes through. The status machine (which status may follow
 * which, and the event each move is recorded as), the priority derived
 * from impact x urgency, and the reopen window. No I/O, no clock: the
 * caller passes the times. src/domain/issues/README.md documents both
 * tables.
 */
#ifndef FIRELATER_ISSUES_H
#define FIRELATER_ISSUES_H

#include <stdbool.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/applications.h"
#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/users.h"

#define FL_ISSUES_NUMBER_PREFIX "ISS" /* the log allocates ISS-00001, ISS-00002, ... */
#define FL_ISSUES_REOPEN_DAYS   7     /* --issue-reopen-days' default */

/* The statuses of the spec's issues.status, in lifecycle order. */
typedef enum fl_issue_status {
    FL_ISSUE_NEW,
    FL_ISSUE_ASSIGNED,
    FL_ISSUE_IN_PROGRESS,
    FL_ISSUE_PENDING,
    FL_ISSUE_RESOLVED,
    FL_ISSUE_CLOSED,
    FL_ISSUE_STATUS__N,
} fl_issue_status_t;

/* "new", "assigned", ...; "" past the end. */
const char *fl_issue_status_name(fl_issue_status_t s);

/* The status named by s (exact, lowercase), or -1. */
int fl_issue_status_parse(const char *s);

/*
 * The event a move from -> to is recorded as (issue.assigned,
 * issue.status_changed, issue.resolved, issue.closed, issue.reopened), or
 * NULL when the machine has no such move (a status never moves to itself).
 */
const char *fl_issue_transition_event(fl_issue_status_t from, fl_issue_status_t to);

/*
 * 0 when the machine allows from -> to; otherwise 409 "invalid status
 * transition" into d, naming the current status in the detail and the
 * field "status" (the text in a), and FL_EINVAL.
 */
int fl_issue_check_transition(fl_issue_status_t from, fl_issue_status_t to, fl_arena_t *a,
                              fl_decision_t *d);

/*
 * The priority (critical, high, medium, low) of an impact (widespread,
 * significant, moderate, minor) and an urgency (immediate, high, medium,
 * low), either NULL: the 4x4 matrix of the README. A missing impact counts
 * as moderate and a missing urgency as medium, so neither gives medium.
 * NULL for a value outside its list (decode refuses those first).
 */
const char *fl_issue_priority_of(const char *impact, const char *urgency);

/*
 * True when an issue resolved or closed at `since` may be reopened at
 * `now`: at most `days` days later (inclusive); never when since is 0.
 */
bool fl_issue_reopen_allowed(fl_time_t since, fl_time_t now, int days);

/* ---------------------------------------------------------------- decode */

/* The fields of an issue a body may carry (the spec's columns), in event order. */
enum {
    FL_ISSUE_TITLE,
    FL_ISSUE_DESCRIPTION,
    FL_ISSUE_STATUS,
    FL_ISSUE_PRIORITY,
    FL_ISSUE_SEVERITY,
    FL_ISSUE_IMPACT,
    FL_ISSUE_URGENCY,
    FL_ISSUE_ISSUE_TYPE,
    FL_ISSUE_SOURCE,
    FL_ISSUE_CATEGORY_ID,
    FL_ISSUE_APPLICATION_ID,
    FL_ISSUE_ENVIRONMENT_ID,
    FL_ISSUE_REPORTER_ID,
    FL_ISSUE_EXTERNAL_REFS,
    FL_ISSUE_F__N,
};

#define FL_ISSUES_DESCRIPTION_MAX 100000 /* characters of a description */
#define FL_ISSUES_REFS_MAX        50     /* items of external_refs */
#define FL_ISSUES_REFS_BYTES      16384  /* bytes of external_refs, as compact JSON */

/* A body's values: bit i of `set` says field i was present; v[i] NULL = null (cleared). */
typedef struct fl_issue_values {
    unsigned set;
    const char *v[FL_ISSUE_F__N];
} fl_issue_values_t;

/* The field's JSON key and column; "" past the end. */
const char *fl_issue_field_name(int field);

/*
 * JSON bodies -> values; every problem is collected into d (422 naming the
 * field, unknown fields by their key); strings copied into a. Create: title
 * required; status refused (an issue starts new); issue_type defaults to
 * issue, external_refs to []; priority, when absent, from impact x urgency
 * (fl_issue_priority_of). Update: only the fields present (status checked
 * against the machine by the decider). FL_EINVAL when d failed.
 */
int fl_issues_decode_create(const json_t *body, fl_arena_t *a, fl_issue_values_t *out,
                            fl_decision_t *d);
int fl_issues_decode_update(const json_t *body, fl_arena_t *a, fl_issue_values_t *out,
                            fl_decision_t *d);

/* ------------------------------------------------------------- aggregate */

/*
 * issue:<uuid>. v[] holds the fields as canonical text (status included) in
 * the fold's arena; the times are those of the events that set them.
 */
typedef struct fl_issue_state {
    bool exists;      /* issue.created was folded */
    bool deleted;     /* issue.deleted was folded: gone for the API */
    uint64_t version; /* the stream version folded up to; 0 when absent */
    char id[FL_UUID_LEN + 1];
    char number[FL_LOG_NUM_MAX]; /* "ISS-00001": the created event's number */
    const char *v[FL_ISSUE_F__N];
    fl_time_t created_at, updated_at, deleted_at;
    fl_time_t first_response_at; /* the first move out of new; 0 before */
    fl_time_t resolved_at;       /* the last move to resolved; 0 after a reopen */
    fl_time_t closed_at;         /* the last move to closed; 0 after a reopen */
} fl_issue_state_t;

extern const fl_agg_type_t fl_issue_agg; /* fl_issue_state_t */

/* "issue:<id>" in the arena; NULL past its budget. */
char *fl_issues_stream(fl_arena_t *a, const char *issue_id);

/* ---------------------------------------------------------------- decide */

/*
 * What an issue refers to, loaded by the caller for the references a body
 * names (NULL when it does not). reporter: a user that exists and is active;
 * application: live; environment_id must be a live environment of the
 * application (the issue's, or the body's new one). 422 naming the field.
 */
typedef struct fl_issue_refs {
    const fl_user_state_t *reporter;
    const fl_app_state_t *application;
} fl_issue_refs_t;

/*
 * issue.created {id, status: new, <fields>} on issue:<new id>, numbered ISS
 * by the log. reporter_id defaults to ctx->actor_id. Sets d->location.
 */
int fl_issues_decide_create(const fl_cmd_ctx_t *ctx, const fl_issue_values_t *cmd,
                            const fl_issue_refs_t *refs, fl_decision_t *d);

/*
 * issue.updated {id, changes: {field: {from, to}}} for the fields that
 * really change, status apart. A status change in the body must be a move of
 * the machine recorded as issue.status_changed {id, from, to} (assigned ->
 * in_progress, in_progress <-> pending); every other one is 409 naming the
 * current status (assign, resolve, close and reopen have their own
 * commands). expected: If-Match or FL_LOG_ANY. 404 unknown or deleted.
 */
int fl_issues_decide_update(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            const fl_issue_values_t *cmd, const fl_issue_refs_t *refs,
                            fl_decision_t *d);

/* issue.deleted {id, issue_number}. 404 as update. */
int fl_issues_decide_delete(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            fl_decision_t *d);

/* --------------------------------------------------------------- read side */

/*
 * Handlers for issue.created, .updated, .deleted and every status move
 * (issues row, issue_status_history row).
 */
extern const fl_proj_handler_t fl_issues_projections[];

/* ------------------------------------------------------- responses, reads */

/*
 * The issue as the API shows it: id, issue_number, the fields,
 * first_response_at, resolved_at, closed_at, created_at, updated_at,
 * version. The caller owns the result.
 */
json_t *fl_issue_to_json(const fl_issue_state_t *s);

/*
 * GET /issues (application_id NULL) and GET /applications/{id}/issues: page,
 * per_page (1..100, default 25), sort (issue_number, created_at, updated_at,
 * priority, status; default issue_number), order, status (or open: neither
 * resolved nor closed), priority, severity, issue_type, application_id,
 * assigned_to, assigned_group, reporter_id, q (substring of title,
 * description or number). reporter_only: a requester's id, narrowing every
 * list to the issues they reported. Rows as fl_apps_row_to_json and
 * fl_apps_page_to_json read them. Unknown or repeated parameters and bad
 * values are 422 naming them.
 */
int fl_issues_list_query(const fl_http_param_t *query, size_t n, const char *reporter_only,
                         const char *application_id, fl_arena_t *a, fl_apps_query_t *out,
                         fl_decision_t *d);

/* One live issue by uuid or number (ISS-00001, any case), reported by reporter_only if set. */
int fl_issues_get_query(const char *id_or_number, const char *reporter_only, fl_arena_t *a,
                        fl_apps_query_t *out);

#endif

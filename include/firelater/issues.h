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
#include "firelater/groups.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/sla.h"
#include "firelater/slafacts.h"
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

#define FL_ISSUES_NOTES_MAX 10000 /* comments, and work logs, of one issue */
#define FL_ISSUES_LINKS_MAX 200   /* links from one issue */

/* A comment or a work log as the write side keeps it: who wrote it, and whether it is gone. */
typedef struct fl_issue_note {
    char id[FL_UUID_LEN + 1];
    char user_id[FL_UUID_LEN + 1]; /* "" when the author was not a user */
    bool is_internal;              /* comments: hidden from requesters */
    bool deleted;
} fl_issue_note_t;

/* A link from this issue to another issue (or, later, a change). */
typedef struct fl_issue_link {
    char id[FL_UUID_LEN + 1];
    char target_id[FL_UUID_LEN + 1];
    char target_type[8]; /* "issue", "change" */
    char link_type[12];  /* "parent", "child", "related", "duplicate", "caused_by" */
} fl_issue_link_t;

/* The metrics an issue's events stamp, in minutes (fl_issue_sla_t.minutes). */
typedef enum fl_issue_metric {
    FL_ISSUE_TTFR,     /* time_to_first_response: wall minutes from creation */
    FL_ISSUE_TTR,      /* time_to_resolution */
    FL_ISSUE_BIZ_TTFR, /* business_time_to_first_response: the response clock's */
    FL_ISSUE_BIZ_TTR,  /* business_time_to_resolution: the resolution clock's */
    FL_ISSUE_METRICS,
} fl_issue_metric_t;

/*
 * An issue's SLA side: the facts its clocks read, folded from its events by
 * fl_slafacts_step (the fold the server's timers use), and what its events
 * stamped (fl_issues_decide_sla): the policy, the due dates and the metrics.
 */
typedef struct fl_issue_sla {
    fl_slafacts_state_t st;
    fl_slaclock_fact_t *facts; /* in the fold's arena */
    size_t n_facts;
    bool untracked;         /* past FL_SLAFACTS_MAX facts: no longer evaluated, as by the timers */
    const char *policy_id;  /* sla_policy_id; NULL: none */
    fl_time_t response_due; /* response_due_at; 0: none */
    fl_time_t resolution_due;
    int32_t minutes[FL_ISSUE_METRICS];
    uint8_t has_minutes; /* bit i: minutes[i] is set (else null) */
} fl_issue_sla_t;

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
    /* assignment, escalation and resolution (NULL / 0 when unset) */
    const char *assigned_to, *assigned_group;
    int escalation_level;
    fl_time_t escalated_at;
    const char *resolution_code, *resolution_notes, *resolved_by, *closed_by;
    bool sla_breached;
    const char *sla_breach_type; /* "response", "resolution", "both"; NULL */
    fl_issue_sla_t sla;
    /* comments, work logs and links, in order of creation (arrays in the fold's arena) */
    fl_issue_note_t *comments, *worklogs;
    size_t n_comments, n_worklogs;
    fl_issue_link_t *links;
    size_t n_links;
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

/* -------------------------------------------------------------------- SLA */

/*
 * What stamping needs beside the issue: the tenant's SLA configuration,
 * built (fl_sla_config_build; NULL when it could not be read: nothing of the
 * SLA is stamped then, only wall minutes), and the tier of the application
 * the issue has after the command (NULL: none).
 */
typedef struct fl_issue_sla_env {
    const fl_sla_config_t *config;
    const char *tier;
} fl_issue_sla_env_t;

/*
 * Stamps the SLA into d's events on the issue's stream (s: the issue before
 * the command; for a create, NULL or an empty state): each event that
 * changes the clocks (it gives SLA facts, or changes priority, issue_type or
 * application_id) is folded onto s's facts at ctx->now, the clocks are
 * evaluated there with the policy fl_sla_issue_clocks picks, and the event
 * gets sla_policy_id and response_due_at / resolution_due_at (the instant the
 * running clock reaches its target; null while paused or without a target;
 * left out, so kept, once the clock has stopped), and at the first response
 * or a resolution the wall and business minutes taken (a reopen clears the
 * resolution's). The rules: src/domain/issues/README.md "SLA". A refused or
 * empty decision is left alone. 0, or FL_ETOOBIG / FL_ECORRUPT re-encoding.
 */
int fl_issues_decide_sla(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                         const fl_issue_sla_env_t *env, fl_decision_t *d);

/* --------------------------------------------------------------- actions */

#define FL_ISSUES_REASON_MAX          10000 /* characters of a reason or work-log description */
#define FL_ISSUES_ESCALATION_MAX      5     /* the highest escalation level */
#define FL_ISSUES_WORKLOG_MINUTES_MAX 1440  /* minutes one work log may record */

typedef enum fl_issue_action_kind {
    FL_ISSUE_ACT_ASSIGN,   /* {assigned_to, assigned_group, reason}: the first assignment */
    FL_ISSUE_ACT_REASSIGN, /* the same body, on an assigned issue */
    FL_ISSUE_ACT_ESCALATE, /* {reason (required), assigned_group} */
    FL_ISSUE_ACT_RESOLVE,  /* {resolution_code, resolution_notes}, both required */
    FL_ISSUE_ACT_CLOSE,    /* {reason}, or no body */
    FL_ISSUE_ACT_REOPEN,   /* {reason}, or no body */
} fl_issue_action_kind_t;

typedef struct fl_issue_action {
    fl_issue_action_kind_t kind;
    const char *assigned_to, *assigned_group; /* lowercased UUIDs, NULL when not named */
    const char *reason;
    const char *resolution_code, *resolution_notes;
} fl_issue_action_t;

/*
 * A body (NULL: none, as {}) -> out, every problem into d (422 naming the
 * field, unknown keys by name). Assign and reassign need assigned_to or
 * assigned_group. FL_EINVAL when d failed.
 */
int fl_issues_decode_action(fl_issue_action_kind_t kind, const json_t *body, fl_arena_t *a,
                            fl_issue_action_t *out, fl_decision_t *d);

/*
 * What an action refers to, loaded by the caller:
 *   user           the user assigned_to names (assign), or NULL
 *   user_may_work  that user's effective permissions hold issues:update
 *   group          the group assigned_group names (assign, escalate: the
 *                  body's, else the issue's), or NULL
 *   user_in_group  user is a member of group, directly or through a sub-group
 *   candidates     escalate: the group's manager, then its leads (user
 *                  states, NULL entries skipped); the first active one who
 *                  may work issues becomes the assignee
 */
typedef struct fl_issue_action_refs {
    const fl_user_state_t *user;
    bool user_may_work;
    const fl_group_state_t *group;
    bool user_in_group;
    const fl_user_state_t *const *candidates;
    const bool *candidates_may_work;
    size_t n_candidates;
    int reopen_days; /* --issue-reopen-days */
} fl_issue_action_refs_t;

/*
 * The action's events on s's stream:
 *   assign    issue.assigned {id, assigned_to, assigned_group, previous:
 *             {assigned_to, assigned_group}, reason, and the move new ->
 *             assigned: history_id, from, to, changed_by}; 409 when the
 *             issue already has an assignee (use reassign) or is resolved or
 *             closed
 *   reassign  issue.assigned with from = to (no move, no history_id); 409
 *             when it has none (use assign); an unchanged assignment
 *             appends nothing
 *   escalate  issue.escalated {id, from_level, to_level, reason,
 *             escalated_by, assigned_to: {from, to}, assigned_group: {from,
 *             to}}; 422 assigned_group when neither the body nor the issue
 *             names one; 409 at FL_ISSUES_ESCALATION_MAX or when done
 *   resolve   issue.resolved (the move, resolution_code, resolution_notes,
 *             resolved_by)
 *   close     issue.closed (the move, closed_by)
 *   reopen    issue.reopened (the move, reason); 409 once the window of
 *             refs->reopen_days since it was resolved or closed has passed
 * Moves the machine has not are 409 naming the current status. 422 for a
 * user that is unknown, inactive or may not work issues, an unknown group,
 * a user who is not a member of the group. 404 unknown or deleted.
 */
int fl_issues_decide_action(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            const fl_issue_action_t *cmd, const fl_issue_action_refs_t *refs,
                            fl_decision_t *d);

/* ------------------------------------------------------- comments, work logs */

/* A comment's or a work log's body; bit i of set: the i-th key of its table was present. */
typedef struct fl_issue_note_cmd {
    unsigned set;
    const char *content, *content_type; /* comments */
    bool is_internal;
    int time_spent; /* work logs: minutes */
    const char *work_date, *description;
    bool billable;
} fl_issue_note_cmd_t;

enum { /* bits of fl_issue_note_cmd_t.set */
       FL_ISSUE_NOTE_CONTENT = 1u << 0,
       FL_ISSUE_NOTE_IS_INTERNAL = 1u << 1,
       FL_ISSUE_NOTE_CONTENT_TYPE = 1u << 2,
       FL_ISSUE_WLOG_TIME_SPENT = 1u << 0,
       FL_ISSUE_WLOG_WORK_DATE = 1u << 1,
       FL_ISSUE_WLOG_DESCRIPTION = 1u << 2,
       FL_ISSUE_WLOG_BILLABLE = 1u << 3,
};

/*
 * Comments {content (required on create), is_internal = false,
 * content_type = text | markdown}; work logs {time_spent: minutes 1..1440
 * (required on create), work_date (YYYY-MM-DD, default the day of the
 * command, UTC), description, billable = false}. An update needs a key.
 */
int fl_issues_decode_comment(const json_t *body, bool create, fl_arena_t *a,
                             fl_issue_note_cmd_t *out, fl_decision_t *d);
int fl_issues_decode_worklog(const json_t *body, bool create, fl_arena_t *a,
                             fl_issue_note_cmd_t *out, fl_decision_t *d);

/* Who acts on a note: may_moderate (issues:manage) edits and deletes anyone's. */
typedef struct fl_issue_note_who {
    bool requester;    /* may not write internal comments */
    bool may_moderate; /* may edit and delete others' notes */
} fl_issue_note_who_t;

/*
 * issue.comment_added {id, comment_id, user_id, content, content_type,
 * is_internal}, issue.comment_edited {id, comment_id, <the keys given>},
 * issue.comment_deleted {id, comment_id}; the same for work logs
 * (issue.worklog_added {id, worklog_id, user_id, time_spent, work_date,
 * description, billable}, _updated, _deleted). note_id NULL adds (a new
 * id; d->location its URL); cmd NULL deletes. 404 for an unknown issue or
 * note; 403 for a requester's internal comment, and for editing or
 * deleting someone else's note without may_moderate.
 */
int fl_issues_decide_comment(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                             const char *note_id, const fl_issue_note_cmd_t *cmd,
                             fl_issue_note_who_t who, fl_decision_t *d);
int fl_issues_decide_worklog(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                             const char *note_id, const fl_issue_note_cmd_t *cmd,
                             fl_issue_note_who_t who, fl_decision_t *d);

/* The live comment or work log of that id, or NULL. */
const fl_issue_note_t *fl_issue_comment_find(const fl_issue_state_t *s, const char *id);
const fl_issue_note_t *fl_issue_worklog_find(const fl_issue_state_t *s, const char *id);

/* ------------------------------------------------------------------ links */

/* POST /issues/{id}/link {target_id, link_type, target_type = issue}. */
typedef struct fl_issue_link_cmd {
    const char *target_type, *target_id, *link_type;
} fl_issue_link_cmd_t;

int fl_issues_decode_link(const json_t *body, fl_arena_t *a, fl_issue_link_cmd_t *out,
                          fl_decision_t *d);

/*
 * issue.linked {id, link_id, target_type, target_id, link_type}. target:
 * the issue target_id names (NULL or not live: 422 target_id). 422 for a
 * link to itself or to a change (there are none yet); 409 for a link that
 * exists (either way round, for parent/child: A parent of B is B child of
 * A) and past FL_ISSUES_LINKS_MAX.
 */
int fl_issues_decide_link(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                          const fl_issue_link_cmd_t *cmd, const fl_issue_state_t *target,
                          fl_decision_t *d);

/* --------------------------------------------------------------- read side */

/*
 * Handlers for issue.created, .updated, .deleted and every status move
 * (issues row, issue_status_history row).
 */
extern const fl_proj_handler_t fl_issues_projections[];
/* ... and for the actions, comments, work logs and links (project_actions.c). */
extern const fl_proj_handler_t fl_issues_action_projections[];

/* ------------------------------------------------------- responses, reads */

/*
 * The issue as the API shows it: id, issue_number, the fields,
 * first_response_at, resolved_at, closed_at, the SLA's (sla_policy_id,
 * response_due_at, resolution_due_at, time_to_first_response,
 * time_to_resolution, business_time_to_first_response,
 * business_time_to_resolution), created_at, updated_at, version. The
 * caller owns the result.
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

/* An issue's sub-resources, for fl_issues_sub_query. */
typedef enum fl_issue_sub {
    FL_ISSUE_SUB_COMMENTS,
    FL_ISSUE_SUB_WORKLOGS,
    FL_ISSUE_SUB_HISTORY,
    FL_ISSUE_SUB_RELATED, /* links both ways, seen from this issue, with the other issue */
} fl_issue_sub_t;

/*
 * GET /issues/{id}/comments, /worklogs, /history, /related: page, per_page
 * (1..100, default 25), order (asc: oldest first, the default). The issue
 * must have been checked first. public_only: no internal comments (for
 * requesters). Unknown parameters and bad values are 422 naming them.
 */
int fl_issues_sub_query(fl_issue_sub_t kind, const char *issue_id, bool public_only,
                        const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_apps_query_t *out,
                        fl_decision_t *d);

/* One live comment or work log of the issue (rows: j). */
int fl_issues_note_get_query(fl_issue_sub_t kind, const char *issue_id, const char *note_id,
                             fl_arena_t *a, fl_apps_query_t *out);

/* One live issue by uuid or number (ISS-00001, any case), reported by reporter_only if set. */
int fl_issues_get_query(const char *id_or_number, const char *reporter_only, fl_arena_t *a,
                        fl_apps_query_t *out);

#endif

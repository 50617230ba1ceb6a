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

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"

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

#endif

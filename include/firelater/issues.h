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

#endif

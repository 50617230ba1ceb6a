/*
 * The status machine of an issue:
 *
 *   new -> assigned -> in_progress <-> pending -> resolved -> closed
 *   in_progress -> resolved; resolved, closed -> in_progress (reopen)
 *
 * One table says which moves exist and the event each is recorded as.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/issues.h"

static const char *const names[FL_ISSUE_STATUS__N] = {
    [FL_ISSUE_NEW] = "new",
    [FL_ISSUE_ASSIGNED] = "assigned",
    [FL_ISSUE_IN_PROGRESS] = "in_progress",
    [FL_ISSUE_PENDING] = "pending",
    [FL_ISSUE_RESOLVED] = "resolved",
    [FL_ISSUE_CLOSED] = "closed",
};

#define ASSIGNED "issue.assigned"
#define MOVED    "issue.status_changed"
#define RESOLVED "issue.resolved"
#define CLOSED   "issue.closed"
#define REOPENED "issue.reopened"

/* moves[from][to]: the event, NULL when there is no such move. */
static const char *const moves[FL_ISSUE_STATUS__N][FL_ISSUE_STATUS__N] = {
    [FL_ISSUE_NEW] = {[FL_ISSUE_ASSIGNED] = ASSIGNED},
    [FL_ISSUE_ASSIGNED] = {[FL_ISSUE_IN_PROGRESS] = MOVED},
    [FL_ISSUE_IN_PROGRESS] = {[FL_ISSUE_PENDING] = MOVED, [FL_ISSUE_RESOLVED] = RESOLVED},
    [FL_ISSUE_PENDING] = {[FL_ISSUE_IN_PROGRESS] = MOVED, [FL_ISSUE_RESOLVED] = RESOLVED},
    [FL_ISSUE_RESOLVED] = {[FL_ISSUE_CLOSED] = CLOSED, [FL_ISSUE_IN_PROGRESS] = REOPENED},
    [FL_ISSUE_CLOSED] = {[FL_ISSUE_IN_PROGRESS] = REOPENED},
};

const char *fl_issue_status_name(fl_issue_status_t s)
{
    return (int)s >= 0 && s < FL_ISSUE_STATUS__N ? names[s] : "";
}

int fl_issue_status_parse(const char *s)
{
    for (int i = 0; s != NULL && i < FL_ISSUE_STATUS__N; i++) {
        if (strcmp(names[i], s) == 0)
            return i;
    }
    return -1;
}

const char *fl_issue_transition_event(fl_issue_status_t from, fl_issue_status_t to)
{
    if ((int)from < 0 || from >= FL_ISSUE_STATUS__N || (int)to < 0 || to >= FL_ISSUE_STATUS__N)
        return NULL;
    return moves[from][to];
}

int fl_issue_check_transition(fl_issue_status_t from, fl_issue_status_t to, fl_arena_t *a,
                              fl_decision_t *d)
{
    const size_t n = 96;
    char *detail;

    if (fl_issue_transition_event(from, to) != NULL)
        return 0;
    detail = fl_arena_alloc(a, n);
    if (detail != NULL)
        snprintf(detail, n, "the issue is %s and cannot become %s", fl_issue_status_name(from),
                 fl_issue_status_name(to));
    fl_decision_fail(d, 409, "invalid status transition", detail);
    fl_decision_field(d, "status", detail != NULL ? detail : "invalid status transition");
    return FL_EINVAL;
}

bool fl_issue_reopen_allowed(fl_time_t since, fl_time_t now, int days)
{
    const fl_time_t day = (fl_time_t)86400 * 1000000;

    return since > 0 && days >= 0 && now >= since && now - since <= (fl_time_t)days * day;
}

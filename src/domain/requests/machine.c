/*
 * The status machine of a service request (src/domain/requests/README.md,
 * "Lifecycle"): one table of the moves that exist and the event each is
 * recorded as. new is where request.created leaves a request, and the same
 * command's request.submitted moves it on, so no request rests there.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const names[FL_REQ_STATUS__N] = {
    [FL_REQ_NEW] = "new",
    [FL_REQ_PENDING_APPROVAL] = "pending_approval",
    [FL_REQ_APPROVED] = "approved",
    [FL_REQ_IN_PROGRESS] = "in_progress",
    [FL_REQ_COMPLETED] = "completed",
    [FL_REQ_CANCELLED] = "cancelled",
    [FL_REQ_REJECTED] = "rejected",
};

static const char *const step_names[] = {"pending", "approved", "rejected", "skipped"};

#define SUBMITTED "request.submitted"
#define CANCELLED "request.cancelled"

/* moves[from][to]: the event, NULL when there is no such move. */
static const char *const moves[FL_REQ_STATUS__N][FL_REQ_STATUS__N] = {
    [FL_REQ_NEW] = {[FL_REQ_PENDING_APPROVAL] = SUBMITTED, [FL_REQ_APPROVED] = SUBMITTED},
    [FL_REQ_PENDING_APPROVAL] = {[FL_REQ_APPROVED] = "request.approved",
                                 [FL_REQ_REJECTED] = "request.rejected",
                                 [FL_REQ_CANCELLED] = CANCELLED},
    [FL_REQ_APPROVED] = {[FL_REQ_IN_PROGRESS] = "request.started", [FL_REQ_CANCELLED] = CANCELLED},
    [FL_REQ_IN_PROGRESS] =
        {[FL_REQ_COMPLETED] = "request.completed", [FL_REQ_CANCELLED] = CANCELLED},
    [FL_REQ_COMPLETED] = {[FL_REQ_IN_PROGRESS] = "request.reopened"},
};

const char *fl_req_status_name(fl_req_status_t s)
{
    return (unsigned)s < FL_REQ_STATUS__N ? names[s] : "";
}

const char *fl_req_step_status_name(fl_req_step_status_t s)
{
    return (unsigned)s <= FL_REQ_STEP_SKIPPED ? step_names[s] : "";
}

int fl_req_status_parse(const char *s)
{
    int i = 0;

    while (s != NULL && i < FL_REQ_STATUS__N && strcmp(names[i], s) != 0)
        i++;
    return s != NULL && i < FL_REQ_STATUS__N ? i : -1;
}

const char *fl_req_transition_event(fl_req_status_t from, fl_req_status_t to)
{
    if ((unsigned)from >= FL_REQ_STATUS__N || (unsigned)to >= FL_REQ_STATUS__N)
        return NULL;
    return moves[from][to];
}

int fl_req_check_transition(fl_req_status_t from, fl_req_status_t to, fl_arena_t *a,
                            fl_decision_t *d)
{
    return fl_req_transition_event(from, to) != NULL ? 0 : fl__req_refuse_move(a, from, to, d);
}

int fl__req_refuse_move(fl_arena_t *a, fl_req_status_t from, fl_req_status_t to, fl_decision_t *d)
{
    const char *msg = "invalid status transition";
    char *detail = fl_arena_alloc(a, 96);
    if (detail != NULL) {
        snprintf(detail, 96, "the request is %s and cannot become %s", fl_req_status_name(from),
                 fl_req_status_name(to));
        msg = detail;
    }
    fl_decision_fail(d, 409, "invalid status transition", msg);
    fl_decision_field(d, "status", msg);
    return FL_EINVAL;
}

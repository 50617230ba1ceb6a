/*
 * Issue events -> SLA facts (include/firelater/slafacts.h has the table).
 * Pure: only the event and its data are read.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/slafacts.h"

static const char *const priorities[FL_SLA_PRIORITIES] = {"critical", "high", "medium", "low"};

void fl_slafacts_init(fl_slafacts_t *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->status, sizeof(f->status), "new");
}

int fl_slafacts_priority(const char *name)
{
    for (int i = 0; name != NULL && i < FL_SLA_PRIORITIES; i++) {
        if (strcmp(name, priorities[i]) == 0)
            return i;
    }
    return -1;
}

static int add(fl_slafacts_t *f, fl_time_t at, fl_slaclock_kind_t kind, int priority, int metric)
{
    if (f->n == FL_SLAFACTS_MAX)
        return FL_ETOOBIG;
    f->facts[f->n++] = (fl_slaclock_fact_t){
        .at = at, .kind = (uint8_t)kind, .priority = (uint8_t)priority, .metric = (uint8_t)metric};
    return 0;
}

static bool is_done(const char *status)
{
    return strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0;
}

static int respond(fl_slafacts_t *f, fl_time_t at)
{
    if (f->responded)
        return 0;
    f->responded = true;
    f->responded_at = at;
    return add(f, at, FL_SLAF_RESPOND, 0, 0);
}

/* A status move from f->status to `to` at `at`. */
static int move(fl_slafacts_t *f, fl_time_t at, const char *to)
{
    const char *from = f->status;
    int rc = 0;

    if (to == NULL || strcmp(from, to) == 0)
        return 0;
    if (strcmp(from, "new") == 0)
        rc = respond(f, at);
    if (rc == 0 && strcmp(from, "pending") == 0)
        rc = add(f, at, FL_SLAF_RESUME, 0, 0);
    if (rc == 0 && strcmp(to, "pending") == 0)
        rc = add(f, at, FL_SLAF_PAUSE, 0, 0);
    if (rc == 0 && is_done(to) && !is_done(from))
        rc = add(f, at, FL_SLAF_RESOLVE, 0, 0);
    if (rc == 0 && is_done(from) && !is_done(to))
        rc = add(f, at, FL_SLAF_REOPEN, 0, 0);
    snprintf(f->status, sizeof(f->status), "%s", to);
    return rc;
}

/* The status an event of a moving type leads to when its data does not say. */
static const char *implied_status(const char *type)
{
    static const struct {
        const char *type, *status;
    } moves[] = {
        {"issue.assigned", "assigned"}, {"issue.resolved", "resolved"},
        {"issue.closed", "closed"},     {"issue.reopened", "in_progress"},
        {"issue.status_changed", NULL},
    };

    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        if (strcmp(type, moves[i].type) == 0)
            return moves[i].status != NULL ? moves[i].status : "";
    }
    return NULL;
}

static int created(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    const char *reporter = json_string_value(json_object_get(data, "reporter_id"));
    const char *status = json_string_value(json_object_get(data, "status"));
    int p = fl_slafacts_priority(json_string_value(json_object_get(data, "priority")));

    snprintf(f->reporter, sizeof(f->reporter), "%s", reporter != NULL ? reporter : "");
    snprintf(f->status, sizeof(f->status), "%s", status != NULL ? status : "new");
    return add(f, ev->ts, FL_SLAF_START, p >= 0 ? p : FL_SLA_MEDIUM, 0);
}

static int updated(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    const json_t *changes = json_object_get(data, "changes");
    int p = fl_slafacts_priority(
        json_string_value(json_object_get(json_object_get(changes, "priority"), "to")));
    int rc = p >= 0 ? add(f, ev->ts, FL_SLAF_PRIORITY, p, 0) : 0;
    const char *to = json_string_value(json_object_get(json_object_get(changes, "status"), "to"));

    return rc == 0 ? move(f, ev->ts, to) : rc;
}

static int commented(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    const char *author = json_string_value(json_object_get(data, "user_id"));

    if (json_is_true(json_object_get(data, "is_internal")))
        return 0;
    if (author == NULL && ev->actor != NULL && strncmp(ev->actor, "user:", 5) == 0)
        author = ev->actor + 5;
    if (author == NULL || strcmp(author, f->reporter) == 0)
        return 0;
    return respond(f, ev->ts);
}

static int recorded(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    const char *metric = json_string_value(json_object_get(data, "metric"));
    const char *crossed = json_string_value(json_object_get(data, "crossed_at"));
    fl_time_t at;
    int m = metric == NULL                      ? -1
            : strcmp(metric, "response") == 0   ? FL_SLA_RESPONSE
            : strcmp(metric, "resolution") == 0 ? FL_SLA_RESOLUTION
                                                : -1;

    if (m < 0 || crossed == NULL || fl_time_parse(crossed, &at) != 0)
        return 0; /* not one this build fired: skipped */
    return add(f, at,
               strcmp(ev->type, "issue.sla_warning") == 0 ? FL_SLAF_WARNED : FL_SLAF_BREACHED, 0,
               m);
}

int fl_slafacts_fold(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    const char *t = ev->type, *to;

    if (strcmp(t, "issue.created") == 0)
        return created(f, ev, data);
    if (strcmp(t, "issue.updated") == 0)
        return updated(f, ev, data);
    if (strcmp(t, "issue.comment_added") == 0)
        return commented(f, ev, data);
    if (strcmp(t, "issue.sla_warning") == 0 || strcmp(t, "issue.sla_breached") == 0)
        return recorded(f, ev, data);
    if ((to = implied_status(t)) == NULL)
        return 0;
    if (json_string_value(json_object_get(data, "to")) != NULL)
        to = json_string_value(json_object_get(data, "to"));
    return *to != '\0' ? move(f, ev->ts, to) : 0;
}

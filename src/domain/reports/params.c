/*
 * The query parameters every report shares: the date range, group_by, the
 * filters, and issue-trends' interval. Each bad or unknown parameter is named
 * in the decision (422); a repeated one is refused, never guessed at.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define DAY_US ((fl_time_t)86400 * 1000000)

static const char *const group_bys[] = {"none", "priority", "application", "group", NULL};
static const char *const intervals[] = {"day", "week", "month", NULL};
static const char *const priorities[] = {"critical", "high", "medium", "low", NULL};

static bool one_of(const char *v, const char *const *values)
{
    for (; *values != NULL; values++) {
        if (strcmp(v, *values) == 0)
            return true;
    }
    return false;
}

/* Why a time parameter is refused, or NULL (*out set). */
static const char *time_param(const char *v, fl_time_t *out)
{
    if (fl_time_parse(v, out) != 0 || strspn(v, "0123456789") == strlen(v))
        return "must be an RFC 3339 time or a YYYY-MM-DD date";
    return NULL;
}

/* One parameter; why it is refused, or NULL. */
static const char *param(fl_report_query_t *q, const char *k, const char *v, bool *have_from,
                         bool *have_to)
{
    if (strcmp(k, "from") == 0) {
        *have_from = true;
        return time_param(v, &q->from);
    }
    if (strcmp(k, "to") == 0) {
        *have_to = true;
        return time_param(v, &q->to);
    }
    if (strcmp(k, "group_by") == 0) {
        q->group_by = v;
        return one_of(v, group_bys) ? NULL : "must be none, priority, application or group";
    }
    if (strcmp(k, "interval") == 0 && q->kind == FL_REPORT_ISSUE_TRENDS) {
        q->interval = v;
        return one_of(v, intervals) ? NULL : "must be day, week or month";
    }
    if (strcmp(k, "priority") == 0) {
        q->priority = v;
        return one_of(v, priorities) ? NULL : "must be critical, high, medium or low";
    }
    if (strcmp(k, "application_id") == 0 || strcmp(k, "assigned_group") == 0) {
        *(k[0] == 'a' && k[1] == 'p' ? &q->application_id : &q->assigned_group) = v;
        return fl_uuid_is_valid(v) ? NULL : "must be a uuid";
    }
    return "is not a known parameter";
}

/* The number of periods of `interval` that [from, to) touches, bounded above. */
static long periods(const fl_report_query_t *q)
{
    int64_t days = (q->to - q->from + DAY_US - 1) / DAY_US;

    if (strcmp(q->interval, "week") == 0)
        return (long)(days / 7 + 2);
    if (strcmp(q->interval, "month") == 0)
        return (long)(days / 28 + 2);
    return (long)(days + 1);
}

int fl__report_params(fl_report_query_t *q, const fl_http_param_t *query, size_t n, fl_time_t now,
                      fl_decision_t *d)
{
    bool have_from = false, have_to = false;

    q->group_by = "none";
    q->interval = "day";
    for (size_t i = 0; i < n; i++) {
        const char *why;
        bool repeated = false;
        for (size_t j = 0; j < i; j++)
            repeated = repeated || strcmp(query[i].name, query[j].name) == 0;
        why = repeated ? "must be given once"
                       : param(q, query[i].name, query[i].value, &have_from, &have_to);
        if (why != NULL)
            fl_decision_field(d, query[i].name, why);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (!have_to)
        q->to = now;
    if (!have_from)
        q->from = q->to - 30 * DAY_US;
    if (q->to <= q->from)
        fl_decision_field(d, "to", "must be after from");
    else if (q->to - q->from > (fl_time_t)FL_REPORT_MAX_DAYS * DAY_US)
        fl_decision_field(d, "from", "the range must be at most 1000 days");
    else if (q->kind == FL_REPORT_ISSUE_TRENDS && periods(q) > FL_REPORT_MAX_DAYS)
        fl_decision_field(d, "interval", "the range must hold at most 1000 periods");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

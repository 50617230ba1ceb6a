/*
 * Reports over the issues read model: GET /api/v1/reports/issue-trends,
 * /reports/issue-mttr and /reports/sla-performance. Query parameters -> one
 * SQL statement whose rows are JSON (column j); every value is a parameter,
 * and the only words in the SQL text are this module's.
 *
 * Every report takes a date range (from, to: RFC 3339 or YYYY-MM-DD; default
 * the 30 days up to now; to > from; at most 1000 days), group_by (none,
 * priority, application, group: the assigned group), and the filters
 * application_id, priority and assigned_group. issue-trends also takes
 * interval (day, week, month; default day; at most 1000 periods).
 */
#ifndef FIRELATER_REPORTS_H
#define FIRELATER_REPORTS_H

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/store.h"

#define FL_REPORT_MAX_PARAMS 8
#define FL_REPORT_MAX_DAYS   1000

typedef enum fl_report_kind {
    FL_REPORT_ISSUE_TRENDS,
    FL_REPORT_ISSUE_MTTR,
    FL_REPORT_SLA_PERFORMANCE,
} fl_report_kind_t;

typedef struct fl_report_query {
    fl_report_kind_t kind;
    const char *sql;
    const char *params[FL_REPORT_MAX_PARAMS];
    int nparams;
    fl_time_t from, to;
    const char *interval; /* issue-trends */
    const char *group_by;
    const char *application_id, *priority, *assigned_group; /* filters, or NULL */
} fl_report_query_t;

/* The statement of a report from its query parameters; FL_EINVAL with d naming each bad one. */
int fl_report_query(fl_report_kind_t kind, const fl_http_param_t *query, size_t n, fl_time_t now,
                    fl_arena_t *a, fl_report_query_t *out, fl_decision_t *d);

/* {data: [rows], meta: {from, to, group_by, interval?, filters}} (new reference). */
json_t *fl_report_to_json(const fl_store_res_t *r, const fl_report_query_t *q);

#endif

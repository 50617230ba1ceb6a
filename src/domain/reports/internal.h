/*
 * Internals of src/domain/reports/; no other folder includes this.
 */
#ifndef FIRELATER_DOMAIN_REPORTS_INTERNAL_H
#define FIRELATER_DOMAIN_REPORTS_INTERNAL_H

#include "firelater/reports.h"

/* params.c: q's range, group_by, interval and filters from the query; FL_EINVAL naming each. */
int fl__report_params(fl_report_query_t *q, const fl_http_param_t *query, size_t n, fl_time_t now,
                      fl_decision_t *d);

#endif

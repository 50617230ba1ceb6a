/* Internals shared by the files of src/domain/issue_categories/; no other folder includes this. */
#ifndef FIRELATER_DOMAIN_ICATS_INTERNAL_H
#define FIRELATER_DOMAIN_ICATS_INTERNAL_H

#include "firelater/issue_categories.h"

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__ICATS_TS(expr)                                                                         \
    "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

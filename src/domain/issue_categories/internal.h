/* Internals shared by the files of src/domain/issue_categories/; no other folder includes this. */
#ifndef FIRELATER_DOMAIN_ICATS_INTERNAL_H
#define FIRELATER_DOMAIN_ICATS_INTERNAL_H

#include "firelater/issue_categories.h"

/* "prefix" + s in the arena; NULL past its budget. */
char *fl__icats_concat(fl_arena_t *a, const char *prefix, const char *s);

/* Refuses with status and title, naming field (message) when field is not NULL. FL_EINVAL. */
int fl__icats_refuse(fl_decision_t *d, int status, const char *title, const char *field,
                     const char *message);

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__ICATS_TS(expr)                                                                         \
    "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

/*
 * Shared by the audit suite's files: the test cases each file adds and a
 * helper to build events.
 */
#ifndef FL_TEST_AUDIT_H
#define FL_TEST_AUDIT_H

#include <check.h>

#include <jansson.h>

#include "firelater/audit.h"
#include "util.h"

TCase *audit_row_tcase(void);
TCase *audit_redact_tcase(void);
TCase *audit_query_tcase(void);
TCase *audit_project_tcase(void);

/*
 * An event as the projector sees it: envelope fields given, the rest fixed
 * (pos 7, sv 3, ts 2025-11-25T12:00:00Z); raw is a fixed byte string so the
 * hash is known. Strings are borrowed.
 */
fl_event_t at_event(const char *type, const char *stream, const char *actor);

#endif

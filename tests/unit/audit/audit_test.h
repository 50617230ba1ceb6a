/*
 * Shared by the audit suite's files: the test cases each file adds and a
 * helper to build events.
 */
#ifndef FL_TEST_AUDIT_H
#define FL_TEST_AUDIT_H

#include <check.h>

#include <jansson.h>

#include "firelater/audit.h"

TCase *audit_row_tcase(void);
TCase *audit_redact_tcase(void);
TCase *audit_query_tcase(void);
TCase *audit_project_tcase(void);

/* JSON text to a value (asserted; \u0000 allowed in strings); the caller decrefs. */
json_t *at_json(const char *text);

/*
 * An event as the projector sees it: envelope fields given, the rest fixed
 * (pos 7, sv 3, ts 2025-11-25T12:00:00Z); raw is a fixed byte string so the
 * hash is known. Strings are borrowed.
 */
fl_event_t at_event(const char *type, const char *stream, const char *actor);

#endif

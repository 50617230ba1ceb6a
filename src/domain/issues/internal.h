/*
 * Internals shared by the files of src/domain/issues/; no other folder
 * includes this.
 */
#ifndef FIRELATER_DOMAIN_ISSUES_INTERNAL_H
#define FIRELATER_DOMAIN_ISSUES_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "firelater/issues.h"

/* How a field's value is written in a body and kept as text. */
typedef enum fl__iss_kind {
    FL__ISS_LINE,  /* a string without control characters */
    FL__ISS_TEXT,  /* a string; tab, CR and LF allowed */
    FL__ISS_ENUM,  /* one of `values` */
    FL__ISS_UUID,  /* a reference, kept lowercased */
    FL__ISS_ARRAY, /* a JSON array of strings or objects, kept as compact JSON */
} fl__iss_kind_t;

typedef struct fl__iss_field {
    const char *name; /* JSON key, event key and column */
    fl__iss_kind_t kind;
    unsigned max;              /* LINE, TEXT: characters; ARRAY: items */
    const char *const *values; /* ENUM: NULL-terminated */
    const char *msg;           /* ENUM: the message naming the values */
    const char *dflt;          /* create's value when absent, or NULL */
    bool required;
    bool nullable;
} fl__iss_field_t;

typedef struct fl__iss_table {
    const fl__iss_field_t *f;
    int n;
} fl__iss_table_t;

extern const fl__iss_table_t fl__iss_table;

/* The value as JSON (ARRAY parsed; NULL is null). New reference. */
json_t *fl__iss_value_json(int field, const char *text);

/* A JSON value as canonical text in the arena (null, absent: NULL). FL_ETOOBIG. */
int fl__iss_value_text(fl_arena_t *a, const json_t *v, const char **out);

/*
 * Why a string of at most max characters is refused ("must be a string",
 * "is too long", ...), or NULL. lines: tab, CR and LF allowed.
 */
const char *fl__iss_text_problem(const json_t *v, unsigned max, bool lines, bool blank_ok);

/* True when two values (either may be NULL) are equal. */
bool fl__iss_same(const char *a, const char *b);

/*
 * decide.c: a status move {id, history_id (the issue_status_history row),
 * from, to, changed_by, reason} on s's stream, with extra's members (taken;
 * may be NULL).
 */
int fl_issues_emit_move(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                        const char *type, const char *to, const char *reason, json_t *extra,
                        fl_decision_t *d);

/*
 * decide.c: an event (data taken) on s's stream; the first event of a
 * decision expects the stream at `expected` (FL_LOG_ANY: the folded
 * version; a new issue: no stream).
 */
int fl__iss_emit(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                 const char *type, json_t *data, fl_decision_t *d);

/* d fails with status and title, and field's message (NULL: the title); FL_EINVAL. */
int fl__iss_refuse(fl_decision_t *d, int status, const char *title, const char *field,
                   const char *message);

/* 0 for a live issue, else 404 into d and FL_EINVAL. */
int fl__iss_check_live(const fl_issue_state_t *s, fl_decision_t *d);

/*
 * fold.c: room for one more entry in an arena array of n entries of size
 * bytes (capacity 4, 8, 16, ...): arr itself, or a larger copy; NULL when
 * the arena is spent.
 */
void *fl__iss_grow(fl_arena_t *a, void *arr, size_t n, size_t size);

/*
 * sla.c: folds one event into the issue's SLA side: its facts
 * (fl_slafacts_step) and what it stamped. 0 or FL_ETOOBIG.
 */
int fl__iss_sla_fold(fl_issue_sla_t *x, fl_arena_t *a, const fl_event_t *ev, const json_t *data);

/*
 * sla.c: the keys a stamp may set, which are also the issues columns they go
 * to, NULL-ended: sla_policy_id, response_due_at, resolution_due_at, then
 * from FL__ISS_SLA_MINUTES the minutes of each fl_issue_metric_t.
 */
extern const char *const fl__iss_sla_keys[];
#define FL__ISS_SLA_MINUTES 3

/*
 * project.c: the columns an event stamped (fl__iss_sla_keys present in
 * data), after the event's own statements; nothing when it stamped none.
 */
int fl__iss_project_sla(fl_proj_out_t *out, const json_t *data);

/*
 * project.c: a status move's SQL (the issues row's status and times, and
 * the issue_status_history row); project_actions.c adds the rest.
 */
int fl__iss_project_move(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data);

#endif

/*
 * Internals shared by the files of src/domain/applications/; no other
 * folder includes this.
 */
#ifndef FIRELATER_DOMAIN_APPLICATIONS_INTERNAL_H
#define FIRELATER_DOMAIN_APPLICATIONS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/applications.h"

/* How a field's value is written in a body, kept as text, and bound in SQL. */
typedef enum fl__app_kind {
    FL__APP_LINE,   /* a string without control characters */
    FL__APP_TEXT,   /* a string; tab, CR and LF allowed */
    FL__APP_ENUM,   /* one of `values` */
    FL__APP_UUID,   /* a reference, kept lowercased */
    FL__APP_LIST,   /* an array of strings, kept sorted and distinct */
    FL__APP_OBJECT, /* any JSON object */
} fl__app_kind_t;

typedef struct fl__app_field {
    const char *name; /* JSON key, event key and column */
    fl__app_kind_t kind;
    unsigned max;              /* LINE, TEXT: characters; LIST: items */
    unsigned item_max;         /* LIST: characters of an item */
    const char *const *values; /* ENUM: NULL-terminated */
    const char *msg;           /* ENUM: the message naming the values */
    const char *dflt;          /* create's value when absent, or NULL */
    bool required;
    bool nullable;
    const char *bind; /* SQL of the column's value, $? the parameter: "$?::uuid" */
} fl__app_field_t;

/* A field table: the application's or the environment's. */
typedef struct fl__app_table {
    const fl__app_field_t *f;
    int n;
} fl__app_table_t;

extern const fl__app_table_t fl__app_table;
extern const fl__app_table_t fl__env_table;

/* The value as JSON (LIST, OBJECT parsed; NULL is null). New reference. */
json_t *fl__app_value_json(const fl__app_field_t *f, const char *text);

/* A JSON value as canonical text in the arena (null, absent: NULL). FL_ETOOBIG. */
int fl__app_value_text(fl_arena_t *a, const json_t *v, const char **out);

/* True when two values (either may be NULL) are equal. */
bool fl__app_same(const char *a, const char *b);

/* {field: value_json} for every field of t, into obj. */
void fl__app_put_values(json_t *obj, const fl__app_table_t *t, const char *const *v);

/* {field: {from, to}} for the fields of cmd that differ from v. */
json_t *fl__app_changes(const fl__app_table_t *t, const char *const *v, const fl_app_values_t *cmd);

/* Sets v[i] from each changes.<field>.to, or from data.<field> when changes is NULL. */
int fl__app_set_values(fl_arena_t *a, const fl__app_table_t *t, const char **v, const json_t *data,
                       bool from_changes);

/* decide.c: 404 unless s is live; one event on s's stream (expected, or s->version for
 * FL_LOG_ANY), numbered APP when s does not exist yet. Both FL_EINVAL / the emit's code. */
int fl__apps_check_live(const fl_app_state_t *s, fl_decision_t *d);
int fl__apps_emit(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                  const char *type, json_t *data, fl_decision_t *d);

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__APPS_TS(expr)                                                                          \
    "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

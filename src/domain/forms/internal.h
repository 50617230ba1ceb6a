/*
 * The forms module's shared internals: the compiled form, the schema compiler's context, and
 * the helpers every file uses (errors with paths, dates, option lookup).
 */
#ifndef FL_FORMS_INTERNAL_H
#define FL_FORMS_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "firelater/forms.h"

#define FL__FORM_BIT(t) (1u << (t))

/* A date bound: an absolute day (days since 1970-01-01) or days relative to today. */
typedef struct fl__form_bound {
    bool set, relative;
    int32_t days;
} fl__form_bound_t;

/* The operators of conditional logic, in the spec's order. */
typedef enum fl__form_op {
    FL__OP_EQUALS,
    FL__OP_NOT_EQUALS,
    FL__OP_IN,
    FL__OP_NOT_IN,
    FL__OP_CONTAINS,
    FL__OP_GREATER_THAN,
    FL__OP_LESS_THAN,
    FL__OP_IS_EMPTY,
    FL__OP_IS_NOT_EMPTY,
    FL__OP__N
} fl__form_op_t;

/* One conditional_logic entry: target is shown only when source's value satisfies op. */
typedef struct fl__form_rule {
    int target, source;
    fl__form_op_t op;
    json_t *value; /* owned; NULL for is_empty / is_not_empty */
    double num;    /* greater_than / less_than: the bound as a number or µs */
    int next;      /* the target's next rule, or -1 */
} fl__form_rule_t;

typedef struct fl__form_field {
    const char *id; /* in the form's arena */
    fl_form_type_t type;
    bool required;
    json_t *dflt;            /* owned, or NULL */
    size_t min_len, max_len; /* characters */
    pcre2_code *re;          /* owned, or NULL */
    bool jit;                /* re was JIT-compiled */
    bool has_min, has_max, has_step;
    double min, max, step;
    const char **opts; /* option values, sorted (strcmp) */
    size_t n_opts;
    size_t min_sel, max_sel; /* selection counts; max_sel 0 = no cap but the options */
    fl__form_bound_t min_date, max_date;
    size_t max_files;
    int64_t max_bytes;
    const char **types; /* allowed_types, lowercase; NULL = any */
    size_t n_types;
    bool allow_self;
    const char *group_id; /* user_picker filter_by_group, lowercase, or NULL */
    unsigned group_types; /* group_picker: bits of fl_group_type_t; 0 = any */
    unsigned app_status, app_tier, app_stage, app_crit; /* bits of the value lists; 0 = any */
    int app_field;  /* environment_picker: the application field, or -1 */
    int first_rule; /* rules naming this field as target, linked by next; -1 for none */
} fl__form_field_t;

struct fl_form {
    fl_arena_t arena; /* ids, option values, arrays */
    fl__form_field_t *fields;
    size_t n_fields;
    fl__form_rule_t *rules;
    size_t n_rules;
    int *order;                /* field indices, each after the fields its visibility reads */
    int *index;                /* open-addressed by id hash: field index + 1, 0 empty */
    size_t index_mask;         /* slots - 1 */
    pcre2_match_context *mctx; /* match and depth limits; NULL when no field has a pattern */
    unsigned needs;            /* bits of the picker and file types the form has */
};

/* The schema compiler's state while it reads one schema. */
typedef struct fl__form_cc {
    fl_form_errors_t *e;
    fl_form_t *f;
    const json_t *fields; /* the fields array */
} fl__form_cc_t;

/* ------------------------------------------------------------------ util.c */

/*
 * Records an error at base + the formatted suffix (".fields[2].label"); message borrowed.
 * Past the decision's cap it only counts. Paths that cannot be allocated fall back to base.
 */
void fl__form_err(fl_form_errors_t *e, const char *message, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A message formatted in e's arena ("must be at most 100 characters"); a fixed one if full. */
const char *fl__form_msg(fl_form_errors_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True when more errors would only be counted (no path or message needs formatting). */
bool fl__form_full(const fl_form_errors_t *e);

/* "2026-11-25" (exactly) to days since 1970-01-01. */
bool fl__form_parse_date(const char *s, size_t len, int32_t *days);

/* RFC 3339 with a 'T' and a zone ("2026-11-25T12:00:00Z", "...+01:00") to µs. */
bool fl__form_parse_datetime(const char *s, size_t len, fl_time_t *t);

/* The UTC day of t. */
int32_t fl__form_day_of(fl_time_t t);

/* The index of value among the sorted options, or -1. */
int fl__form_option_find(const fl__form_field_t *fl, const char *value);

/* A UTF-8 string's characters; true when it holds a control character (NUL included). */
size_t fl__form_chars(const char *s, size_t len);

/* How many bytes of a key a path shows: at most 100, cut at a character's start. */
int fl__form_cut(const char *key);

/* A string of 1 to max characters without control characters (tab and newlines when lines). */
bool fl__form_text_ok(const json_t *v, size_t max, bool lines);

/* A value counts as empty: absent, null, a blank string, an empty array, false. */
bool fl__form_is_empty(const json_t *v);

/* ------------------------------------------------------------------ schema.c, rules.c, choices.c
 */

/* Reads fields[i] into f->fields[i] (its id already set); errors in cc->e. */
void fl__form_field_read(fl__form_cc_t *cc, size_t i, const json_t *jf);

/* The validation object of field i, checked against its type. */
void fl__form_validation_read(fl__form_cc_t *cc, size_t i, const json_t *v);

/* The options array of choice field i: objects {value, label}, values unique. */
void fl__form_options_read(fl__form_cc_t *cc, size_t i, const json_t *v);

/* validation.allowed_types of file field i: extensions, stored lowercase (choices.c). */
void fl__form_types_read(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v);

/* The type's picker options (allow_self, filter_by_group, filter_by_type, filter). */
bool fl__form_picker_option(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v);

/* Cross checks after the keys of field i were read (bounds in order, default valid). */
void fl__form_field_finish(fl__form_cc_t *cc, size_t i, const json_t *jf);

/* ------------------------------------------------------------------ cond.c */

/* Reads conditional_logic (NULL: none), checks for cycles and sets f->order. */
void fl__form_rules_read(fl__form_cc_t *cc, const json_t *rules);

/* True when the rule holds for the source's effective value (NULL: no value). */
bool fl__form_rule_holds(const fl_form_t *f, const fl__form_rule_t *r, const json_t *v);

/* ------------------------------------------------------------------ values.c, refs.c */

/*
 * Checks field i's value v (not NULL, not null) against its type and rules; errors at
 * base + "." + id. vals holds every field's effective value (the environment picker reads its
 * application). *norm: the value to keep (a new reference). 0, or a callback's error.
 */
int fl__form_value_check(const fl_form_t *f, size_t i, const json_t *v, const json_t **vals,
                         const fl_form_refs_t *refs, fl_time_t now, fl_form_errors_t *e,
                         json_t **norm);

/* A picker's or a file field's value against the tenant's entities (refs.c). */
int fl__form_ref_check(const fl_form_t *f, size_t i, const json_t *v, const json_t **vals,
                       const fl_form_refs_t *refs, fl_form_errors_t *e, json_t **norm);

/* A UUID string as a new lowercase JSON string (v itself, increfed, when already so). */
json_t *fl__form_uuid_norm(const json_t *v);

/* Records "form_data.<id>" errors: base + "." + the field's id. */
void fl__form_value_err(fl_form_errors_t *e, const fl_form_t *f, size_t i, const char *message);

#endif

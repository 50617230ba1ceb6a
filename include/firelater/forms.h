/*
 * Form schemas of catalog items (the spec's form_schema): checked when an item is saved,
 * compiled once into an fl_form_t, and used to validate the form data of each request.
 *
 * The module is pure: no I/O, no clock (the caller passes now), no PostgreSQL. Whether a
 * picker or a file names something that exists is asked through fl_form_refs_t, which the
 * catalog and request layer supplies. The rules are in src/domain/forms/README.md.
 */
#ifndef FIRELATER_FORMS_H
#define FIRELATER_FORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"

/* Caps on a schema (a schema over them is refused, naming the cap). */
#define FL_FORM_MAX_FIELDS      200
#define FL_FORM_MAX_OPTIONS     500 /* per choice field; also values of an in/not_in rule */
#define FL_FORM_MAX_SECTIONS    50
#define FL_FORM_MAX_RULES       200   /* conditional_logic entries */
#define FL_FORM_ID_MAX          64    /* bytes of a field, section or option id */
#define FL_FORM_LABEL_MAX       500   /* characters of a label, title or placeholder */
#define FL_FORM_HELP_MAX        2000  /* characters of help_text and description */
#define FL_FORM_OPTION_MAX      255   /* characters of an option's value */
#define FL_FORM_PATTERN_MAX     1000  /* bytes of a pattern */
#define FL_FORM_MAX_FILES       20    /* max_files at most, and its default */
#define FL_FORM_MAX_SIZE_MB     100   /* max_size_mb at most, and its default */
#define FL_FORM_MAX_TYPES       50    /* allowed_types entries */
#define FL_FORM_DATE_RANGE_DAYS 36600 /* "+Nd" at most about a hundred years */

/* The longest value of each text type, in characters, and max_length's ceiling. */
#define FL_FORM_TEXT_MAX      1000
#define FL_FORM_TEXTAREA_MAX  20000
#define FL_FORM_RICH_TEXT_MAX 200000

/* The 16 field types of the spec, in its order. */
typedef enum fl_form_type {
    FL_FORM_TEXT,
    FL_FORM_TEXTAREA,
    FL_FORM_NUMBER,
    FL_FORM_SELECT,
    FL_FORM_MULTI_SELECT,
    FL_FORM_RADIO,
    FL_FORM_CHECKBOX,
    FL_FORM_CHECKBOX_GROUP,
    FL_FORM_DATE,
    FL_FORM_DATETIME,
    FL_FORM_FILE,
    FL_FORM_USER_PICKER,
    FL_FORM_GROUP_PICKER,
    FL_FORM_APPLICATION_PICKER,
    FL_FORM_ENVIRONMENT_PICKER,
    FL_FORM_RICH_TEXT,
    FL_FORM_TYPE__N
} fl_form_type_t;

/* "text", "multi_select"...; "" when out of range. */
const char *fl_form_type_name(fl_form_type_t t);

/*
 * Where errors go. Every error is {field, message} in d (422 "validation failed", at most
 * FL_DECISION_MAX_ERRORS of them, the rest counted but not kept); field is base followed by a
 * JSON-pointer-like path ("form_schema.fields[3].validation.max_length",
 * "form_data.field_2"). Paths and messages are allocated in a and live as long as it does.
 */
typedef struct fl_form_errors {
    fl_arena_t *a;
    fl_decision_t *d;
    const char *base; /* "form_schema", "form_data", "items[1].form_data"; "" for none */
    size_t n;         /* errors found, kept or not */
} fl_form_errors_t;

typedef struct fl_form fl_form_t;

/*
 * Checks a schema (an object {version, fields, sections, conditional_logic}, or a bare array
 * of fields, the column's default '[]') and compiles it: patterns compiled by PCRE2 with its
 * JIT, fields indexed by id, conditional logic in dependency order. *out is the caller's to
 * fl_form_free; it holds no reference to schema. Returns 0; FL_EINVAL with every problem in e
 * (and *out NULL).
 */
int fl_form_compile(const json_t *schema, fl_form_errors_t *e, fl_form_t **out);

/* fl_form_compile without keeping the form: what saving an item runs. 0 or FL_EINVAL. */
int fl_form_schema_check(const json_t *schema, fl_form_errors_t *e);

void fl_form_free(fl_form_t *f);

/* The form's fields in schema order; ids live as long as f. */
size_t fl_form_n_fields(const fl_form_t *f);
const char *fl_form_field_id(const fl_form_t *f, size_t i);
fl_form_type_t fl_form_field_type(const fl_form_t *f, size_t i);

/* The index of the field with this id, or -1. */
int fl_form_field_index(const fl_form_t *f, const char *id, size_t len);

/* ------------------------------------------------------------------ references */

/* What a lookup found. Deleted entities are MISSING. */
typedef enum fl_form_ref_status {
    FL_FORM_REF_MISSING = 0,
    FL_FORM_REF_ACTIVE,
    FL_FORM_REF_INACTIVE,
} fl_form_ref_status_t;

typedef struct fl_form_user_ref {
    fl_form_ref_status_t status;
    bool in_group; /* asked only with a group: the user is a member of it */
} fl_form_user_ref_t;

typedef struct fl_form_group_ref {
    fl_form_ref_status_t status;
    const char *type; /* "team", "department", "distribution" */
} fl_form_group_ref_t;

typedef struct fl_form_app_ref {
    bool found;
    const char *status; /* the spec's values: "active", "inactive", "deprecated" */
    const char *tier, *lifecycle_stage, *criticality; /* NULL when unset */
} fl_form_app_ref_t;

typedef struct fl_form_env_ref {
    fl_form_ref_status_t status;
    const char *application_id;
} fl_form_env_ref_t;

typedef struct fl_form_file_ref {
    bool found; /* an uploaded attachment the requester may attach */
    const char *filename;
    int64_t size; /* bytes */
} fl_form_file_ref_t;

/*
 * The tenant's entities, as the caller sees them. Each callback gets a lowercase UUID and
 * fills *out (strings must live until fl_form_validate returns); 0, or a negative code that
 * fl_form_validate returns at once (PostgreSQL down: FL_EUNAVAIL). A callback the form needs
 * must be set: a form with a user_picker and refs->user NULL is a caller's bug (fl_assert).
 */
typedef struct fl_form_refs {
    void *ctx;
    const char *self_id; /* the requester, for allow_self: false; NULL: nobody */
    int (*user)(void *ctx, const char *id, const char *group_id, fl_form_user_ref_t *out);
    int (*group)(void *ctx, const char *id, fl_form_group_ref_t *out);
    int (*application)(void *ctx, const char *id, fl_form_app_ref_t *out);
    int (*environment)(void *ctx, const char *id, fl_form_env_ref_t *out);
    int (*attachment)(void *ctx, const char *id, fl_form_file_ref_t *out);
} fl_form_refs_t;

/*
 * Validates form data (an object keyed by field id) against f, with `today` the UTC date of
 * now. Fields hidden by conditional logic are not required and are left out; unknown fields
 * are refused. On success *out (may be NULL) is the normalised data, a new object the caller
 * decrefs: visible fields with a value (defaults filled in, UUIDs lowercase), values shared
 * with form_data. Returns 0; FL_EINVAL with every problem in e; or a callback's error.
 * f may be used by several threads at once.
 */
int fl_form_validate(const fl_form_t *f, const json_t *form_data, const fl_form_refs_t *refs,
                     fl_time_t now, fl_form_errors_t *e, json_t **out);

#endif

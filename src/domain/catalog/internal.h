/* Internals shared by the files of src/domain/catalog/; no other folder includes this. */
#ifndef FIRELATER_DOMAIN_CATALOG_INTERNAL_H
#define FIRELATER_DOMAIN_CATALOG_INTERNAL_H

#include "firelater/catalog.h"

/* How a body's field is read (decode.c). */
typedef enum fl__cat_kind {
    FL__CAT_NAME,    /* a required single line, not blank */
    FL__CAT_LINE,    /* a single line, or null */
    FL__CAT_TEXT,    /* lines (tab, CR, LF allowed), or null */
    FL__CAT_ENUM,    /* one of values */
    FL__CAT_UUID,    /* a uuid (lowercased), or null */
    FL__CAT_UUIDS,   /* distinct uuids, at most FL_CAT_MAX_GROUPS (null when nullable) */
    FL__CAT_BOOL,    /* true or false */
    FL__CAT_INT,     /* an integer from lo to hi (null when nullable) */
    FL__CAT_DECIMAL, /* lo to hi with at most 2 places, kept as "12.50" (null when nullable) */
    FL__CAT_TAGS,    /* distinct single lines of 1-50 characters, at most 20 */
    FL__CAT_OBJECT,  /* any JSON object of at most 16 KiB */
    FL__CAT_COLOR,   /* #rgb or #rrggbb (lowercased), or null */
    FL__CAT_URL,     /* http:// or https:// and no spaces, or null */
    FL__CAT_FORM,    /* a form schema, checked by fl_form_schema_check */
    FL__CAT_ITEMS,   /* a bundle's [{item_id, quantity, sort_order}] */
} fl__cat_kind_t;

typedef struct fl__cat_field {
    const char *name;
    fl__cat_kind_t kind;
    long lo, hi;               /* LINE, TEXT, NAME: hi characters; INT, DECIMAL: bounds */
    const char *const *values; /* ENUM: NULL-terminated */
    const char *dflt;          /* create's value when absent (JSON text), or NULL: null */
    bool nullable;
} fl__cat_field_t;

typedef struct fl__cat_table {
    const fl__cat_field_t *f;
    size_t n;
} fl__cat_table_t;

extern const fl__cat_table_t fl__cat_category_fields;
extern const fl__cat_table_t fl__cat_item_fields;
extern const fl__cat_table_t fl__cat_bundle_fields;

/* {field: {from, to}} for the values of v that differ from the entity's fields. New. */
json_t *fl__cat_changes(const fl_cat_entity_t *e, const json_t *v);

/* The entity's fields merged with v (v wins): what the entity would be after an update. */
json_t *fl__cat_merged(const fl_cat_entity_t *e, const json_t *v);

/* 404 (title what) unless e exists and is not deleted. 0 or FL_EINVAL. */
int fl__cat_check_live(const fl_cat_entity_t *e, const char *what, fl_decision_t *d);

/* The version a write on e expects: expected, or e's own when FL_LOG_ANY. */
int64_t fl__cat_expected(const fl_cat_entity_t *e, int64_t expected);

/* Folding helpers (fold.c): data's JSON (NULL when empty, or the codec's error in *rc), and
 * the fields text updated from data (created: data without id; updated: changes.*.to). */
json_t *fl__cat_event_json(const fl_event_t *ev, int *rc);
int fl__cat_apply_fields(fl_cat_entity_t *e, fl_arena_t *a, const json_t *data, bool changes);
/* s->info from s->e.fields (lookup.c), after each of the item's events; strings into a. */
int fl__cat_item_info(fl_cat_item_t *s, fl_arena_t *a);
/* The common part of an entity's JSON: fields, id, created_at, updated_at, version. */
json_t *fl__cat_entity_json(const fl_cat_entity_t *e);
/* The cost of an item as a number, or null (from its "12.50" text). New. */
json_t *fl__cat_decimal_json(const json_t *v);

/* RFC 3339 with microseconds, as fl_time_format writes it. */
#define FL__CAT_TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif

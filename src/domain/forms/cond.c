/*
 * Conditional logic: {field, show_when: {field, operator, value}} shows field only when the
 * other field's value satisfies the operator (several rules on one field must all hold).
 * Checked when saved: both fields exist, the operator is known and fits the source's type,
 * the value fits both (an option of a choice field), and no field's visibility depends on
 * itself through a chain. The fields are then ordered so that each comes after every field its
 * visibility reads, which lets validation decide visibility in one pass.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define B(t)      FL__FORM_BIT(FL_FORM_##t)
#define LISTS     (B(MULTI_SELECT) | B(CHECKBOX_GROUP))
#define CHOICES   (B(SELECT) | B(RADIO) | LISTS)
#define DATES     (B(DATE) | B(DATETIME))
#define SCALARS   (((1u << FL_FORM_TYPE__N) - 1) & ~(LISTS | B(FILE) | B(NUMBER) | B(CHECKBOX)))
#define FREE_TEXT (B(TEXT) | B(TEXTAREA) | B(RICH_TEXT))

static const char *const op_names[FL__OP__N] = {
    "equals",       "not_equals", "in",       "not_in",       "contains",
    "greater_than", "less_than",  "is_empty", "is_not_empty",
};

/* The source types each operator applies to. */
static const unsigned op_types[FL__OP__N] = {
    [FL__OP_EQUALS] = SCALARS | B(NUMBER) | B(CHECKBOX),
    [FL__OP_NOT_EQUALS] = SCALARS | B(NUMBER) | B(CHECKBOX),
    [FL__OP_IN] = SCALARS | B(NUMBER) | LISTS,
    [FL__OP_NOT_IN] = SCALARS | B(NUMBER) | LISTS,
    [FL__OP_CONTAINS] = FREE_TEXT | LISTS,
    [FL__OP_GREATER_THAN] = B(NUMBER) | DATES,
    [FL__OP_LESS_THAN] = B(NUMBER) | DATES,
    [FL__OP_IS_EMPTY] = (1u << FL_FORM_TYPE__N) - 1,
    [FL__OP_IS_NOT_EMPTY] = (1u << FL_FORM_TYPE__N) - 1,
};

static int op_parse(const json_t *v)
{
    const char *s = json_string_value(v);

    for (int op = 0; s != NULL && op < FL__OP__N; op++) {
        if (strcmp(s, op_names[op]) == 0)
            return op;
    }
    return -1;
}

/* ------------------------------------------------------------------ reading */

/* A date or datetime as µs (a date at its UTC midnight). */
static bool instant(const json_t *v, fl_time_t *t)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    int32_t day;

    if (s != NULL && fl__form_parse_date(s, len, &day)) {
        *t = (fl_time_t)day * 86400 * INT64_C(1000000);
        return true;
    }
    return s != NULL && fl__form_parse_datetime(s, len, t);
}

/* One scalar of a rule's value against the source: its JSON type, and an option of a choice. */
static bool scalar_fits(const fl__form_field_t *src, const json_t *x)
{
    if (src->type == FL_FORM_NUMBER)
        return json_is_number(x);
    if (src->type == FL_FORM_CHECKBOX)
        return json_is_boolean(x);
    if (!json_is_string(x) || json_string_length(x) > FL_FORM_RICH_TEXT_MAX)
        return false;
    return !(CHOICES & FL__FORM_BIT(src->type)) || src->opts == NULL ||
           fl__form_option_find(src, json_string_value(x)) >= 0;
}

/* The rule's value for its operator and source; NULL when it fits, else why not. */
static const char *value_error(fl__form_rule_t *r, const fl__form_field_t *src, const json_t *v)
{
    size_t k, n = json_array_size(v);
    const json_t *x;
    fl_time_t t;

    if (r->op == FL__OP_IS_EMPTY || r->op == FL__OP_IS_NOT_EMPTY)
        return v == NULL ? NULL : "is not used with is_empty and is_not_empty";
    if (v == NULL)
        return "is required";
    if (r->op == FL__OP_IN || r->op == FL__OP_NOT_IN) {
        if (!json_is_array(v) || n == 0 || n > FL_FORM_MAX_OPTIONS)
            return "must be an array of 1 to 500 values";
        json_array_foreach(v, k, x)
        {
            if (!scalar_fits(src, x))
                return "must hold values of the field's type (an option of a choice field)";
        }
        return NULL;
    }
    if (r->op == FL__OP_GREATER_THAN || r->op == FL__OP_LESS_THAN) {
        if (src->type == FL_FORM_NUMBER) {
            r->num = json_number_value(v);
            return json_is_number(v) ? NULL : "must be a number";
        }
        if (!instant(v, &t))
            return "must be a date or a datetime";
        r->num = (double)t;
        return NULL;
    }
    if (r->op == FL__OP_CONTAINS && (LISTS & FL__FORM_BIT(src->type)))
        return scalar_fits(src, v) ? NULL : "must be one of the field's options";
    if (r->op == FL__OP_CONTAINS)
        return json_is_string(v) ? NULL : "must be a string";
    return scalar_fits(src, v) ? NULL
                               : "must be a value of the field's type (an option of a "
                                 "choice field)";
}

/* show_when: {field, operator, value}. The source and operator first; the value needs both. */
static void read_when(fl__form_cc_t *cc, size_t k, fl__form_rule_t *r, const json_t *w)
{
    const json_t *src = json_object_get(w, "field"), *op = json_object_get(w, "operator");
    const char *key, *why;
    const json_t *x;
    int opn = op_parse(op);

    json_object_foreach((json_t *)w, key, x)
    {
        if (strcmp(key, "field") != 0 && strcmp(key, "operator") != 0 && strcmp(key, "value") != 0)
            fl__form_err(cc->e, "is not a part of a condition",
                         ".conditional_logic[%zu].show_when.%.*s", k, fl__form_cut(key), key);
    }
    r->source = json_is_string(src)
                    ? fl_form_field_index(cc->f, json_string_value(src), json_string_length(src))
                    : -1;
    if (r->source < 0)
        fl__form_err(cc->e, src == NULL ? "is required" : "is not the id of a field",
                     ".conditional_logic[%zu].show_when.field", k);
    if (opn < 0) {
        fl__form_err(cc->e,
                     op == NULL ? "is required"
                                : "must be equals, not_equals, in, not_in, contains, "
                                  "greater_than, less_than, is_empty or is_not_empty",
                     ".conditional_logic[%zu].show_when.operator", k);
        return;
    }
    if (r->source < 0)
        return;
    r->op = (fl__form_op_t)opn;
    fl_form_type_t t = cc->f->fields[r->source].type;
    if (!(op_types[r->op] & FL__FORM_BIT(t))) {
        fl__form_err(cc->e,
                     fl__form_msg(cc->e, "%s does not apply to %s fields", op_names[r->op],
                                  fl_form_type_name(t)),
                     ".conditional_logic[%zu].show_when.operator", k);
        return;
    }
    x = json_object_get(w, "value");
    if ((why = value_error(r, &cc->f->fields[r->source], x)) != NULL)
        fl__form_err(cc->e, why, ".conditional_logic[%zu].show_when.value", k);
    else if (x != NULL && (r->value = json_deep_copy(x)) == NULL)
        fl_oom();
}

static void read_rule(fl__form_cc_t *cc, size_t k, const json_t *jr)
{
    fl__form_rule_t *r = &cc->f->rules[k];
    const json_t *target = json_object_get(jr, "field"), *w = json_object_get(jr, "show_when");
    const char *key;
    const json_t *x;

    *r = (fl__form_rule_t){.target = -1, .source = -1, .next = -1};
    if (!json_is_object(jr)) {
        fl__form_err(cc->e, "must be an object {field, show_when}", ".conditional_logic[%zu]", k);
        return;
    }
    json_object_foreach((json_t *)jr, key, x)
    {
        if (strcmp(key, "field") != 0 && strcmp(key, "show_when") != 0)
            fl__form_err(cc->e, "is not a part of a rule", ".conditional_logic[%zu].%.*s", k,
                         fl__form_cut(key), key);
    }
    r->target = json_is_string(target) ? fl_form_field_index(cc->f, json_string_value(target),
                                                             json_string_length(target))
                                       : -1;
    if (r->target < 0)
        fl__form_err(cc->e, target == NULL ? "is required" : "is not the id of a field",
                     ".conditional_logic[%zu].field", k);
    if (!json_is_object(w))
        fl__form_err(cc->e,
                     w == NULL ? "is required" : "must be an object {field, operator, value}",
                     ".conditional_logic[%zu].show_when", k);
    else
        read_when(cc, k, r, w);
}

/* ------------------------------------------------------------------ cycles and order */

enum { WHITE, GREY, BLACK };

typedef struct walk {
    fl__form_cc_t *cc;
    char color[FL_FORM_MAX_FIELDS];
    int stack[FL_FORM_MAX_FIELDS];
    size_t depth, n_order;
} walk_t;

/* The back edge rule k closes a cycle from stack[from..depth) back to stack[from]. */
static void report_cycle(walk_t *w, size_t from, size_t k)
{
    const fl_form_t *f = w->cc->f;
    size_t len = 64, at;
    char *msg;

    for (size_t j = from; j < w->depth; j++)
        len += strlen(f->fields[w->stack[j]].id) + 4;
    len += strlen(f->fields[w->stack[from]].id);
    if (fl__form_full(w->cc->e) || (msg = fl_arena_alloc(w->cc->e->a, len)) == NULL) {
        fl__form_err(w->cc->e, "forms a cycle", ".conditional_logic[%zu].show_when.field", k);
        return;
    }
    at = (size_t)snprintf(msg, len, "forms a cycle: ");
    for (size_t j = from; j < w->depth; j++)
        at += (size_t)snprintf(msg + at, len - at, "%s -> ", f->fields[w->stack[j]].id);
    snprintf(msg + at, len - at, "%s (each shown depending on the next)",
             f->fields[w->stack[from]].id);
    fl__form_err(w->cc->e, msg, ".conditional_logic[%zu].show_when.field", k);
}

/* Depth first over "shown depending on": a field is ordered after its sources. */
static void visit(walk_t *w, int i)
{
    fl_form_t *f = w->cc->f;

    w->color[i] = GREY;
    w->stack[w->depth++] = i;
    for (int k = f->fields[i].first_rule; k >= 0; k = f->rules[k].next) {
        int s = f->rules[k].source;
        if (w->color[s] == WHITE) {
            visit(w, s);
            continue;
        }
        for (size_t j = 0; w->color[s] == GREY && j < w->depth; j++) {
            if (w->stack[j] == s)
                report_cycle(w, j, (size_t)k);
        }
    }
    w->depth--;
    w->color[i] = BLACK;
    f->order[w->n_order++] = i;
}

static void order(fl__form_cc_t *cc)
{
    walk_t *w = calloc(1, sizeof(*w));

    if (w == NULL)
        fl_oom();
    w->cc = cc;
    for (size_t i = 0; i < cc->f->n_fields; i++) {
        if (w->color[i] == WHITE)
            visit(w, (int)i);
    }
    free(w);
}

void fl__form_rules_read(fl__form_cc_t *cc, const json_t *rules)
{
    fl_form_t *f = cc->f;
    size_t n = json_array_size(rules), before = cc->e->n;

    if (rules == NULL)
        return;
    if (!json_is_array(rules) || n > FL_FORM_MAX_RULES) {
        fl__form_err(cc->e, "must be an array of at most 200 rules", ".conditional_logic");
        return;
    }
    f->rules = fl_arena_alloc(&f->arena, (n > 0 ? n : 1) * sizeof(*f->rules));
    fl_assert(f->rules != NULL);
    f->n_rules = n;
    for (size_t k = 0; k < n; k++)
        read_rule(cc, k, json_array_get(rules, k));
    if (cc->e->n != before)
        return; /* an unresolved field makes the graph meaningless */
    /* Linked in reverse so that each field's list keeps the schema's order. */
    for (size_t k = n; k-- > 0;) {
        f->rules[k].next = f->fields[f->rules[k].target].first_rule;
        f->fields[f->rules[k].target].first_rule = (int)k;
    }
    order(cc);
}

/* ------------------------------------------------------------------ evaluation */

static bool same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_string(a) && json_is_string(b))
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    return json_is_boolean(a) && json_is_boolean(b) && json_is_true(a) == json_is_true(b);
}

/* v (a scalar, or any element of an array) is one of list's values. */
static bool in(const json_t *v, const json_t *list)
{
    size_t k, m;
    const json_t *x, *y;

    json_array_foreach(list, k, y)
    {
        if (!json_is_array(v) && same(v, y))
            return true;
        json_array_foreach(v, m, x)
        {
            if (same(x, y))
                return true;
        }
    }
    return false;
}

static bool contains(const json_t *v, const json_t *needle)
{
    size_t k;
    const json_t *x;

    if (json_is_string(v))
        return memmem(json_string_value(v), json_string_length(v), json_string_value(needle),
                      json_string_length(needle)) != NULL;
    json_array_foreach(v, k, x)
    {
        if (same(x, needle))
            return true;
    }
    return false;
}

/* A number, or a date or datetime as µs; false when v is neither (it fails its own check). */
static bool ordinal(const json_t *v, double *x)
{
    fl_time_t t;

    if (json_is_number(v))
        return *x = json_number_value(v), true;
    if (!instant(v, &t))
        return false;
    *x = (double)t;
    return true;
}

bool fl__form_rule_holds(const fl_form_t *f, const fl__form_rule_t *r, const json_t *v)
{
    double x;

    (void)f;
    switch (r->op) {
    case FL__OP_EQUALS:
        return v != NULL && same(v, r->value);
    case FL__OP_NOT_EQUALS:
        return v == NULL || !same(v, r->value);
    case FL__OP_IN:
        return v != NULL && in(v, r->value);
    case FL__OP_NOT_IN:
        return v == NULL || !in(v, r->value);
    case FL__OP_CONTAINS:
        return v != NULL && contains(v, r->value);
    case FL__OP_GREATER_THAN:
        return v != NULL && ordinal(v, &x) && x > r->num;
    case FL__OP_LESS_THAN:
        return v != NULL && ordinal(v, &x) && x < r->num;
    case FL__OP_IS_EMPTY:
        return fl__form_is_empty(v);
    default:
        return !fl__form_is_empty(v);
    }
}

/*
 * An SLA policy body -> fl_sla_policy_t, in the spec's column names
 * (sla_policies, sla_targets), created with its targets in one body:
 *
 *   {"name": "Gold", "description": null, "entity_type": "issue", "is_default": false,
 *    "conditions": {"priority": ["critical", "high"], "tier": "P1"},
 *    "business_hours_id": "<uuid>" | null,
 *    "targets": [{"metric_type": "response_time", "priority": "critical",
 *                 "target_minutes": 30, "warning_percent": 80, "business_hours_only": true}]}
 *
 * Every problem is collected and names its field; strings go to the arena.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

const char *const fl_sla_entity_names[] = {"issue", "request", "change", NULL};
const char *const fl_sla_metric_names[] = {"response_time", "resolution_time", NULL};
const char *const fl_sla_priority_names[] = {"critical", "high", "medium", "low", NULL};
const char *const fl_sla_tier_names[] = {"P1", "P2", "P3", "P4", NULL};
const char *const fl_sla_issue_type_names[] = {"issue", "problem", "question", NULL};

int fl_sla_name_index(const char *const *names, const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_sla_policy_t *p;
} dec_t;

/* "base[i]" or "base[i].key", in the arena. */
static const char *indexed(fl_arena_t *a, const char *base, size_t i, const char *key)
{
    size_t len = strlen(base) + (key != NULL ? strlen(key) : 0) + 26;
    char *out = fl_arena_alloc(a, len);

    if (out == NULL)
        return base;
    if (key != NULL)
        snprintf(out, len, "%s[%zu].%s", base, i, key);
    else
        snprintf(out, len, "%s[%zu]", base, i);
    return out;
}

static const char *target_field(dec_t *c, size_t i, const char *key)
{
    return indexed(c->a, "targets", i, key);
}

/* A string value as given, or NULL when it is not one (or holds a NUL). */
static const char *plain_string(const json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

static void dec_text(dec_t *c, const json_t *v, const char *field, size_t max, bool required,
                     const char **out)
{
    const char *s = plain_string(v);

    if (v == NULL || json_is_null(v)) {
        if (required)
            fl_decision_field(c->d, field, "is required");
        return;
    }
    if (s == NULL)
        fl_decision_field(c->d, field, "must be a string");
    else if (fl_text_has_control(s, strlen(s), !required))
        fl_decision_field(c->d, field, "must not contain control characters");
    else if (required && s[strspn(s, " \t")] == '\0')
        fl_decision_field(c->d, field, "must not be blank");
    else if (fl_utf8_chars(s) > max) {
        char m[64];

        snprintf(m, sizeof(m), "must be at most %zu characters", max);
        fl_decision_field(c->d, field, fl_arena_strndup(c->a, m, strlen(m)));
    } else
        *out = fl_arena_strndup(c->a, s, strlen(s));
}

static int want_enum(dec_t *c, const json_t *v, const char *field, const char *const *names,
                     const char *message)
{
    int i = fl_sla_name_index(names, plain_string(v));

    if (v == NULL)
        fl_decision_field(c->d, field, "is required");
    else if (i < 0)
        fl_decision_field(c->d, field, message);
    return i;
}

/* One condition: a value or an array of values of names -> a bit set (0 when refused). */
static uint8_t dec_condition(dec_t *c, const char *key, const json_t *v, const char *const *names,
                             const char *message)
{
    char field[48];
    const char *f;
    uint8_t set = 0;
    size_t i;
    json_t *e;

    snprintf(field, sizeof(field), "conditions.%s", key);
    f = fl_arena_strndup(c->a, field, strlen(field));
    if (json_is_string(v)) {
        int k = want_enum(c, v, f, names, message);

        return k < 0 ? 0 : (uint8_t)(1u << k);
    }
    if (!json_is_array(v) || json_array_size(v) == 0) {
        fl_decision_field(c->d, f, "must be a value or a non-empty array of values");
        return 0;
    }
    json_array_foreach(v, i, e)
    {
        int k = fl_sla_name_index(names, plain_string(e));

        if (k < 0) {
            fl_decision_field(c->d, indexed(c->a, f, i, NULL), message);
            return 0;
        }
        set |= (uint8_t)(1u << k);
    }
    return set;
}

static void dec_conditions(dec_t *c, const json_t *v)
{
    const char *key;
    json_t *e;

    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        fl_decision_field(c->d, "conditions", "must be an object");
        return;
    }
    json_object_foreach((json_t *)v, key, e)
    {
        if (strcmp(key, "priority") == 0)
            c->p->conditions.priority = dec_condition(c, key, e, fl_sla_priority_names,
                                                      "must be critical, high, medium or low");
        else if (strcmp(key, "tier") == 0)
            c->p->conditions.tier =
                dec_condition(c, key, e, fl_sla_tier_names, "must be P1, P2, P3 or P4");
        else if (strcmp(key, "issue_type") == 0)
            c->p->conditions.issue_type = dec_condition(c, key, e, fl_sla_issue_type_names,
                                                        "must be issue, problem or question");
        else {
            size_t len = strlen(key) + 12;
            char *f = fl_arena_alloc(c->a, len);

            if (f != NULL)
                snprintf(f, len, "conditions.%s", key);
            fl_decision_field(c->d, f != NULL ? f : "conditions",
                              "is not a known condition (priority, tier, issue_type)");
        }
    }
}

static bool bh_is_live(const fl_sla_config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_hours; i++)
        if (!cfg->hours[i].deleted && strcmp(cfg->hours[i].id, id) == 0)
            return true;
    return false;
}

static void dec_business_hours(dec_t *c, const fl_sla_config_t *cfg, const json_t *v)
{
    const char *s = plain_string(v);

    if (v == NULL || json_is_null(v))
        return;
    if (s == NULL || !fl_uuid_is_valid(s))
        fl_decision_field(c->d, "business_hours_id", "must be a UUID or null");
    else if (cfg != NULL && !bh_is_live(cfg, s))
        fl_decision_field(c->d, "business_hours_id", "names no business hours");
    else
        c->p->business_hours_id = fl_arena_strndup(c->a, s, strlen(s));
}

static bool want_int(dec_t *c, const json_t *e, size_t i, const char *key, long lo, long hi,
                     long *out)
{
    const json_t *v = json_object_get(e, key);
    char m[64];

    if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
        *out = (long)json_integer_value(v);
        return true;
    }
    snprintf(m, sizeof(m), "must be an integer from %ld to %ld", lo, hi);
    fl_decision_field(c->d, target_field(c, i, key),
                      v == NULL ? "is required" : fl_arena_strndup(c->a, m, strlen(m)));
    return false;
}

static void dec_target(dec_t *c, const json_t *e, size_t i)
{
    static const char *const known[] = {"metric_type",         "priority",
                                        "target_minutes",      "warning_percent",
                                        "business_hours_only", NULL};
    fl_sla_target_t t = {.warning_percent = 80, .business_hours_only = true};
    const json_t *bho = json_object_get(e, "business_hours_only");
    const char *key;
    json_t *v;
    int metric, prio;
    long minutes = 0, warn = 80;
    bool ok;

    if (!json_is_object(e)) {
        fl_decision_field(c->d, target_field(c, i, NULL), "must be an object");
        return;
    }
    json_object_foreach((json_t *)e, key, v)
    {
        if (fl_sla_name_index(known, key) < 0)
            fl_decision_field(c->d, target_field(c, i, key), "is not a known field");
    }
    metric = want_enum(c, json_object_get(e, "metric_type"), target_field(c, i, "metric_type"),
                       fl_sla_metric_names, "must be response_time or resolution_time");
    prio = want_enum(c, json_object_get(e, "priority"), target_field(c, i, "priority"),
                     fl_sla_priority_names, "must be critical, high, medium or low");
    ok = want_int(c, e, i, "target_minutes", 1, FL_SLA_TARGET_MINUTES, &minutes);
    if (json_object_get(e, "warning_percent") != NULL)
        ok = want_int(c, e, i, "warning_percent", 1, 99, &warn) && ok;
    if (bho != NULL && !json_is_boolean(bho)) {
        fl_decision_field(c->d, target_field(c, i, "business_hours_only"), "must be a boolean");
        ok = false;
    }
    if (!ok || metric < 0 || prio < 0)
        return;
    for (size_t k = 0; k < c->p->n_targets; k++) {
        const fl_sla_target_t *o = &c->p->targets[k];

        if ((int)o->metric == metric && (int)o->priority == prio) {
            fl_decision_field(c->d, target_field(c, i, NULL),
                              "repeats the metric_type and priority of an earlier target");
            return;
        }
    }
    t.metric = (fl_sla_metric_t)metric;
    t.priority = (fl_sla_priority_t)prio;
    t.target_minutes = (int32_t)minutes;
    t.warning_percent = (int32_t)warn;
    t.business_hours_only = bho == NULL || json_is_true(bho);
    c->p->targets[c->p->n_targets++] = t;
}

static void dec_targets(dec_t *c, const json_t *v)
{
    size_t i;
    json_t *e;

    if (v == NULL) {
        fl_decision_field(c->d, "targets", "is required");
        return;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > FL_SLA_TARGETS_MAX) {
        fl_decision_field(c->d, "targets", "must be an array of 1 to 8 targets");
        return;
    }
    json_array_foreach(v, i, e) dec_target(c, e, i);
}

int fl_sla_policy_decode(const json_t *body, const fl_sla_config_t *cfg, fl_arena_t *a,
                         fl_decision_t *d, fl_sla_policy_t *p)
{
    static const char *const known[] = {"name",       "description", "entity_type",
                                        "is_default", "conditions",  "business_hours_id",
                                        "targets",    NULL};
    dec_t c = {.a = a, .d = d, .p = p};
    const json_t *def = json_object_get(body, "is_default");
    const char *key;
    json_t *v;
    int et;

    memset(p, 0, sizeof(*p));
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        if (fl_sla_name_index(known, key) < 0)
            fl_decision_field(d, fl_arena_strndup(a, key, strlen(key)), "is not a known field");
    }
    dec_text(&c, json_object_get(body, "name"), "name", 255, true, &p->name);
    dec_text(&c, json_object_get(body, "description"), "description", FL_SLA_DESCRIPTION_MAX, false,
             &p->description);
    et = want_enum(&c, json_object_get(body, "entity_type"), "entity_type", fl_sla_entity_names,
                   "must be issue, request or change");
    p->entity_type = et < 0 ? FL_SLA_ISSUE : (fl_sla_entity_t)et;
    if (def != NULL && !json_is_boolean(def))
        fl_decision_field(d, "is_default", "must be a boolean");
    p->is_default = json_is_true(def);
    dec_conditions(&c, json_object_get(body, "conditions"));
    dec_business_hours(&c, cfg, json_object_get(body, "business_hours_id"));
    dec_targets(&c, json_object_get(body, "targets"));
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

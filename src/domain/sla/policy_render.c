/*
 * fl_sla_policy_t -> the body fl_sla_policy_decode reads, plus its id.
 * Conditions come back as arrays of values, in the order of the names.
 */
#include "firelater/sla.h"

static json_t *condition_json(uint8_t set, const char *const *names)
{
    json_t *arr = json_array();

    for (int i = 0; names[i] != NULL; i++)
        if (set & (1u << i))
            json_array_append_new(arr, json_string(names[i]));
    return arr;
}

static json_t *conditions_json(const fl_sla_conditions_t *k)
{
    json_t *o = json_object();

    if (k->priority != 0)
        json_object_set_new(o, "priority", condition_json(k->priority, fl_sla_priority_names));
    if (k->tier != 0)
        json_object_set_new(o, "tier", condition_json(k->tier, fl_sla_tier_names));
    if (k->issue_type != 0)
        json_object_set_new(o, "issue_type",
                            condition_json(k->issue_type, fl_sla_issue_type_names));
    return o;
}

json_t *fl_sla_policy_json(const fl_sla_policy_t *p)
{
    json_t *o = json_object();
    json_t *targets = json_array();

    for (size_t i = 0; i < p->n_targets; i++) {
        const fl_sla_target_t *t = &p->targets[i];

        json_array_append_new(
            targets,
            json_pack("{s:s, s:s, s:i, s:i, s:b}", "metric_type", fl_sla_metric_names[t->metric],
                      "priority", fl_sla_priority_names[t->priority], "target_minutes",
                      (int)t->target_minutes, "warning_percent", (int)t->warning_percent,
                      "business_hours_only", (int)t->business_hours_only));
    }
    if (p->id != NULL)
        json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "description", fl_json_str_or_null(p->description));
    json_object_set_new(o, "entity_type", json_string(fl_sla_entity_names[p->entity_type]));
    json_object_set_new(o, "is_default", json_boolean(p->is_default));
    json_object_set_new(o, "conditions", conditions_json(&p->conditions));
    json_object_set_new(o, "business_hours_id", fl_json_str_or_null(p->business_hours_id));
    json_object_set_new(o, "targets", targets);
    return o;
}

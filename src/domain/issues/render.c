/*
 * The issue as the API shows it, from the write side's state (answers to
 * commands, time travel); query.c builds the same members from the read
 * model.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

json_t *fl_issue_to_json(const fl_issue_state_t *s)
{
    json_t *j = json_pack("{s:s,s:o}", "id", s->id, "issue_number",
                          fl_json_str_or_null(s->number[0] != '\0' ? s->number : NULL));

    for (int i = 0; i < FL_ISSUE_F__N; i++)
        json_object_set_new(j, fl_issue_field_name(i), fl__iss_value_json(i, s->v[i]));
    const char *parent = NULL;
    for (size_t i = 0; i < s->n_links; i++) {
        if (strcmp(s->links[i].link_type, "parent") == 0)
            parent = s->links[i].target_id;
    }
    json_object_set_new(j, "assigned_to", fl_json_str_or_null(s->assigned_to));
    json_object_set_new(j, "assigned_group", fl_json_str_or_null(s->assigned_group));
    json_object_set_new(j, "escalation_level", json_integer(s->escalation_level));
    json_object_set_new(j, "escalated_at", fl_json_time_or_null(s->escalated_at));
    json_object_set_new(j, "resolution_code", fl_json_str_or_null(s->resolution_code));
    json_object_set_new(j, "resolution_notes", fl_json_str_or_null(s->resolution_notes));
    json_object_set_new(j, "resolved_by", fl_json_str_or_null(s->resolved_by));
    json_object_set_new(j, "closed_by", fl_json_str_or_null(s->closed_by));
    json_object_set_new(j, "parent_issue_id", fl_json_str_or_null(parent));
    json_object_set_new(j, "sla_breached", json_boolean(s->sla_breached));
    json_object_set_new(j, "sla_breach_type", fl_json_str_or_null(s->sla_breach_type));
    json_object_set_new(j, "sla_policy_id", fl_json_str_or_null(s->sla.policy_id));
    json_object_set_new(j, "response_due_at", fl_json_time_or_null(s->sla.response_due));
    json_object_set_new(j, "resolution_due_at", fl_json_time_or_null(s->sla.resolution_due));
    for (int i = 0; i < FL_ISSUE_METRICS; i++)
        json_object_set_new(j, fl__iss_sla_keys[FL__ISS_SLA_MINUTES + i],
                            (s->sla.has_minutes & (1u << i)) ? json_integer(s->sla.minutes[i])
                                                             : json_null());
    json_object_set_new(j, "first_response_at", fl_json_time_or_null(s->first_response_at));
    json_object_set_new(j, "resolved_at", fl_json_time_or_null(s->resolved_at));
    json_object_set_new(j, "closed_at", fl_json_time_or_null(s->closed_at));
    json_object_set_new(j, "created_at", fl_json_time_or_null(s->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(s->updated_at));
    json_object_set_new(j, "version", json_integer((json_int_t)s->version));
    return j;
}

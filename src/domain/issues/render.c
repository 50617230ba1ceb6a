/*
 * The issue as the API shows it, from the write side's state (answers to
 * commands, time travel); query.c builds the same members from the read
 * model, plus the assignment columns the aggregate does not keep yet.
 */
#include "firelater/err.h"
#include "internal.h"

json_t *fl_issue_to_json(const fl_issue_state_t *s)
{
    json_t *j = json_pack("{s:s,s:o}", "id", s->id, "issue_number",
                          fl_json_str_or_null(s->number[0] != '\0' ? s->number : NULL));

    for (int i = 0; i < FL_ISSUE_F__N; i++)
        json_object_set_new(j, fl_issue_field_name(i), fl__iss_value_json(i, s->v[i]));
    json_object_set_new(j, "first_response_at", fl_json_time_or_null(s->first_response_at));
    json_object_set_new(j, "resolved_at", fl_json_time_or_null(s->resolved_at));
    json_object_set_new(j, "closed_at", fl_json_time_or_null(s->closed_at));
    json_object_set_new(j, "created_at", fl_json_time_or_null(s->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(s->updated_at));
    json_object_set_new(j, "version", json_integer((json_int_t)s->version));
    return j;
}

/*
 * A report's answer: the rows PostgreSQL built (column j) and what was asked.
 */
#include "internal.h"

static json_t *time_json(fl_time_t t)
{
    char buf[32];

    fl_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

json_t *fl_report_to_json(const fl_store_res_t *r, const fl_report_query_t *q)
{
    int rows = r != NULL ? fl_store_res_rows(r) : 0;
    int jc = rows > 0 ? fl_store_res_col(r, "j") : -1;
    json_t *data = json_array(), *meta;

    for (int i = 0; i < rows && jc >= 0; i++) {
        if (!fl_store_res_isnull(r, i, jc))
            json_array_append_new(data, json_loads(fl_store_res_value(r, i, jc), 0, NULL));
    }
    meta = json_pack("{s:o,s:o,s:s,s:{s:o,s:o,s:o}}", "from", time_json(q->from), "to",
                     time_json(q->to), "group_by", q->group_by, "filters", "application_id",
                     fl_json_str_or_null(q->application_id), "assigned_group",
                     fl_json_str_or_null(q->assigned_group), "priority",
                     fl_json_str_or_null(q->priority));
    if (q->kind == FL_REPORT_ISSUE_TRENDS)
        json_object_set_new(meta, "interval", json_string(q->interval));
    return json_pack("{s:o,s:o}", "data", data, "meta", meta);
}

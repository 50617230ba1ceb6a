/*
 * The group as the API shows it, from the write side's state (responses to
 * commands) and from read-model rows (GET). Both give the same members.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

json_t *fl_group_to_json(const fl_group_state_t *g, const char *stream_version)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(g->id));
    json_object_set_new(j, "name", fl_json_str_or_null(g->name));
    json_object_set_new(j, "description", fl_json_str_or_null(g->description));
    json_object_set_new(j, "type", json_string(fl_group_type_name(g->type)));
    json_object_set_new(j, "parent_id", fl_json_str_or_null(fl__groups_id_or_null(g->parent_id)));
    json_object_set_new(j, "manager_id", fl_json_str_or_null(fl__groups_id_or_null(g->manager_id)));
    json_object_set_new(j, "email", fl_json_str_or_null(g->email));
    json_object_set_new(j, "settings", json_object());
    json_object_set_new(j, "created_at", fl_json_time_or_null(g->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(g->updated_at));
    json_object_set_new(j, "member_count", json_integer((json_int_t)g->n_members));
    json_object_set_new(j, "roles", fl__groups_jnames(g->roles, g->n_roles));
    json_object_set_new(j, "version", fl_json_version(g->version, stream_version));
    return j;
}

json_t *fl_group_members_to_json(const fl_group_state_t *g)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < g->n_members; i++) {
        const fl_group_member_t *m = &g->members[i];
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "user_id", m->user_id, "role",
                                             fl_group_role_name(m->role), "joined_at",
                                             fl_json_time_or_null(m->joined_at)));
    }
    return arr;
}

typedef enum kind { K_TEXT, K_JSON, K_INT, K_BOOL } kind_t;

/* Columns a row may hold, in the order they are shown, and how each is typed. */
static const struct column {
    const char *name;
    kind_t kind;
} columns[] = {
    {"id", K_TEXT},         {"user_id", K_TEXT},     {"name", K_TEXT},     {"email", K_TEXT},
    {"status", K_TEXT},     {"description", K_TEXT}, {"type", K_TEXT},     {"parent_id", K_TEXT},
    {"manager_id", K_TEXT}, {"group_id", K_TEXT},    {"role", K_TEXT},     {"joined_at", K_TEXT},
    {"inherited", K_BOOL},  {"depth", K_INT},        {"settings", K_JSON}, {"created_at", K_TEXT},
    {"updated_at", K_TEXT}, {"member_count", K_INT}, {"roles", K_JSON},    {"version", K_INT},
    {"n", K_INT},
};

static json_t *cell(const fl_store_res_t *r, int row, int col, kind_t kind)
{
    const char *v = fl_store_res_value(r, row, col);
    json_t *j;

    if (v == NULL || fl_store_res_isnull(r, row, col))
        return json_null();
    switch (kind) {
    case K_TEXT:
        return json_string(v);
    case K_INT:
        return json_integer((json_int_t)strtoll(v, NULL, 10));
    case K_BOOL:
        return json_boolean(strcmp(v, "true") == 0 || strcmp(v, "t") == 0);
    case K_JSON:
        break;
    }
    j = json_loads(v, JSON_DECODE_ANY, NULL);
    return j != NULL ? j : json_null();
}

json_t *fl_groups_row_to_json(const fl_store_res_t *r, int row)
{
    int idc = fl_store_res_col(r, "_id");
    json_t *j;

    if (idc >= 0 && fl_store_res_isnull(r, row, idc))
        return NULL;
    j = json_object();
    for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
        int col = fl_store_res_col(r, columns[i].name);
        if (col >= 0)
            json_object_set_new(j, columns[i].name, cell(r, row, col, columns[i].kind));
    }
    return j;
}

json_t *fl_groups_rows_to_json(const fl_store_res_t *r)
{
    json_t *data = json_array();
    int rows = fl_store_res_rows(r);

    for (int i = 0; i < rows; i++) {
        json_t *row = fl_groups_row_to_json(r, i);
        if (row != NULL)
            json_array_append_new(data, row);
    }
    return data;
}

json_t *fl_groups_page_to_json(const fl_store_res_t *r, const fl_groups_query_t *q)
{
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    long long total = 0;

    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", fl_groups_rows_to_json(r), "meta", "page",
                     (json_int_t)q->page, "per_page", (json_int_t)q->per_page, "total",
                     (json_int_t)total);
}

/*
 * The user as the API shows it, from the write side's state (responses to
 * commands) and from read-model rows (GET). Both give the same members.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

json_t *fl_user_to_json(const fl_user_state_t *u, const char *stream_version)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(u->id));
    json_object_set_new(j, "email", fl_json_str_or_null(u->email));
    json_object_set_new(j, "name", fl_json_str_or_null(u->name));
    json_object_set_new(j, "avatar_url", fl_json_str_or_null(u->avatar_url));
    json_object_set_new(j, "phone", fl_json_str_or_null(u->phone));
    json_object_set_new(j, "timezone", fl_json_str_or_null(u->timezone));
    json_object_set_new(j, "status", json_string(fl_user_status_name(u->status)));
    json_object_set_new(j, "auth_provider", json_string("local"));
    json_object_set_new(j, "external_id", json_null());
    json_object_set_new(j, "roles", fl__users_jnames(u->roles, u->n_roles));
    json_object_set_new(j, "last_login_at", fl_json_time_or_null(u->last_login_at));
    json_object_set_new(j, "settings", json_object());
    json_object_set_new(j, "created_at", fl_json_time_or_null(u->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(u->updated_at));
    json_object_set_new(j, "version", fl_json_version(u->version, stream_version));
    return j;
}

/* Columns a list row may hold, in the order they are shown; JSON ones are parsed. */
static const struct column {
    const char *name;
    bool json;
} columns[] = {
    {"id", false},         {"email", false},         {"name", false},
    {"avatar_url", false}, {"phone", false},         {"timezone", false},
    {"status", false},     {"auth_provider", false}, {"external_id", false},
    {"roles", true},       {"last_login_at", false}, {"settings", true},
    {"created_at", false}, {"updated_at", false},    {"version", true},
};

static json_t *cell(const fl_store_res_t *r, int row, int col, bool is_json)
{
    const char *v = fl_store_res_value(r, row, col);
    json_t *j;

    if (v == NULL || fl_store_res_isnull(r, row, col))
        return json_null();
    if (!is_json)
        return json_string(v);
    j = json_loads(v, JSON_DECODE_ANY, NULL);
    return j != NULL ? j : json_null();
}

json_t *fl_users_row_to_json(const fl_store_res_t *r, int row)
{
    int idc = fl_store_res_col(r, "_id");
    json_t *j;

    if (idc >= 0 && fl_store_res_isnull(r, row, idc))
        return NULL;
    j = json_object();
    for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
        int col = fl_store_res_col(r, columns[i].name);
        if (col >= 0)
            json_object_set_new(j, columns[i].name, cell(r, row, col, columns[i].json));
    }
    return j;
}

json_t *fl_users_list_to_json(const fl_store_res_t *r, const fl_users_list_t *q)
{
    json_t *data = json_array();
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    long long total = 0;

    for (int i = 0; i < rows; i++) {
        json_t *row = fl_users_row_to_json(r, i);
        if (row != NULL)
            json_array_append_new(data, row);
    }
    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", data, "meta", "page", (json_int_t)q->page,
                     "per_page", (json_int_t)q->per_page, "total", (json_int_t)total);
}

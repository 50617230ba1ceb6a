/*
 * The role as the API shows it, from the write side's state (responses to
 * commands) and from read-model rows (GET). A system role's permissions
 * come from the code in both, so the two always agree.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

json_t *fl_role_to_json(const fl_role_state_t *r, const char *stream_version)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(r->id));
    json_object_set_new(j, "name", fl_json_str_or_null(r->name));
    json_object_set_new(j, "display_name", fl_json_str_or_null(r->display_name));
    json_object_set_new(j, "description", fl_json_str_or_null(r->description));
    json_object_set_new(j, "is_system", json_boolean(r->is_system));
    json_object_set_new(j, "permissions", fl_perms_to_json(&r->perms));
    json_object_set_new(j, "created_at", fl_json_time_or_null(r->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(r->updated_at));
    json_object_set_new(j, "version", fl_json_version(r->version, stream_version));
    return j;
}

/* A column's text, or NULL (absent column or SQL NULL). */
static const char *cell(const fl_store_res_t *r, int row, const char *name)
{
    int col = fl_store_res_col(r, name);

    if (col < 0 || fl_store_res_isnull(r, row, col))
        return NULL;
    return fl_store_res_value(r, row, col);
}

static json_t *permissions_cell(const fl_store_res_t *r, int row, const char *name, bool system)
{
    const char *text = cell(r, row, "permissions");
    fl_perms_t p;
    json_t *j;

    if (system && name != NULL && fl_rbac_system_role_perms(name, &p))
        return fl_perms_to_json(&p);
    j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    return j != NULL ? j : json_array();
}

json_t *fl_roles_row_to_json(const fl_store_res_t *r, int row)
{
    const char *name = cell(r, row, "name"), *sys = cell(r, row, "is_system");
    const char *version = cell(r, row, "version");
    bool system = sys != NULL && strcmp(sys, "true") == 0;
    json_t *j;

    if (cell(r, row, "_id") == NULL)
        return NULL;
    j = json_object();
    json_object_set_new(j, "id", fl_json_str_or_null(cell(r, row, "id")));
    json_object_set_new(j, "name", fl_json_str_or_null(name));
    json_object_set_new(j, "display_name", fl_json_str_or_null(cell(r, row, "display_name")));
    json_object_set_new(j, "description", fl_json_str_or_null(cell(r, row, "description")));
    json_object_set_new(j, "is_system", json_boolean(system));
    json_object_set_new(j, "permissions", permissions_cell(r, row, name, system));
    json_object_set_new(j, "created_at", fl_json_str_or_null(cell(r, row, "created_at")));
    json_object_set_new(j, "updated_at", fl_json_str_or_null(cell(r, row, "updated_at")));
    json_object_set_new(j, "version",
                        json_integer(version != NULL ? strtoll(version, NULL, 10) : 0));
    return j;
}

json_t *fl_roles_page_to_json(const fl_store_res_t *r, const fl_roles_query_t *q)
{
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    json_t *data = json_array();
    long long total = 0;

    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    for (int i = 0; i < rows; i++) {
        json_t *row = fl_roles_row_to_json(r, i);
        if (row != NULL)
            json_array_append_new(data, row);
    }
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", data, "meta", "page", (json_int_t)q->page,
                     "per_page", (json_int_t)q->per_page, "total", (json_int_t)total);
}

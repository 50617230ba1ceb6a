/*
 * The JSON a client sees of a key: from the write side's state (the answer
 * to a create, /auth/me) or from a read model row (GET, lists). Neither ever
 * holds the secret; the hash is never selected nor rendered.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/apikeys.h"

json_t *fl_apikeys_scopes_to_json(const fl_perms_t *scopes)
{
    json_t *arr = json_array();
    char name[FL_PERM_NAME_MAX];
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            if (!fl_perms_has_exact(scopes, (fl_resource_t)r, (fl_action_t)a))
                continue;
            fl_perm_format((fl_resource_t)r, (fl_action_t)a, name);
            json_array_append_new(arr, json_string(name));
        }
    }
    return arr;
}

json_t *fl_api_key_to_json(const fl_api_key_state_t *k)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:I}", "id", k->id, "name",
                     k->name != NULL ? k->name : "", "prefix", k->prefix, "scopes",
                     fl_apikeys_scopes_to_json(&k->scopes), "expires_at",
                     fl_json_time_or_null(k->expires_at), "created_by", k->created_by, "created_at",
                     fl_json_time_or_null(k->created_at), "last_used_at",
                     fl_json_time_or_null(k->last_used_at), "revoked_at",
                     fl_json_time_or_null(k->revoked_at), "version", (json_int_t)k->version);
}

/* The columns a row carries, as the queries (query.c) select them. */
static const char *const text_columns[] = {
    "id", "name", "prefix", "expires_at", "created_by", "created_at", "last_used_at", "revoked_at"};

json_t *fl_apikeys_row_to_json(const fl_store_res_t *r, int row)
{
    int id = fl_store_res_col(r, "id"), scopes = fl_store_res_col(r, "scopes"),
        version = fl_store_res_col(r, "version");
    if (id < 0 || fl_store_res_isnull(r, row, id))
        return NULL;
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(text_columns) / sizeof(text_columns[0]); i++) {
        int c = fl_store_res_col(r, text_columns[i]);
        json_object_set_new(o, text_columns[i],
                            c < 0 || fl_store_res_isnull(r, row, c)
                                ? json_null()
                                : json_string(fl_store_res_value(r, row, c)));
    }
    json_t *arr = scopes >= 0 ? json_loads(fl_store_res_value(r, row, scopes), 0, NULL) : NULL;
    json_object_set_new(o, "scopes", arr != NULL ? arr : json_array());
    json_object_set_new(
        o, "version",
        json_integer(version >= 0 ? strtoll(fl_store_res_value(r, row, version), NULL, 10) : 0));
    return o;
}

json_t *fl_apikeys_page_to_json(const fl_store_res_t *r, const fl_apikeys_query_t *q)
{
    json_t *data = json_array();
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    long long total = rows > 0 && tc >= 0 ? strtoll(fl_store_res_value(r, 0, tc), NULL, 10) : 0;
    for (int i = 0; i < rows; i++) {
        json_t *o = fl_apikeys_row_to_json(r, i);
        if (o != NULL)
            json_array_append_new(data, o);
    }
    return json_pack("{s:o, s:{s:i, s:i, s:I}}", "data", data, "meta", "page", (int)q->page,
                     "per_page", (int)q->per_page, "total", (json_int_t)total);
}

/*
 * The application and environment as the API shows them: from the write
 * side's state (answers to commands, time travel) and from read-model rows
 * (GET, lists), whose SQL builds the same JSON (query.c).
 */
#include <stdlib.h>

#include "firelater/err.h"
#include "internal.h"

json_t *fl_app_to_json(const fl_app_state_t *s)
{
    json_t *j = json_pack("{s:s,s:o}", "id", s->id, "app_id",
                          fl_json_str_or_null(s->app_id[0] != '\0' ? s->app_id : NULL));

    fl__app_put_values(j, &fl__app_table, s->v);
    json_object_set_new(j, "health_score", json_null());
    json_object_set_new(j, "health_score_updated_at", json_null());
    json_object_set_new(j, "environment_count", json_integer((json_int_t)s->n_envs));
    json_object_set_new(j, "created_at", fl_json_time_or_null(s->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(s->updated_at));
    json_object_set_new(j, "version", json_integer((json_int_t)s->version));
    return j;
}

json_t *fl_app_env_to_json(const fl_app_state_t *s, const fl_app_env_t *e)
{
    json_t *j = json_pack("{s:s,s:s}", "id", e->id, "application_id", s->id);

    fl__app_put_values(j, &fl__env_table, e->v);
    json_object_set_new(j, "created_at", fl_json_time_or_null(e->created_at));
    json_object_set_new(j, "updated_at", fl_json_time_or_null(e->updated_at));
    return j;
}

json_t *fl_apps_row_to_json(const fl_store_res_t *r, int row)
{
    return fl_json_row(r, row);
}

json_t *fl_apps_page_to_json(const fl_store_res_t *r, const fl_apps_query_t *q)
{
    return fl_json_page(r, q->page, q->per_page);
}

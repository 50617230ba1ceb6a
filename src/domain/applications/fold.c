/*
 * The fold: events -> the application aggregate, environments included.
 * Event types it does not know are skipped, so later versions may add
 * events that older code still reads. Values and the environment array go
 * to the fold's arena; the array doubles when full (at most
 * FL_APPS_MAX_ENVS live environments, so it stays small).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

static void copy_id(char dst[FL_UUID_LEN + 1], const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
}

static int apply_created(fl_app_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    copy_id(s->id, json_object_get(data, "id"));
    snprintf(s->app_id, sizeof(s->app_id), "%s", ev->num != NULL ? ev->num : "");
    s->exists = true;
    s->created_at = ev->ts;
    return fl__app_set_values(a, &fl__app_table, s->v, data, false);
}

static int grow(fl_app_state_t *s, fl_arena_t *a)
{
    size_t cap = s->cap_envs == 0 ? 4 : 2 * s->cap_envs;
    fl_app_env_t *e = fl_arena_alloc(a, cap * sizeof(*e));

    if (e == NULL)
        return FL_ETOOBIG;
    if (s->n_envs > 0)
        memcpy(e, s->envs, s->n_envs * sizeof(*e));
    s->envs = e;
    s->cap_envs = cap;
    return 0;
}

static int env_added(fl_app_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    fl_app_env_t *e;

    if (s->n_envs == s->cap_envs && grow(s, a) < 0)
        return FL_ETOOBIG;
    e = &s->envs[s->n_envs++];
    memset(e, 0, sizeof(*e));
    copy_id(e->id, json_object_get(data, "environment_id"));
    e->created_at = e->updated_at = ev->ts;
    return fl__app_set_values(a, &fl__env_table, e->v, data, false);
}

static int env_event(fl_app_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "environment_id"));
    fl_app_env_t *e = (fl_app_env_t *)fl_app_env_find(s, id);

    if (strcmp(ev->type, "application.environment_added") == 0)
        return e == NULL ? env_added(s, a, ev, data) : 0;
    if (e == NULL)
        return 0;
    if (strcmp(ev->type, "application.environment_removed") == 0) {
        size_t i = (size_t)(e - s->envs);
        memmove(e, e + 1, (s->n_envs - i - 1) * sizeof(*e));
        s->n_envs--;
        return 0;
    }
    e->updated_at = ev->ts;
    return fl__app_set_values(a, &fl__env_table, e->v, json_object_get(data, "changes"), true);
}

static int app_apply(fl_app_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    const char *t = ev->type;

    if (strcmp(t, "application.created") == 0)
        return apply_created(s, a, ev, data);
    if (strcmp(t, "application.updated") == 0)
        return fl__app_set_values(a, &fl__app_table, s->v, json_object_get(data, "changes"), true);
    if (strcmp(t, "application.deleted") == 0) {
        s->deleted = true;
        s->deleted_at = ev->ts;
        s->n_envs = 0; /* the environments go with the application */
        return 0;
    }
    if (strncmp(t, "application.environment_", 24) == 0)
        return env_event(s, a, ev, data);
    return 1; /* unknown: skipped */
}

static int app_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_app_state_t *s = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = app_apply(s, a, ev, data);
    if (rc == 0)
        s->updated_at = ev->ts;
    json_decref(data);
    s->version = ev->sv;
    return rc < 0 ? rc : 0;
}

static void app_init(void *state)
{
    memset(state, 0, sizeof(fl_app_state_t));
}

const fl_agg_type_t fl_app_agg = {
    .name = "application",
    .state_size = sizeof(fl_app_state_t),
    .init = app_init,
    .fold = app_fold,
};

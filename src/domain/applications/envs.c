/*
 * Environments: added, updated and removed on the application's stream, so
 * they are ordered with the application's other changes and the expected
 * version guarantees that no two live environments of an application share
 * a name (ASCII case folded: "Prod" and "prod" are one name).
 */
#include <strings.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

/* Another live environment of s named name (self: the one being renamed, or NULL). */
static bool name_taken(const fl_app_state_t *s, const char *name, const fl_app_env_t *self)
{
    for (size_t i = 0; i < s->n_envs; i++) {
        const char *n = s->envs[i].v[FL_ENV_NAME];
        if (&s->envs[i] != self && n != NULL && strcasecmp(n, name) == 0)
            return true;
    }
    return false;
}

static int name_conflict(fl_decision_t *d)
{
    return fl_decision_refuse(d, 409, "environment name already in use", "name",
                              "another environment of this application has this name");
}

static json_t *env_data(const fl_app_state_t *s, const char *env_id)
{
    return json_pack("{s:s,s:s}", "application_id", s->id, "environment_id", env_id);
}

int fl_apps_decide_env_add(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                           const fl_app_values_t *cmd, const char **env_id, fl_decision_t *d)
{
    json_t *data;

    *env_id = NULL;
    if (fl__apps_check_live(s, d) < 0)
        return FL_EINVAL;
    if (name_taken(s, cmd->v[FL_ENV_NAME], NULL))
        return name_conflict(d);
    if (s->n_envs >= FL_APPS_MAX_ENVS)
        return fl_decision_refuse(d, 409, "application has too many environments", NULL,
                                  "an application holds at most 100 environments");
    if ((*env_id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    data = env_data(s, *env_id);
    fl__app_put_values(data, &fl__env_table, cmd->v);
    return fl__apps_emit(ctx, s, expected, "application.environment_added", data, d);
}

/* The live environment env_id of a live application, or NULL after refusing (404). */
static const fl_app_env_t *live_env(const fl_app_state_t *s, const char *env_id, fl_decision_t *d)
{
    const fl_app_env_t *e;

    if (fl__apps_check_live(s, d) < 0)
        return NULL;
    if ((e = fl_app_env_find(s, env_id)) == NULL)
        fl_decision_refuse(d, 404, "environment not found", NULL, NULL);
    return e;
}

int fl_apps_decide_env_update(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                              const char *env_id, const fl_app_values_t *cmd, fl_decision_t *d)
{
    const fl_app_env_t *e = live_env(s, env_id, d);
    json_t *changes, *data;

    if (e == NULL)
        return FL_EINVAL;
    if ((cmd->set & (1u << FL_ENV_NAME)) && name_taken(s, cmd->v[FL_ENV_NAME], e))
        return name_conflict(d);
    changes = fl__app_changes(&fl__env_table, e->v, cmd);
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return 0;
    }
    data = env_data(s, e->id);
    json_object_set_new(data, "changes", changes);
    return fl__apps_emit(ctx, s, expected, "application.environment_updated", data, d);
}

int fl_apps_decide_env_remove(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                              const char *env_id, fl_decision_t *d)
{
    const fl_app_env_t *e = live_env(s, env_id, d);
    json_t *data;

    if (e == NULL)
        return FL_EINVAL;
    data = env_data(s, e->id);
    json_object_set_new(data, "name", json_string(e->v[FL_ENV_NAME] ? e->v[FL_ENV_NAME] : ""));
    return fl__apps_emit(ctx, s, expected, "application.environment_removed", data, d);
}

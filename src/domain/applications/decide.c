/*
 * Commands -> events for applications. Pure: the state comes in, the
 * decision goes out; time is ctx->now and memory ctx->a.
 *
 * The lifecycle (README.md explains it):
 *
 *   from     command                      to       events
 *   (none)   create                       live     application.created (numbered APP)
 *   live     update                       live     application.updated
 *   live     add/update/remove env        live     application.environment_*
 *   live     delete                       deleted  application.deleted
 *
 * Every other pair is 404: a deleted application is gone for the API, so it
 * answers as an unknown one does.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum state { ST_NONE, ST_LIVE, ST_DELETED, ST__N } state_t;

/* Which states accept a command other than create. */
static const bool accepts[ST__N] = {[ST_NONE] = false, [ST_LIVE] = true, [ST_DELETED] = false};

int fl__apps_check_live(const fl_app_state_t *s, fl_decision_t *d)
{
    state_t st = !s->exists ? ST_NONE : s->deleted ? ST_DELETED : ST_LIVE;

    return accepts[st] ? 0 : fl_decision_refuse(d, 404, "application not found", NULL, NULL);
}

int fl__apps_emit(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                  const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_apps_stream(ctx->a, s->id);
    const char *number = s->exists ? NULL : FL_APPS_NUMBER_PREFIX;
    int rc;

    if (stream == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    rc = fl_decision_expect(d, stream, expected == FL_LOG_ANY ? (int64_t)s->version : expected);
    if (rc == 0)
        return fl_decision_emit(d, ctx, stream, type, data, number);
    json_decref(data);
    return rc;
}

/* ------------------------------------------------------------- references */

static int check_user(const char *field, const char *id, const fl_user_state_t *u, fl_decision_t *d)
{
    if (u == NULL || !u->exists || strcmp(u->id, id) != 0)
        return fl_decision_refuse(d, 422, "validation failed", field, "no such user");
    if (u->status != FL_USER_ACTIVE)
        return fl_decision_refuse(d, 422, "validation failed", field, "the user is inactive");
    return 0;
}

static int check_group(const char *field, const char *id, const fl_group_state_t *g,
                       fl_decision_t *d)
{
    if (g == NULL || !g->exists || strcmp(g->id, id) != 0)
        return fl_decision_refuse(d, 422, "validation failed", field, "no such group");
    if (g->deleted)
        return fl_decision_refuse(d, 422, "validation failed", field, "the group was deleted");
    return 0;
}

/* The references cmd sets to a new value (old: the current values, or NULL on create). */
static int check_refs(const char *const *old, const fl_app_values_t *cmd, const fl_app_refs_t *refs,
                      fl_decision_t *d)
{
    static const int ids[] = {FL_APP_OWNER_USER_ID, FL_APP_OWNER_GROUP_ID, FL_APP_SUPPORT_GROUP_ID};
    const fl_group_state_t *groups[] = {NULL, refs->owner_group, refs->support_group};
    int rc = 0;

    for (size_t i = 0; i < 3; i++) {
        const char *v = cmd->v[ids[i]], *name = fl_app_field_name(ids[i]);
        if (!(cmd->set & (1u << ids[i])) || v == NULL ||
            (old != NULL && fl__app_same(old[ids[i]], v)))
            continue;
        if (i == 0 && check_user(name, v, refs->owner_user, d) < 0)
            rc = FL_EINVAL;
        else if (i > 0 && check_group(name, v, groups[i], d) < 0)
            rc = FL_EINVAL;
    }
    return rc;
}

/* ----------------------------------------------------------------- create */

int fl_apps_decide_create(const fl_cmd_ctx_t *ctx, const fl_app_values_t *cmd,
                          const fl_app_refs_t *refs, fl_decision_t *d)
{
    fl_app_state_t s = {0};
    char *id;
    json_t *data;
    int rc;

    if (check_refs(NULL, cmd, refs, d) < 0)
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    memcpy(s.id, id, FL_UUID_LEN + 1);
    data = json_pack("{s:s}", "id", id);
    fl__app_put_values(data, &fl__app_table, cmd->v);
    rc = fl__apps_emit(ctx, &s, FL_LOG_NO_STREAM, "application.created", data, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/applications/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* ----------------------------------------------------------------- update */

int fl_apps_decide_update(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                          const fl_app_values_t *cmd, const fl_app_refs_t *refs, fl_decision_t *d)
{
    json_t *changes;

    if (fl__apps_check_live(s, d) < 0 || check_refs(s->v, cmd, refs, d) < 0)
        return FL_EINVAL;
    changes = fl__app_changes(&fl__app_table, s->v, cmd);
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return 0;
    }
    return fl__apps_emit(ctx, s, expected, "application.updated",
                         json_pack("{s:s,s:o}", "id", s->id, "changes", changes), d);
}

/* ----------------------------------------------------------------- delete */

int fl_apps_decide_delete(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                          fl_decision_t *d)
{
    json_t *envs;

    if (fl__apps_check_live(s, d) < 0)
        return FL_EINVAL;
    envs = json_array();
    for (size_t i = 0; i < s->n_envs; i++)
        json_array_append_new(envs, json_string(s->envs[i].id));
    return fl__apps_emit(ctx, s, expected, "application.deleted",
                         json_pack("{s:s,s:s,s:o}", "id", s->id, "name",
                                   s->v[FL_APP_NAME] != NULL ? s->v[FL_APP_NAME] : "",
                                   "environments", envs),
                         d);
}

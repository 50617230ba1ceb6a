/*
 * Commands -> events for roles. Pure: the state comes in, the decision goes
 * out; time is ctx->now and memory ctx->a.
 *
 * The role lifecycle (README.md explains it):
 *
 *   from     command   to       events                               refusals
 *   (none)   create    live     role.created + role.name_claimed     409 name, 403 permissions
 *   (none)   seed      live     role.created (is_system) + claimed   FL_EVERSION at append
 *   live     update    live     role.updated                         409 system permissions, 403
 *   live     delete    deleted  role.deleted + role.name_released    409 system, 409 held
 *
 * Every other pair is 404: a deleted role is gone for the API.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static bool is_live(const fl_role_state_t *r)
{
    return r != NULL && r->exists && !r->deleted;
}

/* Expects r's stream (expected, or r->version for FL_LOG_ANY) and emits one event on it. */
static int emit_role(const fl_cmd_ctx_t *ctx, const char *id, int64_t expected, const char *type,
                     json_t *data, fl_decision_t *d)
{
    char *stream = fl_roles_stream(ctx->a, id);
    int rc = stream == NULL ? FL_ETOOBIG : fl_decision_expect(d, stream, expected);

    if (rc != 0) {
        json_decref(data);
        return rc;
    }
    return fl_decision_emit(d, ctx, stream, type, data, NULL);
}

static int emit_claim(const fl_cmd_ctx_t *ctx, const char *type, const char *name,
                      const char *role_id, int64_t version, fl_decision_t *d)
{
    char *stream = fl_roles_name_stream(ctx->a, name);
    int rc = stream == NULL ? FL_ETOOBIG : fl_decision_expect(d, stream, version);

    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type,
                              json_pack("{s:s,s:s}", "name", name, "role_id", role_id), NULL);
    return rc;
}

static int refuse_escalation(fl_decision_t *d)
{
    return fl_decision_refuse(d, 403, "you cannot grant permissions you do not hold", "permissions",
                              "holds permissions you do not hold yourself");
}

/* ----------------------------------------------------------------- create */

int fl_roles_decide_create(const fl_cmd_ctx_t *ctx, const fl_role_cmd_t *cmd,
                           const fl_role_name_claim_state_t *claim, const fl_perms_t *actor,
                           fl_decision_t *d)
{
    char *id;
    int rc;

    fl_assert(claim != NULL && actor != NULL);
    if (claim->claimed)
        return fl_decision_refuse(d, 409, "role name already in use", "name",
                                  "is already used by another role");
    if (!fl_perms_subset(&cmd->perms, actor))
        return refuse_escalation(d);
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:o,s:b,s:o}", "id", id, "name", cmd->name, "display_name",
                  cmd->display_name, "description", fl_json_str_or_null(cmd->description),
                  "is_system", 0, "permissions", fl_perms_to_json(&cmd->perms));
    rc = emit_role(ctx, id, FL_LOG_NO_STREAM, "role.created", data, d);
    if (rc == 0)
        rc = emit_claim(ctx, "role.name_claimed", cmd->name, id, (int64_t)claim->version, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/roles/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* ----------------------------------------------------------------- update */

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void text_change(json_t *changes, const char *field, const char *from, const char *to)
{
    if (!same_text(from, to))
        json_object_set_new(changes, field,
                            json_pack("{s:o,s:o}", "from", fl_json_str_or_null(from), "to",
                                      fl_json_str_or_null(to)));
}

static json_t *update_changes(const fl_role_state_t *r, const fl_role_cmd_t *cmd)
{
    json_t *changes = json_object();

    if (cmd->set & FL_ROLE_F_DISPLAY_NAME)
        text_change(changes, "display_name", r->display_name, cmd->display_name);
    if (cmd->set & FL_ROLE_F_DESCRIPTION)
        text_change(changes, "description", r->description, cmd->description);
    if ((cmd->set & FL_ROLE_F_PERMISSIONS) && !fl_perms_equal(&r->perms, &cmd->perms))
        json_object_set_new(changes, "permissions",
                            json_pack("{s:o,s:o}", "from", fl_perms_to_json(&r->perms), "to",
                                      fl_perms_to_json(&cmd->perms)));
    return changes;
}

int fl_roles_decide_update(const fl_cmd_ctx_t *ctx, const fl_role_state_t *r, int64_t expected,
                           const fl_role_cmd_t *cmd, const fl_perms_t *actor, fl_decision_t *d)
{
    bool perms_change;

    if (!is_live(r))
        return fl_decision_refuse(d, 404, "role not found", NULL, NULL);
    perms_change = (cmd->set & FL_ROLE_F_PERMISSIONS) && !fl_perms_equal(&r->perms, &cmd->perms);
    if (perms_change && r->is_system)
        return fl_decision_refuse(d, 409, "system roles cannot be changed", "permissions",
                                  "a system role's permissions are fixed; create a custom role");
    if (perms_change && !fl_perms_subset(&cmd->perms, actor))
        return refuse_escalation(d);
    json_t *changes = update_changes(r, cmd);
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return 0;
    }
    return emit_role(ctx, r->id, expected == FL_LOG_ANY ? (int64_t)r->version : expected,
                     "role.updated", json_pack("{s:s,s:o}", "id", r->id, "changes", changes), d);
}

/* ----------------------------------------------------------------- delete */

/* "held by 2 users and 1 group", in the arena. */
static const char *holders_message(fl_arena_t *a, long users, long groups)
{
    char *msg = fl_arena_alloc(a, 96);

    if (msg == NULL)
        return "is held by users or groups";
    snprintf(msg, 96, "held by %ld user%s and %ld group%s; revoke it first", users,
             users == 1 ? "" : "s", groups, groups == 1 ? "" : "s");
    return msg;
}

int fl_roles_decide_delete(const fl_cmd_ctx_t *ctx, const fl_role_state_t *r, int64_t expected,
                           long n_users, long n_groups, fl_decision_t *d)
{
    int rc;

    if (!is_live(r))
        return fl_decision_refuse(d, 404, "role not found", NULL, NULL);
    if (r->is_system)
        return fl_decision_refuse(d, 409, "system roles cannot be deleted", "id",
                                  "is a system role");
    if (n_users > 0 || n_groups > 0) {
        const char *msg = holders_message(ctx->a, n_users, n_groups);
        fl_decision_fail(d, 409, "role is in use", msg);
        fl_decision_field(d, n_users > 0 ? "users" : "groups", msg);
        return FL_EINVAL;
    }
    rc = emit_role(ctx, r->id, expected == FL_LOG_ANY ? (int64_t)r->version : expected,
                   "role.deleted", json_pack("{s:s,s:s}", "id", r->id, "name", r->name), d);
    /* The claim is this role's; only its own commands, ordered by its stream, touch it. */
    if (rc == 0)
        rc = emit_claim(ctx, "role.name_released", r->name, r->id, FL_LOG_ANY, d);
    return rc;
}

/* ------------------------------------------------------------------- seed */

typedef struct system_role {
    const char *display_name;
    const char *description;
} system_role_t;

/* The spec's INSERT INTO roles, word for word, in fl_roles_system_names' order. */
static const system_role_t system_roles[FL_ROLES_N_SYSTEM] = {
    {"Administrator", "Full system access"},
    {"Manager", "Manage team and approve changes"},
    {"Agent", "Handle issues and requests"},
    {"Requester", "Submit and view own requests"},
};

static int seed_one(const fl_cmd_ctx_t *ctx, const char *name, const system_role_t *r,
                    fl_decision_t *d)
{
    char *id = fl_uuid_new(ctx->a);
    int rc;

    if (id == NULL)
        return FL_ETOOBIG;
    rc = emit_role(ctx, id, FL_LOG_NO_STREAM, "role.created",
                   json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", id, "name", name, "display_name",
                             r->display_name, "description", r->description, "is_system", 1),
                   d);
    if (rc == 0)
        rc = emit_claim(ctx, "role.name_claimed", name, id, FL_LOG_NO_STREAM, d);
    return rc;
}

int fl_roles_decide_seed(const fl_cmd_ctx_t *ctx, fl_decision_t *d)
{
    int rc = 0;

    for (size_t i = 0; i < FL_ROLES_N_SYSTEM && rc == 0; i++)
        rc = seed_one(ctx, fl_roles_system_names[i], &system_roles[i], d);
    return rc;
}

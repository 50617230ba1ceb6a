/*
 * Roles: the spec's four system roles, created by a new tenant's first
 * events so that a rebuild from the log gives them the same ids.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct system_role {
    const char *name;
    const char *display_name;
    const char *description;
} system_role_t;

/* The spec's INSERT INTO roles, word for word. */
static const system_role_t system_roles[FL_USERS_N_SYSTEM_ROLES] = {
    {"admin", "Administrator", "Full system access"},
    {"manager", "Manager", "Manage team and approve changes"},
    {"agent", "Agent", "Handle issues and requests"},
    {"requester", "Requester", "Submit and view own requests"},
};

/*
 * role.created on a new role:<id>, and role.name_claimed on role-name:<name>
 * expected absent: a name is held by one role, whoever races for it.
 */
static int seed_one(const fl_cmd_ctx_t *ctx, const system_role_t *r, fl_decision_t *d)
{
    char *id = fl_uuid_new(ctx->a);
    char *stream = id != NULL ? fl__users_concat(ctx->a, "role:", id) : NULL;
    char *claim = fl_users_role_name_stream(ctx->a, r->name);
    int rc;

    if (stream == NULL || claim == NULL)
        return FL_ETOOBIG;
    rc = fl_decision_expect(d, stream, FL_LOG_NO_STREAM);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, "role.created",
                              json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", id, "name", r->name,
                                        "display_name", r->display_name, "description",
                                        r->description, "is_system", 1),
                              NULL);
    if (rc == 0)
        rc = fl_decision_expect(d, claim, FL_LOG_NO_STREAM);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, claim, "role.name_claimed",
                              json_pack("{s:s,s:s}", "name", r->name, "role_id", id), NULL);
    return rc;
}

int fl_users_decide_seed_roles(const fl_cmd_ctx_t *ctx, fl_decision_t *d)
{
    int rc = 0;

    for (size_t i = 0; i < FL_USERS_N_SYSTEM_ROLES && rc == 0; i++)
        rc = seed_one(ctx, &system_roles[i], d);
    return rc;
}

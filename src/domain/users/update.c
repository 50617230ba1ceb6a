/*
 * The parts of an update decision: whether the actor may make it, and the
 * field-by-field difference that user.updated records (from -> to), so the
 * audit trail can say exactly what changed.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool roles_change(const fl_user_state_t *u, const fl_user_fields_t *f)
{
    return (f->set & FL_USER_F_ROLES) &&
           !fl__users_same_roles(u->roles, u->n_roles, f->roles, f->n_roles);
}

static bool status_changes(const fl_user_state_t *u, const fl_user_fields_t *f)
{
    return (f->set & FL_USER_F_STATUS) && f->status != u->status;
}

static bool holds_admin(const char *const *roles, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(roles[i], "admin") == 0)
            return true;
    }
    return false;
}

/*
 * Roles and status are an administrator's to change (PUT /users/{id} is open
 * to the user too), and an administrator may not lock themselves out.
 */
int fl__users_update_allowed(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                             const fl_user_update_cmd_t *cmd, fl_decision_t *d)
{
    const fl_user_fields_t *f = &cmd->f;
    bool self = fl__users_is_self(ctx, u);

    if (!cmd->by_admin && (roles_change(u, f) || status_changes(u, f)))
        return fl_decision_refuse(d, 403, "only an administrator may change roles or status",
                                  roles_change(u, f) ? "roles" : "status", NULL);
    if (self && status_changes(u, f) && f->status == FL_USER_INACTIVE)
        return fl_decision_refuse(d, 409, "you cannot deactivate yourself", "status", NULL);
    if (self && roles_change(u, f) && holds_admin(u->roles, u->n_roles) &&
        !holds_admin(f->roles, f->n_roles))
        return fl_decision_refuse(d, 409, "you cannot remove your own admin role", "roles", NULL);
    return 0;
}

static void add_text_change(json_t *changes, const char *name, const char *from, const char *to)
{
    if (!same_text(from, to))
        json_object_set_new(changes, name,
                            json_pack("{s:o,s:o}", "from", fl_json_str_or_null(from), "to",
                                      fl_json_str_or_null(to)));
}

/*
 * Deactivation is not here: it is its own event (user.deactivated), which
 * also voids the user's tokens. Reactivation is a plain status change.
 */
json_t *fl__users_update_changes(const fl_user_state_t *u, const fl_user_fields_t *f)
{
    json_t *changes = json_object();

    for (const fl__user_field_t *fd = fl__user_fields; fd->name != NULL; fd++) {
        if (!(f->set & fd->flag) || fd->flag == FL_USER_F_ROLES)
            continue;
        if (fd->flag == FL_USER_F_STATUS && f->status != FL_USER_ACTIVE)
            continue;
        add_text_change(changes, fd->name, fl__user_text(u, fd->flag),
                        fl__fields_text(f, fd->flag));
    }
    if (roles_change(u, f))
        json_object_set_new(changes, "roles",
                            json_pack("{s:o,s:o}", "from", fl__users_jnames(u->roles, u->n_roles),
                                      "to", fl__users_jnames(f->roles, f->n_roles)));
    return changes;
}

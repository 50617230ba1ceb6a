/*
 * Membership: adding a user (or changing the role of a member) and removing
 * one. Memberships live on the group's stream, so they are ordered with the
 * group's other changes and the group's ETag moves with them.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static int check_user(const fl_group_member_cmd_t *cmd, const fl_user_state_t *u, fl_decision_t *d)
{
    if (u == NULL || !u->exists || strcmp(u->id, cmd->user_id) != 0)
        return fl_decision_refuse(d, 422, "validation failed", "user_id", "no such user");
    if (u->status != FL_USER_ACTIVE)
        return fl_decision_refuse(d, 422, "validation failed", "user_id", "the user is inactive");
    return 0;
}

static json_t *role_changed_data(const fl_group_state_t *g, const fl_group_member_t *m,
                                 fl_group_role_t to)
{
    return json_pack("{s:s,s:s,s:{s:{s:s,s:s}}}", "group_id", g->id, "user_id", m->user_id,
                     "changes", "role", "from", fl_group_role_name(m->role), "to",
                     fl_group_role_name(to));
}

int fl_groups_decide_add_member(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g,
                                int64_t expected, const fl_group_member_cmd_t *cmd,
                                const fl_user_state_t *user, fl_decision_t *d)
{
    fl_group_role_t role = cmd->role != FL_GROUP_ROLE_NONE ? cmd->role : FL_GROUP_MEMBER;
    const fl_group_member_t *m;

    if (fl__groups_check_lifecycle(g, FL__GROUP_OP_ADD_MEMBER, d) < 0 ||
        check_user(cmd, user, d) < 0)
        return FL_EINVAL;
    m = fl_group_member_find(g, cmd->user_id);
    if (m != NULL && m->role == role)
        return 0; /* already so: a retry, or a second click */
    if (m != NULL)
        return fl__groups_emit(ctx, g, expected, "group.member_role_changed",
                               role_changed_data(g, m, role), d);
    if (g->n_members >= FL_GROUPS_MAX_MEMBERS)
        return fl_decision_refuse(d, 409, "group is full", "user_id",
                                  "a group holds at most 1000 direct members; use sub-groups");
    return fl__groups_emit(ctx, g, expected, "group.member_added",
                           json_pack("{s:s,s:s,s:s}", "group_id", g->id, "user_id", cmd->user_id,
                                     "role", fl_group_role_name(role)),
                           d);
}

/* Path ids may come in upper case; the aggregate keeps them lowercased. */
static const char *lower_id(fl_arena_t *a, const char *id)
{
    char *copy = fl_arena_strndup(a, id, strnlen(id, FL_UUID_LEN + 1));

    for (char *p = copy; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return copy != NULL ? copy : id;
}

int fl_groups_decide_remove_member(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g,
                                   int64_t expected, const char *user_id, fl_decision_t *d)
{
    const fl_group_member_t *m;

    if (fl__groups_check_lifecycle(g, FL__GROUP_OP_REMOVE_MEMBER, d) < 0)
        return FL_EINVAL;
    m = user_id != NULL ? fl_group_member_find(g, lower_id(ctx->a, user_id)) : NULL;
    if (m == NULL)
        return fl_decision_refuse(d, 404, "user is not a member of the group", NULL, NULL);
    return fl__groups_emit(ctx, g, expected, "group.member_removed",
                           json_pack("{s:s,s:s,s:s}", "group_id", g->id, "user_id", m->user_id,
                                     "role", fl_group_role_name(m->role)),
                           d);
}

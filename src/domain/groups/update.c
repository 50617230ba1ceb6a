/*
 * PUT /groups/{id}: the field-by-field difference that group.updated records
 * (from -> to), so the audit trail says exactly what changed, and the checks
 * of the references that change. Unchanged references are not checked
 * again: keeping a manager who has since been deactivated is not a change.
 */
#include <strings.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static bool same_text(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool changes_field(const fl_group_state_t *g, const fl_group_fields_t *f, unsigned flag)
{
    return (f->set & flag) && !same_text(fl__group_text(g, flag), fl__group_fields_text(f, flag));
}

static bool roles_change(const fl_group_state_t *g, const fl_group_fields_t *f)
{
    return (f->set & FL_GROUP_F_ROLES) &&
           !fl__groups_same_names(g->roles, g->n_roles, f->roles, f->n_roles);
}

static json_t *update_changes(const fl_group_state_t *g, const fl_group_fields_t *f)
{
    json_t *changes = json_object();

    for (const fl__group_field_t *fd = fl__group_fields; fd->name != NULL; fd++) {
        if (!changes_field(g, f, fd->flag))
            continue;
        json_object_set_new(changes, fd->name,
                            json_pack("{s:o,s:o}", "from",
                                      fl_json_str_or_null(fl__group_text(g, fd->flag)), "to",
                                      fl_json_str_or_null(fl__group_fields_text(f, fd->flag))));
    }
    if (roles_change(g, f))
        json_object_set_new(changes, "roles",
                            json_pack("{s:o,s:o}", "from", fl__groups_jnames(g->roles, g->n_roles),
                                      "to", fl__groups_jnames(f->roles, f->n_roles)));
    return changes;
}

/* The name moves to another claim stream (a change of case keeps the claim). */
static bool name_moves(const fl_group_state_t *g, const fl_group_fields_t *f)
{
    return (f->set & FL_GROUP_F_NAME) && strcasecmp(g->name, f->name) != 0;
}

static int check_update(const fl_group_state_t *g, const fl_group_fields_t *f,
                        const fl_group_refs_t *refs, fl_decision_t *d)
{
    if (name_moves(g, f)) {
        fl_assert(refs->claim != NULL);
        if (fl__groups_name_taken(refs->claim, g->id))
            return fl_decision_refuse(d, 409, "group name already in use", "name",
                                      "is already used by another group");
    }
    if (changes_field(g, f, FL_GROUP_F_PARENT_ID) && f->parent_id != NULL &&
        fl__groups_check_parent(g, f->parent_id, refs, d) < 0)
        return FL_EINVAL;
    if (changes_field(g, f, FL_GROUP_F_MANAGER_ID) && f->manager_id != NULL &&
        fl__groups_check_manager(f->manager_id, refs, d) < 0)
        return FL_EINVAL;
    return 0;
}

int fl_groups_decide_update(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                            const fl_group_cmd_t *cmd, const fl_group_refs_t *refs,
                            fl_decision_t *d)
{
    const fl_group_fields_t *f = &cmd->f;
    json_t *changes;
    int rc;

    if (fl__groups_check_lifecycle(g, FL__GROUP_OP_UPDATE, d) < 0 ||
        check_update(g, f, refs, d) < 0)
        return FL_EINVAL;
    changes = update_changes(g, f);
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return 0;
    }
    rc = fl__groups_emit(ctx, g, expected, "group.updated",
                         json_pack("{s:s,s:o}", "id", g->id, "changes", changes), d);
    if (rc == 0 && name_moves(g, f))
        rc = fl__groups_emit_claim(ctx, "group.name_claimed", f->name, g->id,
                                   (int64_t)refs->claim->version, d);
    /* The old claim is this group's; only its own commands, ordered by its stream, touch it. */
    if (rc == 0 && name_moves(g, f))
        rc = fl__groups_emit_claim(ctx, "group.name_released", g->name, g->id, FL_LOG_ANY, d);
    return rc;
}

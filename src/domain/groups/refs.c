/*
 * What a create or update refers to: the parent group (existing, live, not
 * the group itself nor one of its descendants, not too deep), the manager
 * (an existing, active user) and the name's claim. The caller loads them;
 * these checks only read them.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

bool fl__groups_name_taken(const fl_group_name_claim_state_t *claim, const char *group_id)
{
    return claim->claimed && (group_id == NULL || strcmp(claim->group_id, group_id) != 0);
}

/* self is in the parent's chain: the move would close a cycle. */
static bool would_cycle(const fl_group_state_t *self, const char *parent_id,
                        const fl_group_refs_t *refs)
{
    if (self->id[0] == '\0')
        return false; /* a new group has no descendants */
    if (strcmp(self->id, parent_id) == 0)
        return true;
    for (size_t i = 0; i < refs->n_ancestors; i++) {
        if (strcmp(refs->ancestors[i], self->id) == 0)
            return true;
    }
    return false;
}

int fl__groups_check_parent(const fl_group_state_t *self, const char *parent_id,
                            const fl_group_refs_t *refs, fl_decision_t *d)
{
    const fl_group_state_t *p = refs->parent;

    if (would_cycle(self, parent_id, refs))
        return fl_decision_refuse(d, 409, "a group cannot be its own ancestor", "parent_id", NULL);
    if (p == NULL || !p->exists || strcmp(p->id, parent_id) != 0)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id", "no such group");
    if (p->deleted)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id",
                                  "the group was deleted");
    /* The parent sits at level n_ancestors + 1; the group one below it. */
    if (refs->n_ancestors + 2 > FL_GROUPS_MAX_DEPTH)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id",
                                  "groups nest at most 32 levels deep");
    return 0;
}

int fl__groups_check_manager(const char *manager_id, const fl_group_refs_t *refs, fl_decision_t *d)
{
    const fl_user_state_t *u = refs->manager;

    if (u == NULL || !u->exists || strcmp(u->id, manager_id) != 0)
        return fl_decision_refuse(d, 422, "validation failed", "manager_id", "no such user");
    if (u->status != FL_USER_ACTIVE)
        return fl_decision_refuse(d, 422, "validation failed", "manager_id",
                                  "the user is inactive");
    return 0;
}

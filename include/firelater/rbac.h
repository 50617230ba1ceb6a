/*
 * Permissions: (resource, action) pairs over the spec's resources, as a
 * bitset, with the system roles' grants and the parsing of "resource:action"
 * strings (API key scopes, custom roles' permission lists).
 *
 * `manage` on a resource implies every other action on it: a check for
 * (users, read) passes when the set holds (users, read) or (users, manage).
 */
#ifndef FIRELATER_RBAC_H
#define FIRELATER_RBAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fl_resource {
    FL_RES_ISSUES,
    FL_RES_CHANGES,
    FL_RES_CATALOG,
    FL_RES_REQUESTS,
    FL_RES_ONCALL,
    FL_RES_APPLICATIONS,
    FL_RES_USERS,
    FL_RES_GROUPS,
    FL_RES_ROLES,
    FL_RES_REPORTS,
    FL_RES_INTEGRATIONS,
    FL_RES_CLOUD,
    FL_RES_AUDIT,
    FL_RES_SLA,
    FL_RES_SETTINGS,
    FL_RES_COUNT
} fl_resource_t;

typedef enum fl_action {
    FL_ACT_CREATE,
    FL_ACT_READ,
    FL_ACT_UPDATE,
    FL_ACT_DELETE,
    FL_ACT_APPROVE,
    FL_ACT_ASSIGN,
    FL_ACT_MANAGE,
    FL_ACT_COUNT
} fl_action_t;

#define FL_PERM_COUNT    ((int)FL_RES_COUNT * (int)FL_ACT_COUNT) /* 105 */
#define FL_PERM_NAME_MAX 32                                      /* "integrations:manage" + NUL */

/* A set of permissions: bit resource * FL_ACT_COUNT + action. */
typedef struct fl_perms {
    uint64_t w[2];
} fl_perms_t;

const char *fl_resource_name(fl_resource_t r); /* "issues" */
const char *fl_action_name(fl_action_t a);     /* "read" */

static inline int fl_perm_bit(fl_resource_t r, fl_action_t a)
{
    return (int)r * (int)FL_ACT_COUNT + (int)a;
}

static inline void fl_perms_add(fl_perms_t *p, fl_resource_t r, fl_action_t a)
{
    int b = fl_perm_bit(r, a);
    p->w[b >> 6] |= UINT64_C(1) << (b & 63);
}

static inline bool fl_perms_has_exact(const fl_perms_t *p, fl_resource_t r, fl_action_t a)
{
    int b = fl_perm_bit(r, a);
    return (p->w[b >> 6] >> (b & 63)) & 1;
}

/* The check every route makes: the exact pair, or manage on the resource. */
static inline bool fl_perms_allow(const fl_perms_t *p, fl_resource_t r, fl_action_t a)
{
    return fl_perms_has_exact(p, r, a) || fl_perms_has_exact(p, r, FL_ACT_MANAGE);
}

static inline void fl_perms_union(fl_perms_t *into, const fl_perms_t *p)
{
    into->w[0] |= p->w[0];
    into->w[1] |= p->w[1];
}

/* True when every permission of sub is allowed by super (manage counts). */
bool fl_perms_subset(const fl_perms_t *sub, const fl_perms_t *super);
bool fl_perms_equal(const fl_perms_t *a, const fl_perms_t *b);

/*
 * "resource:action" (exactly, lowercase) to the pair; "resource:*" is not
 * accepted (name manage instead). Returns false when unknown.
 */
bool fl_perm_parse(const char *s, fl_resource_t *r, fl_action_t *a);
/* "resource:action" into buf (FL_PERM_NAME_MAX bytes). */
void fl_perm_format(fl_resource_t r, fl_action_t a, char *buf);

/*
 * The grants of a system role by name (admin, manager, agent, requester);
 * false for any other name. The table is in src/domain/rbac/perms.c and in
 * the README.
 */
bool fl_rbac_system_role_perms(const char *role, fl_perms_t *out);

/* ------------------------------------------------------------ access model */

/*
 * A tenant's access model: what authorisation needs from the log, in memory
 * (src/domain/rbac/access.c). It folds role.* (each role's grants) and
 * group.* (parents, roles held by groups, direct memberships) and answers a
 * user's effective permissions without PostgreSQL: the grants of the roles
 * held directly, plus those of the roles of every group the user belongs to
 * directly or through a sub-group (a member of a group is a member of its
 * ancestors). Not thread-safe: the server uses it on its loop only.
 */
typedef struct fl_access fl_access_t;
struct fl_event;
struct fl_log;

fl_access_t *fl_access_new(void);
void fl_access_free(fl_access_t *m);

/*
 * Folds one event (others than role.* and group.* are skipped) and moves the
 * position past it; FL_ECORRUPT when its data cannot be folded (it then
 * grants nothing, and fl_access_sync goes on with the next).
 */
int fl_access_apply(fl_access_t *m, const struct fl_event *ev);
/* Folds every event after the last position seen up to the log's head. */
int fl_access_sync(fl_access_t *m, struct fl_log *log);
uint64_t fl_access_pos(const fl_access_t *m);

/* A role's grants by name (system roles from the code, custom ones folded); false when unknown. */
bool fl_access_role_perms(const fl_access_t *m, const char *role, fl_perms_t *out);
/* The grants of a group's roles and of its ancestors' (what a new member of it gains). */
void fl_access_group_perms(const fl_access_t *m, const char *group_id, fl_perms_t *out);
/* True when the user is a member of the group, directly or through one of its sub-groups. */
bool fl_access_is_member(const fl_access_t *m, const char *user_id, const char *group_id);

/* The effective permissions of a user holding `roles` directly. */
void fl_access_user_perms(const fl_access_t *m, const char *user_id, const char *const *roles,
                          size_t n_roles, fl_perms_t *out);

#endif

/*
 * Authorisation's view of a tenant: its access model (include/firelater/
 * rbac.h), caught up with the log before each answer, so a role granted,
 * a group joined or a role's grants changed count from the next request.
 * When the log cannot be read the answer is no permission at all: access
 * fails closed.
 */
#include <stdio.h>

#include "app.h"
#include "firelater/err.h"

static bool catch_up(fl_srv_tenant_t *t)
{
    int rc = fl_access_sync(t->access, t->log);
    if (rc < 0)
        fprintf(stderr, "firelater: tenant '%s': access model: %s\n", t->slug, fl_strerror(rc));
    return rc == 0;
}

void fl_srv_access_perms(fl_srv_tenant_t *t, const char *user_id, const char *const *roles,
                         size_t n_roles, fl_perms_t *out)
{
    *out = (fl_perms_t){{0, 0}};
    if (catch_up(t))
        fl_access_user_perms(t->access, user_id, roles, n_roles, out);
}

bool fl_srv_may_grant(fl_srv_tenant_t *t, const fl_principal_t *p, const char *const *roles,
                      size_t n_roles)
{
    fl_perms_t g;
    if (!catch_up(t))
        return false;
    fl_access_user_perms(t->access, NULL, roles, n_roles, &g);
    return fl_perms_subset(&g, &p->perms);
}

bool fl_srv_may_grant_group(fl_srv_tenant_t *t, const fl_principal_t *p, const char *group_id)
{
    fl_perms_t g;
    if (!catch_up(t))
        return false;
    fl_access_group_perms(t->access, group_id, &g);
    return fl_perms_subset(&g, &p->perms);
}

bool fl_srv_is_member(fl_srv_tenant_t *t, const char *user_id, const char *group_id)
{
    return catch_up(t) && fl_access_is_member(t->access, user_id, group_id);
}

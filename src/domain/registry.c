/*
 * Every module's projection handlers, for the projector (server) and the
 * rebuild (flctl). A new module adds its table here.
 */
#include "firelater/apikeys.h"
#include "firelater/attachments.h"
#include "firelater/applications.h"
#include "firelater/audit.h"
#include "firelater/catalog.h"
#include "firelater/delegations.h"
#include "firelater/groups.h"
#include "firelater/issue_categories.h"
#include "firelater/issues.h"
#include "firelater/projector.h"
#include "firelater/requests.h"
#include "firelater/roles.h"
#include "firelater/sla.h"
#include "firelater/users.h"

const fl_proj_handler_t *const *fl_domain_projections(void)
{
    static const fl_proj_handler_t *const tables[] = {
        fl_users_projections,
        fl_groups_projections,
        fl_roles_projections,
        fl_apikeys_projections,
        fl_apps_projections,
        fl_audit_projections,
        fl_sla_timer_projections,
        fl_icats_projections,
        fl_issues_projections,
        fl_issues_action_projections,
        fl_sla_config_projections,
        /* the service catalog */
        fl_cat_projections,
        /* attachments (issue 6) */
        fl_attach_projections,
        /* service requests (issue 6) */
        fl_requests_projections,
        /* approval delegations (issue 6) */
        fl_delegations_projections,
        NULL,
    };
    return tables;
}

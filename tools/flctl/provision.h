/* flctl tenant create's second half: the tenant's schema, roles and first admin. */
#ifndef FLCTL_PROVISION_H
#define FLCTL_PROVISION_H

#include "flctl.h"

/*
 * Creates tenant_<slug> from the migrations (when pg is given or
 * $FIRELATER_PG is set), then, in the tenant's log, the system roles (once)
 * and the first admin user. Returns an exit status.
 */
int flctl_tenant_provision(flctl_t *ctx, const char *slug, const char *email, const char *password,
                           const char *pg);

#endif

/*
 * The tenant registry and the data directory's layout.
 *
 * A tenant's lifecycle is a stream `tenant:<slug>` in the platform log
 * (<data>/platform/): tenant.created {slug, name}, then any alternation of
 * tenant.suspended {reason?} and tenant.resumed {reason?}. The registry is the
 * fold of those events; nothing else stores it. Each tenant's own events live
 * in its log under <data>/tenants/<slug>/.
 *
 * Transitions (each appended with the stream version it was decided on, so two
 * operators racing cannot both win):
 *
 *     (none)     --create-->  active       a second create: FL_EEXIST
 *     active     --suspend--> suspended    suspending a suspended one: FL_ESTATE
 *     suspended  --resume-->  active       resuming an active one: FL_ESTATE
 */
#ifndef FIRELATER_TENANT_H
#define FIRELATER_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/log.h"

#define FL_TENANT_SLUG_MAX   56  /* bytes, without the NUL: "tenant_" + slug fits PostgreSQL's 63 */
#define FL_TENANT_NAME_MAX   200 /* bytes of UTF-8 */
#define FL_TENANT_REASON_MAX 1000

typedef enum fl_tenant_status {
    FL_TENANT_ACTIVE = 1,
    FL_TENANT_SUSPENDED = 2,
} fl_tenant_status_t;

/* A folded tenant. Strings live in the arena passed to the call that filled it. */
typedef struct fl_tenant {
    const char *slug;
    const char *name;
    fl_tenant_status_t status;
    const char *reason;   /* of the last suspension or resumption; "" when none */
    fl_time_t created_at; /* ts of tenant.created */
    fl_time_t updated_at; /* ts of the last event of the stream */
    uint64_t version;     /* the stream's version: its number of events */
} fl_tenant_t;

/* True when slug matches [a-z][a-z0-9_]{1,55}. */
bool fl_tenant_slug_is_valid(const char *slug);

/* "active" or "suspended". */
const char *fl_tenant_status_name(fl_tenant_status_t status);

/*
 * Registers a tenant and initialises its log. The order makes a crash safe:
 * first tenant.created is appended with expected version FL_LOG_NO_STREAM (so
 * exactly one of two racing creators wins, the other gets FL_EEXIST), then
 * <data>/tenants/<slug>/ is created and its log opened once to initialise it.
 * If that second step failed, the tenant is registered but has no directory;
 * calling create again returns FL_EEXIST but repairs the directory first.
 * actor may be NULL. Errors: FL_EINVAL (bad slug or name), FL_EEXIST, -errno,
 * errors of the log.
 */
int fl_tenant_create(fl_log_t *platform, const char *data_dir, const char *slug, const char *name,
                     const char *actor);

/*
 * Suspends an active tenant / resumes a suspended one; reason may be NULL.
 * Errors: FL_EINVAL, FL_ENOTFOUND, FL_ESTATE (already in that state), errors
 * of the log. A concurrent change is re-read and decided again.
 */
int fl_tenant_suspend(fl_log_t *platform, const char *slug, const char *reason, const char *actor);
int fl_tenant_resume(fl_log_t *platform, const char *slug, const char *reason, const char *actor);

/* Folds one tenant's stream into *out (strings in a). FL_ENOTFOUND when unknown. */
int fl_tenant_get(fl_log_t *platform, const char *slug, fl_arena_t *a, fl_tenant_t *out);

/*
 * Folds the whole platform log into an array of tenants sorted by slug, in the
 * arena (*out is NULL when there are none). Errors of the log, FL_ECORRUPT.
 */
int fl_tenant_list(fl_log_t *platform, fl_arena_t *a, fl_tenant_t **out, size_t *n);

/*
 * Paths of the data directory: <data>/platform and <data>/tenants/<slug>.
 * They write at most len bytes into buf. FL_EINVAL for a bad slug, FL_ETOOBIG
 * when the path does not fit.
 */
int fl_data_platform_dir(const char *data_dir, char *buf, size_t len);
int fl_data_tenant_dir(const char *data_dir, const char *slug, char *buf, size_t len);

/*
 * Opens the platform log. Unless opts->read_only, <data> and <data>/platform
 * are created when missing; read-only, a missing directory is -ENOENT.
 * opts may be NULL. *out is the caller's until fl_log_close.
 */
int fl_data_open_platform(const char *data_dir, const fl_log_opts_t *opts, fl_log_t **out);

/*
 * Opens a tenant's log, which must exist (-ENOENT otherwise: the registry,
 * not this function, says whether the tenant exists). opts may be NULL.
 */
int fl_data_open_tenant(const char *data_dir, const char *slug, const fl_log_opts_t *opts,
                        fl_log_t **out);

#endif

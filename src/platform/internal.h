/*
 * Shared internals of src/platform; no other folder includes this.
 */
#ifndef FIRELATER_PLATFORM_INTERNAL_H
#define FIRELATER_PLATFORM_INTERNAL_H

#include <stddef.h>

#include "firelater/arena.h"
#include "firelater/log.h"
#include "firelater/tenant.h"

#define FL__TENANT_STREAM_PREFIX "tenant:"

/* "tenant:<slug>" into buf; FL_EINVAL for a bad slug. */
int fl__tenant_stream(const char *slug, char *buf, size_t len);

/*
 * Makes <data>/tenants/<slug>/ and initialises its log when it has none yet.
 * Idempotent: calling it on a complete directory changes nothing.
 */
int fl__data_tenant_init(const char *data_dir, const char *slug);

/* Applies one event of a tenant's stream to *t; strings are copied into a. */
int fl__tenant_apply(fl_tenant_t *t, fl_arena_t *a, const fl_event_t *ev);

#endif

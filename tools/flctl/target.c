/*
 * Finding the log a command addresses. A tenant is whatever the platform log
 * says it is: a directory under tenants/ without a registration is not a
 * tenant, and a registration without a directory is reported as damage, with
 * the command that repairs it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/tenant.h"
#include "flctl.h"

static int check_options(const flctl_spec_t *spec, flctl_target_t *t)
{
    if (t->tenant != NULL && t->platform)
        return flctl_usage_err(spec, "'--tenant' and '--platform' exclude each other");
    if (t->tenant == NULL && !t->platform)
        return flctl_usage_err(spec, "'%s' needs '--tenant SLUG' or '--platform'", spec->name);
    if (t->platform)
        snprintf(t->label, sizeof(t->label), "the platform log");
    else
        snprintf(t->label, sizeof(t->label), "tenant '%s'", t->tenant);
    return 0;
}

static int open_platform(flctl_t *ctx, bool read_only, fl_log_t **out)
{
    fl_log_opts_t opts = {.read_only = read_only};
    int rc = fl_data_open_platform(ctx->data_dir, &opts, out);

    if (rc == -ENOENT)
        flctl_err("no platform log in '%s' (no tenant was created there)", ctx->data_dir);
    else if (rc < 0)
        flctl_err("cannot open the platform log in '%s': %s", ctx->data_dir, fl_strerror(rc));
    return rc < 0 ? FLCTL_FAIL : 0;
}

/* The registry decides whether the tenant exists; its directory does not. */
static int check_registered(flctl_t *ctx, const char *slug)
{
    fl_log_opts_t opts = {.read_only = true};
    fl_log_t *platform;
    fl_tenant_t tenant;
    fl_arena_t a;
    int rc;

    if (!fl_tenant_slug_is_valid(slug)) {
        flctl_err("unknown tenant '%s': not a valid slug ([a-z][a-z0-9_]{1,55})", slug);
        return FLCTL_FAIL;
    }
    rc = fl_data_open_platform(ctx->data_dir, &opts, &platform);
    if (rc == -ENOENT) {
        flctl_err("unknown tenant '%s': no platform log in '%s'", slug, ctx->data_dir);
        return FLCTL_FAIL;
    }
    if (rc < 0) {
        flctl_err("cannot open the platform log in '%s': %s", ctx->data_dir, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    fl_arena_init(&a, 0);
    rc = fl_tenant_get(platform, slug, &a, &tenant);
    fl_arena_free(&a);
    fl_log_close(platform);
    if (rc == FL_ENOTFOUND)
        flctl_err("unknown tenant '%s' in '%s' (see 'flctl tenant list')", slug, ctx->data_dir);
    else if (rc < 0)
        flctl_err("cannot read tenant '%s' from the platform log: %s", slug, fl_strerror(rc));
    return rc < 0 ? FLCTL_FAIL : 0;
}

static int open_tenant(flctl_t *ctx, const char *slug, bool read_only, fl_log_t **out)
{
    fl_log_opts_t opts = {.read_only = read_only};
    char path[4096];
    int rc;

    rc = fl_data_open_tenant(ctx->data_dir, slug, &opts, out);
    if (rc == 0)
        return 0;
    if (fl_data_tenant_dir(ctx->data_dir, slug, path, sizeof(path)) < 0)
        snprintf(path, sizeof(path), "%s", ctx->data_dir);
    if (rc == -ENOENT)
        flctl_err("tenant '%s' is registered but its log '%s' is missing; "
                  "'flctl tenant create %s --name NAME' initialises it",
                  slug, path, slug);
    else
        flctl_err("cannot open the log of tenant '%s' at '%s': %s", slug, path, fl_strerror(rc));
    return FLCTL_FAIL;
}

int flctl_target_open(flctl_t *ctx, const flctl_spec_t *spec, flctl_target_t *t, bool read_only,
                      fl_log_t **out)
{
    int rc = check_options(spec, t);

    if (rc != 0)
        return rc;
    if (t->platform)
        return open_platform(ctx, read_only, out);
    rc = check_registered(ctx, t->tenant);
    if (rc != 0)
        return rc;
    return open_tenant(ctx, t->tenant, read_only, out);
}

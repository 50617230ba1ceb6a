/*
 * flctl projections status | rebuild: how far each tenant's read model is
 * behind its log, and a read model made again from the log. The handlers are
 * the domain modules' (fl_domain_projections), the server's own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/projector.h"
#include "flctl.h"

/* One tenant's row; known is false when either side could not be read. */
typedef struct row {
    const char *slug;
    uint64_t head, checkpoint;
    bool known;
} row_t;

static int read_row(flctl_t *ctx, fl_store_conn_t *c, row_t *r)
{
    fl_log_opts_t opts = {.read_only = true};
    fl_log_head_t h;
    fl_log_t *log;
    int rc;

    rc = fl_data_open_tenant(ctx->data_dir, r->slug, &opts, &log);
    if (rc == 0) {
        rc = fl_log_head(log, &h);
        fl_log_close(log);
    }
    if (rc < 0) {
        flctl_err("cannot read the log of tenant '%s': %s", r->slug, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    r->head = h.pos;
    rc = fl_projector_checkpoint_sync(c, r->slug, FL_PROJ_DEFAULT_NAME, &r->checkpoint);
    if (rc < 0) {
        flctl_err("cannot read the checkpoint of tenant '%s': %s (is it migrated? 'flctl "
                  "migrate')",
                  r->slug, fl_store_sync_error(c));
        return FLCTL_FAIL;
    }
    r->known = true;
    return 0;
}

static uint64_t lag(const row_t *r)
{
    return r->head > r->checkpoint ? r->head - r->checkpoint : 0;
}

static void print_row(const row_t *r, bool json, int slug_w)
{
    json_t *obj;

    if (!json && r->known)
        printf("%-*s  %12" PRIu64 "  %12" PRIu64 "  %12" PRIu64 "\n", slug_w, r->slug, r->head,
               r->checkpoint, lag(r));
    else if (!json)
        printf("%-*s  %12s  %12s  %12s\n", slug_w, r->slug, "-", "-", "-");
    if (!json)
        return;
    obj = json_object();
    json_object_set_new(obj, "tenant", json_string(r->slug));
    json_object_set_new(obj, "head", r->known ? json_integer((json_int_t)r->head) : json_null());
    json_object_set_new(obj, "checkpoint",
                        r->known ? json_integer((json_int_t)r->checkpoint) : json_null());
    json_object_set_new(obj, "lag", r->known ? json_integer((json_int_t)lag(r)) : json_null());
    flctl_print_json_line(obj);
}

static int print_status(flctl_t *ctx, fl_store_conn_t *c, const fl_tenant_t *t, size_t n, bool json)
{
    int slug_w = 6, rc = FLCTL_OK;

    for (size_t i = 0; i < n; i++)
        slug_w = (int)strlen(t[i].slug) > slug_w ? (int)strlen(t[i].slug) : slug_w;
    if (!json)
        printf("%-*s  %12s  %12s  %12s\n", slug_w, "TENANT", "HEAD", "CHECKPOINT", "LAG");
    for (size_t i = 0; i < n; i++) {
        row_t r = {.slug = t[i].slug};

        if (read_row(ctx, c, &r) != 0)
            rc = FLCTL_FAIL;
        print_row(&r, json, slug_w);
    }
    return rc;
}

static const char status_help[] =
    "Prints, for every tenant, its log's head, the read model's checkpoint and the\n"
    "lag between them (events not yet in PostgreSQL).\n\n"
    "  --pg CONNINFO     PostgreSQL (default: $FIRELATER_PG)\n"
    "  --json            one JSON object per tenant and line\n";

int flctl_projections_status(flctl_t *ctx, int argc, char **argv)
{
    const char *pg = NULL;
    bool json = false;
    const flctl_opt_t opts[] = {{"pg", "CONNINFO", &pg, NULL}, {"json", NULL, NULL, &json}, {0}};
    const flctl_spec_t spec = {.name = "projections status",
                               .usage = "flctl projections status [--pg CONNINFO] [--json]",
                               .help = status_help,
                               .opts = opts};
    fl_store_conn_t *c = NULL;
    fl_tenant_t *t;
    fl_arena_t a;
    size_t n;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    fl_arena_init(&a, 0);
    rc = flctl_tenants(ctx, &a, &t, &n);
    if (rc == 0)
        rc = flctl_pg_open(pg, &c);
    if (rc == 0)
        rc = print_status(ctx, c, t, n, json);
    fl_store_sync_close(c);
    fl_arena_free(&a);
    return rc;
}

static const char rebuild_help[] =
    "Builds tenant SLUG's read model again from its whole log: a shadow schema\n"
    "(shadow_<slug>) from the migrations, every event replayed into it in bulk,\n"
    "then swapped for tenant_<slug> in one transaction. A running server keeps\n"
    "serving; its projector carries on from the new checkpoint.\n\n"
    "  --tenant SLUG     the tenant (required)\n"
    "  --pg CONNINFO     PostgreSQL (default: $FIRELATER_PG)\n";

int flctl_projections_rebuild(flctl_t *ctx, int argc, char **argv)
{
    const char *pg = NULL;
    flctl_target_t t = {0};
    const flctl_opt_t opts[] = {
        {"tenant", "SLUG", &t.tenant, NULL}, {"pg", "CONNINFO", &pg, NULL}, {0}};
    const flctl_spec_t spec = {.name = "projections rebuild",
                               .usage = "flctl projections rebuild --tenant SLUG [--pg CONNINFO]",
                               .help = rebuild_help,
                               .opts = opts};
    fl_store_conn_t *c = NULL;
    fl_log_t *log = NULL;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    if (t.tenant == NULL)
        return flctl_usage_err(&spec, "'projections rebuild' needs '--tenant SLUG'");
    rc = flctl_target_open(ctx, &spec, &t, true, &log);
    if (rc == 0)
        rc = flctl_pg_open(pg, &c);
    if (rc == 0) {
        int err = fl_projector_rebuild(c, log, t.tenant, fl_domain_projections(), stdout);

        if (err < 0)
            flctl_err("rebuild of tenant '%s' failed: %s: %s", t.tenant, fl_strerror(err),
                      fl_store_sync_error(c));
        rc = err < 0 ? FLCTL_FAIL : FLCTL_OK;
    }
    fl_store_sync_close(c);
    if (log != NULL)
        fl_log_close(log);
    return rc;
}

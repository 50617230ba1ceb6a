/*
 * flctl migrate: the SQL migrations of schemas/ applied to public and to
 * every registered tenant's schema. Also the two helpers the PostgreSQL
 * commands share: where --pg comes from, and the list of tenants.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "firelater/err.h"
#include "flctl.h"

int flctl_pg_open(const char *pg, fl_store_conn_t **out)
{
    const char *env = getenv("FIRELATER_PG");
    int rc;

    if (pg == NULL)
        pg = env;
    if (pg == NULL || pg[0] == '\0') {
        flctl_err("no PostgreSQL to connect to: give '--pg CONNINFO' or set FIRELATER_PG");
        return FLCTL_USAGE;
    }
    rc = fl_store_sync_open(out, pg);
    if (rc < 0) {
        flctl_err("cannot connect to PostgreSQL: %s", fl_store_sync_error(*out));
        fl_store_sync_close(*out);
        *out = NULL;
        return FLCTL_FAIL;
    }
    return 0;
}

int flctl_tenants(flctl_t *ctx, fl_arena_t *a, fl_tenant_t **t, size_t *n)
{
    fl_log_opts_t opts = {.read_only = true};
    fl_log_t *platform;
    int rc;

    *t = NULL;
    *n = 0;
    rc = fl_data_open_platform(ctx->data_dir, &opts, &platform);
    if (rc == -ENOENT)
        return 0; /* no platform log yet: no tenants */
    if (rc < 0) {
        flctl_err("cannot open the platform log in '%s': %s", ctx->data_dir, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    rc = fl_tenant_list(platform, a, t, n);
    fl_log_close(platform);
    if (rc < 0) {
        flctl_err("cannot read the tenants from the platform log in '%s': %s", ctx->data_dir,
                  fl_strerror(rc));
        return FLCTL_FAIL;
    }
    return 0;
}

static void print_applied(const char *what, int n)
{
    if (n == 0)
        printf("%s: up to date\n", what);
    else
        printf("%s: %d migration%s applied\n", what, n, n == 1 ? "" : "s");
}

static int migrate_all(fl_store_conn_t *c, const fl_tenant_t *t, size_t n)
{
    char schema[FL_STORE_SCHEMA_MAX + 1];
    int applied = 0, rc;

    rc = fl_migrate_public(c, &applied);
    if (rc == 0)
        print_applied("public", applied);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = fl_migrate_tenant(c, t[i].slug, &applied);
        fl_store_schema_name(schema, sizeof(schema), t[i].slug);
        if (rc == 0)
            print_applied(schema, applied);
    }
    if (rc < 0)
        flctl_err("migration failed: %s", fl_store_sync_error(c));
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

static const char migrate_help[] =
    "Applies the SQL migrations this flctl knows (schemas/) to public and to the\n"
    "schema of every tenant in the platform log (tenant_<slug>), each file in its\n"
    "own transaction. Running it again applies nothing. Refuses a database that\n"
    "holds a migration newer than this flctl knows.\n\n"
    "  --pg CONNINFO     PostgreSQL to migrate (default: $FIRELATER_PG)\n";

int flctl_migrate(flctl_t *ctx, int argc, char **argv)
{
    const char *pg = NULL;
    const flctl_opt_t opts[] = {{"pg", "CONNINFO", &pg, NULL}, {0}};
    const flctl_spec_t spec = {.name = "migrate",
                               .usage = "flctl migrate [--pg CONNINFO]",
                               .help = migrate_help,
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
    if (rc == 0 && fl_migrate_check(c) < 0) {
        flctl_err("%s", fl_store_sync_error(c));
        rc = FLCTL_FAIL;
    }
    if (rc == 0)
        rc = migrate_all(c, t, n);
    fl_store_sync_close(c);
    fl_arena_free(&a);
    return rc;
}

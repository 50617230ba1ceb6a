/*
 * flctl tenant create | list | suspend | resume: the registry in the platform log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "firelater/err.h"
#include "firelater/tenant.h"
#include "flctl.h"
#include "provision.h"

#define SLUG_RULE "a lower-case letter, then 1 to 55 lower-case letters, digits or '_'"

static int open_platform_rw(flctl_t *ctx, fl_log_t **out)
{
    int rc = fl_data_open_platform(ctx->data_dir, NULL, out);

    if (rc < 0) {
        flctl_err("cannot open the platform log in '%s': %s", ctx->data_dir, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    return 0;
}

static int check_slug(const char *slug)
{
    if (fl_tenant_slug_is_valid(slug))
        return 0;
    flctl_err("invalid tenant slug '%s': expected %s", slug, SLUG_RULE);
    return FLCTL_FAIL;
}

static const char create_help[] =
    "Registers tenant SLUG in the platform log (tenant.created) and\n"
    "initialises its log in <data>/tenants/SLUG.\n"
    "SLUG is " SLUG_RULE ".\n\n"
    "  --name NAME       the tenant's display name (required)\n"
    "  --admin-email EMAIL, --admin-password PASSWORD\n"
    "                    also record the system roles and this first\n"
    "                    admin in the tenant's log\n"
    "  --pg CONNINFO     also create schema tenant_SLUG (default\n"
    "                    $FIRELATER_PG; without either, 'flctl migrate'\n"
    "                    creates it later)\n";

/* Whether the tenant's log is initialised, to tell a repair from a plain duplicate. */
static bool log_exists(flctl_t *ctx, const char *slug, char *path, size_t len)
{
    char file[4096 + 16];
    struct stat st;

    if (fl_data_tenant_dir(ctx->data_dir, slug, path, len) < 0)
        return false;
    snprintf(file, sizeof(file), "%s/data.mdb", path);
    return stat(file, &st) == 0;
}

static int report_create(flctl_t *ctx, const char *slug, const char *name, bool had_log, int rc)
{
    char path[4096];
    bool has_log = log_exists(ctx, slug, path, sizeof(path));

    if (rc == FL_EEXIST && !had_log && has_log)
        flctl_err("tenant '%s' already exists; its log at '%s', which was missing, is now "
                  "initialised",
                  slug, path);
    else if (rc == FL_EEXIST)
        flctl_err("tenant '%s' already exists", slug);
    else if (rc == FL_EINVAL)
        flctl_err("invalid --name for tenant '%s': 1 to %d bytes of UTF-8 without control "
                  "characters",
                  slug, FL_TENANT_NAME_MAX);
    else if (rc < 0)
        flctl_err("cannot create tenant '%s' in '%s': %s", slug, ctx->data_dir, fl_strerror(rc));
    else
        printf("created tenant '%s' (%s) in %s\n", slug, name, path);
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

int flctl_tenant_create(flctl_t *ctx, int argc, char **argv)
{
    const char *slug = NULL, *name = NULL, *email = NULL, *password = NULL, *pg = NULL;
    const flctl_opt_t opts[] = {{"name", "NAME", &name, NULL},
                                {"admin-email", "EMAIL", &email, NULL},
                                {"admin-password", "PASSWORD", &password, NULL},
                                {"pg", "CONNINFO", &pg, NULL},
                                {0}};
    const flctl_spec_t spec = {.name = "tenant create",
                               .usage = "flctl tenant create SLUG --name NAME [--admin-email EMAIL "
                                        "--admin-password PASSWORD] [--pg CONNINFO]",
                               .help = create_help,
                               .opts = opts,
                               .args = &slug,
                               .n_args = 1,
                               .arg_names = "SLUG"};
    char actor[300], path[4096];
    fl_log_t *platform;
    bool had_log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    if (name == NULL)
        return flctl_usage_err(&spec, "'tenant create' needs '--name NAME'");
    if ((email == NULL) != (password == NULL))
        return flctl_usage_err(&spec, "'--admin-email' and '--admin-password' go together");
    rc = check_slug(slug);
    if (rc == 0)
        rc = open_platform_rw(ctx, &platform);
    if (rc != 0)
        return rc;
    had_log = log_exists(ctx, slug, path, sizeof(path));
    rc = fl_tenant_create(platform, ctx->data_dir, slug, name, flctl_actor(actor, sizeof(actor)));
    fl_log_close(platform);
    rc = report_create(ctx, slug, name, had_log, rc);
    if (rc == 0)
        rc = flctl_tenant_provision(ctx, slug, email, password, pg);
    return rc;
}

/* Seconds are enough for a table; --json has the microseconds. */
static void short_time(fl_time_t t, char *buf, size_t len)
{
    char full[40];

    fl_time_format(t, full, sizeof(full));
    snprintf(buf, len, "%.19sZ", full);
}

/* Display width of UTF-8 text, counting code points: close enough for names. */
static int text_width(const char *s)
{
    int w = 0;

    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void print_table(const fl_tenant_t *t, size_t n)
{
    int slug_w = 4, name_w = 4;
    char created[32], updated[32];
    size_t i;

    for (i = 0; i < n; i++) {
        slug_w = text_width(t[i].slug) > slug_w ? text_width(t[i].slug) : slug_w;
        name_w = text_width(t[i].name) > name_w ? text_width(t[i].name) : name_w;
    }
    printf("%-*s  %-*s  %-9s  %-20s  %s\n", slug_w, "SLUG", name_w, "NAME", "STATUS", "CREATED",
           "UPDATED");
    for (i = 0; i < n; i++) {
        /* printf pads by bytes; the difference to the width in code points is added back. */
        int pad = name_w + (int)strlen(t[i].name) - text_width(t[i].name);
        short_time(t[i].created_at, created, sizeof(created));
        short_time(t[i].updated_at, updated, sizeof(updated));
        printf("%-*s  %-*s  %-9s  %-20s  %s\n", slug_w, t[i].slug, pad, t[i].name,
               fl_tenant_status_name(t[i].status), created, updated);
    }
}

static void print_json_lines(const fl_tenant_t *t, size_t n)
{
    char created[40], updated[40];
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *obj = json_object();

        fl_time_format(t[i].created_at, created, sizeof(created));
        fl_time_format(t[i].updated_at, updated, sizeof(updated));
        json_object_set_new(obj, "slug", json_string(t[i].slug));
        json_object_set_new(obj, "name", json_string(t[i].name));
        json_object_set_new(obj, "status", json_string(fl_tenant_status_name(t[i].status)));
        if (t[i].reason[0] != '\0')
            json_object_set_new(obj, "reason", json_string(t[i].reason));
        json_object_set_new(obj, "created_at", json_string(created));
        json_object_set_new(obj, "updated_at", json_string(updated));
        json_object_set_new(obj, "version", json_integer((json_int_t)t[i].version));
        flctl_print_json_line(obj);
    }
}

/* A data directory without a platform log has no tenants: an empty list, not an error. */
static int list_tenants(flctl_t *ctx, fl_arena_t *a, fl_tenant_t **t, size_t *n)
{
    fl_log_opts_t opts = {.read_only = true};
    fl_log_t *platform;
    int rc;

    rc = fl_data_open_platform(ctx->data_dir, &opts, &platform);
    if (rc == -ENOENT)
        return 0;
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

static const char list_help[] = "Lists every tenant with its status and dates.\n\n"
                                "  --json            one JSON object per line\n";

int flctl_tenant_list(flctl_t *ctx, int argc, char **argv)
{
    bool json = false;
    const flctl_opt_t opts[] = {{"json", NULL, NULL, &json}, {0}};
    const flctl_spec_t spec = {.name = "tenant list",
                               .usage = "flctl tenant list [--json]",
                               .help = list_help,
                               .opts = opts};
    fl_tenant_t *tenants = NULL;
    size_t n = 0;
    fl_arena_t a;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    fl_arena_init(&a, 0);
    rc = list_tenants(ctx, &a, &tenants, &n);
    if (rc == 0 && json)
        print_json_lines(tenants, n);
    else if (rc == 0)
        print_table(tenants, n);
    fl_arena_free(&a);
    return rc;
}

/* What one lifecycle command does and how its outcome reads. */
typedef struct transition {
    int (*fn)(fl_log_t *platform, const char *slug, const char *reason, const char *actor);
    const char *verb;    /* "suspend" */
    const char *done;    /* "suspended" */
    const char *already; /* the state that refuses it: "suspended" */
} transition_t;

static int report_transition(const transition_t *tr, const char *slug, int rc)
{
    if (rc == FL_ENOTFOUND)
        flctl_err("unknown tenant '%s' (see 'flctl tenant list')", slug);
    else if (rc == FL_ESTATE)
        flctl_err("cannot %s tenant '%s': it is already %s", tr->verb, slug, tr->already);
    else if (rc == FL_EINVAL)
        flctl_err("invalid --reason for tenant '%s': at most %d bytes without control characters",
                  slug, FL_TENANT_REASON_MAX);
    else if (rc < 0)
        flctl_err("cannot %s tenant '%s': %s", tr->verb, slug, fl_strerror(rc));
    else
        printf("%s tenant '%s'\n", tr->done, slug);
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

static int run_transition(flctl_t *ctx, const transition_t *tr, const char *slug,
                          const char *reason)
{
    char actor[300];
    fl_log_t *platform;
    int rc;

    rc = check_slug(slug);
    if (rc == 0)
        rc = open_platform_rw(ctx, &platform);
    if (rc != 0)
        return rc;
    rc = tr->fn(platform, slug, reason, flctl_actor(actor, sizeof(actor)));
    fl_log_close(platform);
    return report_transition(tr, slug, rc);
}

static const char suspend_help[] = "Suspends an active tenant (tenant.suspended).\n\n"
                                   "  --reason TEXT     why, recorded in the event\n";
static const char resume_help[] = "Resumes a suspended tenant (tenant.resumed).\n\n"
                                  "  --reason TEXT     why, recorded in the event\n";

int flctl_tenant_suspend(flctl_t *ctx, int argc, char **argv)
{
    static const transition_t tr = {fl_tenant_suspend, "suspend", "suspended", "suspended"};
    const char *slug = NULL, *reason = NULL;
    const flctl_opt_t opts[] = {{"reason", "TEXT", &reason, NULL}, {0}};
    const flctl_spec_t spec = {.name = "tenant suspend",
                               .usage = "flctl tenant suspend SLUG [--reason TEXT]",
                               .help = suspend_help,
                               .opts = opts,
                               .args = &slug,
                               .n_args = 1,
                               .arg_names = "SLUG"};
    int rc = flctl_parse(ctx, &spec, argc, argv);

    if (rc != 0)
        return flctl_parse_exit(rc);
    return run_transition(ctx, &tr, slug, reason);
}

int flctl_tenant_resume(flctl_t *ctx, int argc, char **argv)
{
    static const transition_t tr = {fl_tenant_resume, "resume", "resumed", "active"};
    const char *slug = NULL, *reason = NULL;
    const flctl_opt_t opts[] = {{"reason", "TEXT", &reason, NULL}, {0}};
    const flctl_spec_t spec = {.name = "tenant resume",
                               .usage = "flctl tenant resume SLUG [--reason TEXT]",
                               .help = resume_help,
                               .opts = opts,
                               .args = &slug,
                               .n_args = 1,
                               .arg_names = "SLUG"};
    int rc = flctl_parse(ctx, &spec, argc, argv);

    if (rc != 0)
        return flctl_parse_exit(rc);
    return run_transition(ctx, &tr, slug, reason);
}

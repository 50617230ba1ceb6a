/*
 * Provisioning a new tenant: its read-model schema, the spec's system roles
 * and its first admin. The roles and the admin are events in the tenant's
 * log, decided by the users module exactly as the API would decide them, so
 * the projector builds their rows like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "firelater/store.h"
#include "firelater/tenant.h"
#include "firelater/roles.h"
#include "firelater/users.h"
#include "provision.h"

static int make_schema(const char *slug, const char *pg)
{
    fl_store_conn_t *c;
    int applied = 0;
    const char *env = getenv("FIRELATER_PG");
    if (pg == NULL && (env == NULL || *env == '\0')) {
        fprintf(stderr,
                "flctl: note: no --pg and no FIRELATER_PG: schema tenant_%s will be "
                "created by 'flctl migrate'\n",
                slug);
        return 0;
    }
    int rc = flctl_pg_open(pg, &c);
    if (rc != 0)
        return rc;
    if (fl_migrate_public(c, &applied) < 0 || fl_migrate_tenant(c, slug, &applied) < 0) {
        fprintf(stderr, "flctl: cannot create schema tenant_%s: %s\n", slug,
                fl_store_sync_error(c));
        rc = FLCTL_FAIL;
    } else {
        printf("schema tenant_%s ready (%d migration(s) applied)\n", slug, applied);
    }
    fl_store_sync_close(c);
    return rc;
}

/* Decodes the admin as POST /users would, so the same rules apply. */
static int decode_admin(const char *email, const char *password, fl_arena_t *a,
                        fl_user_create_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:[s]}", "email", email, "name", "Administrator",
                             "password", password, "roles", "admin");
    int rc =
        fl_users_decode_create(body, fl_users_system_roles, FL_USERS_N_SYSTEM_ROLES, a, cmd, d);
    json_decref(body);
    for (size_t i = 0; rc != 0 && i < d->problem.n_errors; i++)
        fprintf(stderr, "flctl: admin %s %s\n",
                strcmp(d->errors[i].field, "email") == 0 ? "email" : d->errors[i].field,
                d->errors[i].message);
    return rc;
}

static int append_decision(fl_log_t *log, fl_decision_t *d, const char *what)
{
    fl_log_batch_t b = {.events = d->events,
                        .n_events = d->n_events,
                        .expects = d->expects,
                        .n_expects = d->n_expects};
    fl_log_result_t r;
    int rc = fl_log_append(log, &b, &r);
    if (rc == FL_EVERSION && strncmp(r.stream, "email:", 6) == 0) {
        fprintf(stderr, "flctl: the admin's email is already in use in this tenant\n");
        return FLCTL_FAIL;
    }
    if (rc != 0) {
        fprintf(stderr, "flctl: cannot record %s: %s\n", what, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    return 0;
}

/* The roles are seeded once per tenant: seeding again would fail on their name claims. */
static int seed_roles(fl_log_t *log, const fl_cmd_ctx_t *ctx)
{
    fl_decision_t d;
    uint64_t v;
    char *stream = fl_roles_name_stream(ctx->a, "admin");
    if (fl_log_stream_version(log, stream, &v) != 0)
        return FLCTL_FAIL;
    if (v > 0)
        return 0;
    fl_decision_init(&d);
    if (fl_roles_decide_seed(ctx, &d) != 0)
        return FLCTL_FAIL;
    return append_decision(log, &d, "the system roles");
}

static int create_admin(fl_log_t *log, const fl_cmd_ctx_t *ctx, const char *email,
                        const char *password)
{
    fl_user_create_cmd_t cmd;
    fl_decision_t d;
    fl_email_claim_state_t claim;
    char hash[FL_PASSWORD_HASH_MAX];
    uint64_t v;
    fl_decision_init(&d);
    if (decode_admin(email, password, ctx->a, &cmd, &d) != 0)
        return FLCTL_FAIL;
    if (fl_password_hash(password, hash) != 0)
        return FLCTL_FAIL;
    char *claim_stream = fl_users_email_stream(ctx->a, email);
    if (fl_agg_load_uncached(log, &fl_email_claim_agg, claim_stream, ctx->a, &claim, &v) != 0)
        return FLCTL_FAIL;
    if (fl_users_decide_create(ctx, &cmd, hash, &claim, &d) != 0) {
        fprintf(stderr, "flctl: %s\n",
                d.problem.n_errors > 0 ? "the admin's email is already in use in this tenant"
                                       : d.problem.title);
        return FLCTL_FAIL;
    }
    int rc = append_decision(log, &d, "the admin user");
    if (rc == 0)
        printf("admin %s created\n", email);
    return rc;
}

int flctl_tenant_provision(flctl_t *ctx, const char *slug, const char *email, const char *password,
                           const char *pg)
{
    fl_log_t *log;
    fl_arena_t a;
    char actor[300];
    int rc = make_schema(slug, pg);
    if (rc != 0 || email == NULL)
        return rc;
    if ((rc = fl_data_open_tenant(ctx->data_dir, slug, NULL, &log)) != 0) {
        fprintf(stderr, "flctl: cannot open the log of tenant '%s': %s\n", slug, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    fl_arena_init(&a, 0);
    fl_cmd_ctx_t cctx = {.a = &a,
                         .now = fl_clock_now(),
                         .tenant = slug,
                         .actor = flctl_actor(actor, sizeof(actor)),
                         .request_id = "flctl"};
    rc = seed_roles(log, &cctx);
    if (rc == 0)
        rc = create_admin(log, &cctx, email, password);
    fl_arena_free(&a);
    fl_log_close(log);
    return rc;
}

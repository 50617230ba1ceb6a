/*
 * Migrations: the SQL files of schemas/, embedded by tools/embed-sql, applied
 * in version order. Each file runs in its own transaction together with its
 * row in public.schema_migrations, after taking a transaction-scoped advisory
 * lock and re-checking that row under it: two flctl runs at once apply each
 * file once, and a crash leaves either the file and its row or neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

/* pg_advisory_xact_lock's key: "FLMG" in ASCII, FireLater migrations. */
#define MIGRATE_LOCK "SELECT pg_advisory_xact_lock(1179405639)"

const fl_migration_t *fl_migrate_list(size_t *n)
{
    *n = fl__migrations_len;
    return fl__migrations;
}

static int known_max(const char *kind)
{
    int max = 0;

    for (size_t i = 0; i < fl__migrations_len; i++) {
        if (strcmp(fl__migrations[i].scope, kind) == 0 && fl__migrations[i].version > max)
            max = fl__migrations[i].version;
    }
    return max;
}

/* One row's first value of a parameterised query into *val (NULL: no row); takes nothing. */
static int query1(fl_store_conn_t *c, const char *sql, int n, const char *const *params, char *val,
                  size_t len, bool *found)
{
    PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
    fl_store_res_t res;
    int rc;

    fl__store_res_init(&res);
    rc = r != NULL ? fl__store_res_take(&res, r, -1, true) : FL_EUNAVAIL;
    if (rc != 0) {
        fl__store_sync_seterr(c, rc, "%s", r != NULL ? res.msg : PQerrorMessage(c->pg));
        goto out;
    }
    *found = PQntuples(res.pg) > 0;
    if (*found && val != NULL)
        snprintf(val, len, "%s", PQgetvalue(res.pg, 0, 0));
out:
    fl__store_res_clear(&res);
    return rc;
}

static int is_applied(fl_store_conn_t *c, const char *scope, const fl_migration_t *m, bool *yes)
{
    char v[16], t[8];
    const char *p[2] = {scope, v};
    bool found;
    int rc;

    rc = query1(c, "SELECT to_regclass('public.schema_migrations') IS NOT NULL", 0, NULL, t,
                sizeof(t), &found);
    if (rc < 0 || strcmp(t, "t") != 0) {
        *yes = false;
        return rc;
    }
    snprintf(v, sizeof(v), "%d", m->version);
    return query1(c, "SELECT 1 FROM public.schema_migrations WHERE scope = $1 AND version = $2", 2,
                  p, NULL, 0, yes);
}

static int record(fl_store_conn_t *c, const char *scope, const fl_migration_t *m)
{
    char v[16];
    const char *p[3] = {scope, v, m->name};
    bool found;

    snprintf(v, sizeof(v), "%d", m->version);
    return query1(c,
                  "INSERT INTO public.schema_migrations (scope, version, name)"
                  " VALUES ($1, $2, $3)",
                  3, p, NULL, 0, &found);
}

/* Applies m to schema (public or a tenant's) unless done; *did says whether it ran. */
static int apply_one(fl_store_conn_t *c, const char *schema, const fl_migration_t *m, bool *did)
{
    char q[2 * FL_STORE_SCHEMA_MAX + 40], set[2 * FL_STORE_SCHEMA_MAX + 40];
    bool tenant = strcmp(schema, "public") != 0, done = false;
    int rc;

    *did = false;
    if (fl__store_quote_ident(q, sizeof(q), schema) < 0 ||
        fl__store_set_path_sql(set, sizeof(set), schema, true) < 0)
        return fl__store_sync_seterr(c, FL_EINVAL, "invalid schema name %s", schema);
    if ((rc = fl__store_sync_simple(c, "BEGIN")) < 0)
        return rc;
    if ((rc = fl__store_sync_simple(c, MIGRATE_LOCK)) < 0 ||
        (rc = is_applied(c, schema, m, &done)) < 0 || done)
        goto out_rollback;
    if (tenant) {
        char create[sizeof(q) + 40];

        snprintf(create, sizeof(create), "CREATE SCHEMA IF NOT EXISTS %s", q);
        if ((rc = fl__store_sync_simple(c, create)) < 0)
            goto out_rollback;
    }
    if ((rc = fl__store_sync_simple(c, set)) < 0 || (rc = fl__store_sync_simple(c, m->sql)) < 0 ||
        (rc = record(c, schema, m)) < 0 || (rc = fl__store_sync_simple(c, "COMMIT")) < 0)
        goto out_rollback;
    *did = true;
    return 0;
out_rollback:
    if (rc < 0) {
        char why[sizeof(c->err)];

        snprintf(why, sizeof(why), "%s", c->err);
        fl__store_sync_seterr(c, rc, "migration %s/%04d_%s on %s: %.300s", m->scope, m->version,
                              m->name, schema, why);
    }
    PQclear(PQexec(c->pg, "ROLLBACK"));
    return rc;
}

static int apply_scope(fl_store_conn_t *c, const char *kind, const char *schema, int *applied)
{
    for (size_t i = 0; i < fl__migrations_len; i++) {
        const fl_migration_t *m = &fl__migrations[i];
        bool did;
        int rc;

        if (strcmp(m->scope, kind) != 0)
            continue;
        rc = apply_one(c, schema, m, &did);
        if (rc < 0)
            return rc;
        if (did && applied != NULL)
            (*applied)++;
    }
    return 0;
}

int fl_migrate_public(fl_store_conn_t *c, int *applied)
{
    if (applied != NULL)
        *applied = 0;
    return apply_scope(c, "public", "public", applied);
}

int fl_migrate_schema(fl_store_conn_t *c, const char *schema, int *applied)
{
    int n = 0, rc;

    if (applied != NULL)
        *applied = 0;
    if (!fl_store_schema_is_valid(schema) || strcmp(schema, "public") == 0)
        return fl__store_sync_seterr(c, FL_EINVAL, "invalid tenant schema name");
    rc = fl_migrate_public(c, &n);
    if (rc == 0)
        rc = apply_scope(c, "tenant", schema, applied);
    if (applied != NULL)
        *applied += n;
    return rc;
}

int fl_migrate_tenant(fl_store_conn_t *c, const char *slug, int *applied)
{
    char schema[FL_STORE_SCHEMA_MAX + 1];

    if (applied != NULL)
        *applied = 0;
    if (fl_store_schema_name(schema, sizeof(schema), slug) < 0)
        return fl__store_sync_seterr(c, FL_EINVAL, "invalid tenant slug");
    return fl_migrate_schema(c, schema, applied);
}

int fl_migrate_all(fl_store_conn_t *c, const char *const *slugs, size_t nslugs, int *applied)
{
    int total = 0, n, rc;

    rc = fl_migrate_public(c, &n);
    total += n;
    for (size_t i = 0; rc == 0 && i < nslugs; i++) {
        rc = fl_migrate_tenant(c, slugs[i], &n);
        total += n;
    }
    if (applied != NULL)
        *applied = total;
    return rc;
}

static int check_row(fl_store_conn_t *c, const char *scope, int have)
{
    const char *kind = strcmp(scope, "public") == 0 ? "public" : "tenant";
    int know = known_max(kind);

    if (have <= know)
        return 0;
    return fl__store_sync_seterr(c, FL_EVERSION,
                                 "schema %s is at migration %04d but this binary knows %s "
                                 "migrations up to %04d only: run a newer firelater",
                                 scope, have, kind, know);
}

int fl_migrate_check(fl_store_conn_t *c)
{
    PGresult *r;
    int rc = 0;
    bool found;
    char t[8];

    rc = query1(c, "SELECT to_regclass('public.schema_migrations') IS NOT NULL", 0, NULL, t,
                sizeof(t), &found);
    if (rc < 0 || strcmp(t, "t") != 0)
        return rc;
    r = PQexec(c->pg, "SELECT scope, max(version) FROM public.schema_migrations GROUP BY scope"
                      " ORDER BY scope");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fl__store_sync_seterr(c, FL_EUNAVAIL, "%s", PQerrorMessage(c->pg));
        goto out;
    }
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = check_row(c, PQgetvalue(r, i, 0), (int)strtol(PQgetvalue(r, i, 1), NULL, 10));
out:
    PQclear(r);
    return rc;
}

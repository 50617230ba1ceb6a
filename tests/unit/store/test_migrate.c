/*
 * Migrations against a real PostgreSQL: they apply, a re-run applies nothing,
 * a database newer than the binary is refused, tenant schemas are created
 * and kept apart, and what is embedded is exactly what schemas/ holds.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgfix.h"

#include "firelater/err.h"
#include "firelater/store.h"

static size_t count_scope(const char *scope)
{
    size_t n, k = 0;
    const fl_migration_t *m = fl_migrate_list(&n);

    for (size_t i = 0; i < n; i++)
        k += strcmp(m[i].scope, scope) == 0;
    return k;
}

static fl_store_conn_t *fresh(const char *db)
{
    char *info = pgfix_newdb(db);
    fl_store_conn_t *c = pgfix_sync(info);

    free(info);
    return c;
}

static void assert_exec1(fl_store_conn_t *c, const char *schema, const char *sql, const char *want)
{
    char *v = pgfix_exec1(c, schema, sql);

    ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s: got %s, want %s", sql,
                  v != NULL ? v : "NULL", want);
    free(v);
}

START_TEST(test_public_applies)
{
    fl_store_conn_t *c = fresh("mig_apply");
    int n = -1;

    ck_assert_int_eq(fl_migrate_check(c), 0); /* nothing yet is not "newer" */
    ck_assert_int_eq(fl_migrate_public(c, &n), 0);
    ck_assert_int_eq(n, (int)count_scope("public"));
    assert_exec1(c, NULL, "SELECT to_regclass('public.tenants') IS NOT NULL", "t");
    assert_exec1(c, NULL, "SELECT to_regclass('public.plans') IS NOT NULL", "t");
    assert_exec1(c, NULL,
                 "SELECT name FROM schema_migrations WHERE scope = 'public' AND version = 1",
                 "init");
    ck_assert_int_eq(fl_migrate_check(c), 0);
    fl_store_sync_close(c);
}
END_TEST

START_TEST(test_reapply_is_noop)
{
    fl_store_conn_t *c = fresh("mig_again");
    const char *slugs[] = {"acme"};
    int n = -1;

    ck_assert_int_eq(fl_migrate_all(c, slugs, 1, &n), 0);
    ck_assert_int_eq(n, (int)(count_scope("public") + count_scope("tenant")));
    ck_assert_int_eq(fl_migrate_all(c, slugs, 1, &n), 0);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(fl_migrate_tenant(c, "acme", &n), 0);
    ck_assert_int_eq(n, 0);
    char want[16];
    snprintf(want, sizeof(want), "%zu", count_scope("public") + count_scope("tenant"));
    assert_exec1(c, NULL, "SELECT count(*) FROM schema_migrations", want);
    fl_store_sync_close(c);
}
END_TEST

START_TEST(test_newer_is_refused)
{
    fl_store_conn_t *c = fresh("mig_newer");
    const char *slugs[] = {"acme"};

    ck_assert_int_eq(fl_migrate_all(c, slugs, 1, NULL), 0);
    free(pgfix_exec1(c, NULL,
                     "INSERT INTO schema_migrations (scope, version, name)"
                     " VALUES ('tenant_acme', 9999, 'from_the_future')"));
    ck_assert_int_eq(fl_migrate_check(c), FL_EVERSION);
    ck_assert_msg(strstr(fl_store_sync_error(c), "tenant_acme") != NULL &&
                      strstr(fl_store_sync_error(c), "9999") != NULL,
                  "message: %s", fl_store_sync_error(c));
    free(pgfix_exec1(c, NULL, "DELETE FROM schema_migrations WHERE version = 9999"));
    ck_assert_int_eq(fl_migrate_check(c), 0);
    free(pgfix_exec1(c, NULL,
                     "INSERT INTO schema_migrations (scope, version, name)"
                     " VALUES ('public', 42, 'later')"));
    ck_assert_int_eq(fl_migrate_check(c), FL_EVERSION);
    ck_assert_ptr_nonnull(strstr(fl_store_sync_error(c), "public"));
    fl_store_sync_close(c);
}
END_TEST

START_TEST(test_two_tenants)
{
    fl_store_conn_t *c = fresh("mig_two");
    const char *slugs[] = {"acme", "globex_2"};

    ck_assert_int_eq(fl_migrate_all(c, slugs, 2, NULL), 0);
    assert_exec1(c, NULL, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'", "2");
    free(pgfix_exec1(c, "tenant_acme",
                     "INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), "
                     "'a@acme.test', 'A')"));
    assert_exec1(c, "tenant_acme", "SELECT count(*) FROM users", "1");
    assert_exec1(c, "tenant_globex_2", "SELECT count(*) FROM users", "0");
    assert_exec1(c, "tenant_acme", "SELECT count(*) FROM projector_checkpoint", "0");
    /* Identity only: no id_sequences, numbers come from the log. */
    assert_exec1(c, NULL, "SELECT to_regclass('tenant_acme.id_sequences') IS NULL", "t");
    fl_store_sync_close(c);
}
END_TEST

START_TEST(test_names)
{
    char buf[FL_STORE_SCHEMA_MAX + 1];
    char longest[FL_STORE_SLUG_MAX + 2];

    ck_assert(fl_store_slug_is_valid("acme"));
    ck_assert(fl_store_slug_is_valid("a1_b"));
    ck_assert(!fl_store_slug_is_valid("a"));
    ck_assert(!fl_store_slug_is_valid("Acme"));
    ck_assert(!fl_store_slug_is_valid("1abc"));
    ck_assert(!fl_store_slug_is_valid("ac\"me"));
    ck_assert(!fl_store_slug_is_valid("acme; DROP SCHEMA public"));
    ck_assert(!fl_store_slug_is_valid(""));
    memset(longest, 'a', FL_STORE_SLUG_MAX);
    longest[FL_STORE_SLUG_MAX] = '\0';
    ck_assert(fl_store_slug_is_valid(longest));
    ck_assert_int_eq(fl_store_schema_name(buf, sizeof(buf), longest), 0);
    ck_assert_uint_eq(strlen(buf), FL_STORE_SCHEMA_MAX);
    longest[FL_STORE_SLUG_MAX] = 'a';
    longest[FL_STORE_SLUG_MAX + 1] = '\0';
    ck_assert(!fl_store_slug_is_valid(longest));
    ck_assert_int_eq(fl_store_schema_name(buf, sizeof(buf), "x-y"), FL_EINVAL);
    ck_assert_int_eq(fl_store_schema_name(buf, sizeof(buf), "acme"), 0);
    ck_assert_str_eq(buf, "tenant_acme");
}
END_TEST

START_TEST(test_bad_slug_touches_nothing)
{
    fl_store_conn_t *c = fresh("mig_badslug");

    ck_assert_int_eq(fl_migrate_tenant(c, "Robert'); DROP TABLE x;--", NULL), FL_EINVAL);
    assert_exec1(c, NULL, "SELECT to_regclass('public.schema_migrations') IS NULL", "t");
    fl_store_sync_close(c);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    size_t cap = 0;

    ck_assert_msg(f != NULL, "open %s", path);
    ck_assert(getdelim(&s, &cap, '\0', f) >= 0);
    fclose(f);
    return s;
}

/* The generator keeps every byte but carriage returns. */
static void assert_embedded(const char *scope, const char *file, const char *path)
{
    size_t n;
    const fl_migration_t *m = fl_migrate_list(&n);
    int version = (int)strtol(file, NULL, 10);
    char *text = slurp(path);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].scope, scope) != 0 || m[i].version != version)
            continue;
        ck_assert_int_eq(strncmp(file + 5, m[i].name, strlen(m[i].name)), 0);
        ck_assert_str_eq(m[i].sql, text);
        free(text);
        return;
    }
    ck_abort_msg("%s/%s is not embedded: list it in src/store/meson.build", scope, file);
}

START_TEST(test_embedded_matches_schemas_dir)
{
    const char *scopes[] = {"public", "tenant"};
    size_t total = 0, n;

    for (size_t s = 0; s < 2; s++) {
        char dir[512], path[1024];
        DIR *d;
        struct dirent *e;

        snprintf(dir, sizeof(dir), "%s/%s", FL_SCHEMAS_DIR, scopes[s]);
        d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);

            if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            assert_embedded(scopes[s], e->d_name, path);
            total++;
        }
        closedir(d);
    }
    fl_migrate_list(&n);
    ck_assert_uint_eq(total, n);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("store_migrate");
    TCase *tc = tcase_create("migrate");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_embedded_matches_schemas_dir);
    tcase_add_test(tc, test_public_applies);
    tcase_add_test(tc, test_reapply_is_noop);
    tcase_add_test(tc, test_newer_is_refused);
    tcase_add_test(tc, test_two_tenants);
    tcase_add_test(tc, test_bad_slug_touches_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pgfix_main(suite());
}

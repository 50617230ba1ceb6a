/*
 * Rebuild: the shadow schema replayed from the whole log holds exactly what
 * incremental projection built, the migrations' rows follow the swap, and a
 * live projector carries on from the new checkpoint without applying any
 * event twice, whether the swap happens while it rests or while it runs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgfix.h"
#include "projfix.h"

#include "firelater/err.h"

static void assert_model(pf_t *f)
{
    char *got = pf_dump(f), *want = pf_expected(f);

    ck_assert_str_eq(got, want);
    ck_assert_int_eq(pf_counter(f), f->events);
    ck_assert_uint_eq(pf_checkpoint(f), pf_head(f));
    free(got);
    free(want);
}

static long count(pf_t *f, const char *sql)
{
    char *v = pgfix_exec1(f->c, NULL, sql);
    long n = strtol(v, NULL, 10);

    free(v);
    return n;
}

static void rebuild(pf_t *f)
{
    int rc = fl_projector_rebuild(f->c, f->log, "acme", pf_handlers, stderr);

    ck_assert_msg(rc == 0, "rebuild: %s: %s", fl_strerror(rc), fl_store_sync_error(f->c));
}

START_TEST(rebuild_equals_incremental)
{
    char *before, *after;
    pf_t f;

    pf_open(&f, "proj_rebuild");
    f.batch_max = 500;
    pf_append(&f, "thing.table", 0, 0);
    for (int i = 0; i < 600; i++)
        pf_append(&f, "thing.created", i, i);
    /* More than FL_PROJ_REBUILD_CHUNK events: the bulk replay takes several transactions. */
    for (int i = 0; i < FL_PROJ_REBUILD_CHUNK; i++)
        pf_append(&f, i % 7 == 0 ? "thing.ignored" : "thing.renamed", (i * 13) % 600, i);
    pf_start(&f);
    ck_assert(pf_wait(&f, pf_head(&f), 60000));
    assert_model(&f);
    before = pf_dump(&f);
    pf_stop(&f);
    rebuild(&f);
    after = pf_dump(&f);
    ck_assert_str_eq(after, before);
    assert_model(&f);
    ck_assert_int_eq(count(&f, "SELECT count(*) FROM pg_namespace"
                               " WHERE nspname IN ('shadow_acme', 'old_acme')"),
                     0);
    ck_assert_int_eq(count(&f, "SELECT count(*) FROM public.schema_migrations"
                               " WHERE scope = 'shadow_acme'"),
                     0);
    ck_assert_int_ge(count(&f, "SELECT count(*) FROM public.schema_migrations"
                               " WHERE scope = 'tenant_acme'"),
                     1);
    /* Migrating the tenant again finds everything applied. */
    int applied = -1;
    ck_assert_int_eq(fl_migrate_tenant(f.c, "acme", &applied), 0);
    ck_assert_int_eq(applied, 0);
    free(before);
    free(after);
    pf_close(&f);
}
END_TEST

START_TEST(live_projector_continues_after_a_swap)
{
    pf_t f;

    pf_open(&f, "proj_swap");
    pf_append(&f, "thing.table", 0, 0);
    for (int i = 0; i < 40; i++)
        pf_append(&f, "thing.created", i, i);
    pf_start(&f);
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    /* Appended and kicked, but the loop does not run: the projector is behind the rebuild. */
    for (int i = 0; i < 30; i++)
        pf_append(&f, "thing.renamed", i, 100 + i);
    rebuild(&f);
    ck_assert_uint_eq(pf_checkpoint(&f), pf_head(&f));
    /* Its conditional move fails; it reads the new checkpoint and applies nothing twice. */
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    for (int i = 0; i < 10; i++)
        pf_append(&f, "thing.renamed", i, 200 + i);
    ck_assert(pf_wait(&f, pf_head(&f), 10000));
    assert_model(&f);
    /* A rebuild of a schema the projector had never seen (dropped by hand) works too. */
    pf_stop(&f);
    free(pgfix_exec1(f.c, NULL, "DROP SCHEMA tenant_acme CASCADE"));
    free(
        pgfix_exec1(f.c, NULL, "DELETE FROM public.schema_migrations WHERE scope = 'tenant_acme'"));
    rebuild(&f);
    assert_model(&f);
    pf_close(&f);
}
END_TEST

typedef struct rebuilder {
    const char *conninfo;
    fl_log_t *log;
    atomic_int done;
    int rc;
    char err[512];
} rebuilder_t;

static void *rebuild_thread(void *arg)
{
    rebuilder_t *r = arg;
    fl_store_conn_t *c = NULL;

    r->rc = fl_store_sync_open(&c, r->conninfo);
    if (r->rc == 0)
        r->rc = fl_projector_rebuild(c, r->log, "acme", pf_handlers, NULL);
    snprintf(r->err, sizeof(r->err), "%s", fl_store_sync_error(c));
    fl_store_sync_close(c);
    atomic_store(&r->done, 1);
    return NULL;
}

START_TEST(swap_while_the_live_projector_runs)
{
    rebuilder_t r = {0};
    pthread_t th;
    int k = 0;
    pf_t f;

    pf_open(&f, "proj_live_swap");
    f.batch_max = 5;
    pf_append(&f, "thing.table", 0, 0);
    for (int i = 0; i < 300; i++)
        pf_append(&f, "thing.created", i, i);
    pf_start(&f);
    r.conninfo = f.conninfo;
    r.log = f.log;
    ck_assert_int_eq(pthread_create(&th, NULL, rebuild_thread, &r), 0);
    /* Writes keep arriving and being projected while the rebuild runs and swaps. */
    while (!atomic_load(&r.done) || k < 200) {
        pf_append(&f, "thing.renamed", k % 300, 1000 + k);
        k++;
        pf_run_for(&f, 2);
    }
    pthread_join(th, NULL);
    ck_assert_msg(r.rc == 0, "rebuild: %s: %s", fl_strerror(r.rc), r.err);
    ck_assert(pf_wait(&f, pf_head(&f), 20000));
    assert_model(&f);
    pf_close(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rebuild");
    TCase *tc = tcase_create("rebuild");

    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, rebuild_equals_incremental);
    tcase_add_test(tc, live_projector_continues_after_a_swap);
    tcase_add_test(tc, swap_while_the_live_projector_runs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pgfix_main(suite());
}

/*
 * The asynchronous pool against a real PostgreSQL on a uv loop: many more
 * queries than connections, a bounded queue, transactions that either land
 * whole or not at all, error codes, verbatim parameters, tenant schemas, and
 * PostgreSQL going away and coming back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgfix.h"

#include "firelater/clock.h"
#include "firelater/err.h"
#include "firelater/store.h"

/* What one query's callback saw. */
typedef struct seen {
    int done;
    int err;
    char sqlstate[6];
    int failed_stmt;
    int rows;
    char first[256];
    bool first_null;
} seen_t;

static void on_res(fl_store_res_t *r, void *ctx)
{
    seen_t *s = ctx;
    const char *v = fl_store_res_value(r, 0, 0);

    s->err = fl_store_res_err(r);
    snprintf(s->sqlstate, sizeof(s->sqlstate), "%s", fl_store_res_sqlstate(r));
    s->failed_stmt = fl_store_res_failed_stmt(r);
    s->rows = fl_store_res_rows(r);
    snprintf(s->first, sizeof(s->first), "%s", v != NULL ? v : "");
    s->first_null = fl_store_res_isnull(r, 0, 0);
    s->done++;
}

typedef struct env {
    uv_loop_t loop;
    fl_store_t *st;
    char *conninfo;
    int closed;
} env_t;

static void on_closed(fl_store_t *st)
{
    (void)st;
}

/* A fresh database migrated for tenants a and b, and a store with options o on it. */
static void env_open_with(env_t *e, const char *db, const fl_store_opts_t *o)
{
    const char *slugs[] = {"aa", "bb"};
    fl_store_conn_t *c;
    int up = 0;

    e->conninfo = pgfix_newdb(db);
    c = pgfix_sync(e->conninfo);
    ck_assert_int_eq(fl_migrate_all(c, slugs, 2, NULL), 0);
    fl_store_sync_close(c);
    uv_loop_init(&e->loop);
    ck_assert_int_eq(fl_store_init(&e->st, &e->loop, e->conninfo, o), 0);
    for (int64_t end = fl_clock_mono() + 5000000; !up && fl_clock_mono() < end;) {
        uv_run(&e->loop, UV_RUN_ONCE);
        up = fl_store_is_up(e->st);
    }
    ck_assert(up);
}

/* As env_open_with, a store of pool connections and a queue of queue_max. */
static void env_open(env_t *e, const char *db, int pool, int queue_max)
{
    fl_store_opts_t o = {
        .pool_size = pool, .queue_max = queue_max, .backoff_min_ms = 50, .backoff_max_ms = 400};
    env_open_with(e, db, &o);
}

static void env_close(env_t *e)
{
    fl_store_close(e->st, on_closed);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&e->loop), 0);
    free(e->conninfo);
}

/* Runs one query to completion. */
static void q(env_t *e, const char *schema, const char *sql, int n, const char *const *p, seen_t *s)
{
    memset(s, 0, sizeof(*s));
    ck_assert_int_eq(fl_store_query(e->st, schema, sql, n, p, on_res, s), 0);
    pgfix_run_until(&e->loop, &s->done, 1, 10000);
}

START_TEST(test_many_more_than_pool)
{
    enum { N = 300 };
    env_t e;
    seen_t *s = calloc(N, sizeof(*s));
    int done = 0;

    env_open(&e, "pool_many", 3, N);
    for (int i = 0; i < N; i++) {
        char v[16];
        const char *p[] = {v};

        snprintf(v, sizeof(v), "%d", i);
        ck_assert_int_eq(fl_store_query(e.st, i % 2 ? "tenant_aa" : NULL, "SELECT $1::int * 2", 1,
                                        p, on_res, &s[i]),
                         0);
    }
    for (int64_t end = fl_clock_mono() + 20000000; fl_clock_mono() < end;) {
        done = 0;
        for (int i = 0; i < N; i++)
            done += s[i].done;
        if (done == N)
            break;
        uv_run(&e.loop, UV_RUN_ONCE);
    }
    ck_assert_int_eq(done, N);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(s[i].err, 0);
        ck_assert_int_eq(s[i].done, 1);
        ck_assert_int_eq((int)strtol(s[i].first, NULL, 10), 2 * i);
    }
    free(s);
    env_close(&e);
}
END_TEST

START_TEST(test_queue_bound)
{
    env_t e;
    seen_t s[3];
    seen_t extra;

    memset(s, 0, sizeof(s));
    env_open(&e, "pool_bound", 1, 2);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(
            fl_store_query(e.st, NULL, "SELECT pg_sleep(0.05)", 0, NULL, on_res, &s[i]), 0);
    ck_assert_int_eq(fl_store_query(e.st, NULL, "SELECT 1", 0, NULL, on_res, &extra), FL_EUNAVAIL);
    pgfix_run_until(&e.loop, &s[2].done, 1, 10000);
    ck_assert_int_eq(s[0].err + s[1].err + s[2].err, 0);
    env_close(&e);
}
END_TEST

static const char *const ins_user =
    "INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), $1, $2)";

START_TEST(test_txn_all_or_nothing)
{
    env_t e;
    seen_t s, c;
    const char *a[] = {"a@x.test", "A"}, *b[] = {"b@x.test", "B"};
    const char *ck[] = {"main", "7"};
    fl_store_stmt_t bad[] = {{ins_user, 2, a}, {ins_user, 2, b}, {ins_user, 2, a}};
    fl_store_stmt_t good[] = {
        {ins_user, 2, a},
        {ins_user, 2, b},
        {"INSERT INTO projector_checkpoint (name, position) VALUES ($1, $2)"
         " ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position RETURNING position",
         2, ck}};

    env_open(&e, "pool_txn", 2, 16);
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn(e.st, "tenant_aa", bad, 3, on_res, &s), 0);
    pgfix_run_until(&e.loop, &s.done, 1, 10000);
    ck_assert_int_eq(s.err, FL_EEXIST);
    ck_assert_str_eq(s.sqlstate, "23505");
    ck_assert_int_eq(s.failed_stmt, 2);
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &c);
    ck_assert_str_eq(c.first, "0");

    /* The connections are usable after the rollback, and a good batch lands whole. */
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn(e.st, "tenant_aa", good, 3, on_res, &s), 0);
    pgfix_run_until(&e.loop, &s.done, 1, 10000);
    ck_assert_int_eq(s.err, 0);
    ck_assert_int_eq(s.failed_stmt, -1);
    ck_assert_str_eq(s.first, "7"); /* the last statement's rows */
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &c);
    ck_assert_str_eq(c.first, "2");
    q(&e, "tenant_bb", "SELECT count(*) FROM users", 0, NULL, &c);
    ck_assert_str_eq(c.first, "0");
    env_close(&e);
}
END_TEST

/* Counts callbacks of a chain's transactions, in the order they ran. */
typedef struct chain_seen {
    seen_t s;
    int *order; /* shared: the next index, then where this one came */
    int at;
} chain_seen_t;

static void on_chained(fl_store_res_t *r, void *ctx)
{
    chain_seen_t *c = ctx;

    on_res(r, &c->s);
    c->at = (*c->order)++;
}

/*
 * Submits transactions from..to-1 of one chain, the i-th moving the row "c" of
 * projector_checkpoint from i to i + 1 (it touches no row out of order) and
 * returning its backend's pid.
 */
static void submit_chain(env_t *e, fl_store_chain_t *chain, chain_seen_t *cs, int from, int to,
                         int *order)
{
    static const char *const move =
        "UPDATE projector_checkpoint SET position = $2::bigint + 1 WHERE name = $1"
        " AND position = $2::bigint RETURNING pg_backend_pid()";

    for (int i = from; i < to; i++) {
        char pos[16];
        const char *p[] = {"c", pos};
        fl_store_stmt_t st[] = {{"SELECT $1::text", 1, p}, {move, 2, p}};

        snprintf(pos, sizeof(pos), "%d", i);
        memset(&cs[i], 0, sizeof(cs[i]));
        cs[i].order = order;
        ck_assert_int_eq(fl_store_txn_chained(e->st, chain, "tenant_aa", st, 2, on_chained, &cs[i]),
                         0);
    }
}

/* Runs the loop until transactions 0..n-1 answered. */
static void wait_chain(env_t *e, chain_seen_t *cs, int n)
{
    int done;

    for (int64_t end = fl_clock_mono() + 20000000; fl_clock_mono() < end;) {
        done = 0;
        for (int i = 0; i < n; i++)
            done += cs[i].s.done;
        if (done == n)
            break;
        uv_run(&e->loop, UV_RUN_ONCE);
    }
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(cs[i].s.done, 1);
}

/* Submits n transactions of one chain at once and waits for them all. */
static void run_chain(env_t *e, fl_store_chain_t *chain, chain_seen_t *cs, int n, int *order)
{
    submit_chain(e, chain, cs, 0, n, order);
    wait_chain(e, cs, n);
}

/* Each of the chain's n transactions moved the row once, in submission order. */
static void assert_chain_order(const chain_seen_t *cs, int n)
{
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(cs[i].s.err, 0);
        ck_assert_int_eq(cs[i].s.rows, 1); /* it found the row where the one before left it */
        ck_assert_int_eq(cs[i].at, i);
    }
}

/*
 * A chain's transactions run in submission order on one connection, also when
 * every connection is busy as they are submitted; the store's other work goes on
 * beside them; chain->inflight is back at 0 once all answered.
 */
START_TEST(test_chain_in_order)
{
    enum { N = 20 };
    env_t e;
    seen_t c, sleeps[3];
    chain_seen_t cs[N];
    fl_store_chain_t chain = {0};
    int order = 0;
    static const char *const reset =
        "UPDATE projector_checkpoint SET position = 0 WHERE name = 'c'";

    env_open(&e, "pool_chain", 3, 256);
    q(&e, "tenant_aa", "INSERT INTO projector_checkpoint (name, position) VALUES ('c', 0)", 0, NULL,
      &c);
    ck_assert_int_eq(c.err, 0);
    run_chain(&e, &chain, cs, N, &order);
    assert_chain_order(cs, N);
    for (int i = 0; i < N; i++)
        ck_assert_str_eq(cs[i].s.first, cs[0].s.first); /* one backend */
    ck_assert_int_eq((int)chain.inflight, 0);
    ck_assert_ptr_null(chain.conn);

    /* Every connection busy: the chain waits in the queue, and still keeps its order. */
    q(&e, "tenant_aa", reset, 0, NULL, &c);
    ck_assert_int_eq(c.err, 0);
    memset(sleeps, 0, sizeof(sleeps));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(
            fl_store_query(e.st, NULL, "SELECT pg_sleep(0.05)", 0, NULL, on_res, &sleeps[i]), 0);
    order = 0;
    run_chain(&e, &chain, cs, N, &order);
    assert_chain_order(cs, N);
    for (int i = 0; i < 3; i++)
        pgfix_run_until(&e.loop, &sleeps[i].done, 1, 10000);

    /*
     * One connection frees up and takes the chain's first transaction while the
     * rest still wait in the queue; those submitted now go behind the queued ones,
     * not straight behind the running one.
     */
    q(&e, "tenant_aa", reset, 0, NULL, &c);
    memset(sleeps, 0, sizeof(sleeps));
    ck_assert_int_eq(
        fl_store_query(e.st, NULL, "SELECT pg_sleep(0.05)", 0, NULL, on_res, &sleeps[0]), 0);
    for (int i = 1; i < 3; i++)
        ck_assert_int_eq(
            fl_store_query(e.st, NULL, "SELECT pg_sleep(0.5)", 0, NULL, on_res, &sleeps[i]), 0);
    order = 0;
    submit_chain(&e, &chain, cs, 0, N / 2, &order);
    pgfix_run_until(&e.loop, &sleeps[0].done, 1, 10000);
    ck_assert_int_eq((int)chain.inflight, 1);
    ck_assert_int_eq((int)chain.queued, N / 2 - 1);
    submit_chain(&e, &chain, cs, N / 2, N, &order);
    wait_chain(&e, cs, N);
    assert_chain_order(cs, N);
    ck_assert_int_eq((int)chain.queued, 0);
    for (int i = 1; i < 3; i++)
        pgfix_run_until(&e.loop, &sleeps[i].done, 1, 10000);
    q(&e, "tenant_aa", "SELECT position FROM projector_checkpoint WHERE name = 'c'", 0, NULL, &c);
    ck_assert_str_eq(c.first, "20");
    ck_assert_int_eq((int)chain.inflight, 0);
    env_close(&e);
}
END_TEST

/*
 * A chained transaction behind one that fails fails too, on its BEGIN (25P02),
 * changing nothing; the connection is then rolled back once and reused, and
 * the chain goes on.
 */
START_TEST(test_chain_behind_failure)
{
    env_t e;
    seen_t s[4], c;
    const char *a[] = {"a@x.test", "A"}, *b[] = {"b@x.test", "B"}, *d[] = {"d@x.test", "D"};
    fl_store_stmt_t first[] = {{ins_user, 2, a}};
    fl_store_stmt_t dup[] = {{ins_user, 2, b}, {ins_user, 2, a}};
    fl_store_stmt_t after[] = {{ins_user, 2, d}};
    fl_store_chain_t chain = {0};

    env_open(&e, "pool_chain_fail", 2, 16);
    memset(s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn_chained(e.st, &chain, "tenant_aa", first, 1, on_res, &s[0]), 0);
    ck_assert_int_eq(fl_store_txn_chained(e.st, &chain, "tenant_aa", dup, 2, on_res, &s[1]), 0);
    ck_assert_int_eq(fl_store_txn_chained(e.st, &chain, "tenant_aa", after, 1, on_res, &s[2]), 0);
    ck_assert_int_eq((int)chain.inflight, 3);
    pgfix_run_until(&e.loop, &s[2].done, 1, 10000);
    ck_assert_int_eq(s[0].err, 0);
    ck_assert_int_eq(s[1].err, FL_EEXIST);
    ck_assert_int_eq(s[1].failed_stmt, 1);
    ck_assert_int_ne(s[2].err, 0);
    ck_assert_str_eq(s[2].sqlstate, "25P02");
    ck_assert_int_eq(s[2].failed_stmt, -1);
    q(&e, "tenant_aa", "SELECT string_agg(email, ',' ORDER BY email) FROM users", 0, NULL, &c);
    ck_assert_str_eq(c.first, "a@x.test"); /* neither b (rolled back) nor d (refused) */

    /* The chain goes on, on whichever connection. */
    ck_assert_int_eq(fl_store_txn_chained(e.st, &chain, "tenant_aa", after, 1, on_res, &s[3]), 0);
    pgfix_run_until(&e.loop, &s[3].done, 1, 10000);
    ck_assert_int_eq(s[3].err, 0);
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &c);
    ck_assert_str_eq(c.first, "2");
    env_close(&e);
}
END_TEST

/* What a transaction and a query of e's store see of the settings the options name. */
static void settings_seen(env_t *e, char txn[256], char query[256])
{
    static const char *const show = "SELECT current_setting('synchronous_commit') || ',' ||"
                                    " current_setting('enable_hashjoin') || ',' ||"
                                    " current_setting('enable_mergejoin')";
    fl_store_stmt_t st[] = {{"SELECT 1", 0, NULL}, {show, 0, NULL}};
    seen_t s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn(e->st, "tenant_aa", st, 2, on_res, &s), 0);
    pgfix_run_until(&e->loop, &s.done, 1, 10000);
    ck_assert_int_eq(s.err, 0);
    snprintf(txn, 256, "%s", s.first);
    q(e, "tenant_aa", show, 0, NULL, &s);
    ck_assert_int_eq(s.err, 0);
    snprintf(query, 256, "%s", s.first);
}

/* async_commit and index_joins reach the transactions, and only them. */
START_TEST(test_txn_settings)
{
    env_t e;
    char txn[256], query[256];
    fl_store_opts_t both = {.pool_size = 1, .async_commit = true, .index_joins = true};
    fl_store_opts_t async = {.pool_size = 1, .async_commit = true};
    fl_store_opts_t none = {.pool_size = 1};

    env_open_with(&e, "pool_settings", &both);
    settings_seen(&e, txn, query);
    ck_assert_str_eq(txn, "off,off,off");
    ck_assert_str_eq(query, "on,on,on"); /* same connection: the settings were local */
    env_close(&e);

    env_open_with(&e, "pool_settings", &async);
    settings_seen(&e, txn, query);
    ck_assert_str_eq(txn, "off,on,on");
    ck_assert_str_eq(query, "on,on,on");
    env_close(&e);

    env_open_with(&e, "pool_settings", &none);
    settings_seen(&e, txn, query);
    ck_assert_str_eq(txn, "on,on,on");
    env_close(&e);
}
END_TEST

START_TEST(test_error_codes)
{
    env_t e;
    seen_t s;
    const char *a[] = {"dup@x.test", "D"};

    env_open(&e, "pool_codes", 2, 16);
    q(&e, "tenant_aa", ins_user, 2, a, &s);
    ck_assert_int_eq(s.err, 0);
    q(&e, "tenant_aa", ins_user, 2, a, &s);
    ck_assert_int_eq(s.err, FL_EEXIST);
    ck_assert_str_eq(s.sqlstate, "23505");
    q(&e, "tenant_aa", "UPDATE users SET status = 'bogus'", 0, NULL, &s);
    ck_assert_int_eq(s.err, FL_ECONFLICT); /* 23514 check_violation */
    q(&e, NULL, "SELECT 'x'::int", 0, NULL, &s);
    ck_assert_int_eq(s.err, FL_EINVAL);
    q(&e, NULL, "SELEC 1", 0, NULL, &s);
    ck_assert_int_eq(s.err, FL_EIO);
    ck_assert_str_eq(s.sqlstate, "42601");
    /* Public only when no schema is given: a tenant's table is not visible. */
    q(&e, NULL, "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_int_eq(s.err, FL_EIO);
    ck_assert_str_eq(s.sqlstate, "42P01");
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_str_eq(s.first, "1");
    ck_assert_int_eq(fl_store_query(e.st, "tenant_aa\"; DROP", "SELECT 1", 0, NULL, on_res, &s),
                     FL_EINVAL);
    env_close(&e);
}
END_TEST

START_TEST(test_params_verbatim)
{
    static const char *const nasty[] = {
        "O'Brien",
        "\"quoted\"",
        "'); DROP TABLE users; --",
        "back\\slash \\' \\\\",
        "$1 $2 ?\?( %s %n",
        "line\nbreak\ttab",
        "ünïcödé ✓",
        "E'\\x41'",
        "",
    };
    env_t e;
    seen_t s;

    env_open(&e, "pool_verbatim", 2, 16);
    for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
        char email[32];
        const char *p[] = {email, nasty[i]};

        snprintf(email, sizeof(email), "u%zu@x.test", i);
        q(&e, "tenant_aa", ins_user, 2, p, &s);
        ck_assert_int_eq(s.err, 0);
        q(&e, "tenant_aa", "SELECT name FROM users WHERE email = $1", 1, p, &s);
        ck_assert_int_eq(s.rows, 1);
        ck_assert_str_eq(s.first, nasty[i]);
    }
    {
        const char *p[] = {NULL};

        q(&e, NULL, "SELECT $1::text", 1, p, &s);
        ck_assert(s.first_null);
    }
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_int_eq((int)strtol(s.first, NULL, 10), (int)(sizeof(nasty) / sizeof(nasty[0])));
    env_close(&e);
}
END_TEST

/* Queries until one succeeds; how many failed with FL_EUNAVAIL meanwhile. */
static int until_ok(env_t *e, int timeout_ms)
{
    int unavail = 0;
    seen_t s;

    for (int64_t end = fl_clock_mono() + (int64_t)timeout_ms * 1000; fl_clock_mono() < end;) {
        int rc;

        memset(&s, 0, sizeof(s));
        rc = fl_store_query(e->st, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, on_res, &s);
        if (rc == 0)
            pgfix_run_until(&e->loop, &s.done, 1, 10000);
        if (rc == 0 && s.err == 0)
            return unavail;
        ck_assert_int_eq(rc != 0 ? rc : s.err, FL_EUNAVAIL);
        unavail++;
        usleep(20000);
        uv_run(&e->loop, UV_RUN_NOWAIT);
    }
    ck_abort_msg("the store did not come back");
    return -1;
}

START_TEST(test_postgres_goes_away_and_back)
{
    env_t e;
    seen_t s[8];
    int rc;

    env_open(&e, "pool_away", 3, 64);
    ck_assert_int_eq(until_ok(&e, 5000), 0);
    pgfix_stop();
    /* In flight or queued at the loss, or refused at once: FL_EUNAVAIL, never a hang. */
    memset(s, 0, sizeof(s));
    for (int i = 0; i < 8; i++) {
        rc = fl_store_query(e.st, "tenant_aa", "SELECT 1", 0, NULL, on_res, &s[i]);
        if (rc != 0) {
            ck_assert_int_eq(rc, FL_EUNAVAIL);
            s[i].done = 1;
            s[i].err = rc;
        }
    }
    for (int i = 0; i < 8; i++) {
        pgfix_run_until(&e.loop, &s[i].done, 1, 10000);
        ck_assert_int_eq(s[i].err, FL_EUNAVAIL);
    }
    ck_assert(!fl_store_is_up(e.st));
    rc = fl_store_query(e.st, NULL, "SELECT 1", 0, NULL, on_res, &s[0]);
    ck_assert_int_eq(rc, FL_EUNAVAIL);
    pgfix_start();
    /* No operator: the pool reconnects by itself. */
    until_ok(&e, 15000);
    ck_assert(fl_store_is_up(e.st));
    env_close(&e);
}
END_TEST

/* This connection's prepared statements (the pool has one connection). */
static int prepared(env_t *e)
{
    seen_t s;
    q(e, NULL, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'fl\\_p%'", 0, NULL,
      &s);
    ck_assert_int_eq(s.err, 0);
    return (int)strtol(s.first, NULL, 10);
}

START_TEST(test_prepared_writes)
{
    env_t e;
    seen_t s;
    const char *a[] = {"p1@x.test", "P"}, *b[] = {"p2@x.test", "Q"}, *c[] = {"p3@x.test", "R"};
    const char *bad_sql = "INSERT INTO nosuch (id) VALUES ($1)";
    const char *ins_named = "INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), $1, $2)"
                            " RETURNING name";
    const char *t1[] = {"t1@x.test", "P"}, *t2[] = {"t2@x.test", "Q"};
    fl_store_stmt_t twice[] = {{ins_named, 2, t1}, {ins_named, 2, t2}};
    fl_store_stmt_t fails_late[] = {{ins_user, 2, c}, {bad_sql, 1, a}};
    fl_store_conn_t *sc;

    env_open(&e, "pool_prepared", 1, 16);
    ck_assert_int_eq(prepared(&e), 0);
    /* A write is prepared once per (schema, text); reads are not prepared. */
    q(&e, "tenant_aa", ins_user, 2, a, &s);
    ck_assert_int_eq(s.err, 0);
    ck_assert_int_eq(prepared(&e), 1);
    q(&e, "tenant_aa", ins_user, 2, b, &s);
    ck_assert_int_eq(s.err, 0);
    ck_assert_int_eq(prepared(&e), 1);
    q(&e, "tenant_bb", ins_user, 2, a, &s);
    ck_assert_int_eq(s.err, 0);
    ck_assert_int_eq(prepared(&e), 2);
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_str_eq(s.first, "2");
    ck_assert_int_eq(prepared(&e), 2);

    /* The same text twice in one pipeline: parsed once, both run, the last one's rows kept. */
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn(e.st, "tenant_bb", twice, 2, on_res, &s), 0);
    pgfix_run_until(&e.loop, &s.done, 1, 10000);
    ck_assert_int_eq(s.err, 0);
    ck_assert_str_eq(s.first, "Q");
    ck_assert_int_eq(prepared(&e), 3);

    /* A Parse that fails names its statement; a rolled-back transaction keeps the others. */
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fl_store_txn(e.st, "tenant_aa", fails_late, 2, on_res, &s), 0);
    pgfix_run_until(&e.loop, &s.done, 1, 10000);
    ck_assert_int_eq(s.err, FL_EIO);
    ck_assert_str_eq(s.sqlstate, "42P01");
    ck_assert_int_eq(s.failed_stmt, 1);
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_str_eq(s.first, "2");
    q(&e, "tenant_aa", ins_user, 2, c, &s);
    ck_assert_int_eq(s.err, 0);
    q(&e, "tenant_aa", bad_sql, 1, a, &s);
    ck_assert_str_eq(s.sqlstate, "42P01"); /* parsed again, not "does not exist" */
    ck_assert_int_eq(prepared(&e), 3);

    /* A new session prepares afresh. */
    sc = pgfix_sync(e.conninfo);
    free(pgfix_exec1(sc, NULL,
                     "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    fl_store_sync_close(sc);
    until_ok(&e, 15000);
    ck_assert_int_eq(prepared(&e), 0);
    q(&e, "tenant_aa", ins_user, 2, (const char *const[]){"p4@x.test", "S"}, &s);
    ck_assert_int_eq(s.err, 0);
    ck_assert_int_eq(prepared(&e), 1);
    q(&e, "tenant_aa", "SELECT count(*) FROM users", 0, NULL, &s);
    ck_assert_str_eq(s.first, "4");
    env_close(&e);
}
END_TEST

START_TEST(test_close_fails_queued)
{
    env_t e;
    seen_t s[4];

    memset(s, 0, sizeof(s));
    env_open(&e, "pool_close", 1, 16);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(fl_store_query(e.st, NULL, "SELECT pg_sleep(0.2)", 0, NULL, on_res, &s[i]),
                         0);
    fl_store_close(e.st, on_closed);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s[i].done, 1);
        ck_assert_int_eq(s[i].err, FL_EUNAVAIL);
    }
    uv_run(&e.loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&e.loop), 0);
    free(e.conninfo);
}
END_TEST

START_TEST(test_sync_face)
{
    char *info = pgfix_newdb("pool_sync");
    fl_store_conn_t *c = pgfix_sync(info);
    const char *a[] = {"s@x.test", "S"};
    fl_store_stmt_t t[] = {{ins_user, 2, a}, {ins_user, 2, a}};
    fl_store_res_t *r = NULL;

    ck_assert_int_eq(fl_migrate_tenant(c, "aa", NULL), 0);
    ck_assert_int_eq(fl_store_sync_txn(c, "tenant_aa", t, 2, &r), FL_EEXIST);
    ck_assert_int_eq(fl_store_res_failed_stmt(r), 1);
    fl_store_res_free(r);
    ck_assert_int_eq(fl_store_sync_exec(c, "tenant_aa", ins_user, 2, a, &r), 0);
    ck_assert_int_eq(fl_store_res_affected(r), 1);
    fl_store_res_free(r);
    ck_assert_int_eq(
        fl_store_sync_exec(c, "tenant_aa", "SELECT email, name FROM users", 0, NULL, &r), 0);
    ck_assert_int_eq(fl_store_res_rows(r), 1);
    ck_assert_int_eq(fl_store_res_col(r, "name"), 1);
    ck_assert_str_eq(fl_store_res_value(r, 0, 1), "S");
    ck_assert_ptr_null(fl_store_res_value(r, 1, 0));
    fl_store_res_free(r);
    fl_store_sync_close(c);
    free(info);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("store_pool");
    TCase *tc = tcase_create("pool");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_many_more_than_pool);
    tcase_add_test(tc, test_queue_bound);
    tcase_add_test(tc, test_txn_all_or_nothing);
    tcase_add_test(tc, test_txn_settings);
    tcase_add_test(tc, test_chain_in_order);
    tcase_add_test(tc, test_chain_behind_failure);
    tcase_add_test(tc, test_error_codes);
    tcase_add_test(tc, test_params_verbatim);
    tcase_add_test(tc, test_prepared_writes);
    tcase_add_test(tc, test_close_fails_queued);
    tcase_add_test(tc, test_sync_face);
    tcase_add_test(tc, test_postgres_goes_away_and_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pgfix_main(suite());
}

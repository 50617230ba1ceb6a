/*
 * The pool: jobs go to an idle connection at once, else wait in a bounded
 * FIFO. The store is "down" once no connection is open after a loss or a
 * failed attempt: then nothing waits (a caller answers 503 at once rather
 * than piling up work) until a connection opens again.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const fl_store_opts_t defaults = {
    .pool_size = 4,
    .queue_max = 1024,
    .backoff_min_ms = 100,
    .backoff_max_ms = 5000,
    .connect_timeout_ms = 10000,
};

static void opts_fill(fl_store_opts_t *o, const fl_store_opts_t *in)
{
    *o = defaults;
    if (in == NULL)
        return;
    if (in->pool_size > 0)
        o->pool_size = in->pool_size;
    if (in->queue_max > 0)
        o->queue_max = in->queue_max;
    if (in->backoff_min_ms > 0)
        o->backoff_min_ms = in->backoff_min_ms;
    if (in->backoff_max_ms >= o->backoff_min_ms)
        o->backoff_max_ms = in->backoff_max_ms;
    if (in->connect_timeout_ms > 0)
        o->connect_timeout_ms = in->connect_timeout_ms;
    o->async_commit = in->async_commit;
    o->index_joins = in->index_joins;
}

int fl_store_init(fl_store_t **out, uv_loop_t *loop, const char *conninfo,
                  const fl_store_opts_t *opts)
{
    fl_store_t *st;

    if (out == NULL || loop == NULL || conninfo == NULL)
        return FL_EINVAL;
    st = calloc(1, sizeof(*st));
    if (st == NULL)
        fl_oom();
    st->loop = loop;
    opts_fill(&st->opts, opts);
    st->conninfo = strdup(conninfo);
    st->conns = calloc((size_t)st->opts.pool_size, sizeof(*st->conns));
    if (st->conninfo == NULL || st->conns == NULL)
        fl_oom();
    for (int i = 0; i < st->opts.pool_size; i++)
        fl__store_conn_init(st, &st->conns[i]);
    for (int i = 0; i < st->opts.pool_size; i++)
        fl__store_conn_connect(&st->conns[i]);
    *out = st;
    return 0;
}

static fl__store_pconn_t *idle_conn(fl_store_t *st)
{
    for (int i = 0; i < st->opts.pool_size; i++) {
        if (st->conns[i].state == FL__CONN_IDLE)
            return &st->conns[i];
    }
    return NULL;
}

/* Takes job: 0 when it runs or waits, else an error and job is freed without its callback. */
static int submit(fl_store_t *st, fl__store_job_t *job)
{
    fl__store_pconn_t *c;
    int rc = FL_EUNAVAIL;

    if (st->closing || st->down)
        goto out_refuse;
    /* Behind the chain's transactions: queued ones first, else behind the running one. */
    if (job->chain != NULL && job->chain->queued > 0)
        goto out_queue;
    if ((c = fl__store_chain_conn(job)) != NULL) {
        rc = fl__store_conn_send(c, job);
        if (rc == 0)
            return 0;
        if (rc != FL_EUNAVAIL || st->down)
            goto out_refuse;
    }
    while ((c = idle_conn(st)) != NULL && st->head == NULL) {
        rc = fl__store_conn_send(c, job);
        if (rc == 0)
            return 0;
        if (rc != FL_EUNAVAIL || st->down)
            goto out_refuse;
    }
out_queue:
    rc = FL_EUNAVAIL;
    if (st->queued >= st->opts.queue_max)
        goto out_refuse;
    fl__store_queue_push(st, job);
    return 0;
out_refuse:
    free(job);
    return rc;
}

static bool stmt_ok(const char *sql, int nparams, const char *const *params)
{
    return sql != NULL && nparams >= 0 && (nparams == 0 || params != NULL);
}

int fl_store_query(fl_store_t *st, const char *schema, const char *sql, int nparams,
                   const char *const *params, fl_store_cb cb, void *ctx)
{
    fl_store_stmt_t s = {sql, nparams, params};

    if (cb == NULL || !stmt_ok(sql, nparams, params) ||
        (schema != NULL && !fl_store_schema_is_valid(schema)))
        return FL_EINVAL;
    return submit(st, fl__store_job_new(schema, false, &s, 1, cb, ctx));
}

int fl_store_txn(fl_store_t *st, const char *schema, const fl_store_stmt_t *stmts, int nstmts,
                 fl_store_cb cb, void *ctx)
{
    return fl_store_txn_chained(st, NULL, schema, stmts, nstmts, cb, ctx);
}

int fl_store_txn_chained(fl_store_t *st, fl_store_chain_t *chain, const char *schema,
                         const fl_store_stmt_t *stmts, int nstmts, fl_store_cb cb, void *ctx)
{
    if (cb == NULL || nstmts <= 0 || stmts == NULL ||
        (schema != NULL && !fl_store_schema_is_valid(schema)))
        return FL_EINVAL;
    for (int i = 0; i < nstmts; i++) {
        if (!stmt_ok(stmts[i].sql, stmts[i].nparams, stmts[i].params))
            return FL_EINVAL;
    }
    fl__store_job_t *job = fl__store_job_new(schema, true, stmts, nstmts, cb, ctx);
    job->async_commit = st->opts.async_commit;
    job->index_joins = st->opts.index_joins;
    job->chain = chain;
    return submit(st, job);
}

bool fl_store_is_up(const fl_store_t *st)
{
    return st->nup > 0 && !st->closing;
}

void fl__store_on_up(fl_store_t *st)
{
    st->down = false;
}

void fl__store_on_lost(fl_store_t *st)
{
    if (st->nup > 0)
        return;
    st->down = true;
    fl__store_queue_fail_all(st, "postgresql unavailable");
}

/*
 * A queued job whose connection breaks while it is sent fails; the next one
 * tries another. A chained job whose chain runs elsewhere goes behind it there.
 */
void fl__store_on_idle(fl__store_pconn_t *c)
{
    fl_store_t *st = c->st;
    fl__store_job_t *job;
    fl__store_pconn_t *to;

    while (!st->closing && c->state == FL__CONN_IDLE && (job = fl__store_queue_pop(st)) != NULL) {
        to = fl__store_chain_conn(job);
        if (fl__store_conn_send(to != NULL ? to : c, job) < 0)
            fl__store_job_fail(job, FL_EUNAVAIL, "postgresql unavailable");
    }
}

static void store_free(fl_store_t *st)
{
    fl_store_close_cb cb = st->close_cb;

    free(st->conns);
    free(st->conninfo);
    /* The callback gets the pointer only to tell which store closed. */
    if (cb != NULL)
        cb(st);
    free(st);
}

void fl__store_handle_closed(fl_store_t *st)
{
    if (--st->nclosing == 0 && st->closing)
        store_free(st);
}

void fl_store_close(fl_store_t *st, fl_store_close_cb cb)
{
    if (st->closing)
        return;
    st->closing = true;
    st->close_cb = cb;
    fl__store_queue_fail_all(st, "store closing");
    for (int i = 0; i < st->opts.pool_size; i++)
        fl__store_conn_close(&st->conns[i]);
}

/*
 * Jobs and the wait queue. A job copies its SQL and parameters into a single
 * allocation, so a caller's strings may die as soon as fl_store_query
 * returns, and a job is freed with one free() after its callback.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static size_t job_size(const fl_store_stmt_t *stmts, int nstmts)
{
    size_t n = sizeof(fl__store_job_t) + (size_t)nstmts * sizeof(fl_store_stmt_t);

    for (int i = 0; i < nstmts; i++) {
        n += strlen(stmts[i].sql) + 1 + (size_t)stmts[i].nparams * sizeof(char *);
        for (int j = 0; j < stmts[i].nparams; j++)
            n += stmts[i].params[j] != NULL ? strlen(stmts[i].params[j]) + 1 : 0;
    }
    return n;
}

/* Copies s to *p and moves *p past it. */
static char *put_str(char **p, const char *s)
{
    size_t n = strlen(s) + 1;
    char *dst = *p;

    memcpy(dst, s, n);
    *p += n;
    return dst;
}

static void copy_stmt(fl_store_stmt_t *dst, const fl_store_stmt_t *src, const char **params,
                      char **p)
{
    for (int j = 0; j < src->nparams; j++)
        params[j] = src->params[j] != NULL ? put_str(p, src->params[j]) : NULL;
    dst->sql = put_str(p, src->sql);
    dst->nparams = src->nparams;
    dst->params = params;
}

fl__store_job_t *fl__store_job_new(const char *schema, bool txn, const fl_store_stmt_t *stmts,
                                   int nstmts, fl_store_cb cb, void *ctx)
{
    fl__store_job_t *job = malloc(job_size(stmts, nstmts));
    const char **params;
    size_t nparams = 0;
    char *p;

    if (job == NULL)
        fl_oom();
    memset(job, 0, sizeof(*job));
    job->cb = cb;
    job->ctx = ctx;
    job->txn = txn;
    if (schema != NULL)
        memcpy(job->schema, schema, strlen(schema) + 1);
    job->nstmts = nstmts;
    job->stmts = (fl_store_stmt_t *)(job + 1);
    /* Every parameter array comes before the strings, so all stay aligned. */
    params = (const char **)(job->stmts + nstmts);
    for (int i = 0; i < nstmts; i++)
        nparams += (size_t)stmts[i].nparams;
    p = (char *)(params + nparams);
    for (int i = 0; i < nstmts; i++) {
        copy_stmt(&job->stmts[i], &stmts[i], params, &p);
        params += stmts[i].nparams;
    }
    return job;
}

void fl__store_job_finish(fl__store_job_t *job, fl_store_res_t *res)
{
    fl_store_chain_t *chain = job->chain;

    /* Before the callback, which may submit the chain's next transaction. */
    if (chain != NULL && job->sent && --chain->inflight == 0)
        chain->conn = NULL;
    fl__store_plan_free(&job->plan);
    job->cb(res, job->ctx);
    free(job);
}

void fl__store_job_fail(fl__store_job_t *job, int err, const char *msg)
{
    fl_store_res_t res;

    fl__store_res_init(&res);
    fl__store_res_fail(&res, err, msg);
    fl__store_job_finish(job, &res);
}

void fl__store_queue_push(fl_store_t *st, fl__store_job_t *job)
{
    if (job->chain != NULL)
        job->chain->queued++;
    job->next = NULL;
    if (st->tail != NULL)
        st->tail->next = job;
    else
        st->head = job;
    st->tail = job;
    st->queued++;
}

fl__store_job_t *fl__store_queue_pop(fl_store_t *st)
{
    fl__store_job_t *job = st->head;

    if (job == NULL)
        return NULL;
    st->head = job->next;
    if (st->head == NULL)
        st->tail = NULL;
    st->queued--;
    if (job->chain != NULL)
        job->chain->queued--;
    return job;
}

/* Callbacks may queue more: they see st->down or st->closing and are refused. */
void fl__store_queue_fail_all(fl_store_t *st, const char *msg)
{
    fl__store_job_t *job;

    while ((job = fl__store_queue_pop(st)) != NULL)
        fl__store_job_fail(job, FL_EUNAVAIL, msg);
}

/* A transaction's own settings, by [async_commit][index_joins]: one statement for all. */
static const char *const local_settings[2][2] = {
    {NULL, "SELECT set_config('enable_hashjoin', 'off', true),"
           " set_config('enable_mergejoin', 'off', true)"},
    {"SELECT set_config('synchronous_commit', 'off', true)",
     "SELECT set_config('synchronous_commit', 'off', true),"
     " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"},
};

/*
 * A query is [SET search_path] stmt; a transaction is BEGIN, its local
 * settings, SET LOCAL search_path, stmts, COMMIT. Everything goes out at once, then a sync: one
 * round trip whatever the number of statements.
 */
int fl__store_pipeline_send(PGconn *pg, const fl__store_job_t *job, const char *set_sql,
                            fl__store_preps_t *preps, fl__store_plan_t *plan)
{
    int ok = PQenterPipelineMode(pg);
    const char *schema = job->schema[0] != '\0' ? job->schema : "public";

    plan->n = 0;
    plan->first_user = -1;
    if (ok && job->txn) {
        ok = PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
        fl__store_plan_push(plan, -1, -1);
    }
    if (ok && (job->async_commit || job->index_joins)) {
        ok = PQsendQueryParams(pg, local_settings[job->async_commit][job->index_joins], 0, NULL,
                               NULL, NULL, NULL, 0);
        fl__store_plan_push(plan, -1, -1);
    }
    if (ok && set_sql != NULL) {
        ok = PQsendQueryParams(pg, set_sql, 0, NULL, NULL, NULL, NULL, 0);
        fl__store_plan_push(plan, -1, -1);
    }
    for (int i = 0; ok && i < job->nstmts; i++) {
        const fl_store_stmt_t *s = &job->stmts[i];
        bool parse = false;
        int e = preps != NULL ? fl__store_preps_find(preps, schema, s->sql, &parse) : -1;
        char name[24];

        if (e < 0) {
            ok = PQsendQueryParams(pg, s->sql, s->nparams, NULL, s->params, NULL, NULL, 0);
            fl__store_plan_push(plan, i, -1);
            continue;
        }
        fl__store_preps_name(preps, e, name, sizeof(name));
        if (parse) {
            ok = PQsendPrepare(pg, name, s->sql, s->nparams, NULL);
            fl__store_plan_push(plan, i, e);
        }
        if (ok) {
            ok = PQsendQueryPrepared(pg, name, s->nparams, s->params, NULL, NULL, 0);
            fl__store_plan_push(plan, i, -1);
        }
    }
    if (ok && job->txn) {
        ok = PQsendQueryParams(pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
        fl__store_plan_push(plan, -1, -1);
    }
    if (ok)
        ok = PQpipelineSync(pg);
    return ok ? 0 : FL_EUNAVAIL;
}

/*
 * The blocking face, for flctl and migrations: the same jobs and pipelines as
 * the pool, on a connection in blocking mode. It never runs on the server's
 * loop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

int fl__store_sync_seterr(fl_store_conn_t *c, int err, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    n = strlen(c->err);
    while (n > 0 && c->err[n - 1] == '\n')
        c->err[--n] = '\0';
    return err;
}

int fl_store_sync_open(fl_store_conn_t **out, const char *conninfo)
{
    fl_store_conn_t *c = calloc(1, sizeof(*c));

    if (c == NULL)
        fl_oom();
    *out = c;
    c->pg = PQconnectdb(conninfo != NULL ? conninfo : "");
    if (c->pg == NULL)
        fl_oom();
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return fl__store_sync_seterr(c, FL_EUNAVAIL, "%s", PQerrorMessage(c->pg));
    return 0;
}

void fl_store_sync_close(fl_store_conn_t *c)
{
    if (c == NULL)
        return;
    PQfinish(c->pg);
    free(c);
}

const char *fl_store_sync_error(const fl_store_conn_t *c)
{
    return c->err;
}

/* Reads one pipeline's results up to its sync into res. */
static void read_to_sync(PGconn *pg, const fl__store_job_t *job, int first, fl_store_res_t *res,
                         bool rollback)
{
    int slot = 0;

    for (;;) {
        PGresult *r = PQgetResult(pg);
        int user = slot - first;
        bool is_user = !rollback && user >= 0 && user < job->nstmts;

        if (r == NULL && PQstatus(pg) == CONNECTION_BAD) {
            fl__store_res_fail(res, FL_EUNAVAIL, PQerrorMessage(pg));
            return;
        }
        if (r == NULL) {
            slot++;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            return;
        }
        fl__store_res_take(res, r, is_user ? user : -1, is_user && user == job->nstmts - 1);
    }
}

static void run(fl_store_conn_t *c, const fl__store_job_t *job, fl_store_res_t *res)
{
    char set[2 * FL_STORE_SCHEMA_MAX + 40];
    fl__store_plan_t plan = {0};
    int first;

    if (fl__store_set_path_sql(set, sizeof(set), job->schema, job->txn) < 0 ||
        fl__store_pipeline_send(c->pg, job, set, NULL, &plan) < 0) {
        fl__store_plan_free(&plan);
        fl__store_res_fail(res, FL_EUNAVAIL, PQerrorMessage(c->pg));
        return;
    }
    first = plan.first_user >= 0 ? plan.first_user : plan.n; /* unprepared: in order */
    fl__store_plan_free(&plan);
    read_to_sync(c->pg, job, first, res, false);
    if (job->txn && res->err != 0 && PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        if (PQsendQueryParams(c->pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0) &&
            PQpipelineSync(c->pg))
            read_to_sync(c->pg, job, 0, res, true);
    }
    if (!PQexitPipelineMode(c->pg))
        fl__store_res_fail(res, FL_EIO, PQerrorMessage(c->pg));
}

/*
 * A single statement runs on its own (not pipelined after its SET), so that
 * statements refused inside a transaction block (CREATE DATABASE) work.
 */
static void run_one(fl_store_conn_t *c, const fl__store_job_t *job, fl_store_res_t *res)
{
    const char *target = job->schema[0] != '\0' ? job->schema : "public";
    const fl_store_stmt_t *s = &job->stmts[0];
    char set[2 * FL_STORE_SCHEMA_MAX + 40];
    PGresult *r;

    if (strcmp(c->path, target) != 0) {
        c->path[0] = '\0';
        if (fl__store_set_path_sql(set, sizeof(set), target, false) < 0 ||
            fl__store_sync_simple(c, set) < 0) {
            fl__store_res_fail(res, FL_EUNAVAIL, c->err);
            return;
        }
        memcpy(c->path, target, strlen(target) + 1);
    }
    r = PQexecParams(c->pg, s->sql, s->nparams, NULL, s->params, NULL, NULL, 0);
    if (r == NULL)
        fl__store_res_fail(res, FL_EUNAVAIL, PQerrorMessage(c->pg));
    else
        fl__store_res_take(res, r, -1, true);
}

static int sync_job(fl_store_conn_t *c, fl__store_job_t *job, fl_store_res_t **out)
{
    fl_store_res_t *res = fl__store_res_new();
    int rc;

    if (job->txn)
        run(c, job, res);
    else
        run_one(c, job, res);
    free(job);
    rc = res->err;
    if (rc != 0)
        fl__store_sync_seterr(c, rc, "%s", res->msg);
    if (out != NULL)
        *out = res;
    else
        fl_store_res_free(res);
    return rc;
}

int fl_store_sync_exec(fl_store_conn_t *c, const char *schema, const char *sql, int nparams,
                       const char *const *params, fl_store_res_t **res)
{
    fl_store_stmt_t s = {sql, nparams, params};

    if (res != NULL)
        *res = NULL;
    if (sql == NULL || nparams < 0 || (nparams > 0 && params == NULL) ||
        (schema != NULL && !fl_store_schema_is_valid(schema)))
        return fl__store_sync_seterr(c, FL_EINVAL, "invalid query or schema");
    return sync_job(c, fl__store_job_new(schema, false, &s, 1, NULL, NULL), res);
}

int fl_store_sync_txn(fl_store_conn_t *c, const char *schema, const fl_store_stmt_t *stmts,
                      int nstmts, fl_store_res_t **res)
{
    if (res != NULL)
        *res = NULL;
    if (stmts == NULL || nstmts <= 0 || (schema != NULL && !fl_store_schema_is_valid(schema)))
        return fl__store_sync_seterr(c, FL_EINVAL, "invalid transaction or schema");
    for (int i = 0; i < nstmts; i++) {
        if (stmts[i].sql == NULL || stmts[i].nparams < 0 ||
            (stmts[i].nparams > 0 && stmts[i].params == NULL))
            return fl__store_sync_seterr(c, FL_EINVAL, "invalid statement %d", i);
    }
    return sync_job(c, fl__store_job_new(schema, true, stmts, nstmts, NULL, NULL), res);
}

int fl__store_sync_simple(fl_store_conn_t *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    fl_store_res_t res;
    int rc;

    fl__store_res_init(&res);
    if (r == NULL)
        return fl__store_sync_seterr(c, FL_EUNAVAIL, "%s", PQerrorMessage(c->pg));
    rc = fl__store_res_take(&res, r, -1, false);
    if (rc != 0)
        fl__store_sync_seterr(c, rc, "%s", res.msg);
    fl__store_res_clear(&res);
    return rc;
}

/*
 * One pooled connection: a small state machine (internal.h's fl__conn_state_t)
 * driven by a uv_poll_t on libpq's socket and a reconnect timer.
 *
 *   WAIT --timer--> CONNECTING --PQconnectPoll OK--> IDLE <--job done-- BUSY
 *    ^                  |                             |  \--conn_send-->  |
 *    +----- failed -----+------------- lost ----------+-------------------+
 *
 * Every transition that loses the connection goes through conn_lost(), which
 * fails the running jobs with FL_EUNAVAIL and arms the timer with a delay that
 * doubles up to the store's maximum. Nothing here blocks: the socket is
 * non-blocking, output is flushed when the socket is writable, and results are
 * read only when PQisBusy() says they are complete.
 *
 * A busy connection may carry chained transactions behind its job (c->job,
 * then job->next up to c->last), each its own pipeline ending in its own sync.
 * Results come back in that order; when a job's sync arrives the next one's
 * results follow. A failed transaction leaves the session in a failed block:
 * with nothing behind it, one ROLLBACK follows; with jobs behind it, those
 * fail on their BEGIN (25P02) and the last of them sends the ROLLBACK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static void on_poll(uv_poll_t *h, int status, int events);
static void conn_read(fl__store_pconn_t *c);

static void conn_lost(fl__store_pconn_t *c, const char *why);

/* Detaches every job the connection runs; the caller fails them. */
static fl__store_job_t *take_jobs(fl__store_pconn_t *c)
{
    fl__store_job_t *jobs = c->job;

    c->job = c->last = NULL;
    return jobs;
}

static void fail_jobs(fl__store_job_t *job, const char *msg)
{
    while (job != NULL) {
        fl__store_job_t *next = job->next;
        fl__store_job_fail(job, FL_EUNAVAIL, msg);
        job = next;
    }
}

/*
 * The timer serves two purposes: it starts a connection after the backoff,
 * and it bounds an attempt, since PQconnectPoll has no timeout of its own.
 */
static void on_timer(uv_timer_t *t)
{
    fl__store_pconn_t *c = t->data;

    if (c->state == FL__CONN_CONNECTING)
        conn_lost(c, "connection attempt timed out");
    else
        fl__store_conn_connect(c);
}

static void on_closed(uv_handle_t *h)
{
    fl__store_pconn_t *c = h->data;

    if (h->type == UV_POLL)
        free(h);
    fl__store_handle_closed(c->st);
}

/* Notices (e.g. "schema already exists, skipping") are not errors; drop them. */
static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void poll_stop(fl__store_pconn_t *c)
{
    if (c->poll == NULL)
        return;
    uv_poll_stop(c->poll);
    c->st->nclosing++;
    uv_close((uv_handle_t *)c->poll, on_closed);
    c->poll = NULL;
    c->fd = -1;
    c->events = 0;
}

static int poll_want(fl__store_pconn_t *c, int events)
{
    int fd = PQsocket(c->pg);

    if (fd < 0)
        return FL_EUNAVAIL;
    if (c->poll != NULL && fd != c->fd)
        poll_stop(c);
    if (c->poll == NULL) {
        c->poll = malloc(sizeof(*c->poll));
        if (c->poll == NULL)
            fl_oom();
        if (uv_poll_init(c->st->loop, c->poll, fd) != 0) {
            free(c->poll);
            c->poll = NULL;
            return FL_EUNAVAIL;
        }
        c->poll->data = c;
        c->fd = fd;
    }
    if (events != c->events) {
        if (uv_poll_start(c->poll, events, on_poll) != 0)
            return FL_EUNAVAIL;
        c->events = events;
    }
    return 0;
}

static void conn_lost(fl__store_pconn_t *c, const char *why)
{
    fl_store_t *st = c->st;
    bool was_open = c->state == FL__CONN_IDLE || c->state == FL__CONN_BUSY;
    fl__store_job_t *jobs = take_jobs(c);
    char msg[FL__STORE_MSG_MAX];

    snprintf(msg, sizeof(msg), "postgresql unavailable: %s", why != NULL ? why : "");
    poll_stop(c);
    PQfinish(c->pg);
    c->pg = NULL;
    c->flushing = c->rolling_back = false;
    fl__store_res_clear(&c->res);
    if (c->preps != NULL)
        fl__store_preps_reset(c->preps); /* a new session prepares afresh */
    c->state = FL__CONN_WAIT;
    if (was_open)
        st->nup--;
    uv_timer_start(&c->timer, on_timer, c->backoff_ms, 0);
    c->backoff_ms =
        c->backoff_ms * 2 > st->opts.backoff_max_ms ? st->opts.backoff_max_ms : c->backoff_ms * 2;
    fail_jobs(jobs, msg);
    if (!st->closing)
        fl__store_on_lost(st);
}

static void connected(fl__store_pconn_t *c)
{
    if (PQsetnonblocking(c->pg, 1) != 0 || poll_want(c, UV_READABLE) < 0) {
        conn_lost(c, PQerrorMessage(c->pg));
        return;
    }
    if (c->preps == NULL && (c->preps = calloc(1, sizeof(*c->preps))) == NULL)
        fl_oom();
    uv_timer_stop(&c->timer);
    c->state = FL__CONN_IDLE;
    c->backoff_ms = c->st->opts.backoff_min_ms;
    c->path[0] = '\0';
    c->st->nup++;
    fl__store_on_up(c->st);
    fl__store_on_idle(c);
}

static void connect_step(fl__store_pconn_t *c, PostgresPollingStatusType ps)
{
    int events;

    if (ps == PGRES_POLLING_OK) {
        connected(c);
        return;
    }
    if (ps != PGRES_POLLING_READING && ps != PGRES_POLLING_WRITING) {
        conn_lost(c, PQerrorMessage(c->pg));
        return;
    }
    events = ps == PGRES_POLLING_READING ? UV_READABLE : UV_WRITABLE;
    /* libpq may open a new socket on any step (another address): watch afresh. */
    poll_stop(c);
    if (poll_want(c, events) < 0)
        conn_lost(c, "cannot watch the socket");
}

void fl__store_conn_init(fl_store_t *st, fl__store_pconn_t *c)
{
    memset(c, 0, sizeof(*c));
    c->st = st;
    c->fd = -1;
    c->state = FL__CONN_WAIT;
    c->backoff_ms = st->opts.backoff_min_ms;
    fl__store_res_init(&c->res);
    uv_timer_init(st->loop, &c->timer);
    c->timer.data = c;
}

void fl__store_conn_connect(fl__store_pconn_t *c)
{
    c->pg = PQconnectStart(c->st->conninfo);
    if (c->pg == NULL)
        fl_oom();
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    c->state = FL__CONN_CONNECTING;
    uv_timer_start(&c->timer, on_timer, c->st->opts.connect_timeout_ms, 0);
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(c, PQerrorMessage(c->pg));
        return;
    }
    connect_step(c, PGRES_POLLING_WRITING);
}

static int conn_flush(fl__store_pconn_t *c)
{
    int rc = PQflush(c->pg);

    if (rc < 0)
        return FL_EUNAVAIL;
    c->flushing = rc == 1;
    return poll_want(c, UV_READABLE | (c->flushing ? UV_WRITABLE : 0));
}

fl__store_pconn_t *fl__store_chain_conn(const fl__store_job_t *job)
{
    fl__store_pconn_t *c = job->chain != NULL ? job->chain->conn : NULL;

    return c != NULL && c->state == FL__CONN_BUSY ? c : NULL;
}

int fl__store_conn_send(fl__store_pconn_t *c, fl__store_job_t *job)
{
    const char *target = job->schema[0] != '\0' ? job->schema : "public";
    char set[2 * FL_STORE_SCHEMA_MAX + 40];
    const char *set_sql = NULL;
    bool behind = c->state == FL__CONN_BUSY;

    fl_assert(!behind || (job->txn && job->chain != NULL));
    /* A query's session search_path is kept and set only when it changes. */
    if (job->txn || strcmp(c->path, target) != 0) {
        if (fl__store_set_path_sql(set, sizeof(set), target, job->txn) < 0)
            return FL_EINVAL;
        set_sql = set;
    }
    if (!behind) {
        memcpy(c->target, target, strlen(target) + 1);
        c->state = FL__CONN_BUSY;
        c->slot = 0;
        fl__store_res_init(&c->res);
    }
    if (fl__store_pipeline_send(c->pg, job, set_sql, c->preps, &job->plan) < 0 ||
        conn_flush(c) < 0) {
        fl__store_plan_free(&job->plan);
        conn_lost(c, PQerrorMessage(c->pg));
        return FL_EUNAVAIL;
    }
    job->next = NULL;
    if (behind)
        c->last->next = job;
    else
        c->job = job;
    c->last = job;
    if (job->chain != NULL) {
        job->sent = true;
        job->chain->conn = c;
        job->chain->inflight++;
    }
    return 0;
}

static void finish(fl__store_pconn_t *c)
{
    fl__store_job_t *job = c->job;
    fl_store_res_t res = c->res;

    fl__store_res_init(&c->res);
    c->slot = 0;
    c->job = job->next;
    if (c->job != NULL) {
        /* The next chained transaction's results follow; stay in pipeline mode. */
        fl__store_job_finish(job, &res);
        PQclear(res.pg);
        return;
    }
    c->last = NULL;
    if (!PQexitPipelineMode(c->pg)) {
        fl__store_res_clear(&res);
        fl__store_res_fail(&res, FL_EIO, PQerrorMessage(c->pg));
    }
    /* A failed query's implicit transaction undid its SET too. */
    if (!job->txn && res.err == 0)
        memcpy(c->path, c->target, sizeof(c->path));
    else if (!job->txn)
        c->path[0] = '\0';
    c->state = FL__CONN_IDLE;
    fl__store_job_finish(job, &res);
    PQclear(res.pg);
    if (!c->st->closing && c->state == FL__CONN_IDLE)
        fl__store_on_idle(c);
}

/*
 * A failed transaction leaves the session in an aborted block: roll it back
 * first, unless chained transactions follow (they fail, and the last rolls back).
 */
static void sync_done(fl__store_pconn_t *c)
{
    PGconn *pg = c->pg;

    if (c->rolling_back || !c->job->txn || c->res.err == 0 || c->job->next != NULL ||
        PQtransactionStatus(pg) != PQTRANS_INERROR) {
        c->rolling_back = false;
        finish(c);
        return;
    }
    c->rolling_back = true;
    if (!PQsendQueryParams(pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0) || !PQpipelineSync(pg) ||
        conn_flush(c) < 0)
        conn_lost(c, PQerrorMessage(pg));
}

/* A result: a statement's (the last one's rows are kept), a Parse's, or ours. */
static void take(fl__store_pconn_t *c, PGresult *r)
{
    fl__store_slot_t sl = {-1, -1};

    if (!c->rolling_back && c->slot < c->job->plan.n)
        sl = c->job->plan.slots[c->slot];
    if (sl.prep >= 0) {
        fl__store_preps_settle(c->preps, sl.prep, PQresultStatus(r) == PGRES_COMMAND_OK);
        fl__store_res_take(&c->res, r, sl.stmt, false);
        return;
    }
    fl__store_res_take(&c->res, r, sl.stmt, sl.stmt >= 0 && sl.stmt == c->job->nstmts - 1);
}

static void conn_read(fl__store_pconn_t *c)
{
    while (c->job != NULL) {
        PGresult *r;

        if (PQstatus(c->pg) == CONNECTION_BAD) {
            conn_lost(c, PQerrorMessage(c->pg));
            return;
        }
        if (PQisBusy(c->pg))
            return;
        r = PQgetResult(c->pg);
        if (r == NULL) {
            c->slot++;
        } else if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            /* Read on: a chained job's results may be buffered already. */
            PQclear(r);
            sync_done(c);
        } else {
            take(c, r);
        }
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    fl__store_pconn_t *c = h->data;

    if (c->state == FL__CONN_CONNECTING) {
        connect_step(c, PQconnectPoll(c->pg));
        return;
    }
    if (status < 0 || ((events & UV_READABLE) && !PQconsumeInput(c->pg))) {
        conn_lost(c, status < 0 ? uv_strerror(status) : PQerrorMessage(c->pg));
        return;
    }
    if (c->flushing && conn_flush(c) < 0) {
        conn_lost(c, PQerrorMessage(c->pg));
        return;
    }
    if (c->state == FL__CONN_BUSY) {
        conn_read(c);
        return;
    }
    /* Idle: nothing is expected, but PostgreSQL may be closing the session. */
    for (PGnotify *n; (n = PQnotifies(c->pg)) != NULL;)
        PQfreemem(n);
    if (PQstatus(c->pg) == CONNECTION_BAD)
        conn_lost(c, PQerrorMessage(c->pg));
}

void fl__store_conn_close(fl__store_pconn_t *c)
{
    fl__store_job_t *jobs = take_jobs(c);

    uv_timer_stop(&c->timer);
    c->st->nclosing++;
    uv_close((uv_handle_t *)&c->timer, on_closed);
    poll_stop(c);
    PQfinish(c->pg);
    c->pg = NULL;
    if (c->state == FL__CONN_IDLE || c->state == FL__CONN_BUSY)
        c->st->nup--;
    c->state = FL__CONN_CLOSED;
    fl__store_res_clear(&c->res);
    if (c->preps != NULL)
        fl__store_preps_reset(c->preps);
    free(c->preps);
    c->preps = NULL;
    fail_jobs(jobs, "store closing");
}

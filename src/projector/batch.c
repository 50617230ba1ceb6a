/*
 * A tenant's batches: read the checkpoint, then repeatedly read events after
 * it, collect the handlers' statements and run them in one transaction that
 * also moves the checkpoint. The transitions are README.md's table; each
 * function below performs one of them.
 *
 * The checkpoint move is the transaction's first statement, not its last, and
 * it is conditional: it updates the row only if it still holds the position
 * this batch started from, and otherwise fails on purpose (below). First,
 * because a rebuild takes the live checkpoint table's lock before it drops
 * the schema: a batch that waits for that lock must hold no lock on any other
 * table of the schema, or the two would deadlock.
 *
 * Two batches may be in flight at once (opts.pipeline): the second is sent
 * while the first runs, from the position the first moves the checkpoint to,
 * chained behind it on the first's connection (fl_store_txn_chained), so
 * PostgreSQL starts it the moment the first ends, without the round trip
 * through the server in between. If the first commits, the second finds the
 * position it expects; if the first rolls back, the second fails on its BEGIN
 * in the failed session (25P02) or, if the first failed at its COMMIT, as
 * "moved": either way changing nothing, and decided by the first's outcome.
 * (Should the chain ever be broken, a second batch that reaches PostgreSQL
 * first fails as "moved" too, overtaken rather than rebuilt, and is sent
 * again: a "moved" only means a rebuild when the batch went out alone.) The
 * log is applied in order, each event once. A failure is acted on (backoff,
 * or reading a rebuilt checkpoint) only once every batch in flight has returned.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define SQL_CREATE                                                                                 \
    "INSERT INTO projector_checkpoint (name, position) VALUES ($1, 0)"                             \
    " ON CONFLICT (name) DO NOTHING"

/*
 * The conditional move. When the row no longer holds $2 (a rebuild swapped
 * the schema, or another projector of the same name ran), the cast of a text
 * that is not a number fails with 22P02 and a message that names the cause,
 * so the whole transaction rolls back through the store's ordinary error
 * path: no effect of this batch lands anywhere. The ELSE branch depends on
 * the aggregate, so the planner cannot fold it into an error at plan time.
 */
#define SQL_MOVE                                                                                   \
    "WITH moved AS (UPDATE projector_checkpoint SET position = $3, updated_at = now()"             \
    " WHERE name = $1 AND position = $2 RETURNING 1)"                                              \
    " SELECT CASE WHEN count(*) = 1 THEN 1"                                                        \
    " ELSE ('projector checkpoint moved: ' || count(*))::int END FROM moved"

#define SQLSTATE_MOVED   "22P02"
#define SQLSTATE_ABORTED "25P02" /* a chained batch behind one that failed */

static void report(fl__proj_tenant_t *t, const char *what, int rc, const char *detail)
{
    if (t->failing)
        return;
    t->failing = true;
    /* libpq's messages can run over several lines; a log line keeps the first. */
    fprintf(stderr, "firelater: projector: tenant '%s': %s: %s%s%.*s; retrying with backoff\n",
            t->slug, what, fl_strerror(rc), detail[0] != '\0' ? ": " : "",
            (int)strcspn(detail, "\n"), detail);
}

/* A failure: try again after a delay that doubles up to the maximum. */
static void backoff(fl__proj_tenant_t *t)
{
    const fl_projector_opts_t *o = &t->p->opts;

    if (t->closing) {
        t->state = FL__PROJ_IDLE;
        fl__proj_tenant_close(t);
        return;
    }
    t->backoff_ms = t->backoff_ms == 0 ? o->backoff_min_ms : t->backoff_ms * 2;
    if (t->backoff_ms > o->backoff_max_ms)
        t->backoff_ms = o->backoff_max_ms;
    t->state = FL__PROJ_BACKOFF;
    t->again = false;
    uv_timer_start(&t->timer, fl__proj_on_timer, t->backoff_ms, 0);
}

/* Kicks in one loop iteration share one run: the timer is only restarted. */
void fl__proj_schedule(fl__proj_tenant_t *t)
{
    t->state = FL__PROJ_IDLE;
    uv_timer_start(&t->timer, fl__proj_on_timer, 0, 0);
}

static void on_loaded(fl_store_res_t *res, void *ctx)
{
    fl__proj_tenant_t *t = ctx;
    int rc = fl_store_res_err(res);

    fl__proj_cache_epoch_end(t);
    if (rc == 0 && fl_store_res_rows(res) > 0) {
        t->applied = strtoull(fl_store_res_value(res, 0, 0), NULL, 10);
        t->row_missing = false;
    } else if (rc == 0) {
        t->applied = 0;
        t->row_missing = true;
    }
    if (rc < 0) {
        report(t, "cannot read the checkpoint", rc, fl_store_res_message(res));
        backoff(t);
        return;
    }
    t->known = true;
    t->sent = t->applied;
    if (t->closing) {
        t->state = FL__PROJ_IDLE;
        fl__proj_tenant_close(t);
        return;
    }
    fl__proj_wake(t);
    fl__proj_schedule(t);
}

void fl__proj_load(fl__proj_tenant_t *t)
{
    const char *params[1] = {t->p->name};
    int rc;

    t->known = false;
    t->state = FL__PROJ_LOADING;
    rc = fl_store_query(t->p->store, t->schema, FL__PROJ_SQL_READ, 1, params, on_loaded, t);
    if (rc < 0) {
        report(t, "cannot read the checkpoint", rc, "");
        backoff(t);
    }
}

/* The checkpoint statements in the slots reserved at the front of the batch. */
static int reserved_slots(const fl__proj_tenant_t *t)
{
    return t->row_missing ? 2 : 1;
}

static void fill_checkpoint(fl__proj_tenant_t *t, uint64_t from, uint64_t to)
{
    fl_proj_out_t *o = &t->out;
    const char **p = fl_arena_alloc(&o->arena, 3 * sizeof(*p));
    int i = 0;

    fl_assert(p != NULL);
    p[0] = t->p->name;
    p[1] = fl__proj_u64(o, from);
    p[2] = fl__proj_u64(o, to);
    if (t->row_missing)
        o->stmts[i++] = (fl_store_stmt_t){SQL_CREATE, 1, p};
    o->stmts[i] = (fl_store_stmt_t){SQL_MOVE, 3, p};
}

static void run_batch(fl__proj_tenant_t *t);

static void recovered(fl__proj_tenant_t *t)
{
    t->backoff_ms = 0;
    if (!t->failing)
        return;
    t->failing = false;
    fprintf(stderr, "firelater: projector: tenant '%s': applying again at position %" PRIu64 "\n",
            t->slug, t->applied);
}

/*
 * May another batch go out behind the ones in flight? Only on a known
 * checkpoint row, with a free slot, and while none of them has failed.
 */
static bool may_send(const fl__proj_tenant_t *t)
{
    return t->inflight < (int)t->p->opts.pipeline && !t->failed && !t->moved && !t->overtaken &&
           !t->row_missing && !t->closing;
}

/* After a commit: another batch at once while the log's head is beyond what was sent. */
static void after_commit(fl__proj_tenant_t *t)
{
    fl_log_head_t h;

    if (t->again || fl_log_head(t->log, &h) < 0 || h.pos > t->sent)
        run_batch(t);
    else if (t->inflight == 0)
        t->state = FL__PROJ_IDLE;
}

/* Every batch in flight has returned: act on what they found, together. */
static void settle(fl__proj_tenant_t *t)
{
    bool failed = t->failed, moved = t->moved;

    t->failed = t->moved = t->overtaken = false;
    t->sent = t->applied;
    if (t->closing) {
        t->state = FL__PROJ_IDLE;
        fl__proj_tenant_close(t);
    } else if (failed) {
        /* A batch behind a failed one finds the checkpoint where it was: not a rebuild. */
        backoff(t);
    } else if (moved) {
        /* Not a failure: the schema was rebuilt. Its checkpoint says where to go on. */
        fprintf(stderr,
                "firelater: projector: tenant '%s': checkpoint moved from %" PRIu64
                " (schema rebuilt?); reading it again\n",
                t->slug, t->applied);
        fl__proj_load(t);
    } else {
        after_commit(t);
    }
}

/*
 * A batch's transaction returned. With two in flight they may return in
 * either order (two connections): a batch can only commit after the one
 * before it did (its checkpoint move waits for that row and then needs the
 * position the first one wrote), so the checkpoint only ever moves forwards,
 * and a later batch's success implies the earlier one's.
 */
static void on_committed(fl_store_res_t *res, void *ctx)
{
    fl__proj_batch_t *b = ctx;
    fl__proj_tenant_t *t = b->t;
    int rc = fl_store_res_err(res);
    bool moved = rc < 0 && fl_store_res_failed_stmt(res) == b->reserved - 1 &&
                 strcmp(fl_store_res_sqlstate(res), SQLSTATE_MOVED) == 0;
    bool aborted = rc < 0 && fl_store_res_failed_stmt(res) < 0 &&
                   strcmp(fl_store_res_sqlstate(res), SQLSTATE_ABORTED) == 0;

    b->busy = false;
    t->inflight--;
    /* Whatever the outcome, the batch may have landed: answers read before are dropped. */
    fl__proj_cache_epoch_end(t);
    if (rc == 0) {
        if (b->last > t->applied)
            t->applied = b->last;
        if (b->reserved == 2)
            t->row_missing = false;
        recovered(t);
        fl__proj_wake(t);
    } else if ((moved || aborted) && b->behind) {
        /*
         * The batch before it failed (the session it ran in was left failed, or
         * the checkpoint stayed put), or it reached PostgreSQL first: that
         * batch's outcome decides; this one is sent again.
         */
        t->overtaken = true;
        t->n_resent++;
    } else if (moved) {
        t->moved = true;
    } else if (!t->closing) {
        report(t, "cannot apply a batch", rc, fl_store_res_message(res));
        t->failed = true;
    }
    if (t->inflight == 0)
        settle(t);
    else if (rc == 0 && may_send(t))
        after_commit(t);
}

static fl__proj_batch_t *free_batch(fl__proj_tenant_t *t)
{
    for (int i = 0; i < FL__PROJ_PIPELINE; i++)
        if (!t->batches[i].busy)
            return &t->batches[i];
    fl_assert(!"no free batch slot");
    return NULL;
}

static void run_batch(fl__proj_tenant_t *t)
{
    fl__proj_run_t run = {.after = t->sent, .max = t->p->opts.batch_max};
    fl__proj_batch_t *b;
    int rc;

    t->again = false;
    fl__proj_out_reset(&t->out, reserved_slots(t));
    rc = fl__proj_collect(&t->out, t->log, t->p->handlers, &run);
    if (rc < 0) {
        report(t, "cannot build a batch", rc, run.why);
        if (t->inflight == 0)
            backoff(t);
        else
            t->failed = true; /* settled when the batches in flight return */
        return;
    }
    if (run.count == 0) {
        if (t->inflight == 0)
            t->state = FL__PROJ_IDLE;
        return;
    }
    b = free_batch(t);
    *b = (fl__proj_batch_t){.t = t,
                            .behind = t->inflight > 0,
                            .reserved = reserved_slots(t),
                            .first = t->sent,
                            .last = run.last};
    fill_checkpoint(t, b->first, b->last);
    rc = fl_store_txn_chained(t->p->store, &t->chain, t->schema, t->out.stmts, t->out.n,
                              on_committed, b);
    /* The store copied the statements; the batch's memory can go now. */
    fl__proj_out_reset(&t->out, 0);
    if (rc < 0) {
        report(t, "cannot apply a batch", rc, "");
        if (t->inflight == 0)
            backoff(t);
        else
            t->failed = true;
        return;
    }
    b->busy = true;
    t->n_sent++;
    t->n_behind += b->behind;
    t->inflight++;
    t->sent = b->last;
    t->state = FL__PROJ_RUNNING;
}

/* A kick while batches are in flight: send the next one behind them if a slot is free. */
void fl__proj_kick_running(fl__proj_tenant_t *t)
{
    t->again = true;
    if (may_send(t))
        run_batch(t);
}

void fl__proj_run_now(fl__proj_tenant_t *t)
{
    /* A run scheduled on the timer is this one: it must not start a second batch. */
    uv_timer_stop(&t->timer);
    fl__proj_on_timer(&t->timer);
}

void fl__proj_on_timer(uv_timer_t *timer)
{
    fl__proj_tenant_t *t = timer->data;

    if (t->closing)
        return;
    if (!t->known)
        fl__proj_load(t);
    else
        run_batch(t);
}

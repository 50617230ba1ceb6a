/*
 * The command bus: decided commands go to their tenant's log in groups.
 *
 * While a tenant's group is being appended on the thread pool (one LMDB
 * transaction, one fsync), newly decided commands are staged; when the
 * append returns, the staged ones form the next group. So under load every
 * fsync carries everything that arrived during the previous one, and the
 * loop never waits for the disk. After the append the projector is kicked
 * and each command waits (bounded) until the read model holds its events,
 * then is answered: read-your-writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"

fl_commit_t *fl_commit_new(fl_http_req_t *req, fl_srv_tenant_t *t)
{
    fl_commit_t *c = fl_arena_alloc(&req->arena, sizeof(*c));
    if (c == NULL)
        fl_oom();
    memset(c, 0, sizeof(*c));
    c->req = req;
    c->tenant = t;
    c->status = 200;
    fl_decision_init(&c->d);
    return c;
}

static void write_group(fl_srv_tenant_t *t);

bool fl_commit_replayed(fl_server_t *s, fl_commit_t *c)
{
    if (c->idem_key == NULL || fl_log_idem_get(c->tenant->log, c->idem_key, &c->result) != 1)
        return false;
    fl_commit_answer(s, c, 0, false);
    return true;
}

void fl_commit_submit(fl_server_t *s, fl_commit_t *c)
{
    fl_srv_tenant_t *t = c->tenant;
    bool refused = fl_decision_failed(&c->d);
    if ((refused && !c->d.keep_events) || c->d.n_events == 0) {
        fl_commit_answer(s, c, 0, false);
        return;
    }
    c->next = NULL;
    fl_commit_t **tail = &t->staged;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = c;
    if (!t->writing)
        write_group(t);
}

static void append_work(uv_work_t *w)
{
    fl_srv_tenant_t *t = w->data;
    t->g_rc = fl_log_append_many(t->log, t->g_batches, t->g_n, t->g_results);
}

static void on_projected(void *ctx, bool reached)
{
    fl_commit_t *c = ctx;
    fl_server_t *s = c->tenant->srv;
    if (c->done != NULL)
        c->done(c, 0);
    else
        fl_commit_answer(s, c, 0, !reached);
}

/* One command's outcome after the append: answer a failure now, else await the read model. */
static void settle(fl_server_t *s, fl_commit_t *c)
{
    int rc = c->result.rc;
    uint64_t last = c->result.first_pos + c->result.count - 1;
    if (rc != 0 || fl_decision_failed(&c->d) || s->projector == NULL) {
        if (c->done != NULL)
            c->done(c, rc);
        else
            fl_commit_answer(s, c, rc, rc == 0);
        return;
    }
    if (fl_projector_wait(s->projector, c->tenant->slug, last, s->cfg.read_wait_ms, on_projected,
                          c) != 0)
        on_projected(c, false);
}

static void after_append(uv_work_t *w, int status)
{
    fl_srv_tenant_t *t = w->data;
    fl_server_t *s = t->srv;
    fl_commit_t *c = t->in_flight, *next;
    size_t i = 0;
    (void)status;
    t->in_flight = NULL;
    t->writing = false;
    if (s->projector != NULL)
        fl_projector_kick(s->projector, t->slug);
    /* Settle after kicking, so that waiters see the batch the projector is about to apply. */
    for (; c != NULL; c = next, i++) {
        next = c->next;
        c->result = t->g_results[i];
        settle(s, c);
    }
    free(t->g_batches);
    free(t->g_results);
    t->g_batches = NULL;
    t->g_results = NULL;
    if (t->staged != NULL)
        write_group(t);
}

static void write_group(fl_srv_tenant_t *t)
{
    size_t n = 0, i = 0;
    for (fl_commit_t *c = t->staged; c != NULL; c = c->next)
        n++;
    t->g_batches = calloc(n, sizeof(*t->g_batches));
    t->g_results = calloc(n, sizeof(*t->g_results));
    if (t->g_batches == NULL || t->g_results == NULL)
        fl_oom();
    for (fl_commit_t *c = t->staged; c != NULL; c = c->next, i++) {
        t->g_batches[i] = (fl_log_batch_t){.events = c->d.events,
                                           .n_events = c->d.n_events,
                                           .expects = c->d.expects,
                                           .n_expects = c->d.n_expects,
                                           .idem_key = c->idem_key};
    }
    t->g_n = n;
    t->in_flight = t->staged;
    t->staged = NULL;
    t->writing = true;
    t->work.data = t;
    uv_queue_work(t->srv->loop, &t->work, append_work, after_append);
}

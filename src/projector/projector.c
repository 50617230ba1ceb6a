/*
 * The live projector's lifecycle and public calls: tenants come and go,
 * kicks and waits are routed to them, and stop closes every handle before
 * telling its caller. The batches themselves are batch.c's; waiters wait.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

int fl_projector_init(fl_projector_t **out, uv_loop_t *loop, fl_store_t *store,
                      const fl_proj_handler_t *const *handlers, const fl_projector_opts_t *opts)
{
    fl_projector_opts_t o = opts != NULL ? *opts : (fl_projector_opts_t){0};
    fl_projector_t *p;

    *out = NULL;
    if (loop == NULL || store == NULL || (o.name != NULL && strlen(o.name) >= 64))
        return FL_EINVAL;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        fl_oom();
    p->loop = loop;
    p->store = store;
    p->handlers = handlers;
    snprintf(p->name, sizeof(p->name), "%s", o.name != NULL ? o.name : FL_PROJ_DEFAULT_NAME);
    o.batch_max = o.batch_max > 0 ? o.batch_max : 500;
    o.backoff_min_ms = o.backoff_min_ms > 0 ? o.backoff_min_ms : 100;
    o.backoff_max_ms = o.backoff_max_ms > 0 ? o.backoff_max_ms : 5000;
    o.pipeline = o.pipeline == 1 ? 1 : FL__PROJ_PIPELINE;
    if (o.backoff_max_ms < o.backoff_min_ms)
        o.backoff_max_ms = o.backoff_min_ms;
    o.name = p->name;
    p->opts = o;
    uv_timer_init(loop, &p->timer);
    p->handles = 1;
    *out = p;
    return 0;
}

fl__proj_tenant_t *fl__proj_find(fl_projector_t *p, const char *slug)
{
    for (fl__proj_tenant_t *t = p->tenants; t != NULL; t = t->next) {
        if (strcmp(t->slug, slug) == 0)
            return t;
    }
    return NULL;
}

int fl_projector_add_tenant(fl_projector_t *p, const char *slug, fl_log_t *log)
{
    fl__proj_tenant_t *t;

    if (p->stopping)
        return FL_ESTATE;
    if (log == NULL || !fl_store_slug_is_valid(slug))
        return FL_EINVAL;
    if (fl__proj_find(p, slug) != NULL)
        return FL_EEXIST;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        fl_oom();
    t->p = p;
    t->log = log;
    t->epoch = ++p->epochs;
    snprintf(t->slug, sizeof(t->slug), "%s", slug);
    fl_assert(fl_store_schema_name(t->schema, sizeof(t->schema), slug) == 0);
    fl__proj_out_init(&t->out);
    uv_timer_init(p->loop, &t->timer);
    t->timer.data = t;
    p->handles++;
    t->next = p->tenants;
    p->tenants = t;
    fl__proj_load(t);
    return 0;
}

static void tenant_closed(uv_handle_t *h)
{
    fl__proj_tenant_t *t = h->data;
    fl_projector_t *p = t->p;

    fl__proj_out_free(&t->out);
    fl__proj_cache_clear(t);
    free(t);
    fl__proj_released(p);
}

/*
 * Unlinks t and closes its timer. With a query in flight the store still
 * holds t as its callback's context, so t only closes once that returns.
 */
void fl__proj_tenant_close(fl__proj_tenant_t *t)
{
    fl__proj_tenant_t **pp = &t->p->tenants;

    t->closing = true;
    fl__proj_cache_epoch_end(t);
    fl__proj_wake_all(t);
    if (t->state == FL__PROJ_LOADING || t->state == FL__PROJ_RUNNING)
        return;
    while (*pp != t)
        pp = &(*pp)->next;
    *pp = t->next;
    t->state = FL__PROJ_CLOSED;
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, tenant_closed);
}

void fl_projector_remove_tenant(fl_projector_t *p, const char *slug)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);

    if (t != NULL && !t->closing)
        fl__proj_tenant_close(t);
}

void fl_projector_kick(fl_projector_t *p, const char *slug)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);

    if (t == NULL || t->closing)
        return;
    if (t->state == FL__PROJ_LOADING)
        t->again = true;
    else if (t->state == FL__PROJ_RUNNING)
        fl__proj_kick_running(t);
    else if (t->state == FL__PROJ_IDLE)
        fl__proj_run_now(t);
    /* In backoff the retry timer will read whatever was appended meanwhile. */
}

int fl_projector_wait(fl_projector_t *p, const char *slug, uint64_t pos, uint64_t timeout_ms,
                      fl_proj_wait_cb cb, void *ctx)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);

    if (p->stopping)
        return FL_ESTATE;
    if (t == NULL || t->closing)
        return FL_ENOTFOUND;
    return fl__proj_wait_add(t, pos, timeout_ms, cb, ctx);
}

int fl_projector_status(fl_projector_t *p, const char *slug, uint64_t *applied, uint64_t *head)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);
    fl_log_head_t h;
    int rc;

    if (t == NULL || t->closing)
        return FL_ENOTFOUND;
    rc = fl_log_head(t->log, &h);
    if (rc < 0)
        return rc;
    *applied = t->applied;
    *head = h.pos;
    return 0;
}

int fl_projector_batches(fl_projector_t *p, const char *slug, uint64_t *sent, uint64_t *behind,
                         uint64_t *resent)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);

    if (t == NULL || t->closing)
        return FL_ENOTFOUND;
    *sent = t->n_sent;
    *behind = t->n_behind;
    *resent = t->n_resent;
    return 0;
}

void fl__proj_released(fl_projector_t *p)
{
    p->handles--;
    if (p->handles == 0 && p->stopping && p->stop_cb != NULL)
        p->stop_cb(p->stop_arg);
}

static void timer_closed(uv_handle_t *h)
{
    fl__proj_released(h->data);
}

void fl_projector_stop(fl_projector_t *p, void (*cb)(void *arg), void *arg)
{
    fl__proj_tenant_t *t, *next;

    if (p->stopping)
        return;
    p->stopping = true;
    p->stop_cb = cb;
    p->stop_arg = arg;
    for (t = p->tenants; t != NULL; t = next) {
        next = t->next;
        if (!t->closing)
            fl__proj_tenant_close(t);
    }
    p->timer.data = p;
    uv_close((uv_handle_t *)&p->timer, timer_closed);
}

void fl_projector_free(fl_projector_t *p)
{
    if (p == NULL)
        return;
    fl_assert(p->stopping && p->handles == 0 && p->tenants == NULL);
    free(p);
}

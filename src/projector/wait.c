/*
 * Read-your-writes: callers wait for a position to be applied. A tenant keeps
 * its waiters ordered by position, so a commit wakes a prefix of the list.
 * Every answer goes through the waiter's own timer, restarted at 0 ms once
 * the waiter is detached: the callback never runs inside the projector's
 * calls (a caller may call back into the projector, even remove the tenant).
 */
#include <stdlib.h>

#include "firelater/err.h"
#include "internal.h"

static void waiter_closed(uv_handle_t *h)
{
    fl__proj_waiter_t *w = h->data;
    fl_projector_t *p = w->p;

    free(w);
    fl__proj_released(p);
}

static void unlink_waiter(fl__proj_waiter_t *w)
{
    fl__proj_waiter_t **pp = &w->t->waiters;

    while (*pp != w)
        pp = &(*pp)->next;
    *pp = w->next;
    w->next = NULL;
}

/* The timer fired: a detached waiter's deferred answer, or an attached one's timeout. */
static void on_waiter_timer(uv_timer_t *timer)
{
    fl__proj_waiter_t *w = timer->data;

    if (w->t != NULL) {
        w->reached = w->t->applied >= w->pos;
        unlink_waiter(w);
        w->t = NULL;
    }
    w->cb(w->ctx, w->reached);
    uv_close((uv_handle_t *)&w->timer, waiter_closed);
}

static void detach(fl__proj_waiter_t *w, bool reached)
{
    unlink_waiter(w);
    w->t = NULL;
    w->reached = reached;
    uv_timer_start(&w->timer, on_waiter_timer, 0, 0);
}

int fl__proj_wait_add(fl__proj_tenant_t *t, uint64_t pos, uint64_t timeout_ms, fl_proj_wait_cb cb,
                      void *ctx)
{
    fl__proj_waiter_t *w, **pp = &t->waiters;

    if (cb == NULL)
        return FL_EINVAL;
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        fl_oom();
    *w = (fl__proj_waiter_t){.p = t->p, .t = t, .pos = pos, .cb = cb, .ctx = ctx};
    uv_timer_init(t->p->loop, &w->timer);
    w->timer.data = w;
    t->p->handles++;
    /* After the last one at the same position: equal positions wake in order of arrival. */
    while (*pp != NULL && (*pp)->pos <= pos)
        pp = &(*pp)->next;
    w->next = *pp;
    *pp = w;
    if (t->known && t->applied >= pos)
        detach(w, true);
    else
        uv_timer_start(&w->timer, on_waiter_timer, timeout_ms, 0);
    return 0;
}

void fl__proj_wake(fl__proj_tenant_t *t)
{
    while (t->waiters != NULL && t->waiters->pos <= t->applied)
        detach(t->waiters, true);
}

void fl__proj_wake_all(fl__proj_tenant_t *t)
{
    while (t->waiters != NULL)
        detach(t->waiters, t->known && t->waiters->pos <= t->applied);
}

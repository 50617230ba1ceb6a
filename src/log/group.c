/*
 * Group commit for callers on many threads. Each caller queues its batch;
 * whoever finds no leader becomes one, takes the whole queue, and appends it
 * with fl_log_append_many: one transaction and one fsync for everyone who
 * arrived while the previous leader was syncing. The rest sleep until their
 * batch is done. Under load the queue fills during each fsync, so the number
 * of events per fsync grows with the number of writers.
 */
#include <stdlib.h>

#include "firelater/err.h"
#include "internal.h"

#define GROUP_MAX 1024 /* batches per transaction, to bound its size */

struct fl__log_waiter {
    const fl_log_batch_t *batch;
    fl_log_result_t *result;
    fl__log_waiter_t *next;
    bool done;
};

/* Detaches up to GROUP_MAX waiters, oldest first; called with group_mu held. */
static fl__log_waiter_t *take_group(fl_log_t *log, size_t *n)
{
    /* The queue is pushed at its head, so reverse it to keep arrival order. */
    fl__log_waiter_t *w = log->queue, *rev = NULL;
    log->queue = NULL;
    while (w != NULL) {
        fl__log_waiter_t *next = w->next;
        w->next = rev;
        rev = w;
        w = next;
    }
    fl__log_waiter_t *head = rev, **tail = &log->queue;
    *n = 0;
    for (w = rev; w != NULL && *n < GROUP_MAX; w = w->next)
        (*n)++;
    /* Waiters beyond the cap go back to the queue for the next leader. */
    fl__log_waiter_t *cut = head;
    for (size_t i = 1; i < *n; i++)
        cut = cut->next;
    fl__log_waiter_t *rest = cut->next;
    cut->next = NULL;
    while (rest != NULL) {
        fl__log_waiter_t *next = rest->next;
        rest->next = NULL;
        *tail = rest;
        tail = &rest->next;
        rest = next;
    }
    return head;
}

static void lead(fl_log_t *log, fl__log_waiter_t *group, size_t n)
{
    fl_log_batch_t *batches = malloc(n * sizeof(*batches));
    fl_log_result_t *results = malloc(n * sizeof(*results));
    if (batches == NULL || results == NULL)
        fl_oom();
    size_t i = 0;
    for (fl__log_waiter_t *w = group; w != NULL; w = w->next)
        batches[i++] = *w->batch;
    fl_log_append_many(log, batches, n, results);
    i = 0;
    for (fl__log_waiter_t *w = group; w != NULL; w = w->next)
        *w->result = results[i++];
    free(batches);
    free(results);
}

int fl_log_append(fl_log_t *log, const fl_log_batch_t *batch, fl_log_result_t *result)
{
    fl__log_waiter_t me = {.batch = batch, .result = result};
    pthread_mutex_lock(&log->group_mu);
    me.next = log->queue;
    log->queue = &me;
    while (!me.done) {
        if (log->leading) {
            pthread_cond_wait(&log->group_cv, &log->group_mu);
            continue;
        }
        size_t n;
        fl__log_waiter_t *group = take_group(log, &n);
        log->leading = true;
        pthread_mutex_unlock(&log->group_mu);
        lead(log, group, n);
        pthread_mutex_lock(&log->group_mu);
        for (fl__log_waiter_t *w = group, *next; w != NULL; w = next) {
            next = w->next;
            w->done = true;
        }
        log->leading = false;
        pthread_cond_broadcast(&log->group_cv);
    }
    pthread_mutex_unlock(&log->group_mu);
    return result->rc;
}

/*
 * The projector's shared internals: the statements a batch collects and the
 * loop that turns a run of events into them, used alike by the live
 * projector (projector.c) and by a rebuild (rebuild.c). Only src/projector/
 * includes this header.
 */
#ifndef FL_PROJECTOR_INTERNAL_H
#define FL_PROJECTOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "firelater/projector.h"

/* A set-based statement being gathered (fl_proj_emit_row): its JSON array so far. */
typedef struct fl__proj_rows {
    int stmt; /* its index in stmts */
    const char *sql;
    unsigned flags;
    char *buf; /* "[row,row,..." (malloc'd); sealed with "]" */
    size_t len, cap;
} fl__proj_rows_t;

/* A key a keyed row touched, and the last statement holding one of its rows (out.c). */
typedef struct fl__proj_key {
    const char *key; /* in the batch's arena; NULL: a free slot */
    uint64_t hash;
    int stmt;
} fl__proj_key_t;

/* A batch's statements; their params live in arena until the batch is reset. */
struct fl_proj_out {
    fl_arena_t arena;    /* params and handler-built SQL: lives as long as the batch */
    fl_arena_t ev_arena; /* one decoded event at a time */
    fl_store_stmt_t *stmts;
    int n, cap;
    int barrier; /* the last statement a tail row may not move before (-1: none) */
    fl__proj_rows_t *rows;
    int n_rows, cap_rows;
    fl__proj_key_t *keys; /* open addressing, a power of two slots */
    int n_keys, cap_keys;
};

void fl__proj_out_init(fl_proj_out_t *o);
/* Forgets every statement and keeps `reserve` empty slots at the front for the caller. */
void fl__proj_out_reset(fl_proj_out_t *o, int reserve);
void fl__proj_out_free(fl_proj_out_t *o);
/* Closes every gathered row array and points its statement's $1 at it; before sending. */
void fl__proj_out_seal(fl_proj_out_t *o);
/* A decimal copy of v in the batch's arena. */
const char *fl__proj_u64(fl_proj_out_t *o, uint64_t v);

/* The checkpoint's row, read by the live projector and by flctl. */
#define FL__PROJ_SQL_READ "SELECT position FROM projector_checkpoint WHERE name = $1"

/* What one fl__proj_collect call read. */
typedef struct fl__proj_run {
    uint64_t after; /* read events after this position */
    uint64_t to;    /* up to this one, inclusive; 0 means the log's end */
    unsigned max;   /* at most this many */
    uint64_t last;  /* out: the last position read (after, when none) */
    unsigned count; /* out: events read */
    char why[256];  /* out: what failed, on error */
} fl__proj_run_t;

/*
 * Reads events (run->after, run->to] from log, at most run->max, decodes each
 * one's data to JSON and appends its handler's statements to o. An event
 * without a handler is only counted. Errors: the log's, FL_ECORRUPT (data
 * that is not JSON-able), or a handler's negative code (run->why says which).
 */
int fl__proj_collect(fl_proj_out_t *o, fl_log_t *log, const fl_proj_handler_t *const *handlers,
                     fl__proj_run_t *run);

/* ---- the live projector (projector.c, batch.c, wait.c) ---- */

typedef struct fl__proj_tenant fl__proj_tenant_t;
typedef struct fl__proj_cached fl__proj_cached_t;

/* Batches of one tenant in flight at once at most (batch.c explains why two are safe). */
#define FL__PROJ_PIPELINE 2

/* A batch sent to the store: the context of its callback. */
typedef struct fl__proj_batch {
    fl__proj_tenant_t *t;
    bool busy;
    bool behind;    /* sent while another batch was in flight */
    int reserved;   /* checkpoint statements at its front */
    uint64_t first; /* the checkpoint it moves from */
    uint64_t last;  /* and to */
} fl__proj_batch_t;

/* One fl_projector_wait: its timer is its timeout and, detached, its deferred call. */
typedef struct fl__proj_waiter {
    struct fl__proj_waiter *next;
    uv_timer_t timer;
    fl_projector_t *p;
    fl__proj_tenant_t *t; /* NULL once detached: the answer is in reached */
    uint64_t pos;
    bool reached;
    fl_proj_wait_cb cb;
    void *ctx;
} fl__proj_waiter_t;

/* A tenant's state; see the transition table in README.md. */
typedef enum {
    FL__PROJ_LOADING, /* reading the checkpoint */
    FL__PROJ_IDLE,    /* caught up, or a run is scheduled on the timer */
    FL__PROJ_RUNNING, /* one or two batches' transactions are in flight */
    FL__PROJ_BACKOFF, /* the timer will retry after a failure */
    FL__PROJ_CLOSED   /* removed or stopped: its timer is closing */
} fl__proj_state_t;

struct fl__proj_tenant {
    fl__proj_tenant_t *next;
    fl_projector_t *p;
    char slug[FL_STORE_SLUG_MAX + 1];
    char schema[FL_STORE_SCHEMA_MAX + 1];
    fl_log_t *log;
    uv_timer_t timer; /* a scheduled run (0 ms) or a retry (backoff) */
    fl__proj_state_t state;
    bool known;       /* applied is the stored checkpoint */
    bool row_missing; /* the checkpoint row did not exist when read */
    bool again;       /* kicked while busy: run once more */
    bool closing;     /* remove or stop arrived while a query was in flight */
    bool failing;     /* the last attempt failed (logged once, until it recovers) */
    unsigned backoff_ms;
    bool failed;      /* a batch in flight failed: settle the others, then back off */
    bool moved;       /* a batch in flight found the checkpoint moved */
    bool overtaken;   /* a batch sent behind another ran before it: send it again */
    uint64_t applied; /* the checkpoint as last known */
    uint64_t sent;    /* where the last batch sent moves it (applied when none is in flight) */
    int inflight;     /* batches in flight */
    fl_store_chain_t chain;    /* orders them on one connection */
    uint64_t n_sent, n_behind; /* batches sent; of them, behind another in flight */
    uint64_t n_resent;         /* of those, refused for the one before them (overtaken) */
    fl__proj_batch_t batches[FL__PROJ_PIPELINE];
    fl__proj_waiter_t *waiters; /* by position, ascending */
    uint64_t epoch;             /* cache.c: moves whenever the read model may have changed */
    fl__proj_cached_t *cached;  /* cache.c: this epoch's answers, newest first */
    size_t cached_n, cached_bytes;
    fl_proj_out_t out;
};

struct fl_projector {
    uv_loop_t *loop;
    fl_store_t *store;
    const fl_proj_handler_t *const *handlers;
    char name[64];
    fl_projector_opts_t opts;
    fl__proj_tenant_t *tenants;
    uv_timer_t timer; /* only so that stop's callback is never called inside stop */
    int handles;      /* open handles: the timer, tenants' and waiters' */
    uint64_t epochs;  /* cache.c: the last epoch handed out, to any tenant */
    bool stopping;
    void (*stop_cb)(void *arg);
    void *stop_arg;
};

/* batch.c: the tenant's state machine. */
void fl__proj_load(fl__proj_tenant_t *t);
void fl__proj_schedule(fl__proj_tenant_t *t);
/* An idle tenant's run at once (a kick after a group commit): no loop iteration lost. */
void fl__proj_run_now(fl__proj_tenant_t *t);
/* A kick while RUNNING: another batch behind the ones in flight, or `again`. */
void fl__proj_kick_running(fl__proj_tenant_t *t);
void fl__proj_on_timer(uv_timer_t *timer);

/* projector.c: a tenant whose query finished while closing is released here. */
void fl__proj_tenant_close(fl__proj_tenant_t *t);
/* A handle of p finished closing; calls stop's callback after the last one. */
void fl__proj_released(fl_projector_t *p);

/* projector.c: the tenant of that slug, closing or not, or NULL. */
fl__proj_tenant_t *fl__proj_find(fl_projector_t *p, const char *slug);

/* cache.c: the read model may have changed (a batch ended, the checkpoint is read again). */
void fl__proj_cache_epoch_end(fl__proj_tenant_t *t);
void fl__proj_cache_clear(fl__proj_tenant_t *t);

/* wait.c */
int fl__proj_wait_add(fl__proj_tenant_t *t, uint64_t pos, uint64_t timeout_ms, fl_proj_wait_cb cb,
                      void *ctx);
/* Hands every waiter at or below the applied position its answer (later, on the loop). */
void fl__proj_wake(fl__proj_tenant_t *t);
/* Hands every waiter its answer, reached or not: the tenant is going away. */
void fl__proj_wake_all(fl__proj_tenant_t *t);

#endif

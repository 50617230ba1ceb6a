/*
 * The projector: applies each tenant's events to its PostgreSQL read model.
 *
 * Modules register handlers per event type; a handler turns one event into
 * SQL statements (never executing anything itself). The projector reads a
 * batch of events after the tenant's checkpoint, collects every handler's
 * statements and runs them in one transaction that also moves the checkpoint
 * (projector_checkpoint in the tenant's schema), so effects land exactly once
 * across crashes. It catches up from the checkpoint on start, retries with
 * backoff while PostgreSQL is down, and tells waiters when a position has
 * been applied (read-your-writes). Everything runs on the loop's thread.
 */
#ifndef FIRELATER_PROJECTOR_H
#define FIRELATER_PROJECTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <uv.h>

#include "firelater/arena.h"
#include "firelater/log.h"
#include "firelater/store.h"

/* The statements a batch accumulates; handlers add to it. */
typedef struct fl_proj_out fl_proj_out_t;

/*
 * Adds one statement to the batch's transaction. sql must outlive the batch
 * (a string literal, or memory from fl_proj_arena); params are copied.
 * NULL params are SQL NULL.
 */
int fl_proj_emit(fl_proj_out_t *out, const char *sql, int nparams, const char *const *params);

/*
 * One row of a set-based statement: sql takes one parameter, $1, a JSON array
 * of row objects it reads with jsonb_array_elements($1::jsonb); row is one
 * object's JSON text (copied). Rows of the same sql are gathered into ONE
 * statement, so a batch of 300 issues is one INSERT instead of 300, which
 * costs PostgreSQL far less per row. Gathering moves a row to the statement
 * that holds the first rows, that is before statements emitted since, so:
 *   0 (a "tail" row): merged only when every statement emitted after that
 *     one is a FL_PROJ_ROW_ANYWHERE statement; otherwise a new statement
 *     starts. Fine for an INSERT of a row nothing earlier in the batch reads.
 *   FL_PROJ_ROW_ANYWHERE: the statement commutes with every other statement
 *     of any batch (a table only it writes, rows independent of order, like
 *     the audit trail): always merged.
 * The same sql must always be used with the same flags. FL_EINVAL, FL_ETOOBIG.
 */
#define FL_PROJ_ROW_ANYWHERE 1u
int fl_proj_emit_row(fl_proj_out_t *out, const char *sql, const char *row, unsigned flags);

/*
 * A keyed row: its statement touches only the rows of `key` (an entity's id, in every
 * table the statement writes), so it commutes with any other keyed row's statement of a
 * different key. It joins the latest statement of the same sql when no plain statement
 * (fl_proj_emit, or a tail row's) came after that one and no statement from that one on
 * touched the same key; so an entity's own statements keep their order, and inserts and
 * updates of many entities gather even when they interleave (created, submitted,
 * created, submitted ...). A statement takes each key at most once. FL_EINVAL, FL_ETOOBIG.
 */
int fl_proj_emit_row_keyed(fl_proj_out_t *out, const char *sql, const char *row, const char *key);

/* Memory that lives as long as the batch, for building statements. */
fl_arena_t *fl_proj_arena(fl_proj_out_t *out);

/*
 * Turns one event into statements. `data` is the event's data decoded to JSON
 * (borrowed). A negative return stops the batch (it is retried later), so a
 * handler returns an error only for what a retry can fix; an event it cannot
 * understand is logged and skipped by returning 0.
 */
typedef int (*fl_proj_fn)(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data);

typedef struct fl_proj_handler {
    const char *type; /* "user.created", or FL_PROJ_ANY_TYPE; NULL ends a table */
    fl_proj_fn fn;
} fl_proj_handler_t;

/*
 * The wildcard type: a handler of this type runs for every event, after the
 * handler of the event's own type (if any), in table order, with the same
 * decoded data (each event's data is decoded once). For projections that
 * must see everything, such as the audit trail; keep them cheap.
 */
#define FL_PROJ_ANY_TYPE "*"

typedef struct fl_projector fl_projector_t;

/* The checkpoint row a projector and a rebuild use unless told otherwise. */
#define FL_PROJ_DEFAULT_NAME "main"

/* Events per transaction of a rebuild's bulk replay. */
#define FL_PROJ_REBUILD_CHUNK 5000

/*
 * Every module's handler tables, NULL-terminated, for the server and flctl.
 * Defined by src/domain/registry.c (until then by src/projector/registry_stub.c,
 * which returns an empty list). Static storage.
 */
const fl_proj_handler_t *const *fl_domain_projections(void);

typedef struct fl_projector_opts {
    const char *name;        /* checkpoint name; default "main" (copied) */
    unsigned batch_max;      /* events per transaction; default 500 */
    unsigned backoff_min_ms; /* first retry after a failure; default 100 */
    unsigned backoff_max_ms; /* retries double up to this; default 5000 */
    unsigned pipeline;       /* batches of a tenant in flight at once, 1 or 2; default 2 */
} fl_projector_opts_t;

/*
 * handlers: an array of NULL-terminated tables (one per module), itself
 * NULL-terminated; borrowed for the projector's life. opts may be NULL.
 * *out is the caller's; see fl_projector_free. FL_EINVAL.
 */
int fl_projector_init(fl_projector_t **out, uv_loop_t *loop, fl_store_t *store,
                      const fl_proj_handler_t *const *handlers, const fl_projector_opts_t *opts);

/*
 * Starts projecting a tenant (its schema is tenant_<slug>): reads the
 * checkpoint, then catches up. log is borrowed until remove_tenant or stop
 * returns (the log is read only inside the projector's own calls and
 * callbacks, also while its batches are in flight). FL_EINVAL (bad slug),
 * FL_EEXIST, FL_ESTATE (stopping).
 */
int fl_projector_add_tenant(fl_projector_t *p, const char *slug, fl_log_t *log);
/* Forgets a tenant; its waiters are called with false (later, on the loop). */
void fl_projector_remove_tenant(fl_projector_t *p, const char *slug);

/* Events were appended to the tenant's log: schedule a batch (cheap; coalesced). */
void fl_projector_kick(fl_projector_t *p, const char *slug);

/*
 * Calls cb(ctx, true) once the tenant's read model holds position pos, or
 * cb(ctx, false) after timeout_ms (or when the tenant is removed or the
 * projector stops). The callback always runs later on the loop, never inside
 * this call. FL_ENOTFOUND (unknown tenant), FL_ESTATE (stopping): cb is not
 * called then.
 */
typedef void (*fl_proj_wait_cb)(void *ctx, bool reached);
int fl_projector_wait(fl_projector_t *p, const char *slug, uint64_t pos, uint64_t timeout_ms,
                      fl_proj_wait_cb cb, void *ctx);

/*
 * How many batches the tenant's projector has sent, how many of them went out behind
 * another still in flight (opts.pipeline), and how many of those behind were refused
 * because of the one before them (it failed, or they ran first) and so had to be
 * collected and sent again. FL_ENOTFOUND.
 */
int fl_projector_batches(fl_projector_t *p, const char *slug, uint64_t *sent, uint64_t *behind,
                         uint64_t *resent);

/* The position applied to the read model (as last known) and the log's head. FL_ENOTFOUND. */
int fl_projector_status(fl_projector_t *p, const char *slug, uint64_t *applied, uint64_t *head);

/*
 * A cache of answers read from a tenant's read model (cache.c), exact: take a
 * ticket before sending the query, offer the answer with it; it is kept only
 * if no batch ended (and the checkpoint was not read again) in between, and
 * every kept answer is dropped when one does. The key must name everything
 * the answer depends on but the read model (the statement and its values,
 * and how it is rendered); callers check authorisation before using it.
 * A ticket of 0 means "do not cache" (unknown tenant, checkpoint not read).
 * get's answer is valid until the next call into the projector.
 */
uint64_t fl_projector_cache_ticket(fl_projector_t *p, const char *slug);
const void *fl_projector_cache_get(fl_projector_t *p, const char *slug, const void *key,
                                   size_t klen, size_t *vlen);
void fl_projector_cache_put(fl_projector_t *p, const char *slug, uint64_t ticket, const void *key,
                            size_t klen, const void *val, size_t vlen);

/*
 * Starts no new batch, lets the ones in flight finish, calls every waiter with
 * false, closes its handles, then calls cb(arg) (cb may be NULL), always later
 * on the loop. Tenants' logs are no longer used once it returns.
 */
void fl_projector_stop(fl_projector_t *p, void (*cb)(void *arg), void *arg);
/* Frees p; only after stop's callback has run. NULL is fine. */
void fl_projector_free(fl_projector_t *p);

/*
 * Rebuild (flctl projections rebuild): builds a shadow schema from the
 * migrations, replays the whole log into it in bulk with the same handlers,
 * then swaps it for tenant_<slug> in one transaction while the server keeps
 * serving. A live projector notices the moved checkpoint and carries on from
 * it. The shadow's checkpoint row is FL_PROJ_DEFAULT_NAME. Blocking; progress
 * lines go to `progress` when not NULL; on failure fl_store_sync_error(c) or
 * the progress stream says why and the live schema is untouched.
 * Errors: FL_EINVAL (bad slug), the store's, the log's, a handler's.
 */
int fl_projector_rebuild(fl_store_conn_t *c, fl_log_t *log, const char *slug,
                         const fl_proj_handler_t *const *handlers, FILE *progress);

/* The checkpoint stored in a tenant's schema (blocking, for flctl); 0 when there is no row. */
int fl_projector_checkpoint_sync(fl_store_conn_t *c, const char *slug, const char *name,
                                 uint64_t *pos);

#endif

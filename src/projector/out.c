/*
 * A batch's statements and the loop that fills them from the log. The
 * handlers only describe SQL; nothing here talks to PostgreSQL, so the live
 * projector (on the loop) and a rebuild (blocking) share it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

void fl__proj_out_init(fl_proj_out_t *o)
{
    memset(o, 0, sizeof(*o));
    fl_arena_init(&o->arena, 0);
    fl_arena_init(&o->ev_arena, 0);
}

void fl__proj_out_reset(fl_proj_out_t *o, int reserve)
{
    fl_arena_reset(&o->arena);
    fl_arena_reset(&o->ev_arena);
    o->n = 0;
    while (o->n < reserve) {
        fl_assert(fl_proj_emit(o, "", 0, NULL) == 0);
    }
}

void fl__proj_out_free(fl_proj_out_t *o)
{
    fl_arena_free(&o->arena);
    fl_arena_free(&o->ev_arena);
    free(o->stmts);
    o->stmts = NULL;
    o->n = o->cap = 0;
}

fl_arena_t *fl_proj_arena(fl_proj_out_t *out)
{
    return &out->arena;
}

const char *fl__proj_u64(fl_proj_out_t *o, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

    return fl_arena_strndup(&o->arena, buf, (size_t)n);
}

int fl_proj_emit(fl_proj_out_t *out, const char *sql, int nparams, const char *const *params)
{
    const char **copy = NULL;

    if (sql == NULL || nparams < 0 || (nparams > 0 && params == NULL))
        return FL_EINVAL;
    if (out->n == out->cap) {
        int cap = out->cap > 0 ? 2 * out->cap : 64;
        fl_store_stmt_t *s = realloc(out->stmts, (size_t)cap * sizeof(*s));

        if (s == NULL)
            fl_oom();
        out->stmts = s;
        out->cap = cap;
    }
    if (nparams > 0) {
        copy = fl_arena_alloc(&out->arena, (size_t)nparams * sizeof(*copy));
        if (copy == NULL)
            return FL_ETOOBIG;
    }
    for (int i = 0; i < nparams; i++) {
        copy[i] =
            params[i] == NULL ? NULL : fl_arena_strndup(&out->arena, params[i], strlen(params[i]));
        if (params[i] != NULL && copy[i] == NULL)
            return FL_ETOOBIG;
    }
    out->stmts[out->n++] = (fl_store_stmt_t){sql, nparams, copy};
    return 0;
}

static bool is_wildcard(const fl_proj_handler_t *h)
{
    return strcmp(h->type, FL_PROJ_ANY_TYPE) == 0;
}

/* The handler of exactly this type (never a wildcard), or NULL. */
static fl_proj_fn find_handler(const fl_proj_handler_t *const *handlers, const char *type)
{
    for (size_t t = 0; handlers != NULL && handlers[t] != NULL; t++) {
        for (const fl_proj_handler_t *h = handlers[t]; h->type != NULL; h++) {
            if (!is_wildcard(h) && strcmp(h->type, type) == 0)
                return h->fn;
        }
    }
    return NULL;
}

/*
 * Calls fn on the event, decoding its data on the first call (*data keeps it
 * for the next handler of the same event).
 */
static int call(fl_proj_out_t *o, fl_proj_fn fn, const fl_event_t *ev, json_t **data,
                fl__proj_run_t *run)
{
    int rc;

    if (*data == NULL) {
        rc = fl_codec_to_json(ev->data, ev->data_len, data);
        if (rc < 0) {
            snprintf(run->why, sizeof(run->why), "event %" PRIu64 " (%s): data is not valid: %s",
                     ev->pos, ev->type, fl_strerror(rc));
            return rc;
        }
    }
    rc = fn(o, ev, *data);
    if (rc < 0)
        snprintf(run->why, sizeof(run->why), "event %" PRIu64 " (%s): handler failed: %s", ev->pos,
                 ev->type, fl_strerror(rc));
    return rc < 0 ? rc : 0;
}

/*
 * Runs one event's handler, then every wildcard handler; data is decoded
 * only when someone wants it, and once.
 */
static int apply_one(fl_proj_out_t *o, const fl_proj_handler_t *const *handlers,
                     const fl_event_t *ev, fl__proj_run_t *run)
{
    fl_proj_fn fn = find_handler(handlers, ev->type);
    json_t *data = NULL;
    int rc = fn != NULL ? call(o, fn, ev, &data, run) : 0;

    for (size_t t = 0; rc == 0 && handlers != NULL && handlers[t] != NULL; t++) {
        for (const fl_proj_handler_t *h = handlers[t]; rc == 0 && h->type != NULL; h++) {
            if (is_wildcard(h))
                rc = call(o, h->fn, ev, &data, run);
        }
    }
    json_decref(data);
    return rc;
}

int fl__proj_collect(fl_proj_out_t *o, fl_log_t *log, const fl_proj_handler_t *const *handlers,
                     fl__proj_run_t *run)
{
    fl_log_query_t q = {.from = run->after + 1, .to = run->to};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    int rc;

    run->last = run->after;
    run->count = 0;
    run->why[0] = '\0';
    rc = fl_log_cursor_open(log, &q, &cur);
    if (rc < 0) {
        snprintf(run->why, sizeof(run->why), "cannot read the log: %s", fl_strerror(rc));
        return rc;
    }
    while (run->count < run->max && (rc = fl_log_cursor_next(cur, &o->ev_arena, &ev)) == 1) {
        rc = apply_one(o, handlers, &ev, run);
        fl_arena_reset(&o->ev_arena);
        if (rc < 0)
            break;
        run->last = ev.pos;
        run->count++;
    }
    if (rc < 0 && run->why[0] == '\0')
        snprintf(run->why, sizeof(run->why), "cannot read the log after position %" PRIu64 ": %s",
                 fl_log_cursor_pos(cur), fl_strerror(rc));
    fl_log_cursor_close(cur);
    return rc < 0 ? rc : 0;
}

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

#define ROW_KEYED 0x100u /* fl_proj_emit_row_keyed's rows (not a public flag) */

static void rows_clear(fl_proj_out_t *o)
{
    for (int i = 0; i < o->n_rows; i++)
        free(o->rows[i].buf);
    o->n_rows = 0;
    if (o->n_keys > 0)
        memset(o->keys, 0, (size_t)o->cap_keys * sizeof(*o->keys));
    o->n_keys = 0;
}

void fl__proj_out_reset(fl_proj_out_t *o, int reserve)
{
    fl_arena_reset(&o->arena);
    fl_arena_reset(&o->ev_arena);
    rows_clear(o);
    o->n = 0;
    o->barrier = -1;
    while (o->n < reserve) {
        fl_assert(fl_proj_emit(o, "", 0, NULL) == 0);
    }
}

void fl__proj_out_free(fl_proj_out_t *o)
{
    fl_arena_free(&o->arena);
    fl_arena_free(&o->ev_arena);
    rows_clear(o);
    free(o->rows);
    o->rows = NULL;
    o->cap_rows = 0;
    free(o->keys);
    o->keys = NULL;
    o->cap_keys = 0;
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

/* p with room for twice *cap entries of size (first bigger: first); out of memory aborts. */
static void *grow(void *p, int *cap, int first, size_t size)
{
    int n = *cap > 0 ? 2 * *cap : first;

    if ((p = realloc(p, (size_t)n * size)) == NULL)
        fl_oom();
    *cap = n;
    return p;
}

int fl_proj_emit(fl_proj_out_t *out, const char *sql, int nparams, const char *const *params)
{
    const char **copy = NULL;

    if (sql == NULL || nparams < 0 || (nparams > 0 && params == NULL))
        return FL_EINVAL;
    if (out->n == out->cap)
        out->stmts = grow(out->stmts, &out->cap, 64, sizeof(*out->stmts));
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
    out->barrier = out->n;
    out->stmts[out->n++] = (fl_store_stmt_t){sql, nparams, copy};
    return 0;
}

static uint64_t key_hash(const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *k != '\0'; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

/* The slot of key, or the free slot where it would go. */
static fl__proj_key_t *key_slot(const fl_proj_out_t *o, const char *key, uint64_t h)
{
    size_t mask = (size_t)o->cap_keys - 1;

    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        fl__proj_key_t *k = &o->keys[i];
        if (k->key == NULL || (k->hash == h && strcmp(k->key, key) == 0))
            return k;
    }
}

/* The last statement that took a row of key, or -1. */
static int key_last(const fl_proj_out_t *o, const char *key)
{
    const fl__proj_key_t *k = o->cap_keys > 0 ? key_slot(o, key, key_hash(key)) : NULL;

    return k != NULL && k->key != NULL ? k->stmt : -1;
}

static int key_mark(fl_proj_out_t *o, const char *key, int stmt)
{
    uint64_t h = key_hash(key);
    fl__proj_key_t *k;

    if (2 * (o->n_keys + 1) > o->cap_keys) { /* keep it at most half full */
        fl__proj_key_t *old = o->keys;
        int n = o->cap_keys;

        o->cap_keys = n > 0 ? 2 * n : 64;
        if ((o->keys = calloc((size_t)o->cap_keys, sizeof(*o->keys))) == NULL)
            fl_oom();
        for (int i = 0; i < n; i++)
            if (old[i].key != NULL)
                *key_slot(o, old[i].key, old[i].hash) = old[i];
        free(old);
    }
    k = key_slot(o, key, h);
    if (k->key == NULL) {
        if ((k->key = fl_arena_strndup(&o->arena, key, strlen(key))) == NULL)
            return FL_ETOOBIG;
        k->hash = h;
        o->n_keys++;
    }
    k->stmt = stmt;
    return 0;
}

/* The gathering statement row may join, or NULL when it must start its own. */
static fl__proj_rows_t *rows_find(fl_proj_out_t *out, const char *sql, unsigned flags,
                                  const char *key)
{
    for (int i = out->n_rows - 1; i >= 0; i--) {
        fl__proj_rows_t *r = &out->rows[i];

        if (r->sql != sql && strcmp(r->sql, sql) != 0)
            continue;
        fl_assert(r->flags == flags); /* one sql, one set of flags */
        if (flags & FL_PROJ_ROW_ANYWHERE)
            return r;
        if (flags & ROW_KEYED)
            return r->stmt > out->barrier && key_last(out, key) < r->stmt ? r : NULL;
        return r->stmt == out->barrier ? r : NULL;
    }
    return NULL;
}

static void rows_put(fl__proj_rows_t *r, const char *row, size_t len)
{
    size_t need = r->len + 1 + len + 2; /* a comma or the bracket, the row, "]" and NUL */

    if (need > r->cap) {
        size_t cap = r->cap > 0 ? 2 * r->cap : 4096;
        while (cap < need)
            cap *= 2;
        if ((r->buf = realloc(r->buf, cap)) == NULL)
            fl_oom();
        r->cap = cap;
    }
    r->buf[r->len] = r->len == 0 ? '[' : ',';
    r->len++;
    memcpy(r->buf + r->len, row, len);
    r->len += len;
}

static int emit_row(fl_proj_out_t *out, const char *sql, const char *row, unsigned flags,
                    const char *key)
{
    fl__proj_rows_t *r;
    int barrier = out->barrier, rc;

    if (sql == NULL || row == NULL || row[0] != '{')
        return FL_EINVAL;
    if ((r = rows_find(out, sql, flags, key)) == NULL) {
        const char *none[1] = {NULL};

        if ((rc = fl_proj_emit(out, sql, 1, none)) < 0)
            return rc;
        if (flags & (FL_PROJ_ROW_ANYWHERE | ROW_KEYED))
            out->barrier = barrier; /* it moves nothing that follows past it */
        if (out->n_rows == out->cap_rows)
            out->rows = grow(out->rows, &out->cap_rows, 8, sizeof(*out->rows));
        r = &out->rows[out->n_rows++];
        *r = (fl__proj_rows_t){.stmt = out->n - 1, .sql = sql, .flags = flags};
    }
    if (key != NULL && (rc = key_mark(out, key, r->stmt)) < 0)
        return rc;
    rows_put(r, row, strlen(row));
    return 0;
}

int fl_proj_emit_row(fl_proj_out_t *out, const char *sql, const char *row, unsigned flags)
{
    return emit_row(out, sql, row, flags & FL_PROJ_ROW_ANYWHERE, NULL);
}

int fl_proj_emit_row_keyed(fl_proj_out_t *out, const char *sql, const char *row, const char *key)
{
    if (key == NULL || key[0] == '\0')
        return FL_EINVAL;
    return emit_row(out, sql, row, ROW_KEYED, key);
}

void fl__proj_out_seal(fl_proj_out_t *o)
{
    for (int i = 0; i < o->n_rows; i++) {
        fl__proj_rows_t *r = &o->rows[i];

        /* rows_put left room for both; len stays, so sealing twice changes nothing. */
        r->buf[r->len] = ']';
        r->buf[r->len + 1] = '\0';
        ((const char **)o->stmts[r->stmt].params)[0] = r->buf;
    }
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
    if (rc >= 0)
        fl__proj_out_seal(o);
    return rc < 0 ? rc : 0;
}

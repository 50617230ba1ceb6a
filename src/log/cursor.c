/*
 * Reading: cursors over a range of positions or over one stream, each in a
 * read-only snapshot, with upcasting of old event versions as they are read.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define UPCAST_MAX_STEPS 64

int fl_log_cursor_open(fl_log_t *log, const fl_log_query_t *q, fl_log_cursor_t **out)
{
    fl_log_cursor_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        fl_oom();
    c->log = log;
    c->q = *q;
    if (q->stream != NULL) {
        c->stream_len = strlen(q->stream);
        if (c->stream_len == 0 || c->stream_len > FL_LOG_STREAM_MAX) {
            free(c);
            return FL_EINVAL;
        }
        c->stream = strdup(q->stream);
        if (c->stream == NULL)
            fl_oom();
        c->q.stream = c->stream;
    }
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &c->txn);
    if (rc == 0) {
        rc = fl__log_err(mdb_cursor_open(c->txn, log->events, &c->cur));
        if (rc != 0)
            fl__log_txn_abort(log, c->txn);
    }
    if (rc != 0) {
        free(c->stream);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void fl_log_cursor_close(fl_log_cursor_t *c)
{
    if (c == NULL)
        return;
    mdb_cursor_close(c->cur);
    fl__log_txn_abort(c->log, c->txn);
    free(c->positions);
    free(c->stream);
    free(c);
}

uint64_t fl_log_cursor_pos(const fl_log_cursor_t *c)
{
    return c->last_pos;
}

/* Positions the cursor on the next record of a range read. */
static int next_in_range(fl_log_cursor_t *c, MDB_val *data)
{
    uint8_t kb[8];
    MDB_val k = {8, kb};
    int rc;
    if (!c->started) {
        fl__be64(kb, c->q.from ? c->q.from : 1);
        rc = mdb_cursor_get(c->cur, &k, data, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(c->cur, &k, data, MDB_NEXT);
    }
    c->started = true;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return fl__log_err(rc);
    if (k.mv_size != 8)
        return FL_ECORRUPT;
    c->last_pos = fl__rd64(k.mv_data);
    return c->q.to && c->last_pos > c->q.to ? 0 : 1;
}

/*
 * Collects the stream's positions from from_sv to its last version, walking
 * its links backwards from the last event, into c->positions (version order).
 */
static int collect_positions(fl_log_cursor_t *c)
{
    uint64_t version, pos, from_sv = c->q.from_sv ? c->q.from_sv : 1;
    int rc = fl__log_stream_get(c->log, c->txn, c->stream, c->stream_len, &version, &pos);
    if (rc != 0 || version < from_sv)
        return rc;
    c->n_positions = version - from_sv + 1;
    c->positions = malloc(c->n_positions * sizeof(*c->positions));
    if (c->positions == NULL)
        fl_oom();
    for (size_t i = c->n_positions; i-- > 0;) {
        if (pos == 0)
            return FL_ECORRUPT; /* the chain ends before version 1 */
        c->positions[i] = pos;
        if (i > 0 && (rc = fl__log_link_get(c->log, c->txn, pos, &pos)) != 0) {
            c->last_pos = c->positions[i];
            return rc;
        }
    }
    return 0;
}

/* Fetches the record of the stream's next event within the query's bounds. */
static int next_in_stream(fl_log_cursor_t *c, MDB_val *data)
{
    if (!c->started) {
        c->started = true;
        int rc = collect_positions(c);
        if (rc != 0)
            return rc;
    }
    for (; c->next < c->n_positions; c->next++) {
        c->last_pos = c->positions[c->next];
        if (c->q.to && c->last_pos > c->q.to)
            return 0;
        if (c->last_pos >= c->q.from)
            break;
    }
    if (c->next == c->n_positions)
        return 0;
    c->next++;
    uint8_t pk[8];
    fl__be64(pk, c->last_pos);
    MDB_val key = {8, pk};
    int rc = mdb_get(c->txn, c->log->events, &key, data);
    return rc == 0 ? 1 : rc == MDB_NOTFOUND ? FL_ECORRUPT : fl__log_err(rc);
}

int fl_log_cursor_next(fl_log_cursor_t *c, fl_arena_t *a, fl_event_t *ev)
{
    MDB_val data;
    if (c->done)
        return 0;
    int rc = c->stream ? next_in_stream(c, &data) : next_in_range(c, &data);
    if (rc <= 0) {
        c->done = true;
        return rc;
    }
    rc = fl_event_decode(data.mv_data, data.mv_size, a, ev);
    if (rc == 0 && ev->pos != c->last_pos)
        rc = FL_ECORRUPT;
    /* A stream read also checks that its links led to its own events, in version order. */
    if (rc == 0 && c->stream &&
        (strcmp(ev->stream, c->stream) != 0 ||
         ev->sv != (c->q.from_sv ? c->q.from_sv : 1) + c->next - 1))
        rc = FL_ECORRUPT;
    if (rc == 0)
        rc = fl__log_upcast(c->log, a, ev);
    if (rc < 0) {
        c->done = true;
        return rc;
    }
    /* Time is monotonic along the log, so the first event past `until` ends the read. */
    if (c->q.until && ev->ts > c->q.until) {
        c->done = true;
        return 0;
    }
    return 1;
}

int fl__log_upcast(const fl_log_t *log, fl_arena_t *a, fl_event_t *ev)
{
    const fl_upcaster_t *u = log->opts.upcasters;
    if (u == NULL)
        return 0;
    for (int steps = 0; steps < UPCAST_MAX_STEPS; steps++) {
        const fl_upcaster_t *hit = NULL;
        for (const fl_upcaster_t *p = u; p->type != NULL && hit == NULL; p++) {
            if (p->from_v == ev->v && strcmp(p->type, ev->type) == 0)
                hit = p;
        }
        if (hit == NULL)
            return 0;
        uint8_t *data;
        size_t len;
        int rc = hit->fn(a, ev->data, ev->data_len, &data, &len);
        if (rc < 0)
            return rc;
        ev->data = data;
        ev->data_len = len;
        ev->v++;
    }
    return FL_ECORRUPT; /* a cycle in the upcaster table */
}

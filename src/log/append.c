/*
 * The write path: batches of events appended in one LMDB write transaction.
 *
 * Each batch runs in a nested transaction when there are several, so that a
 * conflicting batch leaves no trace while the others commit together (group
 * commit). The head (position, time, hash) is carried in memory through the
 * transaction and written to meta once at the end, and so are the stream
 * heads (heads.c): one sorted `recent` record per transaction instead of a
 * random `streams` leaf per event. A full map aborts the whole transaction,
 * grows the map and starts over: nothing was visible yet.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/mp.h"
#include "internal.h"

#define NUM_PREFIX_MAX 8
#define MAX_RETRIES    16

typedef struct wctx {
    fl_log_t *log;
    MDB_txn *txn;
    fl__log_head_rec_t head;
    uint64_t bytes;
    uint64_t streams; /* number of streams, kept in meta */
} wctx_t;

static bool valid_prefix(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > NUM_PREFIX_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isupper((unsigned char)p[i]))
            return false;
    }
    return true;
}

static bool valid_data(const uint8_t *p, size_t len)
{
    fl_mp_t r;
    if (p == NULL)
        return len == 0;
    fl_mp_init(&r, p, len);
    return fl_mp_skip(&r, 64) == 0 && fl_mp_left(&r) == 0;
}

static bool valid_meta(const char *s)
{
    return s == NULL || strlen(s) <= FL_LOG_META_MAX;
}

/* Validates a batch before anything is written; FL_EINVAL with the reason in res->detail. */
static int check_batch(const fl_log_batch_t *b, fl_log_result_t *res)
{
    const char *why = NULL;
    if (b->n_events == 0)
        why = "empty batch";
    if (b->idem_key != NULL && (*b->idem_key == '\0' || strlen(b->idem_key) > FL_LOG_KEY_MAX))
        why = "idempotency key must have 1 to 255 bytes";
    for (size_t i = 0; why == NULL && i < b->n_events; i++) {
        const fl_log_new_t *e = &b->events[i];
        if (e->stream == NULL || *e->stream == '\0' || strlen(e->stream) > FL_LOG_STREAM_MAX)
            why = "stream must have 1 to 400 bytes";
        else if (e->type == NULL || *e->type == '\0' || strlen(e->type) > FL_LOG_TYPE_MAX)
            why = "type must have 1 to 128 bytes";
        else if (e->v == 0)
            why = "event version must be at least 1";
        else if (!valid_meta(e->actor) || !valid_meta(e->cid) || !valid_meta(e->corr) ||
                 !valid_meta(e->ip) || !valid_meta(e->ua))
            why = "actor, cid, corr, ip and ua must have at most 1024 bytes";
        else if (e->number != NULL && !valid_prefix(e->number))
            why = "number prefix must be 1 to 8 capital letters";
        else if (!valid_data(e->data, e->data_len))
            why = "data is not one msgpack object";
    }
    if (why == NULL)
        return 0;
    res->detail = why;
    return FL_EINVAL;
}

static int check_expects(wctx_t *w, const fl_log_batch_t *b, fl_log_result_t *res)
{
    for (size_t i = 0; i < b->n_expects; i++) {
        const fl_log_expect_t *x = &b->expects[i];
        uint64_t cur, last;
        uint8_t key[FL__LOG_SKEY_LEN];
        if (x->version == FL_LOG_ANY)
            continue;
        fl__log_stream_key_cached(w->log, x->stream, strlen(x->stream), key);
        int rc = fl__log_heads_get(&w->log->heads, w->log, w->txn, key, &cur, &last);
        if (rc < 0)
            return rc;
        if ((int64_t)cur != x->version) {
            snprintf(res->stream, sizeof(res->stream), "%s", x->stream);
            res->expected = x->version;
            res->actual = (int64_t)cur;
            return FL_EVERSION;
        }
    }
    return 0;
}

/* Looks the idempotency key up; 1 when seen (res filled), 0 when new. */
static int idem_lookup(wctx_t *w, const char *key, fl_log_result_t *res)
{
    MDB_val k = {strlen(key), (void *)key}, d;
    int rc = mdb_get(w->txn, w->log->idem, &k, &d);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return fl__log_err(rc);
    if (d.mv_size != 20)
        return FL_ECORRUPT;
    const uint8_t *p = d.mv_data;
    res->duplicate = true;
    res->first_pos = fl__rd64(p);
    res->count = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
    res->ts = (fl_time_t)fl__rd64(p + 12);
    return 1;
}

static int idem_store(wctx_t *w, const char *key, const fl_log_result_t *res)
{
    uint8_t v[20]; /* first pos (8), count (4), ts (8), big-endian */
    fl__be64(v, res->first_pos);
    for (int i = 0; i < 4; i++)
        v[8 + i] = (uint8_t)(res->count >> (24 - 8 * i));
    fl__be64(v + 12, (uint64_t)res->ts);
    MDB_val k = {strlen(key), (void *)key}, d = {sizeof(v), v};
    return mdb_put(w->txn, w->log->idem, &k, &d, 0);
}

/* Takes the next number for prefix inside the transaction. LMDB code. */
static int take_number(wctx_t *w, const char *prefix, char *out)
{
    uint64_t last;
    int rc = fl__log_u64_get(w->txn, w->log->numbers, prefix, strlen(prefix), &last);
    if (rc < 0)
        return rc == FL_ECORRUPT ? MDB_CORRUPTED : MDB_PANIC;
    fl_log_number_format(prefix, last + 1, out, FL_LOG_NUM_MAX);
    return fl__log_u64_put(w->txn, w->log->numbers, prefix, strlen(prefix), last + 1);
}

/*
 * Indexes the event: a link to the stream's previous event, and the stream's
 * new head in the writer's table (written once per transaction). LMDB code.
 */
static int put_links(wctx_t *w, const uint8_t *skey, uint64_t pos, uint64_t sv, uint64_t prev)
{
    uint8_t key[8], val[8];
    fl__be64(key, pos);
    fl__be64(val, prev);
    MDB_val k = {8, key}, d = {8, val};
    int rc = mdb_put(w->txn, w->log->links, &k, &d, MDB_APPEND);
    if (rc != 0)
        return rc;
    w->streams += sv == 1;
    return fl__log_heads_set(&w->log->heads, skey, sv, pos) == 0 ? 0 : MDB_CORRUPTED;
}

/* Writes one event and its indexes. Returns an LMDB code. */
static int put_event(wctx_t *w, const fl_log_new_t *e, fl_time_t ts)
{
    char num[FL_LOG_NUM_MAX] = "";
    uint8_t key[8], skey[FL__LOG_SKEY_LEN];
    uint64_t sv, last;
    fl__log_stream_key_cached(w->log, e->stream, strlen(e->stream), skey);
    int rc = fl__log_heads_get(&w->log->heads, w->log, w->txn, skey, &sv, &last);
    if (rc < 0)
        return MDB_CORRUPTED;
    if (e->number != NULL && (rc = take_number(w, e->number, num)) != 0)
        return rc;
    fl_event_t ev = {.pos = w->head.pos + 1,
                     .ts = ts,
                     .type = e->type,
                     .v = e->v,
                     .stream = e->stream,
                     .sv = sv + 1,
                     .actor = e->actor,
                     .cid = e->cid,
                     .corr = e->corr,
                     .ip = e->ip,
                     .ua = e->ua,
                     .num = num,
                     .data = e->data,
                     .data_len = e->data_len};
    memcpy(ev.prev, w->head.hash, FL_LOG_HASH_LEN);
    fl__log_encode(&w->log->enc, &ev);
    fl__be64(key, ev.pos);
    MDB_val k = {8, key}, d = {w->log->enc.len, w->log->enc.data};
    if ((rc = mdb_put(w->txn, w->log->events, &k, &d, MDB_APPEND)) != 0 ||
        (rc = put_links(w, skey, ev.pos, ev.sv, last)) != 0)
        return rc;
    fl_log_hash(w->log->enc.data, w->log->enc.len, w->head.hash);
    w->head.pos = ev.pos;
    w->head.ts = ts;
    w->bytes += w->log->enc.len;
    return 0;
}

/*
 * Applies one batch in the current transaction. Returns an LMDB code for
 * failures of the transaction itself (which abort everything); the batch's
 * own verdict goes to res->rc.
 */
static int apply_batch(wctx_t *w, const fl_log_batch_t *b, fl_time_t ts, fl_log_result_t *res)
{
    int rc;
    memset(res, 0, sizeof(*res));
    if ((res->rc = check_batch(b, res)) != 0)
        return 0;
    if (b->idem_key != NULL && (rc = idem_lookup(w, b->idem_key, res)) != 0)
        return rc < 0 ? (res->rc = rc, 0) : 0;
    if ((res->rc = check_expects(w, b, res)) != 0)
        return 0;
    res->first_pos = w->head.pos + 1;
    res->ts = ts;
    for (size_t i = 0; i < b->n_events; i++) {
        if ((rc = put_event(w, &b->events[i], ts)) != 0)
            return rc;
    }
    res->count = (uint32_t)b->n_events;
    if (b->idem_key != NULL)
        return idem_store(w, b->idem_key, res);
    return 0;
}

/* Runs one batch in a nested transaction so that its failure undoes only itself. */
static int apply_nested(wctx_t *w, const fl_log_batch_t *b, fl_time_t ts, fl_log_result_t *res)
{
    MDB_txn *parent = w->txn, *child;
    fl__log_head_rec_t saved = w->head;
    uint64_t saved_bytes = w->bytes, saved_streams = w->streams;
    int rc = mdb_txn_begin(w->log->env, parent, 0, &child);
    if (rc != 0)
        return rc;
    w->txn = child;
    fl__log_heads_batch_begin(&w->log->heads);
    rc = apply_batch(w, b, ts, res);
    w->txn = parent;
    if (rc == 0 && res->rc == 0) {
        /* A failed commit frees the child too, and then fails the whole transaction. */
        if ((rc = mdb_txn_commit(child)) == 0) {
            fl__log_heads_batch_end(&w->log->heads);
            return 0;
        }
    } else {
        mdb_txn_abort(child);
    }
    fl__log_heads_batch_abort(&w->log->heads);
    w->head = saved;
    w->bytes = saved_bytes;
    w->streams = saved_streams;
    return rc;
}

static int write_meta(wctx_t *w)
{
    uint8_t v[16 + FL_LOG_HASH_LEN];
    fl__be64(v, w->head.pos);
    fl__be64(v + 8, (uint64_t)w->head.ts);
    memcpy(v + 16, w->head.hash, FL_LOG_HASH_LEN);
    MDB_val k = {4, "head"}, d = {sizeof(v), v};
    int rc = fl__log_heads_flush(&w->log->heads, w->log, w->txn, w->head.pos);
    if (rc == 0)
        rc = mdb_put(w->txn, w->log->meta, &k, &d, 0);
    if (rc == 0)
        rc = fl__log_u64_put(w->txn, w->log->meta, "bytes", 5, w->bytes);
    if (rc == 0)
        rc = fl__log_u64_put(w->txn, w->log->meta, "streams", 7, w->streams);
    return rc;
}

/* The time of a transaction's events: the clock, but never before the head's. */
static fl_time_t batch_time(const fl_log_t *log, fl_time_t head_ts)
{
    fl_time_t now = log->opts.clock ? log->opts.clock(log->opts.clock_ctx) : fl_clock_now();
    return now > head_ts ? now : head_ts;
}

static bool any_ok(const fl_log_result_t *results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (results[i].rc == 0 && !results[i].duplicate)
            return true;
    }
    return false;
}

/* One attempt at the whole transaction; returns an LMDB code, or a FireLater code. */
static int attempt_locked(fl_log_t *log, const fl_log_batch_t *batches, size_t n,
                          fl_log_result_t *results)
{
    wctx_t w = {.log = log};
    int rc = fl__log_txn_begin(log, 0, &w.txn);
    if (rc != 0)
        return rc;
    if ((rc = fl__log_head_read(log, w.txn, &w.head)) != 0 ||
        (rc = fl__log_u64_get(w.txn, log->meta, "bytes", 5, &w.bytes)) != 0 ||
        (rc = fl__log_u64_get(w.txn, log->meta, "streams", 7, &w.streams)) != 0 ||
        (rc = fl__log_heads_load(&log->heads, log, w.txn, w.head.pos)) != 0)
        goto out_abort;
    fl_time_t ts = batch_time(log, w.head.ts);
    for (size_t i = 0; i < n; i++) {
        rc = n == 1 ? apply_batch(&w, &batches[i], ts, &results[i])
                    : apply_nested(&w, &batches[i], ts, &results[i]);
        if (rc != 0)
            goto out_abort;
    }
    /* When every batch failed there is nothing to commit (and no fsync to pay). */
    if (!any_ok(results, n)) {
        fl__log_heads_invalidate(&log->heads);
        fl__log_txn_abort(log, w.txn);
        return 0;
    }
    if ((rc = write_meta(&w)) != 0)
        goto out_abort;
    /* Committing can also find the map full (the free list grows): keep LMDB's code. */
    rc = mdb_txn_commit(w.txn);
    pthread_rwlock_unlock(&log->map_lock);
    if (rc == 0)
        fl__log_heads_committed(&log->heads, w.head.pos);
    else
        fl__log_heads_invalidate(&log->heads);
    return rc;
out_abort:
    fl__log_heads_invalidate(&log->heads);
    fl__log_txn_abort(log, w.txn);
    return rc;
}

/*
 * The writer's heads outlive LMDB's writer lock by a moment (they learn
 * whether the commit held after mdb_txn_commit released it), so the writers
 * of this process also take write_mu, from before the transaction to after.
 */
static int attempt(fl_log_t *log, const fl_log_batch_t *batches, size_t n, fl_log_result_t *results)
{
    pthread_mutex_lock(&log->write_mu);
    int rc = attempt_locked(log, batches, n, results);
    pthread_mutex_unlock(&log->write_mu);
    return rc;
}

static void fail_all(fl_log_result_t *results, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].rc = rc;
    }
}

int fl_log_append_many(fl_log_t *log, const fl_log_batch_t *batches, size_t n,
                       fl_log_result_t *results)
{
    int rc = 0;
    if (log->opts.read_only) {
        fail_all(results, n, FL_EINVAL);
        return FL_EINVAL;
    }
    for (int tries = 0; n > 0 && tries < MAX_RETRIES; tries++) {
        rc = attempt(log, batches, n, results);
        if (rc != MDB_MAP_FULL)
            break;
        /* Nothing was committed: grow the map and run the whole transaction again. */
        if ((rc = fl__log_grow(log)) != 0)
            break;
        rc = MDB_MAP_FULL;
    }
    rc = fl__log_err(rc);
    if (rc == FL_EIO)
        rc = fl__log_classify_eio(log);
    if (rc != 0)
        fail_all(results, n, rc);
    return rc;
}

/*
 * Small reads and writes of the log's bookkeeping: head, stream versions,
 * numbers, consumer checkpoints and statistics.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define CKPT_NAME_MAX 200

int fl_log_head(fl_log_t *log, fl_log_head_t *head)
{
    MDB_txn *txn;
    fl__log_head_rec_t h;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = fl__log_head_read(log, txn, &h);
    fl__log_txn_abort(log, txn);
    if (rc == 0) {
        head->pos = h.pos;
        head->ts = h.ts;
        memcpy(head->hash, h.hash, FL_LOG_HASH_LEN);
    }
    return rc;
}

/* Reads one u64 value in its own read transaction; absent is 0. */
static int read_u64(fl_log_t *log, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v)
{
    MDB_txn *txn;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = fl__log_u64_get(txn, dbi, key, klen, v);
    fl__log_txn_abort(log, txn);
    return rc;
}

int fl_log_stream_version(fl_log_t *log, const char *stream, uint64_t *version)
{
    MDB_txn *txn;
    uint64_t last;
    size_t n = strlen(stream);
    if (n == 0 || n > FL_LOG_STREAM_MAX)
        return FL_EINVAL;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = fl__log_stream_get(log, txn, stream, n, version, &last);
    fl__log_txn_abort(log, txn);
    return rc;
}

int fl_log_number_last(fl_log_t *log, const char *prefix, uint64_t *last)
{
    size_t n = strlen(prefix);
    if (n == 0 || n > 8)
        return FL_EINVAL;
    return read_u64(log, log->numbers, prefix, n, last);
}

static int ckpt_key(const char *name, char *key, size_t len)
{
    size_t n = strlen(name);
    if (n == 0 || n > CKPT_NAME_MAX)
        return FL_EINVAL;
    snprintf(key, len, "ckpt:%s", name);
    return (int)n + 5;
}

int fl_log_checkpoint_get(fl_log_t *log, const char *name, uint64_t *pos)
{
    char key[CKPT_NAME_MAX + 6];
    int klen = ckpt_key(name, key, sizeof(key));
    if (klen < 0)
        return klen;
    return read_u64(log, log->meta, key, (size_t)klen, pos);
}

int fl_log_checkpoint_set(fl_log_t *log, const char *name, uint64_t pos)
{
    char key[CKPT_NAME_MAX + 6];
    int klen = ckpt_key(name, key, sizeof(key));
    if (klen < 0)
        return klen;
    if (log->opts.read_only)
        return FL_EINVAL;
    for (int tries = 0; tries < 8; tries++) {
        MDB_txn *txn;
        int rc = fl__log_txn_begin(log, 0, &txn);
        if (rc != 0)
            return rc;
        rc = fl__log_u64_put(txn, log->meta, key, (size_t)klen, pos);
        if (rc != 0) {
            fl__log_txn_abort(log, txn);
        } else {
            rc = mdb_txn_commit(txn);
            pthread_rwlock_unlock(&log->map_lock);
        }
        if (rc != MDB_MAP_FULL)
            return fl__log_err(rc);
        if ((rc = fl__log_grow(log)) != 0)
            return rc;
    }
    return FL_ENOSPACE;
}

int fl_log_stats(fl_log_t *log, fl_log_stats_t *st)
{
    MDB_txn *txn;
    MDB_stat ms;
    MDB_envinfo info;
    fl__log_head_rec_t h;
    memset(st, 0, sizeof(*st));
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    if ((rc = fl__log_head_read(log, txn, &h)) == 0 &&
        (rc = fl__log_u64_get(txn, log->meta, "bytes", 5, &st->bytes)) == 0 &&
        (rc = fl__log_u64_get(txn, log->meta, "streams", 7, &st->streams)) == 0) {
        mdb_stat(txn, log->events, &ms);
        st->events = ms.ms_entries;
        mdb_env_info(log->env, &info);
        mdb_env_stat(log->env, &ms);
        st->map_size = info.me_mapsize;
        st->map_used = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
        st->head_pos = h.pos;
    }
    fl__log_txn_abort(log, txn);
    return rc;
}

int fl_log_idem_get(fl_log_t *log, const char *key, fl_log_result_t *res)
{
    MDB_txn *txn;
    MDB_val k = {strlen(key), (void *)key}, d;
    if (k.mv_size == 0 || k.mv_size > FL_LOG_KEY_MAX)
        return FL_EINVAL;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = mdb_get(txn, log->idem, &k, &d);
    if (rc == 0 && d.mv_size == 20) {
        const uint8_t *p = d.mv_data;
        memset(res, 0, sizeof(*res));
        res->duplicate = true;
        res->first_pos = fl__rd64(p);
        res->count = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
        res->ts = (fl_time_t)fl__rd64(p + 12);
        rc = 1;
    } else {
        rc = rc == MDB_NOTFOUND ? 0 : rc == 0 ? FL_ECORRUPT : fl__log_err(rc);
    }
    fl__log_txn_abort(log, txn);
    return rc;
}

/* The time of the event at pos, decoded into the arena. */
static int ts_at(fl_log_t *log, MDB_txn *txn, uint64_t pos, fl_arena_t *a, fl_time_t *ts)
{
    uint8_t kb[8];
    MDB_val k = {8, kb}, d;
    fl_event_t ev;
    fl__be64(kb, pos);
    int rc = mdb_get(txn, log->events, &k, &d);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? FL_ECORRUPT : fl__log_err(rc);
    if ((rc = fl_event_decode(d.mv_data, d.mv_size, a, &ev)) != 0)
        return rc;
    *ts = ev.ts;
    return 0;
}

int fl_log_first_at(fl_log_t *log, fl_time_t t, uint64_t *pos)
{
    MDB_txn *txn;
    fl__log_head_rec_t h;
    fl_arena_t a;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    fl_arena_init(&a, 0);
    rc = fl__log_head_read(log, txn, &h);
    uint64_t lo = 1, hi = h.pos + 1; /* the answer is in [lo, hi] */
    while (rc == 0 && lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        fl_time_t ts = 0;
        if ((rc = ts_at(log, txn, mid, &a, &ts)) == 0) {
            if (ts >= t)
                hi = mid;
            else
                lo = mid + 1;
        }
        fl_arena_reset(&a);
    }
    fl_arena_free(&a);
    fl__log_txn_abort(log, txn);
    if (rc == 0)
        *pos = lo;
    return rc;
}

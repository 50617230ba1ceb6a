/*
 * Small helpers shared by the log's files: byte order, error translation,
 * and transactions that respect the map lock.
 */
#include <errno.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

void fl__be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint64_t fl__rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

int fl__log_link_get(const fl_log_t *log, MDB_txn *txn, uint64_t pos, uint64_t *prev)
{
    uint8_t kb[8];
    MDB_val k = {8, kb}, d;
    fl__be64(kb, pos);
    int rc = mdb_get(txn, log->links, &k, &d);
    if (rc == MDB_NOTFOUND || (rc == 0 && d.mv_size != 8))
        return FL_ECORRUPT;
    if (rc != 0)
        return fl__log_err(rc);
    *prev = fl__rd64(d.mv_data);
    return 0;
}

int fl__log_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return FL_ENOTFOUND;
    case MDB_MAP_FULL:
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
        return FL_ENOSPACE;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return FL_ECORRUPT;
    case EIO:
    case MDB_PANIC:
        return FL_EIO;
    default:
        if (rc > 0)
            return -rc; /* errno */
        if (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE)
            return FL_EIO;
        return rc; /* already a FireLater code or -errno */
    }
}

int fl__log_txn_begin(fl_log_t *log, unsigned flags, MDB_txn **txn)
{
    pthread_rwlock_rdlock(&log->map_lock);
    int rc = mdb_txn_begin(log->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size and try again. */
        pthread_rwlock_unlock(&log->map_lock);
        pthread_rwlock_wrlock(&log->map_lock);
        rc = mdb_env_set_mapsize(log->env, 0);
        pthread_rwlock_unlock(&log->map_lock);
        pthread_rwlock_rdlock(&log->map_lock);
        if (rc == 0)
            rc = mdb_txn_begin(log->env, NULL, flags, txn);
    }
    if (rc != 0) {
        pthread_rwlock_unlock(&log->map_lock);
        return fl__log_err(rc);
    }
    return 0;
}

void fl__log_txn_abort(fl_log_t *log, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&log->map_lock);
}

int fl__log_txn_commit(fl_log_t *log, MDB_txn *txn)
{
    int rc = mdb_txn_commit(txn);
    pthread_rwlock_unlock(&log->map_lock);
    return fl__log_err(rc);
}

int fl__log_u64_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v)
{
    MDB_val k = {klen, (void *)key}, d;
    int rc = mdb_get(txn, dbi, &k, &d);
    if (rc == MDB_NOTFOUND) {
        *v = 0;
        return 0;
    }
    if (rc != 0)
        return fl__log_err(rc);
    if (d.mv_size != 8)
        return FL_ECORRUPT;
    *v = fl__rd64(d.mv_data);
    return 0;
}

int fl__log_u64_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t v)
{
    uint8_t b[8];
    fl__be64(b, v);
    MDB_val k = {klen, (void *)key}, d = {8, b};
    return mdb_put(txn, dbi, &k, &d, 0);
}

int fl__log_head_read(fl_log_t *log, MDB_txn *txn, fl__log_head_rec_t *h)
{
    MDB_val k = {4, "head"}, d;
    int rc = mdb_get(txn, log->meta, &k, &d);
    memset(h, 0, sizeof(*h));
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return fl__log_err(rc);
    if (d.mv_size != 16 + FL_LOG_HASH_LEN)
        return FL_ECORRUPT;
    h->pos = fl__rd64(d.mv_data);
    h->ts = (fl_time_t)fl__rd64((uint8_t *)d.mv_data + 8);
    memcpy(h->hash, (uint8_t *)d.mv_data + 16, FL_LOG_HASH_LEN);
    return 0;
}

/*
 * Shared internals of src/log: the only place that knows about LMDB.
 *
 * Databases in one environment:
 *   events      BE u64 pos                 -> envelope (msgpack)
 *   streams     stream                     -> BE u64 current version, BE u64 position of
 *                                             the stream's last event
 *   links       BE u64 pos                 -> BE u64 position of the previous event of the
 *                                             same stream (0 for its first)
 *
 * Streams are read backwards along their links, then forwards. The links are
 * appended in position order (MDB_APPEND), so indexing an event writes to the
 * tail of one B-tree instead of a random leaf per stream: a stream index keyed
 * by (stream, version) cost ten times the bytes of the events themselves.
 *   idem        idempotency key            -> BE u64 first pos, BE u32 count, BE i64 ts
 *   numbers     prefix ("ISS")             -> BE u64 last number
 *   meta        "head"                     -> BE u64 pos, BE i64 ts, hash[32]
 *               "bytes"                    -> BE u64 stored envelope bytes
 *               "ckpt:<name>"              -> BE u64 pos
 */
#ifndef FIRELATER_LOG_INTERNAL_H
#define FIRELATER_LOG_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <lmdb.h>

#include "firelater/buf.h"
#include "firelater/log.h"

typedef struct fl__log_waiter fl__log_waiter_t;

struct fl_log {
    MDB_env *env;
    MDB_dbi events, streams, links, idem, numbers, meta;
    fl_log_opts_t opts;
    char *path;
    /*
     * Growing the map remaps it, which must not happen under a live
     * transaction of this process: every transaction holds this lock shared,
     * growth takes it exclusively (LMDB: mdb_env_set_mapsize).
     */
    pthread_rwlock_t map_lock;
    /* Group commit: callers of fl_log_append queue here; one leads a batch. */
    pthread_mutex_t group_mu;
    pthread_cond_t group_cv;
    fl__log_waiter_t *queue;
    bool leading;
    fl_buf_t enc; /* the writer's encoding buffer, used under LMDB's writer lock */
};

struct fl_log_cursor {
    fl_log_t *log;
    MDB_txn *txn;
    MDB_cursor *cur;
    fl_log_query_t q;
    char *stream; /* owned copy of q.stream */
    size_t stream_len;
    uint64_t *positions; /* a stream read: its positions in version order */
    size_t n_positions, next;
    bool started, done;
    uint64_t last_pos;
};

/* The head as kept in meta. */
typedef struct fl__log_head_rec {
    uint64_t pos;
    fl_time_t ts;
    uint8_t hash[FL_LOG_HASH_LEN];
} fl__log_head_rec_t;

/* LMDB's codes as FireLater's. */
int fl__log_err(int mdb_rc);

/* Begins a transaction under the map lock (shared); handles MDB_MAP_RESIZED. */
int fl__log_txn_begin(fl_log_t *log, unsigned flags, MDB_txn **txn);
void fl__log_txn_abort(fl_log_t *log, MDB_txn *txn);
int fl__log_txn_commit(fl_log_t *log, MDB_txn *txn);

/*
 * LMDB reports a short write as EIO, which is how a full disk (or a file size
 * limit) usually shows at commit. Returns FL_ENOSPACE when space is what ran
 * out, FL_EIO otherwise.
 */
int fl__log_classify_eio(const fl_log_t *log);

/* Doubles the map (no transaction of the caller may be open). */
int fl__log_grow(fl_log_t *log);

int fl__log_head_read(fl_log_t *log, MDB_txn *txn, fl__log_head_rec_t *h);
int fl__log_u64_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v);
/* Returns LMDB's own code, so that the writer can tell MDB_MAP_FULL apart. */
int fl__log_u64_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t v);

void fl__be64(uint8_t *p, uint64_t v);
uint64_t fl__rd64(const uint8_t *p);

/* A stream's version and last position (both 0 when it does not exist). FireLater codes. */
int fl__log_stream_get(const fl_log_t *log, MDB_txn *txn, const char *stream, size_t slen,
                       uint64_t *version, uint64_t *last);

/* The position before pos in its stream (0 for the first). FL_ECORRUPT when unlinked. */
int fl__log_link_get(const fl_log_t *log, MDB_txn *txn, uint64_t pos, uint64_t *prev);

/* Encodes an envelope into b (cleared first). */
void fl__log_encode(fl_buf_t *b, const fl_event_t *ev);

/* Applies the registered upcasters to ev (in the arena). */
int fl__log_upcast(const fl_log_t *log, fl_arena_t *a, fl_event_t *ev);

#endif

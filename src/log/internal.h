/*
 * Shared internals of src/log: the only place that knows about LMDB.
 *
 * On-disk layout 2 (meta "layout"; fl_log_open refuses any other). Databases
 * in one environment:
 *   events      BE u64 pos                 -> envelope (msgpack)
 *   links       BE u64 pos                 -> BE u64 position of the previous event of the
 *                                             same stream (0 for its first)
 *   streams     stream key                 -> BE u64 version, BE u64 position of the
 *                                             stream's last event (settled heads)
 *   recent      BE u64 last pos of a txn   -> the heads that transaction moved, sorted by
 *                                             stream key: n x (key, BE u64 version,
 *                                             BE u64 last pos)
 *
 * A stream key is the first 16 bytes (BLAKE2b-128) of the stream name's
 * BLAKE2b hash. Streams are read backwards along their links, then forwards.
 * The links are appended in position order (MDB_APPEND), so indexing an event
 * writes to the tail of one B-tree instead of a random leaf per stream: a
 * stream index keyed by (stream, version) cost ten times the bytes of the
 * events themselves. A stream's head is its newest `recent` entry, else its
 * `streams` entry; heads.c explains why heads are kept in two places.
 *   idem        idempotency key            -> BE u64 first pos, BE u32 count, BE i64 ts
 *   numbers     prefix ("ISS")             -> BE u64 last number
 *   meta        "layout"                   -> BE u64 FL__LOG_LAYOUT
 *               "head"                     -> BE u64 pos, BE i64 ts, hash[32]
 *               "bytes"                    -> BE u64 stored envelope bytes
 *               "streams"                  -> BE u64 number of streams
 *               "ckpt:<name>"              -> BE u64 pos
 *
 * Why 128 bits are enough for stream keys: two names share a key with
 * probability about n^2 / 2^129, 10^-20 for a billion streams, and finding a
 * pair on purpose costs about 2^64 hash evaluations (stream names are built
 * by the server from UUIDs it generates anyway). Should it ever happen, it is
 * caught rather than silent: a stream cursor and fl_log_verify check that
 * every event a stream's links reach carries that stream's name and version.
 */
#ifndef FIRELATER_LOG_INTERNAL_H
#define FIRELATER_LOG_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <lmdb.h>

#include "firelater/buf.h"
#include "firelater/log.h"

#define FL__LOG_LAYOUT   2  /* bump on any change to the databases above */
#define FL__LOG_SKEY_LEN 16 /* bytes of a stream key */

#define FL__LOG_SKEY_NAME_MAX 47   /* longer names are not kept in the key cache */
#define FL__LOG_SKEY_SETS     2048 /* two ways each: 2048 * 2 * 64 bytes per writing log */

typedef struct fl__log_waiter fl__log_waiter_t;

/* A stream name and its key, in the writer's key cache (heads.c). */
typedef struct fl__log_skey {
    uint8_t len;
    char name[FL__LOG_SKEY_NAME_MAX];
    uint8_t key[FL__LOG_SKEY_LEN];
} fl__log_skey_t;

/* One stream head in the writer's table (heads.c). */
typedef struct fl__log_head_ent {
    uint8_t key[FL__LOG_SKEY_LEN];
    uint64_t version, last;
    bool used;
    bool in_tail; /* this value is in `recent` (or will be, at this transaction's end) */
    bool touched; /* moved by the open transaction */
} fl__log_head_ent_t;

/* What a failed batch puts back. */
typedef struct fl__log_undo {
    uint32_t idx;
    uint64_t version, last;
    bool in_tail, touched;
} fl__log_undo_t;

/*
 * The writer's stream heads: every head in `recent`, plus the heads read in
 * the current transaction (an open-addressing table), trusted while the log's
 * head is at valid_at.
 */
typedef struct fl__log_heads {
    fl__log_head_ent_t *slots;
    size_t cap, count;
    size_t n_tail;     /* entries with in_tail */
    size_t n_records;  /* records in `recent` */
    uint32_t *touched; /* slots moved by the open transaction */
    size_t n_touched, cap_touched, batch_touched;
    fl__log_undo_t *undo; /* the open batch's changes */
    size_t n_undo, cap_undo;
    bool valid;
    uint64_t valid_at;
    bool reader; /* a reader's table (verify): heads read from `streams` are not kept */
} fl__log_heads_t;

struct fl_log {
    MDB_env *env;
    MDB_dbi events, streams, recent, links, idem, numbers, meta;
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
    fl_buf_t enc;             /* the writer's encoding buffer, under write_mu */
    pthread_mutex_t write_mu; /* held by this process's writer around each transaction */
    fl__log_heads_t heads;    /* the writer's stream heads, under write_mu */
    fl__log_skey_t *skeys;    /* the writer's key cache (first append allocates), under write_mu */
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

/* The stream key of a name (BLAKE2b, FL__LOG_SKEY_LEN bytes). */
void fl__log_stream_key(const char *stream, size_t slen, uint8_t key[FL__LOG_SKEY_LEN]);

/* The same, from the writer's cache of recent names (under write_mu). */
void fl__log_stream_key_cached(fl_log_t *log, const char *stream, size_t slen,
                               uint8_t key[FL__LOG_SKEY_LEN]);

/*
 * A stream's version and last position (both 0 when it does not exist), as a
 * reader sees them: `recent` newest first, then `streams`. FireLater codes.
 */
int fl__log_stream_get(const fl_log_t *log, MDB_txn *txn, const char *stream, size_t slen,
                       uint64_t *version, uint64_t *last);

/*
 * The writer's stream heads (heads.c). In a write transaction: _load when it
 * begins (at the log's head position), _get and _set per event, a batch
 * between _batch_begin and _batch_end or _batch_abort, _flush before the
 * commit (an LMDB code), then _committed, or _invalidate when the transaction
 * did not commit. _get with a table that was _load-ed also serves a reader
 * that looks many heads up in one snapshot (verify).
 */
void fl__log_heads_init(fl__log_heads_t *h);
void fl__log_heads_free(fl__log_heads_t *h);
void fl__log_heads_invalidate(fl__log_heads_t *h);
int fl__log_heads_load(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, uint64_t at);
int fl__log_heads_get(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, const uint8_t *key,
                      uint64_t *version, uint64_t *last);
int fl__log_heads_set(fl__log_heads_t *h, const uint8_t *key, uint64_t version, uint64_t last);
void fl__log_heads_batch_begin(fl__log_heads_t *h);
void fl__log_heads_batch_abort(fl__log_heads_t *h);
void fl__log_heads_batch_end(fl__log_heads_t *h);
int fl__log_heads_flush(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, uint64_t pos);
void fl__log_heads_committed(fl__log_heads_t *h, uint64_t pos);

/* The position before pos in its stream (0 for the first). FL_ECORRUPT when unlinked. */
int fl__log_link_get(const fl_log_t *log, MDB_txn *txn, uint64_t pos, uint64_t *prev);

/* Encodes an envelope into b (cleared first). */
void fl__log_encode(fl_buf_t *b, const fl_event_t *ev);

/* Applies the registered upcasters to ev (in the arena). */
int fl__log_upcast(const fl_log_t *log, fl_arena_t *a, fl_event_t *ev);

#endif

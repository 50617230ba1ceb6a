/*
 * The tenant event log: an append-only, hash-chained sequence of events in one
 * LMDB environment per tenant (<data>/tenants/<slug>/) and one for the
 * platform (<data>/platform/). Every command FireLater accepts becomes events
 * here; everything else (read models, timers, dispatchers) is derived.
 *
 * An event's stored bytes are its envelope, a msgpack map with short stable
 * keys: pos, ts, type, v, stream, sv, actor, cid, corr, ip, ua, num, data,
 * prev.
 * `prev` is the BLAKE2b-256 of the previous event's stored bytes, so altering
 * any stored byte breaks the chain at that event (fl_log_verify).
 *
 * A log handle is safe to use from several threads: appends from concurrent
 * callers are grouped into shared write transactions (group commit), reads
 * run in their own read-only transactions.
 */
#ifndef FIRELATER_LOG_H
#define FIRELATER_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/arena.h"
#include "firelater/clock.h"

#define FL_LOG_HASH_LEN   32
#define FL_LOG_STREAM_MAX 400 /* bytes; an LMDB key holds the stream and a version */
#define FL_LOG_TYPE_MAX   128
#define FL_LOG_KEY_MAX    255  /* idempotency keys */
#define FL_LOG_NUM_MAX    32   /* "ISS-00001": a prefix of up to 8 letters, 20 digits, NUL */
#define FL_LOG_META_MAX   1024 /* actor, cid, corr */

typedef struct fl_log fl_log_t;

typedef fl_time_t (*fl_log_clock_fn)(void *ctx);

/* Rewrites an event of (type, from_v) into version from_v + 1, in the arena. */
typedef int (*fl_upcast_fn)(fl_arena_t *a, const uint8_t *data, size_t len, uint8_t **out_data,
                            size_t *out_len);

typedef struct fl_upcaster {
    const char *type;
    uint32_t from_v;
    fl_upcast_fn fn;
} fl_upcaster_t;

typedef struct fl_log_opts {
    size_t map_size;       /* initial map size in bytes; 0 = 64 MiB */
    bool no_sync;          /* benchmarks and tests only: skip fsync on commit */
    bool read_only;        /* operators' tools that must not write */
    fl_log_clock_fn clock; /* NULL = fl_clock_now; tests inject time */
    void *clock_ctx;
    const fl_upcaster_t *upcasters; /* static table, NULL-type terminated; may be NULL */
} fl_log_opts_t;

/*
 * Opens (creating if needed, unless read_only) the environment in dir, which
 * must exist. *out is owned by the caller until fl_log_close.
 * Errors: -errno, FL_ECORRUPT.
 */
int fl_log_open(fl_log_t **out, const char *dir, const fl_log_opts_t *opts);
void fl_log_close(fl_log_t *log);

/* One event of an append. Strings are NUL-terminated; data is a msgpack object. */
typedef struct fl_log_new {
    const char *stream;  /* "issue:<uuid>" */
    const char *type;    /* "issue.created" */
    uint32_t v;          /* event schema version, >= 1 */
    const char *actor;   /* may be NULL */
    const char *cid;     /* command id; may be NULL */
    const char *corr;    /* correlation id; may be NULL */
    const char *ip;      /* the client's address, for the audit trail; may be NULL */
    const char *ua;      /* the client's user agent; may be NULL */
    const char *number;  /* NULL, or a prefix ("ISS") to allocate "ISS-00001" */
    const uint8_t *data; /* msgpack; NULL means an empty map */
    size_t data_len;
} fl_log_new_t;

#define FL_LOG_ANY       (-1) /* no expectation on the stream's version */
#define FL_LOG_NO_STREAM 0    /* the stream must not exist yet */

typedef struct fl_log_expect {
    const char *stream;
    int64_t version; /* FL_LOG_ANY, FL_LOG_NO_STREAM, or the exact current version */
} fl_log_expect_t;

/* The outcome of one batch; on a version conflict `stream`, `expected`, `actual` say why. */
typedef struct fl_log_result {
    int rc;             /* 0, FL_EVERSION, FL_EINVAL, FL_ENOSPACE, FL_EIO, ... */
    const char *detail; /* with FL_EINVAL: what is wrong (a static string); else NULL */
    bool duplicate;     /* the idempotency key was seen: nothing was appended */
    uint64_t first_pos; /* positions first_pos .. first_pos + count - 1 */
    uint32_t count;
    fl_time_t ts; /* the time recorded in the batch's events */
    char stream[FL_LOG_STREAM_MAX + 1];
    int64_t expected, actual;
} fl_log_result_t;

/*
 * A batch is all or nothing. Each event's stream version is one past the
 * stream's last; its number, when asked for, is allocated in the same
 * transaction (gapless per prefix). A batch with an idempotency key that was
 * seen before appends nothing and reports the first positions, duplicate = true.
 */
typedef struct fl_log_batch {
    const fl_log_new_t *events;
    size_t n_events;
    const fl_log_expect_t *expects;
    size_t n_expects;
    const char *idem_key; /* may be NULL */
} fl_log_batch_t;

/*
 * Appends the batches in one write transaction and one fsync; each batch
 * succeeds or fails on its own (a failed batch leaves no trace). Returns 0
 * when the transaction committed (see each result's rc), or a negative code
 * when it could not (then every result carries that code). Returns only after
 * the commit is durable. A full map is grown and the transaction retried.
 */
int fl_log_append_many(fl_log_t *log, const fl_log_batch_t *batches, size_t n,
                       fl_log_result_t *results);

/*
 * Appends one batch. Safe from many threads at once: concurrent callers are
 * grouped into one transaction (group commit). Returns the batch's rc.
 */
int fl_log_append(fl_log_t *log, const fl_log_batch_t *batch, fl_log_result_t *result);

/* A decoded event. Strings, data and raw are copies in the arena given to the reader. */
typedef struct fl_event {
    uint64_t pos;
    fl_time_t ts;
    const char *type;
    uint32_t v; /* after upcasting */
    const char *stream;
    uint64_t sv;
    const char *actor; /* "" when absent, as are cid, corr, num */
    const char *cid;
    const char *corr;
    const char *ip; /* client address and user agent of the command ("" when absent) */
    const char *ua;
    const char *num;
    const uint8_t *data; /* msgpack object (after upcasting) */
    size_t data_len;
    uint8_t prev[FL_LOG_HASH_LEN];
    const uint8_t *raw; /* the stored bytes (before upcasting) */
    size_t raw_len;
} fl_event_t;

/*
 * Encodes / decodes one envelope. Decoding never trusts its input: a truncated
 * or malformed record is FL_ECORRUPT. The decoded event points into the arena.
 */
int fl_event_encode(const fl_event_t *ev, uint8_t **out, size_t *out_len, fl_arena_t *a);
int fl_event_decode(const uint8_t *buf, size_t len, fl_arena_t *a, fl_event_t *ev);

/* What a cursor reads. Zero means "no bound". */
typedef struct fl_log_query {
    uint64_t from;      /* first position (default 1) */
    uint64_t to;        /* last position, inclusive */
    const char *stream; /* only this stream, in version order */
    fl_time_t until;    /* only events with ts <= until */
    uint64_t from_sv;   /* with stream: the first stream version (default 1) */
} fl_log_query_t;

typedef struct fl_log_cursor fl_log_cursor_t;

/* A cursor holds a read snapshot until closed; it sees nothing appended after. */
int fl_log_cursor_open(fl_log_t *log, const fl_log_query_t *q, fl_log_cursor_t **out);

/*
 * The next event, decoded into the arena and upcast. Returns 1 when *ev was
 * filled, 0 at the end, FL_ECORRUPT on a bad record (fl_log_cursor_pos names it).
 * A cursor over one stream reads in version order; others in position order.
 */
int fl_log_cursor_next(fl_log_cursor_t *c, fl_arena_t *a, fl_event_t *ev);
uint64_t fl_log_cursor_pos(const fl_log_cursor_t *c); /* position of the last record read */
void fl_log_cursor_close(fl_log_cursor_t *c);

typedef struct fl_log_head {
    uint64_t pos; /* 0 for an empty log */
    fl_time_t ts;
    uint8_t hash[FL_LOG_HASH_LEN]; /* of the last event; zeros when empty */
} fl_log_head_t;

int fl_log_head(fl_log_t *log, fl_log_head_t *head);

/*
 * The first position whose event was recorded at or after t (head + 1 when
 * none): a binary search, since time never decreases along the log.
 */
int fl_log_first_at(fl_log_t *log, fl_time_t t, uint64_t *pos);

/* The stream's current version, 0 if it does not exist. */
int fl_log_stream_version(fl_log_t *log, const char *stream, uint64_t *version);

/*
 * The batch an idempotency key was first appended with: 1 and *res filled
 * (duplicate = true, first_pos, count, ts) when seen, 0 when not.
 */
int fl_log_idem_get(fl_log_t *log, const char *key, fl_log_result_t *res);

/* The last number allocated for a prefix ("ISS"), 0 if none yet. */
int fl_log_number_last(fl_log_t *log, const char *prefix, uint64_t *last);

/* Named consumer checkpoints (projector, dispatchers), kept in the same environment. */
int fl_log_checkpoint_get(fl_log_t *log, const char *name, uint64_t *pos);
int fl_log_checkpoint_set(fl_log_t *log, const char *name, uint64_t pos);

typedef struct fl_log_stats {
    uint64_t events;
    uint64_t streams;
    uint64_t bytes; /* stored envelope bytes */
    uint64_t map_size;
    uint64_t map_used;
    uint64_t head_pos;
} fl_log_stats_t;

int fl_log_stats(fl_log_t *log, fl_log_stats_t *st);

/*
 * Checks every record decodes, positions are dense, each stream's versions are
 * dense and indexed, and the hash chain holds up to the stored head. On failure
 * returns FL_ECORRUPT or FL_ECHAIN with *bad_pos naming the first altered
 * record and why in msg.
 */
int fl_log_verify(fl_log_t *log, uint64_t *bad_pos, char *msg, size_t msg_len);

/* BLAKE2b-256 of a record's bytes, as stored in the next record's prev. */
void fl_log_hash(const uint8_t *raw, size_t len, uint8_t out[FL_LOG_HASH_LEN]);

/* Formats the number n for prefix as "ISS-00001" (at least five digits). */
void fl_log_number_format(const char *prefix, uint64_t n, char *buf, size_t len);

/*
 * Drops the log's pages from the process's resident set after a long read
 * (madvise MADV_DONTNEED over the map, which is read-only): they stay in the
 * page cache and come back, without I/O, when next read. 0 or -errno.
 */
int fl_log_drop_pages(fl_log_t *log);

/* The environment's directory, for messages. */
const char *fl_log_path(const fl_log_t *log);

#endif

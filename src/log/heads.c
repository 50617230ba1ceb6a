/*
 * Stream heads: each stream's version and last position.
 *
 * A head lives in one of two places. `streams` holds the settled heads, keyed
 * by the stream's 128-bit BLAKE2b hash. `recent` holds, per write transaction,
 * one record with the heads that transaction moved, appended in position
 * order. A head is the newest `recent` record that has it, else `streams`.
 *
 * Why: rewriting a `streams` entry per event dirtied one random leaf per
 * stream in every commit, more than the events' own pages at batch 256. A
 * `recent` record is sequential (MDB_APPEND), and every HEADS_MAX_RECORDS
 * transactions or HEADS_MAX_TAIL moved heads, one transaction merges the tail
 * into `streams` in key order and empties `recent`, so a leaf is rewritten
 * once for many events.
 *
 * The writer keeps the tail in memory (fl__log_heads_t), with a copy of every
 * head it looked up in the transaction: lookups cost a hash probe, a batch
 * that fails is undone from an undo list, and the table is trusted only while
 * the log's head is where this process left it (another process may write).
 * Readers search `recent` newest first (bounded by HEADS_MAX_RECORDS), then
 * `streams`.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define HEADS_MAX_RECORDS 32   /* `recent` records before a merge: bounds a reader's search */
#define HEADS_MAX_TAIL    4096 /* heads in `recent` before a merge: bounds a merge's size */
#define HEADS_MAX_CACHED  16384
/*
 * A `recent` entry: stream key, BE u64 version, BE u32 distance of the last
 * position back from the record's key (a transaction never holds 2^32
 * events): 28 bytes, so that the 256 heads of a 256-event commit fit two
 * overflow pages where 32 bytes took three.
 */
#define REC_LEN (FL__LOG_SKEY_LEN + 12)

void fl__log_stream_key(const char *stream, size_t slen, uint8_t key[FL__LOG_SKEY_LEN])
{
    crypto_generichash(key, FL__LOG_SKEY_LEN, (const uint8_t *)stream, slen, NULL, 0);
}

/* Where a name sits in the key cache: a word at a time (a clash costs only a miss). */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = n * 0x9e3779b97f4a7c15u, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xff51afd7ed558ccdu;
    return h ^ (h >> 29);
}

/*
 * The writer's stream keys, remembered by name: a BLAKE2b call costs about as
 * much as the rest of an event's indexing on the machines we measured, and
 * busy streams are written again and again. Two ways per set; the newer name
 * goes first. Used under write_mu, like the rest of the writer.
 */
void fl__log_stream_key_cached(fl_log_t *log, const char *stream, size_t slen,
                               uint8_t key[FL__LOG_SKEY_LEN])
{
    if (slen > FL__LOG_SKEY_NAME_MAX) {
        fl__log_stream_key(stream, slen, key);
        return;
    }
    if (log->skeys == NULL &&
        (log->skeys = calloc(FL__LOG_SKEY_SETS * 2, sizeof(*log->skeys))) == NULL)
        fl_oom();
    fl__log_skey_t *set = &log->skeys[2 * (name_hash(stream, slen) & (FL__LOG_SKEY_SETS - 1))];
    for (int way = 0; way < 2; way++) {
        if (set[way].len == slen && memcmp(set[way].name, stream, slen) == 0) {
            memcpy(key, set[way].key, FL__LOG_SKEY_LEN);
            return;
        }
    }
    fl__log_stream_key(stream, slen, key);
    set[1] = set[0];
    set[0].len = (uint8_t)slen;
    memcpy(set[0].name, stream, slen);
    memcpy(set[0].key, key, FL__LOG_SKEY_LEN);
}

void fl__log_heads_init(fl__log_heads_t *h)
{
    memset(h, 0, sizeof(*h));
}

void fl__log_heads_free(fl__log_heads_t *h)
{
    free(h->slots);
    free(h->touched);
    free(h->undo);
    memset(h, 0, sizeof(*h));
}

/* Forgets everything; the next fl__log_heads_begin reloads the tail. */
void fl__log_heads_invalidate(fl__log_heads_t *h)
{
    if (h->slots != NULL)
        memset(h->slots, 0, h->cap * sizeof(*h->slots));
    h->count = h->n_tail = h->n_touched = h->n_undo = h->n_records = 0;
    h->valid = false;
}

static void *grow_array(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    p = realloc(p, n * size);
    if (p == NULL)
        fl_oom();
    *cap = n;
    return p;
}

static size_t slot_of(const fl__log_heads_t *h, const uint8_t *key)
{
    uint64_t v;
    memcpy(&v, key, sizeof(v)); /* a BLAKE2b output: already uniform */
    return (size_t)v & (h->cap - 1);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const fl__log_heads_t *h, const uint8_t *key)
{
    size_t i = slot_of(h, key);
    while (h->slots[i].used && memcmp(h->slots[i].key, key, FL__LOG_SKEY_LEN) != 0)
        i = (i + 1) & (h->cap - 1);
    return i;
}

/* Doubles the table; indices change, so only between lookups (never with an undo list). */
static void rehash(fl__log_heads_t *h)
{
    fl__log_head_ent_t *old = h->slots;
    size_t old_cap = h->cap;
    h->cap = old_cap ? old_cap * 2 : 1024;
    h->slots = calloc(h->cap, sizeof(*h->slots));
    if (h->slots == NULL)
        fl_oom();
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].used)
            h->slots[probe(h, old[i].key)] = old[i];
    }
    for (size_t i = 0; i < h->n_touched; i++)
        h->touched[i] = (uint32_t)probe(h, old[h->touched[i]].key);
    for (size_t i = 0; i < h->n_undo; i++)
        h->undo[i].idx = (uint32_t)probe(h, old[h->undo[i].idx].key);
    free(old);
}

static void rd_head(const uint8_t *p, uint64_t *version, uint64_t *last)
{
    *version = fl__rd64(p);
    *last = fl__rd64(p + 8);
}

/* One `recent` entry (after its key) of the record keyed rec_pos. */
static void rd_entry(const uint8_t *p, uint64_t rec_pos, uint64_t *version, uint64_t *last)
{
    *version = fl__rd64(p);
    *last = rec_pos - ((uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11]);
}

/* Inserts or overwrites key's head without marking it; returns its slot. */
static size_t put_slot(fl__log_heads_t *h, const uint8_t *key, uint64_t version, uint64_t last)
{
    if (h->cap == 0 || (h->count + 1) * 4 > h->cap * 3)
        rehash(h);
    size_t i = probe(h, key);
    fl__log_head_ent_t *e = &h->slots[i];
    if (!e->used) {
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, FL__LOG_SKEY_LEN);
        e->used = true;
        h->count++;
    }
    e->version = version;
    e->last = last;
    return i;
}

/* Loads every `recent` record, oldest first, into the table as tail heads. */
static int load_tail(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn)
{
    MDB_cursor *cur;
    MDB_val k, d;
    int rc = mdb_cursor_open(txn, log->recent, &cur);
    if (rc != 0)
        return fl__log_err(rc);
    for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
        if (d.mv_size % REC_LEN != 0 || k.mv_size != 8)
            break;
        uint64_t rec_pos = fl__rd64(k.mv_data);
        for (const uint8_t *p = d.mv_data, *end = p + d.mv_size; p < end; p += REC_LEN) {
            uint64_t version, last;
            rd_entry(p + FL__LOG_SKEY_LEN, rec_pos, &version, &last);
            size_t i = put_slot(h, p, version, last); /* may move the slots */
            fl__log_head_ent_t *e = &h->slots[i];
            h->n_tail += !e->in_tail;
            e->in_tail = true;
        }
        h->n_records++;
    }
    mdb_cursor_close(cur);
    if (rc == 0)
        return FL_ECORRUPT; /* a record that is not whole heads */
    return rc == MDB_NOTFOUND ? 0 : fl__log_err(rc);
}

int fl__log_heads_load(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, uint64_t at)
{
    if (h->valid && h->valid_at == at)
        return 0;
    fl__log_heads_invalidate(h);
    int rc = load_tail(h, log, txn);
    if (rc != 0) {
        fl__log_heads_invalidate(h);
        return rc;
    }
    h->valid = true;
    h->valid_at = at;
    return 0;
}

static int settled_get(const fl_log_t *log, MDB_txn *txn, const uint8_t *key, uint64_t *version,
                       uint64_t *last)
{
    MDB_val k = {FL__LOG_SKEY_LEN, (void *)key}, d;
    int rc = mdb_get(txn, log->streams, &k, &d);
    *version = *last = 0;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return fl__log_err(rc);
    if (d.mv_size != 16)
        return FL_ECORRUPT;
    rd_head(d.mv_data, version, last);
    return 0;
}

int fl__log_heads_get(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, const uint8_t *key,
                      uint64_t *version, uint64_t *last)
{
    if (h->cap > 0) {
        const fl__log_head_ent_t *e = &h->slots[probe(h, key)];
        if (e->used) {
            *version = e->version;
            *last = e->last;
            return 0;
        }
    }
    /* Not in the tail: the settled head, remembered for the rest of the transaction. */
    int rc = settled_get(log, txn, key, version, last);
    if (rc == 0 && !h->reader)
        put_slot(h, key, *version, *last);
    return rc;
}

int fl__log_heads_set(fl__log_heads_t *h, const uint8_t *key, uint64_t version, uint64_t last)
{
    size_t i = h->cap ? probe(h, key) : 0;
    if (h->cap == 0 || !h->slots[i].used)
        return FL_ECORRUPT; /* a head is always read before it is moved */
    fl__log_head_ent_t *e = &h->slots[i];
    h->undo = grow_array(h->undo, &h->cap_undo, h->n_undo + 1, sizeof(*h->undo));
    h->undo[h->n_undo++] =
        (fl__log_undo_t){(uint32_t)i, e->version, e->last, e->in_tail, e->touched};
    if (!e->touched) {
        h->touched = grow_array(h->touched, &h->cap_touched, h->n_touched + 1, sizeof(*h->touched));
        h->touched[h->n_touched++] = (uint32_t)i;
    }
    h->n_tail += !e->in_tail;
    e->version = version;
    e->last = last;
    e->in_tail = e->touched = true;
    return 0;
}

void fl__log_heads_batch_begin(fl__log_heads_t *h)
{
    h->n_undo = 0;
    h->batch_touched = h->n_touched;
}

void fl__log_heads_batch_abort(fl__log_heads_t *h)
{
    while (h->n_undo > 0) {
        const fl__log_undo_t *u = &h->undo[--h->n_undo];
        fl__log_head_ent_t *e = &h->slots[u->idx];
        h->n_tail -= e->in_tail && !u->in_tail;
        e->version = u->version;
        e->last = u->last;
        e->in_tail = u->in_tail;
        e->touched = u->touched;
    }
    h->n_touched = h->batch_touched;
}

void fl__log_heads_batch_end(fl__log_heads_t *h)
{
    h->n_undo = 0;
}

static int by_key(const void *a, const void *b)
{
    const fl__log_head_ent_t *x = *(fl__log_head_ent_t *const *)a;
    const fl__log_head_ent_t *y = *(fl__log_head_ent_t *const *)b;
    return memcmp(x->key, y->key, FL__LOG_SKEY_LEN);
}

/* Sorts slot indices by their keys (through pointers: qsort has no context argument). */
static void sort_slots(const fl__log_heads_t *h, uint32_t *idx, size_t n)
{
    fl__log_head_ent_t **p = malloc((n + 1) * sizeof(*p));
    if (p == NULL)
        fl_oom();
    for (size_t i = 0; i < n; i++)
        p[i] = &h->slots[idx[i]];
    qsort(p, n, sizeof(*p), by_key);
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)(p[i] - h->slots);
    free(p);
}

/* Appends the heads this transaction moved as one `recent` record, keyed by its last position. */
static int write_record(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, uint64_t pos)
{
    uint8_t key[8];
    MDB_val k = {8, key}, d = {h->n_touched * REC_LEN, NULL};
    sort_slots(h, h->touched, h->n_touched);
    fl__be64(key, pos);
    /* MDB_RESERVE: LMDB hands out the space, the heads are written straight into it. */
    int rc = mdb_put(txn, log->recent, &k, &d, MDB_APPEND | MDB_RESERVE);
    if (rc != 0)
        return rc;
    uint8_t *p = d.mv_data;
    for (size_t i = 0; i < h->n_touched; i++, p += REC_LEN) {
        const fl__log_head_ent_t *e = &h->slots[h->touched[i]];
        memcpy(p, e->key, FL__LOG_SKEY_LEN);
        uint64_t back = pos - e->last;
        fl_assert(e->last <= pos && back <= UINT32_MAX);
        fl__be64(p + FL__LOG_SKEY_LEN, e->version);
        for (int b = 0; b < 4; b++)
            p[FL__LOG_SKEY_LEN + 8 + b] = (uint8_t)(back >> (24 - 8 * b));
    }
    h->n_records++;
    return 0;
}

/* Moves the whole tail into `streams`, in key order, and empties `recent`. LMDB code. */
static int merge_tail(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn)
{
    uint32_t *idx = malloc((h->n_tail + 1) * sizeof(*idx));
    size_t n = 0;
    int rc = 0;
    if (idx == NULL)
        fl_oom();
    for (size_t i = 0; i < h->cap; i++) {
        if (h->slots[i].used && h->slots[i].in_tail)
            idx[n++] = (uint32_t)i;
    }
    sort_slots(h, idx, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const fl__log_head_ent_t *e = &h->slots[idx[i]];
        uint8_t v[16];
        fl__be64(v, e->version);
        fl__be64(v + 8, e->last);
        MDB_val k = {FL__LOG_SKEY_LEN, (void *)e->key}, d = {16, v};
        rc = mdb_put(txn, log->streams, &k, &d, 0);
    }
    free(idx);
    if (rc == 0)
        rc = mdb_drop(txn, log->recent, 0);
    /*
     * Every head is settled now. The table stays (its values are right) unless
     * it grew large; either way nothing in it is in the tail any more.
     */
    if (rc == 0 && h->count >= HEADS_MAX_CACHED / 2) {
        fl__log_heads_invalidate(h); /* fl__log_heads_committed trusts it again */
    } else if (rc == 0) {
        for (size_t i = 0; i < h->cap; i++)
            h->slots[i].in_tail = false;
        h->n_tail = h->n_records = 0;
    }
    return rc;
}

int fl__log_heads_flush(fl__log_heads_t *h, const fl_log_t *log, MDB_txn *txn, uint64_t pos)
{
    if (h->n_touched == 0)
        return 0;
    if (h->n_records + 1 >= HEADS_MAX_RECORDS || h->n_tail >= HEADS_MAX_TAIL ||
        h->count >= HEADS_MAX_CACHED)
        return merge_tail(h, log, txn);
    return write_record(h, log, txn, pos);
}

void fl__log_heads_committed(fl__log_heads_t *h, uint64_t pos)
{
    for (size_t i = 0; i < h->n_touched; i++)
        h->slots[h->touched[i]].touched = false;
    h->n_touched = h->n_undo = 0;
    h->valid = true;
    h->valid_at = pos;
}

/* Binary search of one `recent` record for key. */
static bool record_find(const MDB_val *k, const MDB_val *d, const uint8_t *key, uint64_t *version,
                        uint64_t *last)
{
    const uint8_t *base = d->mv_data;
    size_t lo = 0, hi = d->mv_size / REC_LEN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(base + mid * REC_LEN, key, FL__LOG_SKEY_LEN);
        if (c == 0) {
            rd_entry(base + mid * REC_LEN + FL__LOG_SKEY_LEN, fl__rd64(k->mv_data), version, last);
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

int fl__log_stream_get(const fl_log_t *log, MDB_txn *txn, const char *stream, size_t slen,
                       uint64_t *version, uint64_t *last)
{
    uint8_t key[FL__LOG_SKEY_LEN];
    MDB_cursor *cur;
    MDB_val k, d;
    bool found = false;
    fl__log_stream_key(stream, slen, key);
    int rc = mdb_cursor_open(txn, log->recent, &cur);
    if (rc != 0)
        return fl__log_err(rc);
    for (rc = mdb_cursor_get(cur, &k, &d, MDB_LAST); rc == 0 && !found;
         rc = mdb_cursor_get(cur, &k, &d, MDB_PREV)) {
        if (d.mv_size % REC_LEN != 0 || k.mv_size != 8)
            break;
        found = record_find(&k, &d, key, version, last);
    }
    mdb_cursor_close(cur);
    if (found)
        return 0;
    if (rc == 0)
        return FL_ECORRUPT;
    if (rc != MDB_NOTFOUND)
        return fl__log_err(rc);
    return settled_get(log, txn, key, version, last);
}

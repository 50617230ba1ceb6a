/*
 * Verification of a whole log, for auditors and operators.
 *
 * Every record must decode and carry its own position; positions must be
 * dense from 1; each stream's versions must be dense and indexed; and the
 * hash chain must hold: record k's `prev` is the hash of record k-1's bytes,
 * and the stored head holds the hash of the last record.
 *
 * Naming the altered record: if record k's bytes changed anywhere but in its
 * `prev`, the first broken link is the one into k+1 and the link out of k+1
 * holds. If k's `prev` changed, the link into k breaks and, since k's own
 * bytes changed, so does the link into k+1. So when the first broken link is
 * the one into j, the culprit is j when the link into j+1 is broken as well,
 * and j-1 otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct vstate {
    fl_log_t *log;
    MDB_txn *txn;
    fl__log_heads_t heads;         /* the `recent` tail, loaded once */
    uint64_t expect;               /* next position expected */
    uint8_t prev[FL_LOG_HASH_LEN]; /* hash of the last record read */
    uint64_t broken;               /* j: first position whose incoming link broke, or 0 */
    uint64_t *bad;
    char *msg;
    size_t msg_len;
} vstate_t;

__attribute__((format(printf, 4, 5))) static int fail(vstate_t *s, int rc, uint64_t pos,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (s->msg != NULL && s->msg_len > 0)
        vsnprintf(s->msg, s->msg_len, fmt, ap);
    va_end(ap);
    if (s->bad != NULL)
        *s->bad = pos;
    return rc;
}

static int chain_verdict(vstate_t *s, bool next_link_ok)
{
    uint64_t j = s->broken;
    uint64_t culprit = (next_link_ok && j > 1) ? j - 1 : j;
    return fail(s, FL_ECHAIN, culprit,
                "position %llu: its bytes do not match the hash chain (altered record)",
                (unsigned long long)culprit);
}

/* The stream and version of the event at pos, decoded into the arena. */
static int event_at(vstate_t *s, uint64_t pos, fl_arena_t *a, fl_event_t *ev)
{
    uint8_t kb[8];
    MDB_val k = {8, kb}, d;
    fl__be64(kb, pos);
    if (mdb_get(s->txn, s->log->events, &k, &d) != 0)
        return FL_ECORRUPT;
    return fl_event_decode(d.mv_data, d.mv_size, a, ev);
}

/* The event's link must lead to its stream's previous version, and the stream's head past it. */
static int check_stream(vstate_t *s, const fl_event_t *ev, fl_arena_t *a)
{
    uint64_t prev = 0, version = 0, last = 0;
    fl_event_t pe;
    uint8_t key[FL__LOG_SKEY_LEN];
    int rc = fl__log_link_get(s->log, s->txn, ev->pos, &prev);
    bool ok = rc == 0 && ev->sv > 0 && (ev->sv == 1) == (prev == 0) && prev < ev->pos;
    if (ok && prev != 0)
        ok = event_at(s, prev, a, &pe) == 0 && strcmp(pe.stream, ev->stream) == 0 &&
             pe.sv == ev->sv - 1;
    if (!ok)
        return fail(s, FL_ECORRUPT, ev->pos,
                    "position %llu: stream %s version %llu is not linked to its version before",
                    (unsigned long long)ev->pos, ev->stream, (unsigned long long)ev->sv);
    fl__log_stream_key(ev->stream, strlen(ev->stream), key);
    rc = fl__log_heads_get(&s->heads, s->log, s->txn, key, &version, &last);
    if (rc != 0 || version < ev->sv || (version == ev->sv && last != ev->pos))
        return fail(s, FL_ECORRUPT, ev->pos, "position %llu: stream %s is behind its events",
                    (unsigned long long)ev->pos, ev->stream);
    return 0;
}

static int check_record(vstate_t *s, const MDB_val *k, const MDB_val *d, fl_arena_t *a)
{
    fl_event_t ev;
    uint64_t pos = k->mv_size == 8 ? fl__rd64(k->mv_data) : 0;
    if (pos != s->expect)
        return fail(s, FL_ECORRUPT, s->expect, "position %llu: missing (next record is %llu)",
                    (unsigned long long)s->expect, (unsigned long long)pos);
    if (fl_event_decode(d->mv_data, d->mv_size, a, &ev) != 0)
        return fail(s, FL_ECORRUPT, pos, "position %llu: record does not decode",
                    (unsigned long long)pos);
    bool link_ok = memcmp(ev.prev, s->prev, FL_LOG_HASH_LEN) == 0;
    if (s->broken != 0)
        return chain_verdict(s, link_ok);
    if (ev.pos != pos)
        return fail(s, FL_ECORRUPT, pos, "position %llu: record claims position %llu",
                    (unsigned long long)pos, (unsigned long long)ev.pos);
    int rc = check_stream(s, &ev, a);
    if (rc != 0)
        return rc;
    if (!link_ok)
        s->broken = pos;
    fl_log_hash(d->mv_data, d->mv_size, s->prev);
    s->expect++;
    return 0;
}

static int check_head(vstate_t *s)
{
    fl__log_head_rec_t h;
    MDB_stat st;
    uint64_t last = s->expect - 1;
    if (fl__log_head_read(s->log, s->txn, &h) != 0)
        return fail(s, FL_ECORRUPT, last, "the stored head does not decode");
    if (h.pos != last)
        return fail(s, FL_ECORRUPT, last, "the head says position %llu but the log ends at %llu",
                    (unsigned long long)h.pos, (unsigned long long)last);
    bool link_ok = memcmp(h.hash, s->prev, FL_LOG_HASH_LEN) == 0;
    if (s->broken != 0)
        return chain_verdict(s, link_ok);
    if (!link_ok) {
        s->broken = last + 1;
        return chain_verdict(s, true);
    }
    mdb_stat(s->txn, s->log->links, &st);
    if (st.ms_entries != last)
        return fail(s, FL_ECORRUPT, last, "the stream links have %llu entries for %llu events",
                    (unsigned long long)st.ms_entries, (unsigned long long)last);
    return 0;
}

int fl_log_verify(fl_log_t *log, uint64_t *bad_pos, char *msg, size_t msg_len)
{
    vstate_t s = {.log = log, .expect = 1, .bad = bad_pos, .msg = msg, .msg_len = msg_len};
    MDB_cursor *cur;
    MDB_val k, d;
    fl_arena_t a;
    if (bad_pos != NULL)
        *bad_pos = 0;
    int rc = fl__log_txn_begin(log, MDB_RDONLY, &s.txn);
    if (rc != 0)
        return rc;
    fl_arena_init(&a, 0);
    fl__log_heads_init(&s.heads);
    s.heads.reader = true;
    if ((rc = fl__log_heads_load(&s.heads, log, s.txn, 0)) != 0 ||
        (rc = fl__log_err(mdb_cursor_open(s.txn, log->events, &cur))) != 0)
        goto out;
    for (int r = mdb_cursor_get(cur, &k, &d, MDB_FIRST); r == 0 && rc == 0;
         r = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
        rc = check_record(&s, &k, &d, &a);
        fl_arena_reset(&a);
    }
    mdb_cursor_close(cur);
    if (rc == 0)
        rc = check_head(&s);
out:
    fl__log_heads_free(&s.heads);
    fl_arena_free(&a);
    fl__log_txn_abort(log, s.txn);
    return rc;
}

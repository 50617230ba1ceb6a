/*
 * The timer queue: a binary min-heap of (instant, id) ordered by instant
 * then id, with an index from id to heap slot so that an id's entry can be
 * moved or removed in O(log n).
 *
 * Keys are dense uint32 ids the caller hands out (one per running clock,
 * reused when a clock is dropped), not (tenant, issue uuid) pairs: the
 * caller already keeps a table of its clocks, and an id into that table
 * makes an entry 12 bytes (8 instant + 4 id, kept in two parallel arrays so
 * there is no padding) plus 4 bytes of index per id, so 16 bytes a clock
 * (about 16 MB for 1,000,000; the arrays grow by doubling, so up to twice
 * that while growing) instead of 28+ bytes with the uuid in every entry
 * and a hash table to find it.
 *
 * Not thread-safe: one loop owns a queue.
 */
#ifndef FIRELATER_TIMERQ_H
#define FIRELATER_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/clock.h"

#define FL_TIMERQ_ID_MAX (UINT32_MAX - 1) /* largest id */

typedef struct fl_timerq {
    fl_time_t *at; /* heap: instants */
    uint32_t *id;  /* heap: ids, parallel to at */
    uint32_t *pos; /* id -> heap slot, UINT32_MAX when absent */
    uint32_t len, cap;
    uint32_t n_pos; /* ids the index covers */
} fl_timerq_t;

/* An empty queue with room for `reserve` entries and ids below it (out of memory aborts). */
void fl_timerq_init(fl_timerq_t *q, uint32_t reserve);
void fl_timerq_free(fl_timerq_t *q);

/* Sets id's instant: inserts it, or moves its entry. Returns 0, or FL_EINVAL for an id above
 * FL_TIMERQ_ID_MAX. */
int fl_timerq_set(fl_timerq_t *q, uint32_t id, fl_time_t at);

/* Removes id's entry; false when it had none. */
bool fl_timerq_remove(fl_timerq_t *q, uint32_t id);

/* id's instant; false when it has no entry. */
bool fl_timerq_get(const fl_timerq_t *q, uint32_t id, fl_time_t *at);

/* The earliest entry (false when empty); pop also removes it. */
bool fl_timerq_peek(const fl_timerq_t *q, fl_time_t *at, uint32_t *id);
bool fl_timerq_pop(fl_timerq_t *q, fl_time_t *at, uint32_t *id);

static inline uint32_t fl_timerq_len(const fl_timerq_t *q)
{
    return q->len;
}

/* Bytes the queue holds allocated. */
size_t fl_timerq_bytes(const fl_timerq_t *q);

#endif

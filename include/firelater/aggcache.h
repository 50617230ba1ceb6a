/*
 * A cache of folded aggregates: the state of a stream after folding its
 * events, kept with the stream version it reflects. Loading a cached stream
 * reads only the events appended since (usually none), so deciding a command
 * does not replay history. Not thread-safe: one cache per loop thread.
 */
#ifndef FIRELATER_AGGCACHE_H
#define FIRELATER_AGGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "firelater/arena.h"
#include "firelater/log.h"

/* How an aggregate type folds. `a` belongs to the cache entry and lives as long as it. */
typedef struct fl_agg_type {
    const char *name;
    size_t state_size;
    void (*init)(void *state);
    int (*fold)(void *state, fl_arena_t *a, const fl_event_t *ev);
} fl_agg_type_t;

typedef struct fl_agg_cache fl_agg_cache_t;

/* A cache of at most `capacity` streams, least recently used evicted first. */
int fl_agg_cache_init(fl_agg_cache_t **out, fl_log_t *log, size_t capacity);
void fl_agg_cache_free(fl_agg_cache_t *c);

/*
 * The state of `stream` folded up to its latest version (*version; 0 when the
 * stream does not exist, and the state is the type's initial one). *state
 * stays valid until the next call on the cache. Errors from the log.
 */
int fl_agg_load(fl_agg_cache_t *c, const fl_agg_type_t *t, const char *stream, const void **state,
                uint64_t *version);

/* Same, but always folds from the log, bypassing the cache (for comparisons). */
int fl_agg_load_uncached(fl_log_t *log, const fl_agg_type_t *t, const char *stream, fl_arena_t *a,
                         void *state, uint64_t *version);

/* Drops a stream's entry (after a failed command, say). */
void fl_agg_forget(fl_agg_cache_t *c, const char *stream);

#endif

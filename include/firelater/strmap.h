/*
 * A map from NUL-terminated strings to pointers: chained buckets, a power of
 * two of them, doubled when the load passes 1. Keys are copied; values are
 * the caller's (fl_strmap_free can free them with a callback).
 */
#ifndef FIRELATER_STRMAP_H
#define FIRELATER_STRMAP_H

#include <stddef.h>

typedef struct fl_strmap_entry fl_strmap_entry_t;

typedef struct fl_strmap {
    fl_strmap_entry_t **buckets;
    size_t nbuckets, count;
} fl_strmap_t;

#define FL_STRMAP_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void *fl_strmap_get(const fl_strmap_t *m, const char *key);
/* Sets key to value (replacing; the old value is returned, else NULL). Aborts on OOM. */
void *fl_strmap_put(fl_strmap_t *m, const char *key, void *value);
/* Removes key and returns its value (NULL when absent). */
void *fl_strmap_del(fl_strmap_t *m, const char *key);
/* Calls fn(ctx, key, value) for each entry, in no particular order. */
void fl_strmap_each(const fl_strmap_t *m, void (*fn)(void *ctx, const char *key, void *value),
                    void *ctx);
/* Frees the map; free_value (may be NULL) is called on each value. */
void fl_strmap_free(fl_strmap_t *m, void (*free_value)(void *value));

#endif

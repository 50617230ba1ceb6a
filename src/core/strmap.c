/*
 * String-keyed map (include/firelater/strmap.h): FNV-1a hashes, chained
 * buckets, doubling when there are more entries than buckets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/strmap.h"

struct fl_strmap_entry {
    fl_strmap_entry_t *next;
    uint64_t hash;
    void *value;
    char key[]; /* NUL-terminated copy */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static fl_strmap_entry_t **find(const fl_strmap_t *m, const char *key, uint64_t h)
{
    fl_strmap_entry_t **p = &m->buckets[h & (m->nbuckets - 1)];
    while (*p != NULL && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->next;
    return p;
}

void *fl_strmap_get(const fl_strmap_t *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    fl_strmap_entry_t *e = *find(m, key, hash_str(key));
    return e != NULL ? e->value : NULL;
}

static void grow(fl_strmap_t *m)
{
    size_t n = m->nbuckets > 0 ? m->nbuckets * 2 : 16;
    fl_strmap_entry_t **b = calloc(n, sizeof(*b));
    if (b == NULL)
        fl_oom();
    for (size_t i = 0; i < m->nbuckets; i++) {
        fl_strmap_entry_t *e = m->buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
}

void *fl_strmap_put(fl_strmap_t *m, const char *key, void *value)
{
    uint64_t h = hash_str(key);
    if (m->count >= m->nbuckets)
        grow(m);
    fl_strmap_entry_t **p = find(m, key, h);
    if (*p != NULL) {
        void *old = (*p)->value;
        (*p)->value = value;
        return old;
    }
    size_t n = strlen(key) + 1;
    fl_strmap_entry_t *e = malloc(sizeof(*e) + n);
    if (e == NULL)
        fl_oom();
    e->next = NULL;
    e->hash = h;
    e->value = value;
    memcpy(e->key, key, n);
    *p = e;
    m->count++;
    return NULL;
}

void *fl_strmap_del(fl_strmap_t *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    fl_strmap_entry_t **p = find(m, key, hash_str(key)), *e = *p;
    if (e == NULL)
        return NULL;
    void *v = e->value;
    *p = e->next;
    free(e);
    m->count--;
    return v;
}

void fl_strmap_each(const fl_strmap_t *m, void (*fn)(void *ctx, const char *key, void *value),
                    void *ctx)
{
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (fl_strmap_entry_t *e = m->buckets[i]; e != NULL; e = e->next)
            fn(ctx, e->key, e->value);
    }
}

void fl_strmap_free(fl_strmap_t *m, void (*free_value)(void *value))
{
    for (size_t i = 0; i < m->nbuckets; i++) {
        fl_strmap_entry_t *e = m->buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            if (free_value != NULL)
                free_value(e->value);
            free(e);
        }
    }
    free(m->buckets);
    *m = (fl_strmap_t)FL_STRMAP_INIT;
}

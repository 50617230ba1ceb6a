/*
 * Answers read from a tenant's read model, kept until the model may change.
 *
 * The read model changes only when a batch of this projector commits (or when
 * a rebuild swaps the schema, which the projector notices by reading the
 * checkpoint again). Every such moment ends an epoch: the cache is emptied and
 * the epoch counter moves. A reader takes a ticket (the epoch) before it sends
 * its query and offers the answer with that ticket; the answer is kept only if
 * the epoch has not moved meanwhile. So a kept answer was read after every
 * batch acknowledged so far, and is dropped as soon as the next one is: it is
 * never older than what PostgreSQL would answer to a read that waited for the
 * same acknowledged writes (read-your-writes holds). A batch that commits in
 * PostgreSQL before its callback runs may already show in a kept answer: that
 * is newer, never staler, and goes with the callback's epoch change.
 *
 * Bounded per tenant: FL__PROJ_CACHE_MAX answers and FL__PROJ_CACHE_BYTES
 * bytes, the oldest dropped first; an answer above a quarter of the bytes is
 * not kept.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define FL__PROJ_CACHE_MAX   64
#define FL__PROJ_CACHE_BYTES (8u << 20)

struct fl__proj_cached {
    fl__proj_cached_t *next; /* newer first */
    uint64_t hash;
    size_t klen, vlen;
    char bytes[]; /* the key, then the value */
};

/* FNV-1a, 64 bits: a cheap filter before the key is compared in full. */
static uint64_t hash_of(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

void fl__proj_cache_clear(fl__proj_tenant_t *t)
{
    fl__proj_cached_t *e, *next;

    for (e = t->cached; e != NULL; e = next) {
        next = e->next;
        free(e);
    }
    t->cached = NULL;
    t->cached_n = 0;
    t->cached_bytes = 0;
}

/*
 * Epochs are unique across the projector's tenants: a ticket taken from a tenant
 * that was removed and added again meanwhile never matches.
 */
void fl__proj_cache_epoch_end(fl__proj_tenant_t *t)
{
    t->epoch = ++t->p->epochs;
    fl__proj_cache_clear(t);
}

/* The tenant whose cache may be used now, or NULL. */
static fl__proj_tenant_t *usable(fl_projector_t *p, const char *slug)
{
    fl__proj_tenant_t *t = fl__proj_find(p, slug);

    if (t == NULL || t->closing || !t->known || t->state == FL__PROJ_LOADING)
        return NULL;
    return t;
}

uint64_t fl_projector_cache_ticket(fl_projector_t *p, const char *slug)
{
    fl__proj_tenant_t *t = usable(p, slug);

    return t != NULL ? t->epoch : 0;
}

const void *fl_projector_cache_get(fl_projector_t *p, const char *slug, const void *key,
                                   size_t klen, size_t *vlen)
{
    fl__proj_tenant_t *t = usable(p, slug);
    uint64_t h;

    if (t == NULL || t->cached == NULL)
        return NULL;
    h = hash_of(key, klen);
    for (fl__proj_cached_t *e = t->cached; e != NULL; e = e->next) {
        if (e->hash == h && e->klen == klen && memcmp(e->bytes, key, klen) == 0) {
            *vlen = e->vlen;
            return e->bytes + klen;
        }
    }
    return NULL;
}

/* Drops the oldest answer (the list's last). */
static void drop_oldest(fl__proj_tenant_t *t)
{
    fl__proj_cached_t **pp = &t->cached;

    while ((*pp)->next != NULL)
        pp = &(*pp)->next;
    t->cached_n--;
    t->cached_bytes -= (*pp)->klen + (*pp)->vlen;
    free(*pp);
    *pp = NULL;
}

void fl_projector_cache_put(fl_projector_t *p, const char *slug, uint64_t ticket, const void *key,
                            size_t klen, const void *val, size_t vlen)
{
    fl__proj_tenant_t *t = usable(p, slug);
    fl__proj_cached_t *e;
    size_t dummy;

    if (t == NULL || ticket == 0 || ticket != t->epoch || klen + vlen > FL__PROJ_CACHE_BYTES / 4 ||
        fl_projector_cache_get(p, slug, key, klen, &dummy) != NULL)
        return;
    while (t->cached != NULL && (t->cached_n >= FL__PROJ_CACHE_MAX ||
                                 t->cached_bytes + klen + vlen > FL__PROJ_CACHE_BYTES))
        drop_oldest(t);
    e = malloc(sizeof(*e) + klen + vlen);
    if (e == NULL)
        fl_oom();
    e->hash = hash_of(key, klen);
    e->klen = klen;
    e->vlen = vlen;
    memcpy(e->bytes, key, klen);
    memcpy(e->bytes + klen, val, vlen);
    e->next = t->cached;
    t->cached = e;
    t->cached_n++;
    t->cached_bytes += klen + vlen;
}

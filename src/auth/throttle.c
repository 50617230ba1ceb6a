/*
 * Sign-in throttling: a sliding window of failure times per key, in a hash
 * table of bounded size. When the table is full the key touched least
 * recently is forgotten, so an attacker spraying addresses or emails costs
 * memory that stays fixed, at the price of forgetting the quietest keys.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"

#define KEY_MAX 128 /* longer keys are stored as "#" and their hex hash */
#define US      1000000LL

typedef struct entry {
    struct entry *hnext;       /* bucket chain */
    struct entry *prev, *next; /* recency: head is the most recently touched */
    uint64_t hash;
    unsigned n, oldest; /* failures held in times[], index of the oldest */
    char key[KEY_MAX + 1];
    fl_time_t times[]; /* a ring of max_failures */
} entry_t;

struct fl_throttle {
    unsigned max;
    fl_time_t window; /* µs */
    size_t max_keys, count, nbuckets;
    entry_t **buckets;
    entry_t *head, *tail;
    /* SipHash key: bucket positions that clients cannot predict or collide on purpose. */
    uint8_t sip[crypto_shorthash_KEYBYTES];
};

int fl_throttle_init(fl_throttle_t **out, unsigned max_failures, unsigned window_s, size_t max_keys)
{
    fl_throttle_t *t;

    if (max_failures == 0 || window_s == 0 || max_keys == 0 || sodium_init() < 0)
        return FL_EINVAL;
    if ((t = calloc(1, sizeof(*t))) == NULL)
        fl_oom();
    t->max = max_failures;
    t->window = (fl_time_t)window_s * US;
    t->max_keys = max_keys;
    for (t->nbuckets = 16; t->nbuckets < max_keys; t->nbuckets *= 2)
        ;
    if ((t->buckets = calloc(t->nbuckets, sizeof(*t->buckets))) == NULL)
        fl_oom();
    randombytes_buf(t->sip, sizeof(t->sip));
    *out = t;
    return 0;
}

void fl_throttle_free(fl_throttle_t *t)
{
    if (t == NULL)
        return;
    for (entry_t *e = t->head, *next; e != NULL; e = next) {
        next = e->next;
        free(e);
    }
    free(t->buckets);
    free(t);
}

size_t fl_throttle_size(const fl_throttle_t *t)
{
    return t->count;
}

/* The key as stored: itself, or "#<hex BLAKE2b>" when longer than KEY_MAX. */
static void key_norm(const char *key, char out[KEY_MAX + 1])
{
    size_t len = strlen(key);

    if (len <= KEY_MAX) {
        memcpy(out, key, len + 1);
        return;
    }
    out[0] = '#';
    fl_secret_hash(key, out + 1);
}

static uint64_t key_hash(const fl_throttle_t *t, const char *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;

    crypto_shorthash(h, (const unsigned char *)key, strlen(key), t->sip);
    memcpy(&v, h, sizeof(v));
    return v;
}

static entry_t **find_slot(fl_throttle_t *t, const char *key, uint64_t h)
{
    entry_t **p = &t->buckets[h & (t->nbuckets - 1)];

    while (*p != NULL && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->hnext;
    return p;
}

static void unlink_use(fl_throttle_t *t, entry_t *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        t->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        t->tail = e->prev;
    e->prev = e->next = NULL;
}

static void touch(fl_throttle_t *t, entry_t *e)
{
    if (t->head == e)
        return;
    if (e->prev != NULL || e->next != NULL || t->tail == e)
        unlink_use(t, e);
    e->next = t->head;
    if (t->head != NULL)
        t->head->prev = e;
    t->head = e;
    if (t->tail == NULL)
        t->tail = e;
}

static void remove_entry(fl_throttle_t *t, entry_t *e)
{
    entry_t **p = find_slot(t, e->key, e->hash);

    *p = e->hnext;
    unlink_use(t, e);
    t->count--;
    free(e);
}

/* Finds the key's entry (touching it), creating it when asked; NULL when absent. */
static entry_t *lookup(fl_throttle_t *t, const char *key, bool create)
{
    char k[KEY_MAX + 1];
    key_norm(key, k);
    uint64_t h = key_hash(t, k);
    entry_t **slot = find_slot(t, k, h);
    entry_t *e = *slot;

    if (e == NULL && create) {
        if (t->count == t->max_keys) {
            remove_entry(t, t->tail);
            slot = find_slot(t, k, h); /* the chain may have changed */
        }
        if ((e = calloc(1, sizeof(*e) + t->max * sizeof(fl_time_t))) == NULL)
            fl_oom();
        memcpy(e->key, k, sizeof(k));
        e->hash = h;
        *slot = e;
        t->count++;
    }
    if (e != NULL)
        touch(t, e);
    return e;
}

/* Drops the failures that have left the window ending at now. */
static void expire(const fl_throttle_t *t, entry_t *e, fl_time_t now)
{
    while (e->n > 0 && e->times[e->oldest] <= now - t->window) {
        e->oldest = (e->oldest + 1) % t->max;
        e->n--;
    }
}

unsigned fl_throttle_check(fl_throttle_t *t, const char *key, fl_time_t now)
{
    entry_t *e = lookup(t, key, false);

    if (e == NULL)
        return 0;
    expire(t, e, now);
    if (e->n == 0) {
        remove_entry(t, e); /* nothing left to remember: make room */
        return 0;
    }
    if (e->n < t->max)
        return 0;
    fl_time_t wait = e->times[e->oldest] + t->window - now;
    /* Rounded up: a client that waits Retry-After seconds is let in. */
    fl_time_t secs = (wait + US - 1) / US;
    return secs < 1 ? 1 : (unsigned)secs;
}

void fl_throttle_fail(fl_throttle_t *t, const char *key, fl_time_t now)
{
    entry_t *e = lookup(t, key, true);

    expire(t, e, now);
    if (e->n == t->max) {
        e->oldest = (e->oldest + 1) % t->max;
        e->n--;
    }
    e->times[(e->oldest + e->n) % t->max] = now;
    e->n++;
}

void fl_throttle_reset(fl_throttle_t *t, const char *key)
{
    char k[KEY_MAX + 1];
    key_norm(key, k);
    entry_t *e = *find_slot(t, k, key_hash(t, k));

    if (e != NULL)
        remove_entry(t, e);
}

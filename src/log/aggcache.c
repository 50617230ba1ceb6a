/*
 * The aggregate cache: streams' folded states, least recently used evicted.
 * A hash table (chained, power-of-two buckets) finds entries; a doubly linked
 * list orders them by use. Each entry owns an arena for the strings its fold
 * keeps, released when the entry is evicted or refolded from scratch.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/err.h"

typedef struct entry {
    struct entry *hnext;       /* bucket chain */
    struct entry *prev, *next; /* use order: head is most recent */
    const fl_agg_type_t *type;
    char *stream;
    uint64_t hash;
    uint64_t version;
    fl_arena_t arena;
    void *state;
} entry_t;

struct fl_agg_cache {
    fl_log_t *log;
    entry_t **buckets;
    size_t nbuckets, count, capacity;
    entry_t *head, *tail;
    fl_arena_t scratch; /* event decoding while folding */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int fl_agg_cache_init(fl_agg_cache_t **out, fl_log_t *log, size_t capacity)
{
    fl_agg_cache_t *c = calloc(1, sizeof(*c));
    if (c == NULL || capacity == 0) {
        free(c);
        return c == NULL ? (fl_oom(), 0) : FL_EINVAL;
    }
    c->log = log;
    c->capacity = capacity;
    for (c->nbuckets = 16; c->nbuckets < capacity * 2; c->nbuckets *= 2)
        ;
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    if (c->buckets == NULL)
        fl_oom();
    fl_arena_init(&c->scratch, 0);
    *out = c;
    return 0;
}

static void entry_free(entry_t *e)
{
    fl_arena_free(&e->arena);
    free(e->state);
    free(e->stream);
    free(e);
}

void fl_agg_cache_free(fl_agg_cache_t *c)
{
    if (c == NULL)
        return;
    for (entry_t *e = c->head, *next; e != NULL; e = next) {
        next = e->next;
        entry_free(e);
    }
    fl_arena_free(&c->scratch);
    free(c->buckets);
    free(c);
}

static void unlink_use(fl_agg_cache_t *c, entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(fl_agg_cache_t *c, entry_t *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static entry_t **find_slot(fl_agg_cache_t *c, const char *stream, uint64_t h)
{
    entry_t **p = &c->buckets[h & (c->nbuckets - 1)];
    while (*p != NULL && ((*p)->hash != h || strcmp((*p)->stream, stream) != 0))
        p = &(*p)->hnext;
    return p;
}

static void remove_entry(fl_agg_cache_t *c, entry_t *e)
{
    entry_t **p = find_slot(c, e->stream, e->hash);
    *p = e->hnext;
    unlink_use(c, e);
    c->count--;
    entry_free(e);
}

void fl_agg_forget(fl_agg_cache_t *c, const char *stream)
{
    entry_t **p = find_slot(c, stream, hash_str(stream));
    if (*p != NULL)
        remove_entry(c, *p);
}

/* Folds the stream's events after *version into state. */
static int fold_from(fl_log_t *log, const fl_agg_type_t *t, const char *stream, fl_arena_t *a,
                     fl_arena_t *scratch, void *state, uint64_t *version)
{
    fl_log_query_t q = {.stream = stream, .from_sv = *version + 1};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    int rc = fl_log_cursor_open(log, &q, &cur);
    if (rc != 0)
        return rc;
    while ((rc = fl_log_cursor_next(cur, scratch, &ev)) == 1) {
        if ((rc = t->fold(state, a, &ev)) < 0)
            break;
        *version = ev.sv;
    }
    fl_log_cursor_close(cur);
    fl_arena_reset(scratch);
    return rc < 0 ? rc : 0;
}

static entry_t *entry_new(fl_agg_cache_t *c, const fl_agg_type_t *t, const char *stream, uint64_t h)
{
    entry_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->state = malloc(t->state_size ? t->state_size : 1)) == NULL ||
        (e->stream = strdup(stream)) == NULL)
        fl_oom();
    e->type = t;
    e->hash = h;
    fl_arena_init(&e->arena, 0);
    t->init(e->state);
    if (c->count == c->capacity)
        remove_entry(c, c->tail);
    entry_t **slot = find_slot(c, stream, h);
    *slot = e;
    c->count++;
    push_front(c, e);
    return e;
}

int fl_agg_load(fl_agg_cache_t *c, const fl_agg_type_t *t, const char *stream, const void **state,
                uint64_t *version)
{
    uint64_t h = hash_str(stream), current;
    int rc = fl_log_stream_version(c->log, stream, &current);
    if (rc != 0)
        return rc;
    entry_t *e = *find_slot(c, stream, h);
    if (e != NULL && (e->type != t || e->version > current)) {
        remove_entry(c, e); /* another type, or a log that went back (a restore) */
        e = NULL;
    }
    if (e == NULL)
        e = entry_new(c, t, stream, h);
    else if (e != c->head) {
        unlink_use(c, e);
        push_front(c, e);
    }
    if (e->version < current &&
        (rc = fold_from(c->log, t, stream, &e->arena, &c->scratch, e->state, &e->version)) != 0) {
        remove_entry(c, e);
        return rc;
    }
    *state = e->state;
    *version = e->version;
    return 0;
}

int fl_agg_load_uncached(fl_log_t *log, const fl_agg_type_t *t, const char *stream, fl_arena_t *a,
                         void *state, uint64_t *version)
{
    fl_arena_t scratch;
    fl_arena_init(&scratch, 0);
    *version = 0;
    t->init(state);
    int rc = fold_from(log, t, stream, a, &scratch, state, version);
    fl_arena_free(&scratch);
    return rc;
}

/*
 * A bump allocator over a list of chunks. Requests larger than a chunk get a
 * chunk of their own. Reset keeps the first chunk allocated so that a
 * request-sized arena reused across requests does not touch malloc at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/arena.h"
#include "firelater/err.h"

#define CHUNK_SIZE (16 * 1024)
#define SPARE_MAX  64 /* standard chunks kept across resets: 1 MiB */
#define ALIGN      (_Alignof(max_align_t))

struct fl_arena_chunk {
    fl_arena_chunk_t *next;
    size_t size; /* usable bytes in data */
    size_t off;
    _Alignas(max_align_t) unsigned char data[];
};

void fl_arena_init(fl_arena_t *a, size_t budget)
{
    a->head = NULL;
    a->spare = NULL;
    a->n_spare = 0;
    a->used = 0;
    a->budget = budget;
}

static fl_arena_chunk_t *chunk_new(size_t size, fl_arena_chunk_t *next)
{
    fl_arena_chunk_t *c = malloc(sizeof(*c) + size);
    if (c == NULL)
        fl_oom();
    c->next = next;
    c->size = size;
    c->off = 0;
    return c;
}

void fl_arena_reset(fl_arena_t *a)
{
    fl_arena_chunk_t *c = a->head;
    while (c != NULL) {
        fl_arena_chunk_t *next = c->next;
        if (c->size == CHUNK_SIZE && a->n_spare < SPARE_MAX) {
            c->next = a->spare;
            c->off = 0;
            a->spare = c;
            a->n_spare++;
        } else {
            free(c);
        }
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

static void free_list(fl_arena_chunk_t *c)
{
    while (c != NULL) {
        fl_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
}

void fl_arena_free(fl_arena_t *a)
{
    free_list(a->head);
    free_list(a->spare);
    fl_arena_init(a, a->budget);
}

/* A standard chunk, from the spares when there is one. */
static fl_arena_chunk_t *chunk_take(fl_arena_t *a, fl_arena_chunk_t *next)
{
    fl_arena_chunk_t *c = a->spare;
    if (c == NULL)
        return chunk_new(CHUNK_SIZE, next);
    a->spare = c->next;
    a->n_spare--;
    c->next = next;
    c->off = 0;
    return c;
}

void *fl_arena_alloc(fl_arena_t *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (need < n)
        return NULL;
    if (a->budget != 0 && (need > a->budget || a->used > a->budget - need))
        return NULL;
    fl_arena_chunk_t *c = a->head;
    if (c == NULL || c->size - c->off < need) {
        if (need > CHUNK_SIZE / 4) {
            /* A big block gets its own chunk behind the current one. */
            fl_arena_chunk_t *big = chunk_new(need, c != NULL ? c->next : NULL);
            if (c != NULL)
                c->next = big;
            else
                a->head = big;
            big->off = need;
            a->used += need;
            return big->data;
        }
        c = a->head = chunk_take(a, c);
    }
    void *p = c->data + c->off;
    c->off += need;
    a->used += need;
    return p;
}

char *fl_arena_strndup(fl_arena_t *a, const char *s, size_t n)
{
    char *p = fl_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *fl_arena_concat(fl_arena_t *a, const char *prefix, const char *s)
{
    size_t n = strlen(prefix), m = strlen(s);
    char *p = fl_arena_alloc(a, n + m + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, prefix, n);
    memcpy(p + n, s, m + 1);
    return p;
}

void *fl_arena_memdup(fl_arena_t *a, const void *p, size_t n)
{
    void *q = fl_arena_alloc(a, n == 0 ? 1 : n);
    if (q != NULL && n != 0)
        memcpy(q, p, n);
    return q;
}

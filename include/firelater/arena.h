/*
 * A bump allocator: everything a request or a read parses, decodes or decides
 * comes from one arena and is released at once by fl_arena_reset() or
 * fl_arena_free(). Pointers returned stay valid until then.
 */
#ifndef FIRELATER_ARENA_H
#define FIRELATER_ARENA_H

#include <stddef.h>

typedef struct fl_arena_chunk fl_arena_chunk_t;

typedef struct fl_arena {
    fl_arena_chunk_t *head;  /* current chunk; older chunks follow */
    fl_arena_chunk_t *spare; /* standard chunks kept by fl_arena_reset for reuse */
    size_t n_spare;
    size_t used;   /* bytes handed out since the last reset */
    size_t budget; /* 0 = unlimited; otherwise fl_arena_alloc fails past it */
} fl_arena_t;

void fl_arena_init(fl_arena_t *a, size_t budget);

/*
 * Rewinds; all earlier pointers become invalid. Standard chunks are kept (up
 * to 1 MiB) for the next use, so an arena reset in a loop does not go back
 * to malloc, and the C library does not shrink and regrow the heap each time.
 */
void fl_arena_reset(fl_arena_t *a);

void fl_arena_free(fl_arena_t *a);

/* Memory aligned for any type; NULL only when the budget is exceeded (FL_ETOOBIG). */
void *fl_arena_alloc(fl_arena_t *a, size_t n);

/* A NUL-terminated copy of n bytes of s; NULL past the budget. */
char *fl_arena_strndup(fl_arena_t *a, const char *s, size_t n);

void *fl_arena_memdup(fl_arena_t *a, const void *p, size_t n);

/* prefix followed by s, NUL-terminated (a stream name "issue_category:<id>"); NULL past the
 * budget. */
char *fl_arena_concat(fl_arena_t *a, const char *prefix, const char *s);

#endif

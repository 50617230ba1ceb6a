/*
 * A bounded, allocation-free msgpack reader. Every read checks the bytes left
 * before it looks at them, and a declared length is never trusted beyond the
 * input, so malformed or hostile input is an error (FL_ECORRUPT), never a
 * crash or a huge allocation. Returned strings point into the input and are
 * not NUL-terminated. Writing uses msgpack-c's packer.
 */
#ifndef FIRELATER_MP_H
#define FIRELATER_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_mp {
    const uint8_t *p;
    const uint8_t *end;
} fl_mp_t;

typedef enum fl_mp_kind {
    FL_MP_NIL,
    FL_MP_BOOL,
    FL_MP_UINT,
    FL_MP_INT, /* negative */
    FL_MP_FLOAT,
    FL_MP_STR,
    FL_MP_BIN,
    FL_MP_ARRAY,
    FL_MP_MAP,
    FL_MP_EXT,
    FL_MP_INVALID
} fl_mp_kind_t;

/* One decoded item header: scalars carry their value, containers their count. */
typedef struct fl_mp_item {
    fl_mp_kind_t kind;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        double f;
        uint32_t n; /* array/map count */
        struct {
            const uint8_t *ptr;
            uint32_t len;
        } s; /* str, bin, ext payload */
    } v;
} fl_mp_item_t;

static inline void fl_mp_init(fl_mp_t *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->end = p + len;
}

static inline size_t fl_mp_left(const fl_mp_t *r)
{
    return (size_t)(r->end - r->p);
}

/* Reads one item header (a whole scalar, or a container's count). */
int fl_mp_next(fl_mp_t *r, fl_mp_item_t *it);

/* Skips one whole object, nested no deeper than max_depth. */
int fl_mp_skip(fl_mp_t *r, int max_depth);

int fl_mp_read_map(fl_mp_t *r, uint32_t *n);
int fl_mp_read_str(fl_mp_t *r, const char **s, uint32_t *len);
int fl_mp_read_uint(fl_mp_t *r, uint64_t *v);
int fl_mp_read_bin(fl_mp_t *r, const uint8_t **p, uint32_t *len);

#endif

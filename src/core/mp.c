/*
 * The bounded msgpack reader of mp.h. Formats follow the msgpack spec; each
 * branch first checks that the bytes it is about to read are there.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/mp.h"

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Takes n bytes as a big-endian unsigned value. */
static int take(fl_mp_t *r, int n, uint64_t *v)
{
    if (fl_mp_left(r) < (size_t)n)
        return FL_ECORRUPT;
    *v = be(r->p, n);
    r->p += n;
    return 0;
}

static int take_bytes(fl_mp_t *r, uint64_t len, fl_mp_item_t *it, fl_mp_kind_t kind)
{
    if (fl_mp_left(r) < len)
        return FL_ECORRUPT;
    it->kind = kind;
    it->v.s.ptr = r->p;
    it->v.s.len = (uint32_t)len;
    r->p += len;
    return 0;
}

static int sized(fl_mp_t *r, int lenbytes, fl_mp_item_t *it, fl_mp_kind_t kind)
{
    uint64_t len;
    if (take(r, lenbytes, &len) < 0)
        return FL_ECORRUPT;
    if (kind == FL_MP_ARRAY || kind == FL_MP_MAP) {
        /* Every element takes at least one byte: a larger count is a lie. */
        if (len > fl_mp_left(r))
            return FL_ECORRUPT;
        it->kind = kind;
        it->v.n = (uint32_t)len;
        return 0;
    }
    return take_bytes(r, len, it, kind);
}

static int ext(fl_mp_t *r, uint64_t len, fl_mp_item_t *it)
{
    /* The type byte precedes the payload; keep both in the item. */
    return take_bytes(r, len + 1, it, FL_MP_EXT);
}

static int number(fl_mp_t *r, uint8_t c, fl_mp_item_t *it)
{
    uint64_t v;
    static const int width[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8}; /* 0xca .. 0xd3 */
    if (take(r, width[c - 0xca], &v) < 0)
        return FL_ECORRUPT;
    if (c == 0xca) {
        uint32_t u = (uint32_t)v;
        float f;
        memcpy(&f, &u, sizeof(f));
        it->kind = FL_MP_FLOAT, it->v.f = f;
    } else if (c == 0xcb) {
        double d;
        memcpy(&d, &v, sizeof(d));
        it->kind = FL_MP_FLOAT, it->v.f = d;
    } else if (c <= 0xcf) {
        it->kind = FL_MP_UINT, it->v.u = v;
    } else {
        int bits = width[c - 0xca] * 8;
        int64_t s = bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
        it->kind = s < 0 ? FL_MP_INT : FL_MP_UINT;
        if (s < 0)
            it->v.i = s;
        else
            it->v.u = (uint64_t)s;
    }
    return 0;
}

static int tagged(fl_mp_t *r, uint8_t c, fl_mp_item_t *it)
{
    switch (c) {
    case 0xc0:
        it->kind = FL_MP_NIL;
        return 0;
    case 0xc2:
    case 0xc3:
        it->kind = FL_MP_BOOL, it->v.b = c == 0xc3;
        return 0;
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return sized(r, 1 << (c - 0xc4), it, FL_MP_BIN);
    case 0xc7:
    case 0xc8:
    case 0xc9: {
        uint64_t len;
        return take(r, 1 << (c - 0xc7), &len) < 0 ? FL_ECORRUPT : ext(r, len, it);
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        return ext(r, 1u << (c - 0xd4), it);
    case 0xd9:
    case 0xda:
    case 0xdb:
        return sized(r, 1 << (c - 0xd9), it, FL_MP_STR);
    case 0xdc:
    case 0xdd:
        return sized(r, 2 << (c - 0xdc), it, FL_MP_ARRAY);
    case 0xde:
    case 0xdf:
        return sized(r, 2 << (c - 0xde), it, FL_MP_MAP);
    default:
        if (c >= 0xca && c <= 0xd3)
            return number(r, c, it);
        return FL_ECORRUPT; /* 0xc1 is never used */
    }
}

int fl_mp_next(fl_mp_t *r, fl_mp_item_t *it)
{
    if (fl_mp_left(r) < 1)
        return FL_ECORRUPT;
    uint8_t c = *r->p++;
    if (c <= 0x7f) {
        it->kind = FL_MP_UINT, it->v.u = c;
        return 0;
    }
    if (c >= 0xe0) {
        it->kind = FL_MP_INT, it->v.i = (int8_t)c;
        return 0;
    }
    if (c <= 0x8f || (c >= 0x90 && c <= 0x9f)) {
        uint32_t n = c & 0x0f;
        if (n > fl_mp_left(r))
            return FL_ECORRUPT;
        it->kind = c <= 0x8f ? FL_MP_MAP : FL_MP_ARRAY;
        it->v.n = n;
        return 0;
    }
    if (c <= 0xbf)
        return take_bytes(r, c & 0x1f, it, FL_MP_STR);
    return tagged(r, c, it);
}

int fl_mp_skip(fl_mp_t *r, int max_depth)
{
    fl_mp_item_t it;
    if (max_depth < 0 || fl_mp_next(r, &it) < 0)
        return FL_ECORRUPT;
    if (it.kind != FL_MP_ARRAY && it.kind != FL_MP_MAP)
        return 0;
    uint64_t n = it.kind == FL_MP_MAP ? (uint64_t)it.v.n * 2 : it.v.n;
    for (uint64_t i = 0; i < n; i++) {
        if (fl_mp_skip(r, max_depth - 1) < 0)
            return FL_ECORRUPT;
    }
    return 0;
}

int fl_mp_read_map(fl_mp_t *r, uint32_t *n)
{
    fl_mp_item_t it;
    if (fl_mp_next(r, &it) < 0 || it.kind != FL_MP_MAP)
        return FL_ECORRUPT;
    *n = it.v.n;
    return 0;
}

int fl_mp_read_str(fl_mp_t *r, const char **s, uint32_t *len)
{
    fl_mp_item_t it;
    if (fl_mp_next(r, &it) < 0 || it.kind != FL_MP_STR)
        return FL_ECORRUPT;
    *s = (const char *)it.v.s.ptr;
    *len = it.v.s.len;
    return 0;
}

int fl_mp_read_uint(fl_mp_t *r, uint64_t *v)
{
    fl_mp_item_t it;
    if (fl_mp_next(r, &it) < 0 || it.kind != FL_MP_UINT)
        return FL_ECORRUPT;
    *v = it.v.u;
    return 0;
}

int fl_mp_read_bin(fl_mp_t *r, const uint8_t **p, uint32_t *len)
{
    fl_mp_item_t it;
    if (fl_mp_next(r, &it) < 0 || it.kind != FL_MP_BIN)
        return FL_ECORRUPT;
    *p = it.v.s.ptr;
    *len = it.v.s.len;
    return 0;
}

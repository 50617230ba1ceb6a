/*
 * The envelope: a msgpack map with short stable keys, written in a fixed
 * order so equal events have equal bytes (tests/golden pins them). Optional
 * strings (actor, cid, corr, ip, ua, num) are left out when empty. The decoder
 * accepts the keys in any order, skips keys it does not know (a later
 * writer's additions) and checks every type and bound.
 */
#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "firelater/err.h"
#include "firelater/mp.h"
#include "internal.h"

#define DATA_MAX_DEPTH 64

static const uint8_t empty_map[] = {0x80};

static void put_key(msgpack_packer *pk, const char *k)
{
    size_t n = strlen(k);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, k, n);
}

static void put_str(msgpack_packer *pk, const char *k, const char *v)
{
    put_key(pk, k);
    put_key(pk, v);
}

static bool present(const char *s)
{
    return s != NULL && *s != '\0';
}

void fl__log_encode(fl_buf_t *b, const fl_event_t *ev)
{
    msgpack_packer pk;
    const char *opt_keys[] = {"actor", "cid", "corr", "ip", "ua", "num"};
    const char *opt_vals[] = {ev->actor, ev->cid, ev->corr, ev->ip, ev->ua, ev->num};
    const int n_opt = (int)(sizeof(opt_keys) / sizeof(opt_keys[0]));
    size_t n = 8;
    for (int i = 0; i < n_opt; i++)
        n += present(opt_vals[i]);
    fl_buf_clear(b);
    msgpack_packer_init(&pk, b, fl_buf_msgpack_write);
    msgpack_pack_map(&pk, n);
    put_key(&pk, "pos");
    msgpack_pack_uint64(&pk, ev->pos);
    put_key(&pk, "ts");
    msgpack_pack_int64(&pk, ev->ts);
    put_str(&pk, "type", ev->type);
    put_key(&pk, "v");
    msgpack_pack_uint32(&pk, ev->v);
    put_str(&pk, "stream", ev->stream);
    put_key(&pk, "sv");
    msgpack_pack_uint64(&pk, ev->sv);
    for (int i = 0; i < n_opt; i++) {
        if (present(opt_vals[i]))
            put_str(&pk, opt_keys[i], opt_vals[i]);
    }
    put_key(&pk, "data");
    if (ev->data != NULL && ev->data_len > 0)
        fl_buf_append(b, ev->data, ev->data_len);
    else
        fl_buf_append(b, empty_map, sizeof(empty_map));
    put_key(&pk, "prev");
    msgpack_pack_bin(&pk, FL_LOG_HASH_LEN);
    msgpack_pack_bin_body(&pk, ev->prev, FL_LOG_HASH_LEN);
}

int fl_event_encode(const fl_event_t *ev, uint8_t **out, size_t *out_len, fl_arena_t *a)
{
    fl_buf_t b = FL_BUF_INIT;
    fl__log_encode(&b, ev);
    *out = fl_arena_memdup(a, b.data, b.len);
    *out_len = b.len;
    fl_buf_free(&b);
    return *out == NULL ? FL_ETOOBIG : 0;
}

/* Copies a msgpack string into the arena, refusing embedded NULs. */
static int read_cstr(fl_mp_t *r, fl_arena_t *a, size_t max, const char **out)
{
    const char *s;
    uint32_t len;
    if (fl_mp_read_str(r, &s, &len) < 0 || len > max || memchr(s, 0, len) != NULL)
        return FL_ECORRUPT;
    *out = fl_arena_strndup(a, s, len);
    return *out == NULL ? FL_ETOOBIG : 0;
}

static int read_int(fl_mp_t *r, int64_t *v)
{
    fl_mp_item_t it;
    if (fl_mp_next(r, &it) < 0)
        return FL_ECORRUPT;
    if (it.kind == FL_MP_UINT && it.v.u <= INT64_MAX)
        *v = (int64_t)it.v.u;
    else if (it.kind == FL_MP_INT)
        *v = it.v.i;
    else
        return FL_ECORRUPT;
    return 0;
}

/* Copies the data object into the arena, so that the event outlives its source. */
static int read_data(fl_mp_t *r, fl_arena_t *a, fl_event_t *ev)
{
    const uint8_t *start = r->p;
    if (fl_mp_skip(r, DATA_MAX_DEPTH) < 0)
        return FL_ECORRUPT;
    ev->data_len = (size_t)(r->p - start);
    ev->data = fl_arena_memdup(a, start, ev->data_len);
    return ev->data == NULL ? FL_ETOOBIG : 0;
}

static int read_prev(fl_mp_t *r, fl_event_t *ev)
{
    const uint8_t *p;
    uint32_t len;
    if (fl_mp_read_bin(r, &p, &len) < 0 || len != FL_LOG_HASH_LEN)
        return FL_ECORRUPT;
    memcpy(ev->prev, p, FL_LOG_HASH_LEN);
    return 0;
}

enum {
    F_POS = 1,
    F_TS = 2,
    F_TYPE = 4,
    F_V = 8,
    F_STREAM = 16,
    F_SV = 32,
    F_DATA = 64,
    F_PREV = 128,
    F_REQUIRED = 255
};

/* Reads the value of one key; *seen gains the field's bit. Unknown keys are skipped. */
static int read_field(fl_mp_t *r, const char *k, uint32_t klen, fl_arena_t *a, fl_event_t *ev,
                      unsigned *seen)
{
    int64_t i;
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
    if (KEY("pos"))
        return *seen |= F_POS, fl_mp_read_uint(r, &ev->pos);
    if (KEY("ts"))
        return *seen |= F_TS, read_int(r, &ev->ts);
    if (KEY("type"))
        return *seen |= F_TYPE, read_cstr(r, a, FL_LOG_TYPE_MAX, &ev->type);
    if (KEY("v")) {
        *seen |= F_V;
        if (read_int(r, &i) < 0 || i < 1 || i > UINT32_MAX)
            return FL_ECORRUPT;
        ev->v = (uint32_t)i;
        return 0;
    }
    if (KEY("stream"))
        return *seen |= F_STREAM, read_cstr(r, a, FL_LOG_STREAM_MAX, &ev->stream);
    if (KEY("sv"))
        return *seen |= F_SV, fl_mp_read_uint(r, &ev->sv);
    if (KEY("actor"))
        return read_cstr(r, a, FL_LOG_META_MAX, &ev->actor);
    if (KEY("cid"))
        return read_cstr(r, a, FL_LOG_META_MAX, &ev->cid);
    if (KEY("corr"))
        return read_cstr(r, a, FL_LOG_META_MAX, &ev->corr);
    if (KEY("ip"))
        return read_cstr(r, a, FL_LOG_META_MAX, &ev->ip);
    if (KEY("ua"))
        return read_cstr(r, a, FL_LOG_META_MAX, &ev->ua);
    if (KEY("num"))
        return read_cstr(r, a, FL_LOG_NUM_MAX - 1, &ev->num);
    if (KEY("data"))
        return *seen |= F_DATA, read_data(r, a, ev);
    if (KEY("prev"))
        return *seen |= F_PREV, read_prev(r, ev);
#undef KEY
    return fl_mp_skip(r, DATA_MAX_DEPTH);
}

int fl_event_decode(const uint8_t *buf, size_t len, fl_arena_t *a, fl_event_t *ev)
{
    fl_mp_t r;
    uint32_t n;
    unsigned seen = 0;
    memset(ev, 0, sizeof(*ev));
    ev->actor = ev->cid = ev->corr = ev->ip = ev->ua = ev->num = "";
    fl_mp_init(&r, buf, len);
    if (fl_mp_read_map(&r, &n) < 0)
        return FL_ECORRUPT;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        uint32_t klen;
        if (fl_mp_read_str(&r, &k, &klen) < 0)
            return FL_ECORRUPT;
        int rc = read_field(&r, k, klen, a, ev, &seen);
        if (rc < 0)
            return rc == FL_ETOOBIG ? rc : FL_ECORRUPT;
    }
    if (seen != F_REQUIRED || fl_mp_left(&r) != 0 || *ev->type == '\0' || *ev->stream == '\0')
        return FL_ECORRUPT;
    ev->raw = fl_arena_memdup(a, buf, len);
    ev->raw_len = len;
    return ev->raw == NULL ? FL_ETOOBIG : 0;
}

void fl_log_hash(const uint8_t *raw, size_t len, uint8_t out[FL_LOG_HASH_LEN])
{
    crypto_generichash(out, FL_LOG_HASH_LEN, raw, len, NULL, 0);
}

void fl_log_number_format(const char *prefix, uint64_t n, char *buf, size_t len)
{
    snprintf(buf, len, "%s-%05llu", prefix, (unsigned long long)n);
}

/*
 * JSON (jansson) <-> msgpack for event data. Encoding uses msgpack-c's
 * packer; decoding uses the bounded reader of mp.h so hostile bytes cannot
 * make it allocate more than the input justifies.
 */
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "firelater/buf.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/mp.h"

static int pack(msgpack_packer *pk, const json_t *j, int depth);

static int pack_object(msgpack_packer *pk, const json_t *j, int depth)
{
    const char *key;
    size_t klen;
    json_t *val;
    msgpack_pack_map(pk, json_object_size(j));
    /*
     * A key holding "\u0000" is refused: C code reads keys as strings, and
     * jansson itself compares objects by them (json_equal, json_object_get).
     */
    json_object_keylen_foreach((json_t *)j, key, klen, val)
    {
        if (memchr(key, 0, klen) != NULL)
            return FL_EINVAL;
        msgpack_pack_str(pk, klen);
        msgpack_pack_str_body(pk, key, klen);
        if (pack(pk, val, depth + 1) < 0)
            return FL_EINVAL;
    }
    return 0;
}

static int pack(msgpack_packer *pk, const json_t *j, int depth)
{
    if (depth > FL_CODEC_MAX_DEPTH)
        return FL_EINVAL;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return pack_object(pk, j, depth);
    case JSON_ARRAY:
        msgpack_pack_array(pk, json_array_size(j));
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (pack(pk, json_array_get(j, i), depth + 1) < 0)
                return FL_EINVAL;
        }
        return 0;
    case JSON_STRING:
        msgpack_pack_str(pk, json_string_length(j));
        msgpack_pack_str_body(pk, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        msgpack_pack_int64(pk, json_integer_value(j));
        return 0;
    case JSON_REAL:
        msgpack_pack_double(pk, json_real_value(j));
        return 0;
    case JSON_TRUE:
        msgpack_pack_true(pk);
        return 0;
    case JSON_FALSE:
        msgpack_pack_false(pk);
        return 0;
    default:
        msgpack_pack_nil(pk);
        return 0;
    }
}

int fl_codec_from_json(const json_t *j, fl_arena_t *a, uint8_t **out, size_t *out_len)
{
    fl_buf_t b = FL_BUF_INIT;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &b, fl_buf_msgpack_write);
    int rc = pack(&pk, j, 0);
    if (rc == 0) {
        *out = fl_arena_memdup(a, b.data, b.len);
        *out_len = b.len;
        if (*out == NULL)
            rc = FL_ETOOBIG;
    }
    fl_buf_free(&b);
    return rc;
}

int fl_codec_from_json_text(const char *text, fl_arena_t *a, uint8_t **out, size_t *out_len)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (j == NULL)
        return FL_EINVAL;
    int rc = fl_codec_from_json(j, a, out, out_len);
    json_decref(j);
    return rc;
}

static json_t *unpack(fl_mp_t *r, int depth);

static json_t *unpack_map(fl_mp_t *r, uint32_t n, int depth)
{
    json_t *obj = json_object();
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        uint32_t klen;
        if (fl_mp_read_str(r, &k, &klen) < 0 || memchr(k, 0, klen) != NULL)
            goto fail;
        json_t *v = unpack(r, depth + 1);
        if (v == NULL || json_object_setn_new(obj, k, klen, v) < 0)
            goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

static json_t *unpack_array(fl_mp_t *r, uint32_t n, int depth)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++) {
        json_t *v = unpack(r, depth + 1);
        if (v == NULL || json_array_append_new(arr, v) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *base64(const uint8_t *p, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(n);
    if (s == NULL)
        fl_oom();
    sodium_bin2base64(s, n, p, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *unpack(fl_mp_t *r, int depth)
{
    fl_mp_item_t it;
    if (depth > FL_CODEC_MAX_DEPTH || fl_mp_next(r, &it) < 0)
        return NULL;
    switch (it.kind) {
    case FL_MP_NIL:
        return json_null();
    case FL_MP_BOOL:
        return json_boolean(it.v.b);
    case FL_MP_UINT:
        return it.v.u > INT64_MAX ? json_real((double)it.v.u) : json_integer((json_int_t)it.v.u);
    case FL_MP_INT:
        return json_integer(it.v.i);
    case FL_MP_FLOAT:
        return json_real(it.v.f);
    case FL_MP_STR:
        /* jansson refuses invalid UTF-8, which is what we want for text. */
        return json_stringn((const char *)it.v.s.ptr, it.v.s.len);
    case FL_MP_BIN:
    case FL_MP_EXT:
        return base64(it.v.s.ptr, it.v.s.len);
    case FL_MP_ARRAY:
        return unpack_array(r, it.v.n, depth);
    case FL_MP_MAP:
        return unpack_map(r, it.v.n, depth);
    default:
        return NULL;
    }
}

int fl_codec_to_json(const uint8_t *buf, size_t len, json_t **out)
{
    fl_mp_t r;
    fl_mp_init(&r, buf, len);
    json_t *j = unpack(&r, 0);
    if (j == NULL)
        return FL_ECORRUPT;
    if (fl_mp_left(&r) != 0) {
        json_decref(j);
        return FL_ECORRUPT;
    }
    *out = j;
    return 0;
}

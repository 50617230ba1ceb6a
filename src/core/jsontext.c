/*
 * Compact JSON text from jansson values, matching json_dumps byte for byte
 * (tests/unit/core/test_jsontext.c compares the two over random trees).
 *
 * jansson's own dump decodes every string one code point at a time and
 * hands each run to a callback; here a string is scanned byte by byte for
 * the few bytes that need an escape (", \ and the controls below 0x20: UTF-8
 * continuation bytes are all >= 0x80, so no decoding is needed) and copied
 * in runs. Reals keep jansson's form (%.17g, ".0" added when it reads as an
 * integer, the exponent's '+' and leading zeros dropped).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"

static void put(fl_buf_t *b, const void *p, size_t n)
{
    if (b->cap - b->len < n)
        fl_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_char(fl_buf_t *b, char c)
{
    if (b->cap == b->len)
        fl_buf_reserve(b, 1);
    b->data[b->len++] = (uint8_t)c;
}

/* Bytes that cannot stand in a JSON string as they are. */
static const char escapes[256] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',  ['\r'] = 'r',
    ['\t'] = 't', ['"'] = '"',  ['\\'] = '\\',
};

static void put_string(fl_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;

    fl_buf_reserve(b, n + 2);
    b->data[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
        if (escapes[c] != 0) {
            char e[2] = {'\\', escapes[c]};
            put(b, e, 2);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(b, u, 6);
        }
    }
    put(b, s + run, n - run);
    put_char(b, '"');
}

static void put_integer(fl_buf_t *b, json_int_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    /* In unsigned arithmetic, so that the most negative value has a magnitude. */
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void put_real(fl_buf_t *b, double v)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    size_t len = n > 0 ? (size_t)n : 0;
    char *e;

    for (char *p = tmp; *p != '\0'; p++) {
        if (*p == ',') /* a locale's decimal comma */
            *p = '.';
    }
    if (strchr(tmp, '.') == NULL && strchr(tmp, 'e') == NULL) {
        memcpy(tmp + len, ".0", 3);
        len += 2;
    }
    if ((e = strchr(tmp, 'e')) != NULL) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        memmove(start, end, len - (size_t)(end - tmp) + 1);
        len -= (size_t)(end - start);
    }
    put(b, tmp, len);
}

typedef struct member {
    const char *key;
    size_t len;
    json_t *value;
} member_t;

static int by_key(const void *x, const void *y)
{
    const member_t *a = x, *b = y;
    int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);

    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static int write_value(fl_buf_t *b, const json_t *j, unsigned flags, int depth);

static int write_sorted(fl_buf_t *b, const json_t *j, unsigned flags, int depth)
{
    size_t n = json_object_size(j), i = 0;
    member_t *m = malloc(n * sizeof(*m));
    int rc = 0;

    if (m == NULL)
        fl_oom();
    for (void *it = json_object_iter((json_t *)j); it != NULL;
         it = json_object_iter_next((json_t *)j, it), i++)
        m[i] = (member_t){json_object_iter_key(it), json_object_iter_key_len(it),
                          json_object_iter_value(it)};
    qsort(m, n, sizeof(*m), by_key);
    for (i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            put_char(b, ',');
        put_string(b, m[i].key, m[i].len);
        put_char(b, ':');
        rc = write_value(b, m[i].value, flags, depth + 1);
    }
    free(m);
    return rc;
}

static int write_object(fl_buf_t *b, const json_t *j, unsigned flags, int depth)
{
    int rc = 0;
    bool first = true;

    put_char(b, '{');
    if ((flags & FL_JSON_SORT_KEYS) != 0 && json_object_size(j) > 1) {
        rc = write_sorted(b, j, flags, depth);
    } else {
        for (void *it = json_object_iter((json_t *)j); it != NULL && rc == 0;
             it = json_object_iter_next((json_t *)j, it)) {
            if (!first)
                put_char(b, ',');
            first = false;
            put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            put_char(b, ':');
            rc = write_value(b, json_object_iter_value(it), flags, depth + 1);
        }
    }
    put_char(b, '}');
    return rc;
}

static int write_value(fl_buf_t *b, const json_t *j, unsigned flags, int depth)
{
    int rc = 0;

    if (depth > FL_JSON_MAX_DEPTH)
        return FL_EINVAL;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return write_object(b, j, flags, depth);
    case JSON_ARRAY:
        put_char(b, '[');
        for (size_t i = 0; i < json_array_size(j) && rc == 0; i++) {
            if (i > 0)
                put_char(b, ',');
            rc = write_value(b, json_array_get(j, i), flags, depth + 1);
        }
        put_char(b, ']');
        return rc;
    case JSON_STRING:
        put_string(b, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        put_integer(b, json_integer_value(j));
        return 0;
    case JSON_REAL:
        put_real(b, json_real_value(j));
        return 0;
    case JSON_TRUE:
        put(b, "true", 4);
        return 0;
    case JSON_FALSE:
        put(b, "false", 5);
        return 0;
    case JSON_NULL:
        put(b, "null", 4);
        return 0;
    }
    return FL_EINVAL;
}

int fl_json_write(fl_buf_t *b, const json_t *j, unsigned flags)
{
    size_t mark = b->len;
    int rc = j != NULL ? write_value(b, j, flags, 0) : FL_EINVAL;

    if (rc != 0)
        b->len = mark;
    return rc;
}

char *fl_json_dumps(const json_t *j, unsigned flags)
{
    fl_buf_t b = FL_BUF_INIT;

    if (fl_json_write(&b, j, flags) != 0) {
        fl_buf_free(&b);
        return NULL;
    }
    put_char(&b, '\0');
    return (char *)b.data;
}

char *fl_json_arena(fl_arena_t *a, const json_t *j, unsigned flags, size_t *len)
{
    fl_buf_t b = FL_BUF_INIT;
    char *out = NULL;

    if (fl_json_write(&b, j, flags) == 0)
        out = fl_arena_strndup(a, b.len > 0 ? (const char *)b.data : "", b.len);
    if (out != NULL && len != NULL)
        *len = b.len;
    fl_buf_free(&b);
    return out;
}

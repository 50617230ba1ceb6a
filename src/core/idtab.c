/*
 * UUID table (include/firelater/idtab.h). The index is rebuilt from the key
 * array when it would pass half full, so it stores no hashes; keys grow by
 * doubling.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/idtab.h"

static const char hex[] = "0123456789abcdef";

static bool is_dash(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

static int nibble(char c, bool *upper)
{
    *upper = c >= 'A' && c <= 'F';
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return *upper ? c - 'A' + 10 : -1;
}

int fl_uuid_key_parse(const char *s, size_t len, fl_uuid_key_t *k)
{
    unsigned d = 0; /* hex digits read */

    if (len != FL_IDTAB_TEXT_LEN)
        return FL_EINVAL;
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < len; i++) {
        bool upper;
        int v = nibble(s[i], &upper);
        if (is_dash(i) ? s[i] != '-' : v < 0)
            return FL_EINVAL;
        if (is_dash(i))
            continue;
        k->b[d / 2] |= (uint8_t)(d % 2 == 0 ? v << 4 : v);
        k->upper |= upper ? 1u << d : 0;
        d++;
    }
    return 0;
}

void fl_uuid_key_format(const fl_uuid_key_t *k, char out[FL_IDTAB_TEXT_LEN + 1])
{
    unsigned d = 0;

    for (size_t i = 0; i < FL_IDTAB_TEXT_LEN; i++) {
        if (is_dash(i)) {
            out[i] = '-';
            continue;
        }
        char c = hex[d % 2 == 0 ? k->b[d / 2] >> 4 : k->b[d / 2] & 15];
        out[i] = (k->upper >> d & 1) != 0 ? (char)(c - 'a' + 'A') : c;
        d++;
    }
    out[FL_IDTAB_TEXT_LEN] = '\0';
}

/* Mixes all 16 bytes: time-ordered UUIDs (v7) share their first bytes. */
static uint32_t hash_of(const fl_uuid_key_t *k)
{
    uint64_t a, b;

    memcpy(&a, k->b, 8);
    memcpy(&b, k->b + 8, 8);
    a = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ k->upper) * 0xbf58476d1ce4e5b9ULL;
    return (uint32_t)(a >> 32 ^ a);
}

static bool same(const fl_uuid_key_t *a, const fl_uuid_key_t *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0 && a->upper == b->upper;
}

/* The index place of k: where it is, or the empty place it would go. */
static uint32_t place_of(const fl_idtab_t *t, const fl_uuid_key_t *k)
{
    uint32_t i = hash_of(k) & t->mask;

    while (t->index[i] != 0 && !same(&t->keys[t->index[i] - 1], k))
        i = (i + 1) & t->mask;
    return i;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL)
        fl_oom();
    return p;
}

/* An index of `places` (a power of two) over the keys held. */
static void reindex(fl_idtab_t *t, uint32_t places)
{
    free(t->index);
    t->index = calloc(places, sizeof(*t->index));
    if (t->index == NULL)
        fl_oom();
    t->mask = places - 1;
    for (uint32_t s = 0; s < t->n; s++)
        t->index[place_of(t, &t->keys[s])] = s + 1;
}

void fl_idtab_init(fl_idtab_t *t, uint32_t reserve)
{
    uint32_t places = 16;

    memset(t, 0, sizeof(*t));
    while (places / 2 < reserve)
        places *= 2;
    t->cap = reserve > 0 ? reserve : 8;
    t->keys = xrealloc(NULL, (size_t)t->cap * sizeof(*t->keys));
    reindex(t, places);
}

void fl_idtab_free(fl_idtab_t *t)
{
    free(t->keys);
    free(t->index);
    memset(t, 0, sizeof(*t));
}

uint32_t fl_idtab_put(fl_idtab_t *t, const fl_uuid_key_t *k, bool *added)
{
    uint32_t i = place_of(t, k);

    if (added != NULL)
        *added = t->index[i] == 0;
    if (t->index[i] != 0)
        return t->index[i] - 1;
    fl_assert(t->n < FL_IDTAB_NONE - 1);
    if (t->n == t->cap) {
        t->cap = t->cap < (1u << 31) ? 2 * t->cap : FL_IDTAB_NONE - 1;
        t->keys = xrealloc(t->keys, (size_t)t->cap * sizeof(*t->keys));
    }
    t->keys[t->n] = *k;
    t->index[i] = ++t->n;
    if ((uint64_t)t->n * 2 > (uint64_t)t->mask + 1)
        reindex(t, (t->mask + 1) * 2);
    return t->n - 1;
}

uint32_t fl_idtab_get(const fl_idtab_t *t, const fl_uuid_key_t *k)
{
    uint32_t s = t->index[place_of(t, k)];

    return s != 0 ? s - 1 : FL_IDTAB_NONE;
}

size_t fl_idtab_bytes(const fl_idtab_t *t)
{
    return (size_t)t->cap * sizeof(*t->keys) + ((size_t)t->mask + 1) * sizeof(*t->index);
}

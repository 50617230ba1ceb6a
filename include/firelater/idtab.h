/*
 * A table of UUIDs numbered densely in the order they were added (slot 0,
 * 1, ...), for the timers, which keep one clock per issue: an open-addressed
 * index (linear probing, at most half full) of 32-bit slots over an array of
 * keys. An entry costs its 20-byte key (up to twice that, as the keys double)
 * plus 8 to 16 bytes of index, and no allocation of its own (a string map
 * costs a malloc'd node per entry).
 *
 * A key is the UUID's 16 bytes and a mask of the hex digits written in upper
 * case, so that the exact text is given back: log streams are names, and
 * "issue:ABC..." is not the stream "issue:abc...". Entries are never removed.
 * Not thread-safe: one thread owns a table.
 */
#ifndef FIRELATER_IDTAB_H
#define FIRELATER_IDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_IDTAB_TEXT_LEN 36 /* "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11" */
#define FL_IDTAB_NONE     UINT32_MAX

typedef struct fl_uuid_key {
    uint8_t b[16];
    uint32_t upper; /* bit i: hex digit i was upper case */
} fl_uuid_key_t;

typedef struct fl_idtab {
    fl_uuid_key_t *keys; /* slot -> key */
    uint32_t *index;     /* slot + 1, or 0 for an empty place */
    uint32_t n, cap;     /* keys held, room for */
    uint32_t mask;       /* places in the index - 1 */
} fl_idtab_t;

/* The key of a UUID's text (8-4-4-4-12 hex digits, either case): 0, or FL_EINVAL. */
int fl_uuid_key_parse(const char *s, size_t len, fl_uuid_key_t *k);

/* The text the key was parsed from, NUL-terminated, into out. */
void fl_uuid_key_format(const fl_uuid_key_t *k, char out[FL_IDTAB_TEXT_LEN + 1]);

/* An empty table with room for `reserve` keys (out of memory aborts). */
void fl_idtab_init(fl_idtab_t *t, uint32_t reserve);
void fl_idtab_free(fl_idtab_t *t);

/* The slot of k, adding it (as slot t->n) when absent; *added says which (may be NULL). */
uint32_t fl_idtab_put(fl_idtab_t *t, const fl_uuid_key_t *k, bool *added);

/* The slot of k, or FL_IDTAB_NONE. */
uint32_t fl_idtab_get(const fl_idtab_t *t, const fl_uuid_key_t *k);

/* The key in a slot below t->n; valid until the next put. */
static inline const fl_uuid_key_t *fl_idtab_key(const fl_idtab_t *t, uint32_t slot)
{
    return &t->keys[slot];
}

/* Bytes the table holds allocated. */
size_t fl_idtab_bytes(const fl_idtab_t *t);

#endif

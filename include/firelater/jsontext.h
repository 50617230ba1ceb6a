/*
 * JSON values to compact text, on the hot paths (responses, projector rows).
 * The output is byte for byte what jansson's json_dumps writes with
 * JSON_COMPACT | JSON_ENCODE_ANY (plus JSON_SORT_KEYS when asked), at a
 * fraction of the cost: one growing buffer, strings copied in runs, no
 * per-character UTF-8 decoding (jansson's strings are valid UTF-8 already)
 * and no printf for integers.
 */
#ifndef FIRELATER_JSONTEXT_H
#define FIRELATER_JSONTEXT_H

#include <stddef.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/buf.h"

#define FL_JSON_SORT_KEYS 1u   /* object members by key, as JSON_SORT_KEYS */
#define FL_JSON_MAX_DEPTH 2048 /* deeper (or a cycle): refused, as jansson does */

/* Appends j's text to b (no NUL). 0, or FL_EINVAL for a value too deep. */
int fl_json_write(fl_buf_t *b, const json_t *j, unsigned flags);

/* j's text, NUL-terminated, from malloc (the caller frees); NULL when refused. */
char *fl_json_dumps(const json_t *j, unsigned flags);

/* j's text, NUL-terminated, in a (*len without the NUL, when len is not NULL); NULL when
 * refused or past a's budget. */
char *fl_json_arena(fl_arena_t *a, const json_t *j, unsigned flags, size_t *len);

#endif

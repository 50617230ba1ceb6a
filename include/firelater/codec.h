/*
 * msgpack <-> JSON, for event data: the API and flctl speak JSON, the log
 * stores msgpack. Integers stay integers, reals stay reals; map keys must be
 * strings without NUL bytes. Binary msgpack values become base64 strings in JSON.
 */
#ifndef FIRELATER_CODEC_H
#define FIRELATER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/arena.h"

#define FL_CODEC_MAX_DEPTH 64

/* Encodes j as msgpack into the arena. FL_EINVAL past FL_CODEC_MAX_DEPTH. */
int fl_codec_from_json(const json_t *j, fl_arena_t *a, uint8_t **out, size_t *out_len);

/*
 * Decodes one msgpack object (all of buf) into a new JSON value the caller
 * must json_decref. FL_ECORRUPT when buf is not exactly one valid object,
 * is nested too deep, or has a non-string map key.
 */
int fl_codec_to_json(const uint8_t *buf, size_t len, json_t **out);

/* Parses JSON text and encodes it; FL_EINVAL naming nothing when it is not JSON. */
int fl_codec_from_json_text(const char *text, fl_arena_t *a, uint8_t **out, size_t *out_len);

#endif

/*
 * libFuzzer target for msgpack -> JSON. Arbitrary bytes give FL_ECORRUPT or
 * a JSON value; a JSON value encodes back to msgpack that decodes to an equal
 * value.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/codec.h"
#include "firelater/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fl_arena_t a;
    json_t *j = NULL, *j2 = NULL;
    uint8_t *mp;
    size_t len;
    int rc = fl_codec_to_json(data, size, &j);

    if (rc != 0) {
        if (rc != FL_ECORRUPT || j != NULL)
            abort();
        return 0;
    }
    fl_arena_init(&a, 0);
    if (fl_codec_from_json(j, &a, &mp, &len) != 0 || fl_codec_to_json(mp, len, &j2) != 0 ||
        !json_equal(j, j2))
        abort();
    json_decref(j);
    json_decref(j2);
    fl_arena_free(&a);
    return 0;
}

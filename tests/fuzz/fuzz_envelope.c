/*
 * libFuzzer target for the envelope decoder. Arbitrary bytes must decode to
 * FL_ECORRUPT or to an event; an event must re-encode, decode again to the
 * same fields, and re-encoding that gives the same bytes (a fixpoint).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/arena.h"
#include "firelater/err.h"
#include "firelater/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_event(const fl_event_t *a, const fl_event_t *b)
{
    if (a->pos != b->pos || a->ts != b->ts || a->v != b->v || a->sv != b->sv ||
        strcmp(a->type, b->type) != 0 || strcmp(a->stream, b->stream) != 0 ||
        strcmp(a->actor, b->actor) != 0 || strcmp(a->cid, b->cid) != 0 ||
        strcmp(a->corr, b->corr) != 0 || strcmp(a->num, b->num) != 0 ||
        a->data_len != b->data_len || memcmp(a->data, b->data, a->data_len) != 0 ||
        memcmp(a->prev, b->prev, FL_LOG_HASH_LEN) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fl_arena_t a;
    fl_event_t ev, ev2, ev3;
    uint8_t *buf, *buf2;
    size_t len, len2;
    int rc;

    fl_arena_init(&a, 0);
    rc = fl_event_decode(data, size, &a, &ev);
    if (rc != 0 && rc != FL_ECORRUPT)
        abort();
    if (rc == 0) {
        if (fl_event_encode(&ev, &buf, &len, &a) != 0 || fl_event_decode(buf, len, &a, &ev2) != 0)
            abort();
        same_event(&ev, &ev2);
        if (fl_event_encode(&ev2, &buf2, &len2, &a) != 0 || len2 != len ||
            memcmp(buf, buf2, len) != 0 || fl_event_decode(buf2, len2, &a, &ev3) != 0)
            abort();
        same_event(&ev2, &ev3);
    }
    fl_arena_free(&a);
    return 0;
}

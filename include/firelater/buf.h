/*
 * A growable byte buffer on the heap, for output whose size is not known in
 * advance (encoded envelopes, JSON). Owned by whoever called fl_buf_init.
 */
#ifndef FIRELATER_BUF_H
#define FIRELATER_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct fl_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} fl_buf_t;

#define FL_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void fl_buf_init(fl_buf_t *b);
void fl_buf_free(fl_buf_t *b);
void fl_buf_clear(fl_buf_t *b); /* keeps the memory */
void fl_buf_reserve(fl_buf_t *b, size_t extra);
void fl_buf_append(fl_buf_t *b, const void *p, size_t n);

/* msgpack-c's write callback (msgpack_packer_init(&pk, buf, fl_buf_msgpack_write)). */
int fl_buf_msgpack_write(void *data, const char *buf, size_t len);

#endif

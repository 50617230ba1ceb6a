#include <stdlib.h>
#include <string.h>

#include "firelater/buf.h"
#include "firelater/err.h"

void fl_buf_init(fl_buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void fl_buf_free(fl_buf_t *b)
{
    free(b->data);
    fl_buf_init(b);
}

void fl_buf_clear(fl_buf_t *b)
{
    b->len = 0;
}

void fl_buf_reserve(fl_buf_t *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2)
            fl_oom();
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        fl_oom();
    b->data = p;
    b->cap = cap;
}

void fl_buf_append(fl_buf_t *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    fl_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

int fl_buf_msgpack_write(void *data, const char *buf, size_t len)
{
    fl_buf_append(data, buf, len);
    return 0;
}

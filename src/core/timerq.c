/*
 * The timer queue (include/firelater/timerq.h): a binary heap in two
 * parallel arrays plus the id -> slot index, kept in step by place().
 */
#include <stdlib.h>

#include "firelater/err.h"
#include "firelater/timerq.h"

#define ABSENT UINT32_MAX

static bool before(const fl_timerq_t *q, uint32_t i, uint32_t j)
{
    return q->at[i] < q->at[j] || (q->at[i] == q->at[j] && q->id[i] < q->id[j]);
}

static void place(fl_timerq_t *q, uint32_t slot, fl_time_t at, uint32_t id)
{
    q->at[slot] = at;
    q->id[slot] = id;
    q->pos[id] = slot;
}

static void swap(fl_timerq_t *q, uint32_t i, uint32_t j)
{
    fl_time_t a = q->at[i];
    uint32_t d = q->id[i];

    place(q, i, q->at[j], q->id[j]);
    place(q, j, a, d);
}

static void sift_up(fl_timerq_t *q, uint32_t i)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;

        if (!before(q, i, parent))
            break;
        swap(q, i, parent);
        i = parent;
    }
}

static void sift_down(fl_timerq_t *q, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < q->len && before(q, l, m))
            m = l;
        if (r < q->len && before(q, r, m))
            m = r;
        if (m == i)
            break;
        swap(q, i, m);
        i = m;
    }
}

static void grow_heap(fl_timerq_t *q, uint32_t need)
{
    uint32_t cap = q->cap ? q->cap : 16;
    fl_time_t *at;
    uint32_t *id;

    while (cap < need)
        cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
    if ((at = realloc(q->at, (size_t)cap * sizeof(*at))) == NULL)
        fl_oom();
    q->at = at;
    if ((id = realloc(q->id, (size_t)cap * sizeof(*id))) == NULL)
        fl_oom();
    q->id = id;
    q->cap = cap;
}

static void grow_index(fl_timerq_t *q, uint32_t need)
{
    uint32_t n = q->n_pos ? q->n_pos : 16;
    uint32_t *pos;

    while (n < need)
        n = n > UINT32_MAX / 2 ? UINT32_MAX : n * 2;
    if ((pos = realloc(q->pos, (size_t)n * sizeof(*pos))) == NULL)
        fl_oom();
    for (uint32_t i = q->n_pos; i < n; i++)
        pos[i] = ABSENT;
    q->pos = pos;
    q->n_pos = n;
}

void fl_timerq_init(fl_timerq_t *q, uint32_t reserve)
{
    *q = (fl_timerq_t){0};
    if (reserve > 0) {
        grow_heap(q, reserve);
        grow_index(q, reserve);
    }
}

void fl_timerq_free(fl_timerq_t *q)
{
    free(q->at);
    free(q->id);
    free(q->pos);
    *q = (fl_timerq_t){0};
}

int fl_timerq_set(fl_timerq_t *q, uint32_t id, fl_time_t at)
{
    uint32_t slot;

    if (id > FL_TIMERQ_ID_MAX)
        return FL_EINVAL;
    if (id >= q->n_pos)
        grow_index(q, id + 1);
    slot = q->pos[id];
    if (slot != ABSENT) {
        fl_time_t old = q->at[slot];

        q->at[slot] = at;
        if (at < old)
            sift_up(q, slot);
        else
            sift_down(q, slot);
        return 0;
    }
    if (q->len == q->cap)
        grow_heap(q, q->len + 1);
    place(q, q->len, at, id);
    q->len++;
    sift_up(q, q->len - 1);
    return 0;
}

bool fl_timerq_remove(fl_timerq_t *q, uint32_t id)
{
    uint32_t slot, last;

    if (id >= q->n_pos || (slot = q->pos[id]) == ABSENT)
        return false;
    q->pos[id] = ABSENT;
    last = --q->len;
    if (slot != last) {
        place(q, slot, q->at[last], q->id[last]);
        if (slot > 0 && before(q, slot, (slot - 1) / 2))
            sift_up(q, slot);
        else
            sift_down(q, slot);
    }
    return true;
}

bool fl_timerq_get(const fl_timerq_t *q, uint32_t id, fl_time_t *at)
{
    if (id >= q->n_pos || q->pos[id] == ABSENT)
        return false;
    *at = q->at[q->pos[id]];
    return true;
}

bool fl_timerq_peek(const fl_timerq_t *q, fl_time_t *at, uint32_t *id)
{
    if (q->len == 0)
        return false;
    *at = q->at[0];
    *id = q->id[0];
    return true;
}

bool fl_timerq_pop(fl_timerq_t *q, fl_time_t *at, uint32_t *id)
{
    if (!fl_timerq_peek(q, at, id))
        return false;
    fl_timerq_remove(q, *id);
    return true;
}

size_t fl_timerq_bytes(const fl_timerq_t *q)
{
    return (size_t)q->cap * (sizeof(*q->at) + sizeof(*q->id)) + (size_t)q->n_pos * sizeof(*q->pos);
}

/*
 * A synthetic tenant log for the read benchmarks: streams of ten kinds whose
 * events interleave at random, as commands on many entities would. Built
 * with the log's own append path (batches of 1000), so the records, indexes
 * and hash chain are exactly what the server would store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "firelater/err.h"

#define CORPUS_BATCH  1000
#define CORPUS_ACTORS 50

typedef struct kind {
    const char *name;
    const char *number; /* prefix of the number its created event allocates */
} kind_t;

static const kind_t kinds[10] = {
    {"issue", "ISS"}, {"request", "REQ"}, {"change", "CHG"},  {"task", "TSK"}, {"app", "APP"},
    {"user", NULL},   {"group", NULL},    {"schedule", NULL}, {"alert", NULL}, {"approval", NULL},
};
static const char *const verbs[] = {"created",   "updated",        "assigned",
                                    "commented", "status_changed", "escalated"};

typedef struct builder {
    bench_corpus_t *c;
    fl_log_t *log;
    bench_rng_t rng;
    uint32_t *order; /* stream of each event, in append order */
    uint32_t *sv;    /* versions handed out so far, per stream */
    char types[10][6][32];
    char actors[CORPUS_ACTORS][48];
    fl_arena_t arena;
    fl_log_new_t events[CORPUS_BATCH];
} builder_t;

static void builder_names(builder_t *b)
{
    char uuid[37];

    for (size_t i = 0; i < b->c->n_streams; i++) {
        bench_uuid(i, uuid);
        snprintf(b->c->streams[i], 64, "%s:%s", kinds[i % 10].name, uuid);
    }
    for (int k = 0; k < 10; k++)
        for (int v = 0; v < 6; v++)
            snprintf(b->types[k][v], 32, "%s.%s", kinds[k].name, verbs[v]);
    for (int i = 0; i < CORPUS_ACTORS; i++) {
        bench_uuid(1000000007u + (uint64_t)i, uuid);
        snprintf(b->actors[i], 48, "user:%s", uuid);
    }
}

/* Every stream gets per_stream events; a Fisher-Yates shuffle interleaves them. */
static void builder_order(builder_t *b, size_t per_stream)
{
    size_t n = b->c->n_events;

    b->order = malloc(n * sizeof(*b->order));
    b->sv = calloc(b->c->n_streams, sizeof(*b->sv));
    if (b->order == NULL || b->sv == NULL)
        fl_oom();
    for (size_t i = 0; i < n; i++)
        b->order[i] = (uint32_t)(i / per_stream);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = bench_rng_below(&b->rng, i + 1);
        uint32_t t = b->order[i];
        b->order[i] = b->order[j];
        b->order[j] = t;
    }
}

static void builder_event(builder_t *b, fl_log_new_t *ev, uint32_t id)
{
    uint32_t sv = ++b->sv[id];
    size_t len = 100 + bench_rng_below(&b->rng, 201);
    uint8_t *data = fl_arena_alloc(&b->arena, len);
    char *cid = fl_arena_alloc(&b->arena, 37);

    if (data == NULL || cid == NULL)
        fl_oom();
    bench_data_map(&b->rng, data, len);
    bench_uuid(bench_rng_next(&b->rng), cid);
    *ev = (fl_log_new_t){
        .stream = b->c->streams[id],
        .type = b->types[id % 10][sv == 1 ? 0 : 1 + bench_rng_below(&b->rng, 5)],
        .v = 1,
        .actor = b->actors[bench_rng_below(&b->rng, CORPUS_ACTORS)],
        .cid = cid,
        .corr = cid,
        .number = sv == 1 ? kinds[id % 10].number : NULL,
        .data = data,
        .data_len = len,
    };
}

static void builder_append(builder_t *b, size_t first, size_t n)
{
    fl_log_batch_t batch = {.events = b->events, .n_events = n};
    fl_log_result_t res;

    fl_arena_reset(&b->arena);
    for (size_t i = 0; i < n; i++)
        builder_event(b, &b->events[i], b->order[first + i]);
    bench_check(fl_log_append(b->log, &batch, &res), "corpus append");
    if (res.count != n)
        bench_die("corpus append: %u events appended, %zu expected", res.count, n);
}

void bench_corpus_build(bench_corpus_t *c, fl_log_t *log, size_t n_events, size_t n_streams)
{
    builder_t *b = calloc(1, sizeof(*b));
    size_t per_stream = n_events / n_streams;
    uint64_t t0;

    if (b == NULL || per_stream == 0)
        bench_die("corpus: cannot build %zu events over %zu streams", n_events, n_streams);
    *c = (bench_corpus_t){.n_events = per_stream * n_streams, .n_streams = n_streams};
    c->streams = calloc(n_streams, sizeof(*c->streams));
    if (c->streams == NULL)
        fl_oom();
    *b = (builder_t){.c = c, .log = log, .rng = {.s = 0x5eed}};
    fl_arena_init(&b->arena, 0);
    builder_names(b);
    builder_order(b, per_stream);
    t0 = bench_now_ns();
    for (size_t i = 0; i < c->n_events; i += CORPUS_BATCH)
        builder_append(b, i, c->n_events - i < CORPUS_BATCH ? c->n_events - i : CORPUS_BATCH);
    c->build_secs = bench_secs_since(t0);
    fl_arena_free(&b->arena);
    free(b->order);
    free(b->sv);
    free(b);
}

void bench_corpus_free(bench_corpus_t *c)
{
    free(c->streams);
    c->streams = NULL;
}

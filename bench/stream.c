/*
 * bench_stream: load one aggregate (a stream of 100 events) out of a
 * 1,000,000-event log where 10,000 streams interleave, as the write path does
 * before deciding a command.
 *
 * uncached: fl_agg_load_uncached reads the stream through its index and folds
 *           all 100 events (the baseline), once as the first reader of those
 *           pages in this process (page faults on the map), then again warm;
 * cached:   fl_agg_load through an fl_agg_cache_t after a warm-up; the cache
 *           still asks the log for the stream's current version each time;
 * fresh:    cached, after one more event was appended to each stream, which
 *           the cache must notice and fold.
 * The fold counts events and keeps the last type, version and time; it does
 * not decode the data map (that cost belongs to each domain's fold).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "firelater/aggcache.h"
#include "firelater/err.h"

#define CACHED_ROUNDS 5
#define FRESH_STREAMS 200

typedef struct agg_state {
    uint64_t events;
    uint64_t sv;
    uint64_t data_bytes;
    fl_time_t ts;
    const char *type;
} agg_state_t;

typedef struct bench {
    fl_log_t *log;
    bench_corpus_t corpus;
    size_t per_stream;
    uint32_t *picks;
    size_t n_picks;
    uint64_t *ns; /* one timing per load */
} bench_t;

static void agg_init(void *state)
{
    memset(state, 0, sizeof(agg_state_t));
}

static int agg_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    agg_state_t *s = state;

    s->events++;
    s->sv = ev->sv;
    s->ts = ev->ts;
    s->data_bytes += ev->data_len;
    if (s->type == NULL || strcmp(s->type, ev->type) != 0) {
        s->type = fl_arena_strndup(a, ev->type, strlen(ev->type));
        if (s->type == NULL)
            return FL_ETOOBIG;
    }
    return 0;
}

static const fl_agg_type_t agg_type = {
    .name = "bench", .state_size = sizeof(agg_state_t), .init = agg_init, .fold = agg_fold};

static void expect_state(const agg_state_t *s, uint64_t version, uint64_t want)
{
    if (version != want || s->events != want || s->sv != want)
        bench_die("aggregate: version %llu, %llu events folded, %llu expected",
                  (unsigned long long)version, (unsigned long long)s->events,
                  (unsigned long long)want);
}

static void pick_streams(bench_t *b, size_t n)
{
    bench_rng_t rng = {.s = 99};
    size_t total = b->corpus.n_streams;
    uint32_t *all = malloc(total * sizeof(*all));

    if (all == NULL || n > total)
        bench_die("cannot pick %zu of %zu streams", n, total);
    for (size_t i = 0; i < total; i++)
        all[i] = (uint32_t)i;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + bench_rng_below(&rng, total - i);
        uint32_t t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    b->picks = all;
    b->n_picks = n;
    b->ns = calloc(n * CACHED_ROUNDS, sizeof(*b->ns));
    if (b->ns == NULL)
        fl_oom();
}

static void print_dist(const char *what, uint64_t *ns, size_t n)
{
    double med = (double)bench_quantile(ns, n, 0.5) / 1e3;
    double p99 = (double)bench_quantile(ns, n, 0.99) / 1e3;

    printf("%-28s median %8.1f us  p99 %8.1f us  (%zu loads)\n", what, med, p99, n);
}

static double run_uncached(bench_t *b, const char *what)
{
    fl_arena_t a;
    agg_state_t s;
    uint64_t version, t0;

    fl_arena_init(&a, 0);
    for (size_t i = 0; i < b->n_picks; i++) {
        const char *stream = b->corpus.streams[b->picks[i]];
        fl_arena_reset(&a);
        t0 = bench_now_ns();
        bench_check(fl_agg_load_uncached(b->log, &agg_type, stream, &a, &s, &version),
                    "fl_agg_load_uncached");
        b->ns[i] = bench_now_ns() - t0;
        expect_state(&s, version, b->per_stream);
    }
    fl_arena_free(&a);
    print_dist(what, b->ns, b->n_picks);
    return (double)bench_quantile(b->ns, b->n_picks, 0.5);
}

/* Loads every picked stream `rounds` times in a shuffled order; returns the median ns. */
static double run_cached(bench_t *b, fl_agg_cache_t *c, int rounds, uint64_t want, const char *what)
{
    bench_rng_t rng = {.s = 5};
    const void *state;
    uint64_t version, t0;
    size_t n = 0;

    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < b->n_picks; i++) {
            const char *stream = b->corpus.streams[b->picks[bench_rng_below(&rng, b->n_picks)]];
            t0 = bench_now_ns();
            bench_check(fl_agg_load(c, &agg_type, stream, &state, &version), "fl_agg_load");
            b->ns[n++] = bench_now_ns() - t0;
            expect_state(state, version, want);
        }
    }
    print_dist(what, b->ns, n);
    return (double)bench_quantile(b->ns, n, 0.5);
}

/* Appends one event to each of the first n picked streams, in one batch. */
static void append_one_each(bench_t *b, size_t n)
{
    fl_log_new_t *evs = calloc(n, sizeof(*evs));
    fl_log_batch_t batch = {.events = evs, .n_events = n};
    fl_log_result_t res;

    if (evs == NULL)
        fl_oom();
    for (size_t i = 0; i < n; i++)
        evs[i] = (fl_log_new_t){
            .stream = b->corpus.streams[b->picks[i]], .type = "bench.touched", .v = 1};
    bench_check(fl_log_append(b->log, &batch, &res), "fl_log_append");
    free(evs);
}

static void run_all(bench_t *b)
{
    fl_agg_cache_t *c;
    double unc, cached;
    size_t fresh = b->n_picks < FRESH_STREAMS ? b->n_picks : FRESH_STREAMS;

    /* The first pass maps the streams' pages into this process; the second runs warm. */
    run_uncached(b, "uncached, first touch");
    unc = run_uncached(b, "uncached, warm");
    bench_check(fl_agg_cache_init(&c, b->log, b->corpus.n_streams), "fl_agg_cache_init");
    for (size_t i = 0; i < b->n_picks; i++) {
        const void *state;
        uint64_t version;
        bench_check(fl_agg_load(c, &agg_type, b->corpus.streams[b->picks[i]], &state, &version),
                    "fl_agg_load (warm-up)");
    }
    cached = run_cached(b, c, CACHED_ROUNDS, b->per_stream, "cached (version check only)");
    append_one_each(b, fresh);
    b->n_picks = fresh;
    run_cached(b, c, 1, b->per_stream + 1, "cached + 1 new event");
    fl_agg_cache_free(c);
    printf("stream load of %zu events: cached median %.1f us vs uncached %.1f us: %.0fx faster"
           " | goal cached < 50 us: %s\n",
           b->per_stream, cached / 1e3, unc / 1e3, unc / cached, cached < 50e3 ? "met" : "MISSED");
}

int main(void)
{
    size_t n_events = (size_t)bench_env_long("FL_BENCH_EVENTS", 1000000);
    size_t n_streams = (size_t)bench_env_long("FL_BENCH_STREAMS", 10000);
    size_t n_picks = (size_t)bench_env_long("FL_BENCH_PICKS", 2000);
    char base[BENCH_PATH_MAX], dir[BENCH_PATH_MAX];
    static bench_t b;

    bench_tmpdir("stream", base, sizeof(base));
    bench_join(dir, sizeof(dir), base, "log");
    if (mkdir(dir, 0755) != 0)
        bench_die("mkdir %s: %s", dir, strerror(errno));
    b.log = bench_log_open(dir, true);
    bench_corpus_build(&b.corpus, b.log, n_events, n_streams);
    b.per_stream = b.corpus.n_events / b.corpus.n_streams;
    printf("== bench_stream: %zu events over %zu interleaved streams of %zu, built in %.1f s\n",
           b.corpus.n_events, b.corpus.n_streams, b.per_stream, b.corpus.build_secs);
    pick_streams(&b, n_picks < n_streams ? n_picks : n_streams);
    run_all(&b);
    fl_log_close(b.log);
    bench_corpus_free(&b.corpus);
    free(b.picks);
    free(b.ns);
    bench_rmtree(base);
    return 0;
}

/*
 * bench_replay: scan and decode a whole 1,000,000-event log with a cursor, as
 * a projection rebuild or an auditor would, resetting the arena every 1000
 * events. Baseline: a raw LMDB cursor over the same records, no decoding.
 * Each figure is the median of five scans (the first of each pays the page
 * faults of a fresh mapping); the page cache is warm from the build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "bench.h"
#include "firelater/err.h"

#define ROUNDS      5
#define ARENA_EVERY 1000

static volatile uint64_t sink; /* keeps the scans' work observable */

static double log_scan(fl_log_t *log, size_t expect)
{
    fl_log_query_t q = {0};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    fl_arena_t a;
    uint64_t t0, sum = 0;
    size_t n = 0;
    int rc;

    fl_arena_init(&a, 0);
    t0 = bench_now_ns();
    bench_check(fl_log_cursor_open(log, &q, &cur), "fl_log_cursor_open");
    while ((rc = fl_log_cursor_next(cur, &a, &ev)) == 1) {
        sum += ev.sv + ev.data_len + (uint8_t)ev.type[0];
        if (++n % ARENA_EVERY == 0)
            fl_arena_reset(&a);
    }
    fl_log_cursor_close(cur);
    double secs = bench_secs_since(t0);
    bench_check(rc, "fl_log_cursor_next");
    if (n != expect)
        bench_die("scan read %zu events, %zu expected", n, expect);
    fl_arena_free(&a);
    sink += sum;
    return (double)n / secs;
}

static void lmdb_ok(int rc, const char *what)
{
    if (rc != 0)
        bench_die("raw lmdb: %s: %s", what, mdb_strerror(rc));
}

static size_t raw_walk(MDB_cursor *cur)
{
    MDB_val k, v;
    uint64_t sum = 0;
    size_t n = 0;
    int rc;

    while ((rc = mdb_cursor_get(cur, &k, &v, n == 0 ? MDB_FIRST : MDB_NEXT)) == 0) {
        sum += v.mv_size + ((const uint8_t *)v.mv_data)[0];
        n++;
    }
    if (rc != MDB_NOTFOUND)
        lmdb_ok(rc, "cursor");
    sink += sum;
    return n;
}

static double raw_scan(MDB_env *env, const char *db, size_t expect)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    uint64_t t0 = bench_now_ns();
    size_t n;

    lmdb_ok(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin");
    lmdb_ok(mdb_dbi_open(txn, db, 0, &dbi), db);
    lmdb_ok(mdb_cursor_open(txn, dbi, &cur), "cursor");
    n = raw_walk(cur);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    double secs = bench_secs_since(t0);
    if (n != expect)
        bench_die("raw scan read %zu records, %zu expected", n, expect);
    return (double)n / secs;
}

/* Prints the rounds (in order), then returns their median. */
static double median_of(const char *what, uint64_t *rates)
{
    printf("  rounds (ev/s): %s", what);
    for (int i = 0; i < ROUNDS; i++)
        printf("%s%llu", i ? "/" : " ", (unsigned long long)rates[i]);
    printf("\n");
    return (double)bench_quantile(rates, ROUNDS, 0.5);
}

static double raw_median(const char *dir, size_t expect)
{
    const char *db = getenv("FL_BENCH_EVENTS_DB");
    uint64_t rates[ROUNDS];
    MDB_env *env;

    lmdb_ok(mdb_env_create(&env), "create");
    lmdb_ok(mdb_env_set_maxdbs(env, 64), "maxdbs");
    lmdb_ok(mdb_env_open(env, dir, MDB_RDONLY, 0644), "open");
    for (int i = 0; i < ROUNDS; i++)
        rates[i] = (uint64_t)raw_scan(env, db != NULL ? db : "events", expect);
    mdb_env_close(env);
    return median_of("raw lmdb", rates);
}

static double log_median(const char *dir, size_t expect)
{
    fl_log_t *log = bench_log_open(dir, true);
    uint64_t rates[ROUNDS];

    for (int i = 0; i < ROUNDS; i++)
        rates[i] = (uint64_t)log_scan(log, expect);
    fl_log_close(log);
    return median_of("firelater", rates);
}

int main(void)
{
    size_t n_events = (size_t)bench_env_long("FL_BENCH_EVENTS", 1000000);
    size_t n_streams = (size_t)bench_env_long("FL_BENCH_STREAMS", 10000);
    char base[BENCH_PATH_MAX], dir[BENCH_PATH_MAX];
    bench_corpus_t corpus;
    fl_log_stats_t st;

    bench_tmpdir("replay", base, sizeof(base));
    bench_join(dir, sizeof(dir), base, "log");
    if (mkdir(dir, 0755) != 0)
        bench_die("mkdir %s: %s", dir, strerror(errno));
    fl_log_t *log = bench_log_open(dir, true);
    bench_corpus_build(&corpus, log, n_events, n_streams);
    bench_check(fl_log_stats(log, &st), "fl_log_stats");
    fl_log_close(log);
    printf("== bench_replay: %zu events, %zu streams, %.0f bytes/event, built in %.1f s "
           "(%.0f ev/s, no_sync, batches of 1000, data generation included)\n",
           corpus.n_events, corpus.n_streams, (double)st.bytes / (double)st.events,
           corpus.build_secs, (double)corpus.n_events / corpus.build_secs);
    double fl = log_median(dir, corpus.n_events);
    double raw = raw_median(dir, corpus.n_events);
    printf("replay scan+decode firelater %10.0f ev/s | raw lmdb scan (no decode) %10.0f ev/s  "
           "ratio %4.2fx | goal >= 1000000 ev/s: %s\n",
           fl, raw, fl / raw, fl >= 1e6 ? "met" : "MISSED");
    bench_corpus_free(&corpus);
    bench_rmtree(base);
    return 0;
}

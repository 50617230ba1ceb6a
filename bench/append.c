/*
 * bench_append: durable appends of 200-byte events.
 *
 * 1. One writer, batches of 1, 16 and 256 events per fl_log_append (one
 *    transaction, one commit each), against (a) raw LMDB puts of the very
 *    records the log stored (same count and bytes, MDB_APPEND on big-endian
 *    keys, one transaction per batch, default durable sync) and (b)
 *    PostgreSQL, one multi-row INSERT per batch (see pgbase.c).
 * 2. 64 writer threads appending single events, which the log groups into
 *    shared transactions, against 64 PostgreSQL clients doing single-row
 *    INSERT + COMMIT.
 *
 * LMDB transactions are counted from the environment's last transaction id
 * before and after a run, so events per transaction is measured, not guessed;
 * bytes passed to write syscalls per event show the write amplification.
 * Each configuration runs three interleaved rounds (FL_BENCH_ROUNDS, up to
 * 15) and reports medians: a shared machine's fsync latency moves too much
 * for a single run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "bench.h"
#include "firelater/err.h"

#define N_STREAMS   1024
#define PAYLOAD_LEN 200
#define MAX_BATCH   256
#define ROUNDS_MAX  15 /* interleaved rounds (FL_BENCH_ROUNDS, default 3); medians reported */

/* Rounds per configuration: the disk is noisy, so each runs several, interleaved. */
static int n_rounds = 3;

typedef struct bench {
    char dir[BENCH_PATH_MAX];
    double secs;
    const char *pg;
    uint8_t payload[PAYLOAD_LEN];
    char streams[N_STREAMS][48];
} bench_t;

/* A log run: throughput, and what it wrote (for the raw LMDB twin and the txn count). */
typedef struct run {
    double rate;
    uint64_t events;
    uint64_t txns;
    uint64_t written; /* bytes passed to write syscalls during the run */
} run_t;

/* The records a log run stored, to be written again through raw LMDB. */
typedef struct records {
    uint8_t *bytes;
    size_t *off; /* record i is bytes[off[i] .. off[i + 1]) */
    size_t n;
} records_t;

static void subdir(const bench_t *b, const char *name, char *out)
{
    bench_join(out, BENCH_PATH_MAX, b->dir, name);
    if (mkdir(out, 0755) != 0)
        bench_die("mkdir %s: %s", out, strerror(errno));
}

static void fill_events(const bench_t *b, fl_log_new_t *evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        evs[i] = (fl_log_new_t){.stream = b->streams[i % N_STREAMS],
                                .type = "issue.updated",
                                .v = 1,
                                .actor = "user:7d0f5c1e-33a4-4b7e-9a51-2f0c9e1d4b22",
                                .data = b->payload,
                                .data_len = PAYLOAD_LEN};
}

static double log_serial(const bench_t *b, fl_log_t *log, size_t batch, uint64_t *events)
{
    fl_log_new_t evs[MAX_BATCH];
    fl_log_batch_t fb = {.events = evs, .n_events = batch};
    fl_log_result_t res;
    uint64_t n = 0, t0;
    double elapsed;

    fill_events(b, evs, batch);
    t0 = bench_now_ns();
    do {
        for (size_t i = 0; i < batch; i++)
            evs[i].stream = b->streams[(n + i) % N_STREAMS];
        bench_check(fl_log_append(log, &fb, &res), "fl_log_append");
        n += batch;
    } while ((elapsed = bench_secs_since(t0)) < b->secs);
    *events = n;
    return (double)n / elapsed;
}

/* Runs the log in a fresh directory; counts LMDB transactions around the run. */
static run_t log_run(const bench_t *b, const char *dir, size_t batch)
{
    run_t r;
    uint64_t txn0;

    fl_log_close(bench_log_open(dir, false));
    txn0 = bench_lmdb_txnid(dir);
    fl_log_t *log = bench_log_open(dir, false);
    r.written = bench_write_bytes();
    r.rate = log_serial(b, log, batch, &r.events);
    r.written = bench_write_bytes() - r.written;
    fl_log_close(log);
    r.txns = bench_lmdb_txnid(dir) - txn0;
    return r;
}

static void records_load(records_t *rec, const char *dir, uint64_t n)
{
    fl_log_t *log = bench_log_open(dir, true);
    fl_log_query_t q = {.from = 1, .to = n};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    fl_arena_t a;
    size_t cap = (size_t)n * 512, used = 0;

    rec->bytes = malloc(cap);
    rec->off = malloc((n + 1) * sizeof(*rec->off));
    if (rec->bytes == NULL || rec->off == NULL)
        fl_oom();
    fl_arena_init(&a, 0);
    bench_check(fl_log_cursor_open(log, &q, &cur), "fl_log_cursor_open");
    for (rec->n = 0; fl_log_cursor_next(cur, &a, &ev) == 1; rec->n++) {
        if (used + ev.raw_len > cap)
            bench_die("record %zu larger than expected (%zu bytes)", rec->n, ev.raw_len);
        rec->off[rec->n] = used;
        memcpy(rec->bytes + used, ev.raw, ev.raw_len);
        used += ev.raw_len;
        fl_arena_reset(&a);
    }
    rec->off[rec->n] = used;
    fl_log_cursor_close(cur);
    fl_arena_free(&a);
    fl_log_close(log);
    if (rec->n != n)
        bench_die("read back %zu records, %llu expected", rec->n, (unsigned long long)n);
}

static void lmdb_ok(int rc, const char *what)
{
    if (rc != 0)
        bench_die("raw lmdb: %s: %s", what, mdb_strerror(rc));
}

static MDB_env *raw_open(const char *dir, MDB_dbi *dbi)
{
    MDB_env *env;
    MDB_txn *txn;

    lmdb_ok(mdb_env_create(&env), "create");
    lmdb_ok(mdb_env_set_mapsize(env, BENCH_MAP_SIZE), "mapsize");
    lmdb_ok(mdb_env_set_maxdbs(env, 8), "maxdbs");
    lmdb_ok(mdb_env_open(env, dir, 0, 0644), "open"); /* 0: default, durable sync */
    lmdb_ok(mdb_txn_begin(env, NULL, 0, &txn), "begin");
    lmdb_ok(mdb_dbi_open(txn, "events", MDB_CREATE, dbi), "dbi");
    lmdb_ok(mdb_txn_commit(txn), "commit");
    return env;
}

static void raw_batch(MDB_env *env, MDB_dbi dbi, const records_t *rec, size_t first, size_t n)
{
    MDB_txn *txn;
    uint64_t key;
    MDB_val k = {sizeof(key), &key}, v;

    lmdb_ok(mdb_txn_begin(env, NULL, 0, &txn), "begin");
    for (size_t i = first; i < first + n; i++) {
        key = __builtin_bswap64((uint64_t)i + 1);
        v.mv_size = rec->off[i + 1] - rec->off[i];
        v.mv_data = rec->bytes + rec->off[i];
        lmdb_ok(mdb_put(txn, dbi, &k, &v, MDB_APPEND), "put");
    }
    lmdb_ok(mdb_txn_commit(txn), "commit");
}

/* Writes the records batch by batch; *written gets the bytes passed to write syscalls. */
static double raw_run(const char *dir, const records_t *rec, size_t batch, uint64_t *written)
{
    MDB_dbi dbi;
    MDB_env *env = raw_open(dir, &dbi);
    uint64_t t0 = bench_now_ns(), w0 = bench_write_bytes();
    double elapsed;

    for (size_t i = 0; i < rec->n; i += batch)
        raw_batch(env, dbi, rec, i, rec->n - i < batch ? rec->n - i : batch);
    elapsed = bench_secs_since(t0);
    *written = bench_write_bytes() - w0;
    mdb_env_close(env);
    return (double)rec->n / elapsed;
}

/* The rates of one configuration, one slot per round. */
typedef struct rates {
    double fl[ROUNDS_MAX];
    double base[ROUNDS_MAX];
    double pg[ROUNDS_MAX];
    double per_txn[ROUNDS_MAX];
    double fl_wpe[ROUNDS_MAX]; /* bytes written per event (write syscalls) */
    double base_wpe[ROUNDS_MAX];
    size_t record_bytes;
} rates_t;

static void print_rounds(const char *what, const double *v)
{
    printf(" %s", what);
    for (int i = 0; i < n_rounds; i++)
        printf("%s%.0f", i ? "/" : " ", v[i]);
}

/* The per-round figures first (medians sort the arrays), then the medians. */
static void print_batch(const bench_t *b, size_t batch, rates_t *r)
{
    printf("  rounds (ev/s):");
    print_rounds("firelater", r->fl);
    print_rounds("raw lmdb", r->base);
    if (b->pg != NULL)
        print_rounds("postgres", r->pg);
    printf("\n");
    double paired[ROUNDS_MAX];
    for (int i = 0; i < n_rounds; i++)
        paired[i] = r->fl[i] / r->base[i];
    double fl = bench_median(r->fl, n_rounds), raw = bench_median(r->base, n_rounds);
    printf("  ratio per round (firelater / raw lmdb run just after it): median %.2fx\n",
           bench_median(paired, n_rounds));
    printf("append batch=%-3zu firelater %9.0f ev/s (%5.1f ev/txn, %3zu B/record) | raw lmdb "
           "%9.0f ev/s  ratio %4.2fx",
           batch, fl, bench_median(r->per_txn, n_rounds), r->record_bytes, raw, fl / raw);
    if (b->pg == NULL) {
        printf(" | postgres skipped (FL_BENCH_PG unset)\n");
        return;
    }
    double pg = bench_median(r->pg, n_rounds);
    printf(" | postgres %9.0f ev/s  ratio %5.2fx\n", pg, fl / pg);
}

/* Write amplification, the usual reason the log trails raw LMDB. */
static void print_written(rates_t *r)
{
    printf("  written (write syscalls) per event: firelater %.0f B, raw lmdb %.0f B\n",
           bench_median(r->fl_wpe, n_rounds), bench_median(r->base_wpe, n_rounds));
}

/* One round: the log, raw LMDB with the records the log stored, then PostgreSQL. */
static void batch_round(const bench_t *b, size_t batch, int round, rates_t *out)
{
    char log_dir[BENCH_PATH_MAX], raw_dir[BENCH_PATH_MAX], name[32];
    records_t rec;
    run_t r;
    uint64_t written;

    snprintf(name, sizeof(name), "log-%zu-%d", batch, round);
    subdir(b, name, log_dir);
    snprintf(name, sizeof(name), "raw-%zu-%d", batch, round);
    subdir(b, name, raw_dir);
    r = log_run(b, log_dir, batch);
    records_load(&rec, log_dir, r.events);
    bench_rmtree(log_dir);
    out->fl[round] = r.rate;
    out->per_txn[round] = (double)r.events / (double)r.txns;
    out->record_bytes = rec.off[rec.n] / rec.n;
    out->fl_wpe[round] = (double)r.written / (double)r.events;
    out->base[round] = raw_run(raw_dir, &rec, batch, &written);
    out->base_wpe[round] = (double)written / (double)rec.n;
    free(rec.bytes);
    free(rec.off);
    bench_rmtree(raw_dir);
    if (b->pg != NULL)
        out->pg[round] = bench_pg_serial(b->pg, batch, PAYLOAD_LEN, b->secs);
}

static void bench_batch(const bench_t *b, size_t batch)
{
    rates_t r = {0};

    for (int i = 0; i < n_rounds; i++)
        batch_round(b, batch, i, &r);
    print_batch(b, batch, &r);
    print_written(&r);
    fflush(stdout);
}

typedef struct writer {
    pthread_t thread;
    fl_log_t *log;
    const bench_t *b;
    int id;
    _Atomic bool *stop;
    pthread_barrier_t *start;
    uint64_t events;
} writer_t;

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    fl_log_new_t ev;
    fl_log_batch_t fb = {.events = &ev, .n_events = 1};
    fl_log_result_t res;

    fill_events(w->b, &ev, 1);
    ev.stream = w->b->streams[w->id % N_STREAMS];
    pthread_barrier_wait(w->start);
    while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
        bench_check(fl_log_append(w->log, &fb, &res), "fl_log_append (writer)");
        w->events++;
    }
    return NULL;
}

static uint64_t writers_run(writer_t *ws, int n, pthread_barrier_t *start, _Atomic bool *stop,
                            double secs, double *elapsed)
{
    uint64_t t0, events = 0;

    for (int i = 0; i < n; i++)
        if (pthread_create(&ws[i].thread, NULL, writer_main, &ws[i]) != 0)
            bench_die("pthread_create failed");
    pthread_barrier_wait(start);
    t0 = bench_now_ns();
    while (bench_secs_since(t0) < secs)
        usleep(10000);
    atomic_store(stop, true);
    for (int i = 0; i < n; i++) {
        pthread_join(ws[i].thread, NULL);
        events += ws[i].events;
    }
    *elapsed = bench_secs_since(t0);
    return events;
}

static run_t log_concurrent(const bench_t *b, const char *dir, int n)
{
    writer_t *ws = calloc((size_t)n, sizeof(*ws));
    pthread_barrier_t start;
    _Atomic bool stop = false;
    double elapsed;
    run_t r;
    uint64_t txn0;

    if (ws == NULL)
        fl_oom();
    fl_log_close(bench_log_open(dir, false));
    txn0 = bench_lmdb_txnid(dir);
    fl_log_t *log = bench_log_open(dir, false);
    pthread_barrier_init(&start, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++)
        ws[i] = (writer_t){.log = log, .b = b, .id = i, .stop = &stop, .start = &start};
    r.written = bench_write_bytes();
    r.events = writers_run(ws, n, &start, &stop, b->secs, &elapsed);
    r.written = bench_write_bytes() - r.written;
    r.rate = (double)r.events / elapsed;
    fl_log_close(log);
    r.txns = bench_lmdb_txnid(dir) - txn0;
    pthread_barrier_destroy(&start);
    free(ws);
    return r;
}

static void bench_concurrent(const bench_t *b, int writers)
{
    char dir[BENCH_PATH_MAX], name[32];
    rates_t r = {0};

    for (int i = 0; i < n_rounds; i++) {
        snprintf(name, sizeof(name), "log-concurrent-%d", i);
        subdir(b, name, dir);
        run_t run = log_concurrent(b, dir, writers);
        bench_rmtree(dir);
        r.fl[i] = run.rate;
        r.per_txn[i] = (double)run.events / (double)run.txns;
        r.fl_wpe[i] = (double)run.written / (double)run.events;
        if (b->pg != NULL)
            r.pg[i] = bench_pg_concurrent(b->pg, writers, PAYLOAD_LEN, b->secs);
    }
    printf("  rounds (ev/s):");
    print_rounds("firelater", r.fl);
    if (b->pg != NULL)
        print_rounds("postgres", r.pg);
    double fl = bench_median(r.fl, n_rounds);
    printf("\nappend writers=%d x batch=1  firelater %9.0f ev/s (%5.1f ev/txn, %.0f B written/ev, "
           "mean latency %.2f ms)",
           writers, fl, bench_median(r.per_txn, n_rounds), bench_median(r.fl_wpe, n_rounds),
           1e3 * writers / fl);
    if (b->pg == NULL) {
        printf(" | postgres skipped (FL_BENCH_PG unset)\n");
        return;
    }
    double pg = bench_median(r.pg, n_rounds);
    printf(" | postgres %d clients %9.0f ev/s  ratio %5.2fx\n", writers, pg, fl / pg);
}

static void bench_setup(bench_t *b)
{
    bench_rng_t rng = {.s = 7};

    b->secs = bench_run_seconds(2.0);
    b->pg = bench_pg_conninfo();
    bench_data_map(&rng, b->payload, PAYLOAD_LEN);
    for (int i = 0; i < N_STREAMS; i++) {
        char uuid[37];
        bench_uuid((uint64_t)i, uuid);
        snprintf(b->streams[i], sizeof(b->streams[i]), "issue:%s", uuid);
    }
    bench_tmpdir("append", b->dir, sizeof(b->dir));
}

/* FL_BENCH_BATCHES: which runs to do, e.g. "256" or "1,16,256,w" (w: the writers); default all. */
static bool wanted(const char *what)
{
    const char *list = getenv("FL_BENCH_BATCHES");
    size_t n = strlen(what);

    if (list == NULL || *list == '\0')
        return true;
    for (const char *p = list; *p != '\0'; p += strcspn(p, ","), p += *p == ',') {
        if (strncmp(p, what, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    }
    return false;
}

int main(void)
{
    static bench_t b;
    int writers = (int)bench_env_long("FL_BENCH_WRITERS", 64);

    n_rounds = (int)bench_env_long("FL_BENCH_ROUNDS", 3);
    if (n_rounds > ROUNDS_MAX)
        n_rounds = ROUNDS_MAX;

    bench_setup(&b);
    printf(
        "== bench_append: %d-byte data, durable commits, %.1f s per run, %d rounds, scratch %s\n",
        PAYLOAD_LEN, b.secs, n_rounds, b.dir);
    printf("disk: 4 KiB write + fdatasync %.0f us mean\n", bench_fsync_us(b.dir, 200));
    if (b.pg != NULL)
        bench_pg_describe(b.pg);
    if (wanted("1"))
        bench_batch(&b, 1);
    if (wanted("16"))
        bench_batch(&b, 16);
    if (wanted("256"))
        bench_batch(&b, 256);
    if (wanted("w"))
        bench_concurrent(&b, writers);
    bench_rmtree(b.dir);
    return 0;
}

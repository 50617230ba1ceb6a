/*
 * Shared helpers of the benchmark programs: clocks, scratch directories on
 * the repository's disk, payloads, percentiles, the PostgreSQL baselines and
 * the synthetic 1,000,000-event log. Benchmarks only; nothing here is linked
 * into FireLater itself.
 */
#ifndef FL_BENCH_H
#define FL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/log.h"

#define BENCH_PATH_MAX 512
#define BENCH_MAP_SIZE ((size_t)4 << 30) /* same map for the log and raw LMDB: no growth */

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);
double bench_secs_since(uint64_t start_ns);

/* An integer from the environment, or def when unset or not a positive number. */
long bench_env_long(const char *name, long def);

/* Seconds each timed run lasts: $FL_BENCH_SECONDS, default def. */
double bench_run_seconds(double def);

/*
 * Makes a fresh directory named prefix-XXXXXX under $FL_BENCH_TMP (default
 * .data/bench-tmp, created if needed) and writes its path to out. Aborts on failure.
 */
void bench_tmpdir(const char *prefix, char *out, size_t len);

/* Removes dir and everything under it. */
void bench_rmtree(const char *dir);

/* out = dir/name; aborts when it does not fit. */
void bench_join(char *out, size_t len, const char *dir, const char *name);

/* Bytes this process passed to write syscalls so far (/proc/self/io wchar); 0 if unknown. */
uint64_t bench_write_bytes(void);

/* Mean µs of a 4 KiB write + fdatasync in dir, over n rounds. */
double bench_fsync_us(const char *dir, int n);

/* Aborts with a message when rc is not 0 (benchmarks have nothing better to do). */
void bench_check(int rc, const char *what);
void bench_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Sorts v and returns its q-quantile (nearest rank), 0 <= q <= 1. */
uint64_t bench_quantile(uint64_t *v, size_t n, double q);

/* The median of n rates (v is sorted in place). */
double bench_median(double *v, size_t n);

/* A small fast PRNG (xorshift64*) so runs are reproducible. */
typedef struct bench_rng {
    uint64_t s;
} bench_rng_t;

uint64_t bench_rng_next(bench_rng_t *r);
uint64_t bench_rng_below(bench_rng_t *r, uint64_t n);

/* A UUID-shaped string (36 chars + NUL) derived from x. */
void bench_uuid(uint64_t x, char out[37]);

/*
 * A msgpack map of exactly `len` bytes (90 <= len <= 4000) that looks like an
 * entity's fields: title, status, priority, assigned_to (from 150 bytes), note (the filler).
 */
void bench_data_map(bench_rng_t *r, uint8_t *out, size_t len);

/* The last committed LMDB transaction id of the environment in dir (closed by the log). */
uint64_t bench_lmdb_txnid(const char *dir);

/* Opens a log in dir with the given sync setting and the benchmark map size. */
fl_log_t *bench_log_open(const char *dir, bool no_sync);

/*
 * The synthetic tenant: n_events interleaved over n_streams streams of ten
 * kinds (issue, request, change, ...), every stream with n_events / n_streams
 * events in a random order, 100-300 byte data maps, actors, command ids and
 * numbers for the created events. Appended in batches of 1000.
 */
typedef struct bench_corpus {
    size_t n_events;
    size_t n_streams;
    char (*streams)[64]; /* stream names, n_streams of them */
    double build_secs;
} bench_corpus_t;

void bench_corpus_build(bench_corpus_t *c, fl_log_t *log, size_t n_events, size_t n_streams);
void bench_corpus_free(bench_corpus_t *c);

/* PostgreSQL baselines; conninfo from $FL_BENCH_PG. NULL when unset. */
const char *bench_pg_conninfo(void);

/* Prints the server's durability settings (fsync, synchronous_commit, ...). */
void bench_pg_describe(const char *conninfo);

/*
 * Single client: each batch of `batch` rows (bigint pos, text stream, bytea
 * payload of payload_len bytes) is one prepared multi-row INSERT in
 * autocommit, i.e. one transaction and one commit, for `secs` seconds.
 * Returns rows per second.
 */
double bench_pg_serial(const char *conninfo, size_t batch, size_t payload_len, double secs);

/* `clients` threads, each with its own connection, single-row INSERT + COMMIT. Rows/s. */
double bench_pg_concurrent(const char *conninfo, int clients, size_t payload_len, double secs);

#endif

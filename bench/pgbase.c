/*
 * The conventional design as a baseline: rows in a PostgreSQL table, one
 * transaction per batch. Durability is the server's default
 * (synchronous_commit = on, fsync = on): a commit returns after its WAL
 * flush, as an append returns after its LMDB fsync.
 *
 * Table: bench_events (pos bigint primary key, stream text, payload bytea).
 * A batch is one prepared multi-row INSERT executed in autocommit mode, so it
 * is one statement, one transaction and one commit (one round trip). pos and
 * payload travel in binary.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "bench.h"

typedef struct pg_batch {
    size_t rows;
    uint64_t pos_be[256];
    const char *values[3 * 256];
    int lengths[3 * 256];
    int formats[3 * 256];
} pg_batch_t;

const char *bench_pg_conninfo(void)
{
    const char *s = getenv("FL_BENCH_PG");

    return (s != NULL && *s != '\0') ? s : NULL;
}

static PGconn *pg_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);

    if (PQstatus(c) != CONNECTION_OK)
        bench_die("postgres: %s", PQerrorMessage(c));
    return c;
}

static void pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        bench_die("postgres: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void pg_show(PGconn *c, const char *setting)
{
    char sql[128];
    PGresult *r;

    snprintf(sql, sizeof(sql), "SHOW %s", setting);
    r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        printf(" %s=%s", setting, PQgetvalue(r, 0, 0));
    PQclear(r);
}

void bench_pg_describe(const char *conninfo)
{
    static const char *const settings[] = {"server_version",     "fsync",
                                           "synchronous_commit", "wal_sync_method",
                                           "full_page_writes",   "commit_delay"};
    PGconn *c = pg_connect(conninfo);

    printf("postgres:");
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        pg_show(c, settings[i]);
    printf("\n");
    PQfinish(c);
}

static void pg_fresh_table(PGconn *c)
{
    pg_exec(c, "SET client_min_messages = warning");
    pg_exec(c, "DROP TABLE IF EXISTS bench_events");
    pg_exec(c, "CREATE TABLE bench_events (pos bigint PRIMARY KEY, stream text NOT NULL, "
               "payload bytea NOT NULL)");
}

/* "INSERT ... VALUES ($1,$2,$3),($4,$5,$6),..." for `rows` rows, prepared as `name`. */
static void pg_prepare(PGconn *c, const char *name, size_t rows)
{
    size_t cap = 80 + rows * 40, used;
    char *sql = malloc(cap);
    PGresult *r;

    if (sql == NULL)
        bench_die("out of memory");
    used = (size_t)snprintf(sql, cap, "INSERT INTO bench_events (pos, stream, payload) VALUES ");
    for (size_t i = 0; i < rows; i++)
        used += (size_t)snprintf(sql + used, cap - used, "%s($%zu,$%zu,$%zu)", i ? "," : "",
                                 3 * i + 1, 3 * i + 2, 3 * i + 3);
    r = PQprepare(c, name, sql, (int)(3 * rows), NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die("postgres: prepare: %s", PQerrorMessage(c));
    PQclear(r);
    free(sql);
}

static void pg_batch_init(pg_batch_t *b, size_t rows, const char *stream, const uint8_t *payload,
                          size_t payload_len)
{
    b->rows = rows;
    for (size_t i = 0; i < rows; i++) {
        b->values[3 * i] = (const char *)&b->pos_be[i];
        b->lengths[3 * i] = 8;
        b->formats[3 * i] = 1;
        b->values[3 * i + 1] = stream;
        b->lengths[3 * i + 1] = 0;
        b->formats[3 * i + 1] = 0;
        b->values[3 * i + 2] = (const char *)payload;
        b->lengths[3 * i + 2] = (int)payload_len;
        b->formats[3 * i + 2] = 1;
    }
}

static void pg_batch_run(PGconn *c, pg_batch_t *b, uint64_t first_pos)
{
    PGresult *r;

    for (size_t i = 0; i < b->rows; i++)
        b->pos_be[i] = __builtin_bswap64(first_pos + i);
    r = PQexecPrepared(c, "ins", (int)(3 * b->rows), b->values, b->lengths, b->formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die("postgres: insert: %s", PQerrorMessage(c));
    PQclear(r);
}

double bench_pg_serial(const char *conninfo, size_t batch, size_t payload_len, double secs)
{
    PGconn *c = pg_connect(conninfo);
    static pg_batch_t b;
    uint8_t payload[4096];
    bench_rng_t rng = {.s = 42};
    uint64_t pos = 1, t0;
    double elapsed;

    if (batch > 256 || payload_len > sizeof(payload))
        bench_die("postgres baseline: batch or payload too large");
    bench_data_map(&rng, payload, payload_len);
    pg_fresh_table(c);
    pg_prepare(c, "ins", batch);
    pg_batch_init(&b, batch, "issue:bench", payload, payload_len);
    t0 = bench_now_ns();
    do {
        pg_batch_run(c, &b, pos);
        pos += batch;
    } while ((elapsed = bench_secs_since(t0)) < secs);
    pg_exec(c, "DROP TABLE bench_events");
    PQfinish(c);
    return (double)(pos - 1) / elapsed;
}

typedef struct pg_client {
    pthread_t thread;
    PGconn *conn;
    int id;
    size_t payload_len;
    _Atomic bool *stop;
    pthread_barrier_t *start;
    uint64_t rows;
} pg_client_t;

static void *pg_client_main(void *arg)
{
    pg_client_t *cl = arg;
    pg_batch_t *b = malloc(sizeof(*b));
    uint8_t payload[4096];
    char stream[32];
    bench_rng_t rng = {.s = 1000 + (uint64_t)cl->id};

    if (b == NULL)
        bench_die("out of memory");
    bench_data_map(&rng, payload, cl->payload_len);
    snprintf(stream, sizeof(stream), "issue:client-%d", cl->id);
    pg_batch_init(b, 1, stream, payload, cl->payload_len);
    pthread_barrier_wait(cl->start);
    while (!atomic_load_explicit(cl->stop, memory_order_relaxed)) {
        pg_batch_run(cl->conn, b, ((uint64_t)cl->id << 40) + cl->rows + 1);
        cl->rows++;
    }
    free(b);
    return NULL;
}

static uint64_t pg_clients_run(pg_client_t *cls, int n, pthread_barrier_t *start,
                               _Atomic bool *stop, double secs, double *elapsed)
{
    uint64_t t0, rows = 0;

    for (int i = 0; i < n; i++)
        if (pthread_create(&cls[i].thread, NULL, pg_client_main, &cls[i]) != 0)
            bench_die("pthread_create failed");
    pthread_barrier_wait(start);
    t0 = bench_now_ns();
    while (bench_secs_since(t0) < secs)
        usleep(10000);
    atomic_store(stop, true);
    for (int i = 0; i < n; i++) {
        pthread_join(cls[i].thread, NULL);
        rows += cls[i].rows;
    }
    *elapsed = bench_secs_since(t0);
    return rows;
}

double bench_pg_concurrent(const char *conninfo, int clients, size_t payload_len, double secs)
{
    PGconn *admin = pg_connect(conninfo);
    pg_client_t *cls = calloc((size_t)clients, sizeof(*cls));
    pthread_barrier_t start;
    _Atomic bool stop = false;
    double elapsed;
    uint64_t rows;

    if (cls == NULL)
        bench_die("out of memory");
    pg_fresh_table(admin);
    pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
    for (int i = 0; i < clients; i++) {
        cls[i] = (pg_client_t){.id = i,
                               .payload_len = payload_len,
                               .stop = &stop,
                               .start = &start,
                               .conn = pg_connect(conninfo)};
        pg_prepare(cls[i].conn, "ins", 1);
    }
    rows = pg_clients_run(cls, clients, &start, &stop, secs, &elapsed);
    for (int i = 0; i < clients; i++)
        PQfinish(cls[i].conn);
    pthread_barrier_destroy(&start);
    free(cls);
    pg_exec(admin, "DROP TABLE bench_events");
    PQfinish(admin);
    return (double)rows / elapsed;
}

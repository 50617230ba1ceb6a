/*
 * FireLater's PostgreSQL layer: the read models' store.
 *
 * Two faces over one result type:
 *   - fl_store_t: a pool of non-blocking libpq connections driven by a libuv
 *     loop (the server). Nothing here ever blocks the loop.
 *   - fl_store_conn_t: one blocking connection (flctl, migrations).
 *
 * Every value travels as a query parameter, never inside SQL text. A schema
 * is named by an identifier that fl_store_schema_is_valid() accepts (tenant
 * schemas come from fl_store_schema_name()) and is always quoted.
 *
 * Errors are FireLater codes (err.h): SQLSTATE 23505 becomes FL_EEXIST, other
 * integrity violations and serialization failures FL_ECONFLICT, data
 * exceptions FL_EINVAL, a missing schema FL_ENOTFOUND, disk full FL_ENOSPACE,
 * a lost or refused connection FL_EUNAVAIL, anything else FL_EIO.
 */
#ifndef FIRELATER_STORE_H
#define FIRELATER_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

/* "tenant_" plus the longest slug: PostgreSQL identifiers hold 63 bytes. */
#define FL_STORE_SCHEMA_MAX 63
#define FL_STORE_SLUG_MAX   (FL_STORE_SCHEMA_MAX - 7)

typedef struct fl_store fl_store_t;
typedef struct fl_store_conn fl_store_conn_t;
typedef struct fl_store_res fl_store_res_t;

/* One statement of a transaction; sql and params are copied when queued. */
typedef struct fl_store_stmt {
    const char *sql;
    int nparams;
    const char *const *params; /* text values; NULL entries are SQL NULL */
} fl_store_stmt_t;

/*
 * Called exactly once per accepted query, on the loop, never from inside the
 * call that queued it. res is valid only during the callback.
 */
typedef void (*fl_store_cb)(fl_store_res_t *res, void *ctx);
typedef void (*fl_store_close_cb)(fl_store_t *st);

typedef struct fl_store_opts {
    int pool_size;               /* connections; default 4 */
    int queue_max;               /* waiting queries before FL_EUNAVAIL; default 1024 */
    unsigned backoff_min_ms;     /* first reconnect delay; default 100 */
    unsigned backoff_max_ms;     /* delays double up to this; default 5000 */
    unsigned connect_timeout_ms; /* an attempt that takes longer fails; default 10000 */
    /*
     * Transactions commit without waiting for their WAL flush (SET LOCAL
     * synchronous_commit = off). Only for work that is redone from a durable
     * source after a crash: the projector's batches, whose checkpoint moves in
     * the same transaction and whose events are already durable in the log.
     */
    bool async_commit;
    /*
     * Transactions join by index lookups only (SET LOCAL enable_hashjoin and
     * enable_mergejoin off). For transactions of keyed writes, such as the
     * projector's "UPDATE t ... FROM jsonb_array_elements($1) x WHERE t.id =
     * x.id": the planner guesses 100 elements and, while the table is small
     * (under some 30,000 rows), hashes it whole with a sequential scan for
     * every batch.
     */
    bool index_joins;
} fl_store_opts_t;

/* ---- names ---- */

/* True when slug matches [a-z][a-z0-9_]{1,55} (so tenant_<slug> fits 63 bytes). */
bool fl_store_slug_is_valid(const char *slug);

/* True when name matches [a-z_][a-z0-9_]{0,62}: the schemas this layer accepts. */
bool fl_store_schema_is_valid(const char *name);

/* "tenant_<slug>" into buf (at least FL_STORE_SCHEMA_MAX + 1 bytes). FL_EINVAL, FL_ETOOBIG. */
int fl_store_schema_name(char *buf, size_t len, const char *slug);

/* ---- results (both faces) ---- */

/* 0 or the query's FL_* code. */
int fl_store_res_err(const fl_store_res_t *r);
/* The five-character SQLSTATE ("" when the error is not PostgreSQL's) and message. */
const char *fl_store_res_sqlstate(const fl_store_res_t *r);
const char *fl_store_res_message(const fl_store_res_t *r);
/* In a transaction: the index of the statement that failed, else -1. */
int fl_store_res_failed_stmt(const fl_store_res_t *r);
/* Rows and columns of the result (a transaction's: its last statement's). */
int fl_store_res_rows(const fl_store_res_t *r);
int fl_store_res_cols(const fl_store_res_t *r);
/* Rows an INSERT/UPDATE/DELETE touched; 0 for others. */
long long fl_store_res_affected(const fl_store_res_t *r);
/* A value as text ("" for NULL), valid as long as res; out of range is NULL. */
const char *fl_store_res_value(const fl_store_res_t *r, int row, int col);
bool fl_store_res_isnull(const fl_store_res_t *r, int row, int col);
/* A column's index by name, or -1. */
int fl_store_res_col(const fl_store_res_t *r, const char *name);
/* Frees a result of the blocking face; NULL is fine. */
void fl_store_res_free(fl_store_res_t *r);

/* ---- the pool (server) ---- */

/*
 * Starts connecting opts->pool_size connections on loop (opts may be NULL).
 * *out is owned by the caller until fl_store_close's callback; FL_EINVAL.
 */
int fl_store_init(fl_store_t **out, uv_loop_t *loop, const char *conninfo,
                  const fl_store_opts_t *opts);

/*
 * Runs one statement in schema (NULL: public only). Returns 0 and calls cb
 * later, or returns FL_EUNAVAIL (PostgreSQL is down or the queue full) or
 * FL_EINVAL (bad schema) without calling cb. Queued queries fail with
 * FL_EUNAVAIL when the connection is lost.
 */
int fl_store_query(fl_store_t *st, const char *schema, const char *sql, int nparams,
                   const char *const *params, fl_store_cb cb, void *ctx);

/*
 * Runs stmts in one transaction on one connection, pipelined:
 * BEGIN; SET LOCAL search_path TO schema; stmts...; COMMIT. Either all take
 * effect or none. Returns and calls cb as fl_store_query.
 */
int fl_store_txn(fl_store_t *st, const char *schema, const fl_store_stmt_t *stmts, int nstmts,
                 fl_store_cb cb, void *ctx);

/*
 * Orders transactions. Those submitted with the same chain run on one
 * connection, in the order they were submitted: a transaction submitted while
 * an earlier one of its chain is still running is sent at once behind it, on
 * its connection, so PostgreSQL starts it the moment the earlier one ends (no
 * round trip through the loop in between, and it can never overtake it, as it
 * could on another connection). If the earlier one fails and leaves the
 * session in a failed transaction, the later one fails too, on its BEGIN
 * (statement index -1, SQLSTATE 25P02), changing nothing. Zero-initialise; the
 * chain must outlive the callbacks of its transactions. Its fields are the
 * store's.
 */
typedef struct fl_store_chain {
    void *conn;        /* the connection running the chain's transactions */
    unsigned inflight; /* its transactions sent there and not yet answered */
    unsigned queued;   /* its transactions in the store's queue, not yet sent */
} fl_store_chain_t;

/* As fl_store_txn, ordered with the other transactions of chain. */
int fl_store_txn_chained(fl_store_t *st, fl_store_chain_t *chain, const char *schema,
                         const fl_store_stmt_t *stmts, int nstmts, fl_store_cb cb, void *ctx);

/* True while at least one connection is open. */
bool fl_store_is_up(const fl_store_t *st);

/*
 * Fails every queued and running job with FL_EUNAVAIL (their callbacks run
 * before this returns; the outcome of a running one is unknown), closes the
 * connections, then calls cb on the loop and frees st.
 */
void fl_store_close(fl_store_t *st, fl_store_close_cb cb);

/* ---- blocking connection (flctl, migrations) ---- */

/* Connects; on failure *out is still set so fl_store_sync_error can say why. */
int fl_store_sync_open(fl_store_conn_t **out, const char *conninfo);
void fl_store_sync_close(fl_store_conn_t *c);

/* The last error's message on c, valid until the next call on c. */
const char *fl_store_sync_error(const fl_store_conn_t *c);

/* As fl_store_query, blocking; *res (caller frees) is set on success and on SQL errors. */
int fl_store_sync_exec(fl_store_conn_t *c, const char *schema, const char *sql, int nparams,
                       const char *const *params, fl_store_res_t **res);

/* As fl_store_txn, blocking; *res may be NULL. */
int fl_store_sync_txn(fl_store_conn_t *c, const char *schema, const fl_store_stmt_t *stmts,
                      int nstmts, fl_store_res_t **res);

/* ---- migrations (schemas/, embedded at build time) ---- */

typedef struct fl_migration {
    const char *scope; /* "public" or "tenant" */
    int version;       /* NNNN of the file name */
    const char *name;  /* the file name without NNNN_ and .sql */
    const char *sql;
} fl_migration_t;

/* Every embedded migration, by scope then version; static storage. */
const fl_migration_t *fl_migrate_list(size_t *n);

/*
 * Apply the migrations not yet in public.schema_migrations, each in its own
 * transaction under an advisory lock, so concurrent runs are safe and a
 * re-run applies nothing. *applied (may be NULL) counts those applied.
 * fl_migrate_tenant creates tenant_<slug> if missing, after public.
 */
int fl_migrate_public(fl_store_conn_t *c, int *applied);
int fl_migrate_tenant(fl_store_conn_t *c, const char *slug, int *applied);
/* As fl_migrate_tenant for any schema name but public (a rebuild's shadow schema). */
int fl_migrate_schema(fl_store_conn_t *c, const char *schema, int *applied);
int fl_migrate_all(fl_store_conn_t *c, const char *const *slugs, size_t nslugs, int *applied);

/*
 * FL_EVERSION when the database holds a migration newer than this binary
 * knows (fl_store_sync_error says which); 0 otherwise, also when nothing is
 * migrated yet.
 */
int fl_migrate_check(fl_store_conn_t *c);

#endif

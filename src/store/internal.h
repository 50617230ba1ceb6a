/*
 * The store's shared internals: the result type, the queued job, one pooled
 * connection, and the helpers the files of src/store/ share. Only src/store/
 * includes this header; it is the only place besides those files that sees
 * libpq.
 */
#ifndef FL_STORE_INTERNAL_H
#define FL_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <uv.h>

#include "firelater/store.h"

#define FL__STORE_MSG_MAX 256

struct fl_store_res {
    PGresult *pg;    /* the last statement's, or the failing one's; owned */
    int err;         /* 0 or FL_* */
    int failed_stmt; /* index of the failing statement of a transaction, or -1 */
    char sqlstate[6];
    char msg[FL__STORE_MSG_MAX];
};

/* What each result of a pipeline answers: a statement of the job, a Parse, or ours. */
typedef struct fl__store_slot {
    int stmt; /* the job's statement it belongs to, or -1 (BEGIN, SET, COMMIT) */
    int prep; /* >= 0: the Parse of that prepared statement (whose errors are stmt's) */
} fl__store_slot_t;

typedef struct fl__store_plan {
    fl__store_slot_t *slots;
    int n, cap;
    int first_user; /* slot of the first statement's result, or -1 */
} fl__store_plan_t;

/*
 * A statement or transaction waiting for, or running on, a connection. One
 * malloc, plus its plan's slots once sent.
 */
typedef struct fl__store_job {
    struct fl__store_job *next; /* in the store's queue, or behind it on its connection */
    fl_store_chain_t *chain;    /* NULL, or the chain it is ordered in */
    bool sent;                  /* on a connection: counted in chain->inflight */
    fl__store_plan_t plan;      /* what each result of its pipeline answers, once sent */
    fl_store_cb cb;
    void *ctx;
    bool txn;
    bool async_commit;                    /* a transaction with synchronous_commit off */
    bool index_joins;                     /* a transaction with hash and merge joins off */
    char schema[FL_STORE_SCHEMA_MAX + 1]; /* "" for public */
    int nstmts;
    fl_store_stmt_t *stmts; /* copies, inside the same allocation */
} fl__store_job_t;

/* prepared.c: a connection's prepared statements, keyed by (schema, SQL text). */
#define FL__STORE_PREP_SLOTS 1024 /* open addressing; a power of two */
#define FL__STORE_PREP_MAX   512  /* at most this many names per session */

typedef enum { FL__PREP_NONE, FL__PREP_PENDING, FL__PREP_READY } fl__prep_state_t;

typedef struct fl__store_prep {
    uint64_t hash;
    char *key; /* schema, NUL, SQL, NUL; NULL for a free slot */
    size_t klen;
    uint32_t id; /* the statement's name is fl_p<id> */
    fl__prep_state_t state;
} fl__store_prep_t;

typedef struct fl__store_preps {
    fl__store_prep_t slots[FL__STORE_PREP_SLOTS];
    uint32_t n, next_id;
} fl__store_preps_t;

void fl__store_preps_reset(fl__store_preps_t *t);
/* The entry for (schema, sql), or -1 to send it unprepared; *parse: send its Parse first. */
int fl__store_preps_find(fl__store_preps_t *t, const char *schema, const char *sql, bool *parse);
void fl__store_preps_name(const fl__store_preps_t *t, int i, char *buf, size_t len);
/* A Parse's result arrived: ok, or failed or skipped. */
void fl__store_preps_settle(fl__store_preps_t *t, int i, bool ok);
void fl__store_plan_push(fl__store_plan_t *p, int stmt, int prep);
void fl__store_plan_free(fl__store_plan_t *p);

typedef enum {
    FL__CONN_WAIT,       /* broken or not yet started; the timer will connect */
    FL__CONN_CONNECTING, /* PQconnectPoll in progress */
    FL__CONN_IDLE,       /* open, no job */
    FL__CONN_BUSY,       /* open, running a job (and maybe chained ones behind it) */
    FL__CONN_CLOSED      /* fl_store_close */
} fl__conn_state_t;

typedef struct fl__store_pconn {
    fl_store_t *st;
    PGconn *pg;
    uv_poll_t *poll; /* malloc'd: a new one when libpq changes sockets */
    int fd;
    int events;
    uv_timer_t timer; /* reconnect with backoff */
    fl__conn_state_t state;
    unsigned backoff_ms;
    char path[FL_STORE_SCHEMA_MAX + 1];   /* session search_path in effect; "" unknown */
    char target[FL_STORE_SCHEMA_MAX + 1]; /* what the running job sets */
    fl__store_job_t *job;                 /* the job whose results are being read */
    fl__store_job_t *last;                /* the last job sent behind it (job->next...), or job */
    fl__store_preps_t *preps;             /* this session's prepared statements (malloc'd) */
    int slot;                             /* slot of the results being read */
    bool rolling_back;
    bool flushing;
    fl_store_res_t res;
} fl__store_pconn_t;

struct fl_store {
    uv_loop_t *loop;
    char *conninfo;
    fl_store_opts_t opts;
    fl__store_pconn_t *conns;
    int nup;   /* connections open (idle or busy) */
    bool down; /* no connection open since the last loss: fail fast */
    bool closing;
    int nclosing; /* handles still closing */
    fl_store_close_cb close_cb;
    fl__store_job_t *head, *tail;
    int queued;
};

/* names.c: "name" with inner quotes doubled, into buf. FL_ETOOBIG. */
int fl__store_quote_ident(char *buf, size_t len, const char *name);
/* "SET [LOCAL ]search_path TO <quoted schema or public>" into buf. */
int fl__store_set_path_sql(char *buf, size_t len, const char *schema, bool local);

/* result.c */
void fl__store_res_init(fl_store_res_t *r);
void fl__store_res_clear(fl_store_res_t *r);
/* Records an error result (takes pg) unless one is recorded already. */
void fl__store_res_fail_pg(fl_store_res_t *r, PGresult *pg, int stmt);
void fl__store_res_fail(fl_store_res_t *r, int err, const char *msg);
int fl__store_sqlstate_err(const char *sqlstate);
/* 0 for a successful status, else its FL_* code with r filled. Takes pg. */
int fl__store_res_take(fl_store_res_t *r, PGresult *pg, int stmt, bool keep);
fl_store_res_t *fl__store_res_new(void);

/* job.c */
fl__store_job_t *fl__store_job_new(const char *schema, bool txn, const fl_store_stmt_t *stmts,
                                   int nstmts, fl_store_cb cb, void *ctx);
void fl__store_job_finish(fl__store_job_t *job, fl_store_res_t *res);
void fl__store_job_fail(fl__store_job_t *job, int err, const char *msg);
void fl__store_queue_push(fl_store_t *st, fl__store_job_t *job);
fl__store_job_t *fl__store_queue_pop(fl_store_t *st);
void fl__store_queue_fail_all(fl_store_t *st, const char *msg);

/* conn.c */
void fl__store_conn_init(fl_store_t *st, fl__store_pconn_t *c);
void fl__store_conn_connect(fl__store_pconn_t *c);
/*
 * Sends job on an idle connection, or a chained transaction behind the jobs
 * a busy one runs; 0, or FL_EUNAVAIL with c broken and job untouched.
 */
int fl__store_conn_send(fl__store_pconn_t *c, fl__store_job_t *job);
/* The busy connection job's chain runs on, if it should follow it there; else NULL. */
fl__store_pconn_t *fl__store_chain_conn(const fl__store_job_t *job);
void fl__store_conn_close(fl__store_pconn_t *c);

/* pool.c: the connection reports to the pool. */
void fl__store_on_up(fl_store_t *st);
void fl__store_on_lost(fl_store_t *st);
void fl__store_on_idle(fl__store_pconn_t *c);
void fl__store_handle_closed(fl_store_t *st);

/*
 * Sends one job's statements in pipeline mode, then a sync: shared by both
 * faces. plan is refilled; preps (NULL: none) prepares what it can.
 */
int fl__store_pipeline_send(PGconn *pg, const fl__store_job_t *job, const char *set_sql,
                            fl__store_preps_t *preps, fl__store_plan_t *plan);

/* sync.c: the blocking connection; err holds the last error's message. */
struct fl_store_conn {
    PGconn *pg;
    char path[FL_STORE_SCHEMA_MAX + 1]; /* session search_path in effect; "" unknown */
    char err[512];
};

/* Records msg (a printf format) as c's last error and returns err. */
int fl__store_sync_seterr(fl_store_conn_t *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Runs sql (several statements allowed, no parameters) with PQexec. */
int fl__store_sync_simple(fl_store_conn_t *c, const char *sql);

/* migrate data, generated by tools/embed-sql from schemas/. */
extern const fl_migration_t fl__migrations[];
extern const size_t fl__migrations_len;

#endif

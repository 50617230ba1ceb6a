/*
 * The projector suites' fixture: a private PostgreSQL (pgfix), a tenant
 * "acme" migrated in a fresh database, a log in a temporary directory, a
 * store and a projector on one loop, and a test read model of "things"
 * whose handlers live here. Every event a handler applies bumps
 * counter.events, so a count that equals the events shows nothing was
 * applied twice or lost.
 */
#ifndef FL_TEST_PROJFIX_H
#define FL_TEST_PROJFIX_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/store.h"

#define PF_MAX_THINGS 1024

typedef struct pf {
    uv_loop_t loop;
    char *conninfo;
    char *dir;
    fl_log_t *log;
    fl_store_t *st;
    fl_projector_t *p;
    fl_store_conn_t *c;
    unsigned batch_max;
    unsigned pipeline; /* the projector's opts.pipeline; 0: its default */
    /* The model of what the appended events should produce. */
    int names[PF_MAX_THINGS]; /* a thing's name is "name-<k>"; -1: not created */
    int n[PF_MAX_THINGS];     /* events applied to it */
    int events;               /* events with a handler that counts */
} pf_t;

/* Handlers: thing.table (creates the tables), thing.created, thing.renamed, thing.fail,
 * thing.pgfail. */
extern const fl_proj_handler_t *const pf_handlers[];
/* thing.fail fails this many times before it succeeds. */
extern int pf_fail_left;
/* thing.pgfail's statement fails in PostgreSQL this many times (a rolled-back batch). */
extern int pf_pgfail_left;

/* A fresh database db, tenant acme migrated, an empty log, store; no projector yet. */
void pf_open(pf_t *f, const char *db);
void pf_close(pf_t *f);
/* Starts / stops (waiting for stop's callback) and frees the projector. */
void pf_start(pf_t *f);
void pf_stop(pf_t *f);

/* Appends one event (updating the model); kicks the projector when there is one. */
uint64_t pf_append(pf_t *f, const char *type, int id, int name);
uint64_t pf_head(pf_t *f);
/* Waits on the loop; returns whether pos was reached. */
bool pf_wait(pf_t *f, uint64_t pos, uint64_t timeout_ms);
/* Runs the loop for ms. */
void pf_run_for(pf_t *f, int ms);

/* The read model as one string (malloc'd), and what the model says it must be. */
char *pf_dump(pf_t *f);
char *pf_expected(const pf_t *f);
long pf_counter(pf_t *f);
uint64_t pf_checkpoint(pf_t *f);

#endif

/*
 * The fixture of projfix.h.
 */
#include "projfix.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "pgfix.h"

#include "firelater/err.h"

int pf_fail_left;
int pf_pgfail_left;

#define BUMP                                                                                       \
    "INSERT INTO counter (k, events) VALUES ('all', 1)"                                            \
    " ON CONFLICT (k) DO UPDATE SET events = counter.events + 1"

static int on_table(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    (void)ev;
    (void)data;
    if (fl_proj_emit(out,
                     "CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                     " n INT NOT NULL)",
                     0, NULL) < 0)
        return FL_ETOOBIG;
    return fl_proj_emit(
        out, "CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, events INT NOT NULL)", 0,
        NULL);
}

static int emit2(fl_proj_out_t *out, const char *sql, const json_t *data)
{
    const char *p[2] = {json_string_value(json_object_get(data, "id")),
                        json_string_value(json_object_get(data, "name"))};
    int rc;

    if (p[0] == NULL || p[1] == NULL)
        return 0; /* not ours to understand: skipped */
    rc = fl_proj_emit(out, sql, 2, p);
    return rc < 0 ? rc : fl_proj_emit(out, BUMP, 0, NULL);
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    (void)ev;
    return emit2(out, "INSERT INTO things (id, name, n) VALUES ($1, $2, 1)", data);
}

static int on_renamed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    (void)ev;
    return emit2(out, "UPDATE things SET name = $2, n = n + 1 WHERE id = $1", data);
}

static int on_fail(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    (void)ev;
    (void)data;
    if (pf_fail_left > 0) {
        pf_fail_left--;
        return FL_EIO;
    }
    return fl_proj_emit(out, BUMP, 0, NULL);
}

/* Fails inside PostgreSQL (so the batch's transaction rolls back) while pf_pgfail_left > 0. */
static int on_pgfail(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    (void)ev;
    (void)data;
    if (pf_pgfail_left > 0) {
        pf_pgfail_left--;
        return fl_proj_emit(out, "SELECT 1 / (SELECT count(*) - count(*) FROM counter)", 0, NULL);
    }
    return fl_proj_emit(out, BUMP, 0, NULL);
}

static const fl_proj_handler_t table_handlers[] = {
    {"thing.table", on_table},
    {"thing.created", on_created},
    {NULL, NULL},
};
static const fl_proj_handler_t more_handlers[] = {
    {"thing.renamed", on_renamed},
    {"thing.fail", on_fail},
    {"thing.pgfail", on_pgfail},
    {NULL, NULL},
};
const fl_proj_handler_t *const pf_handlers[] = {table_handlers, more_handlers, NULL};

static void on_store_closed(fl_store_t *st)
{
    (void)st;
}

void pf_open(pf_t *f, const char *db)
{
    fl_store_opts_t so = {.pool_size = 2, .backoff_min_ms = 50, .backoff_max_ms = 300};

    memset(f, 0, sizeof(*f));
    memset(f->names, -1, sizeof(f->names));
    f->batch_max = 16;
    f->conninfo = pgfix_newdb(db);
    f->c = pgfix_sync(f->conninfo);
    ck_assert_int_eq(fl_migrate_tenant(f->c, "acme", NULL), 0);
    f->dir = tu_mkdtemp();
    f->log = tu_open(f->dir, NULL, true);
    ck_assert_int_eq(uv_loop_init(&f->loop), 0);
    ck_assert_int_eq(fl_store_init(&f->st, &f->loop, f->conninfo, &so), 0);
}

void pf_close(pf_t *f)
{
    if (f->p != NULL)
        pf_stop(f);
    fl_store_close(f->st, on_store_closed);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&f->loop), 0);
    fl_log_close(f->log);
    tu_rmrf(f->dir);
    free(f->dir);
    fl_store_sync_close(f->c);
    free(f->conninfo);
}

void pf_start(pf_t *f)
{
    fl_projector_opts_t o = {.batch_max = f->batch_max,
                             .backoff_min_ms = 20,
                             .backoff_max_ms = 200,
                             .pipeline = f->pipeline};

    ck_assert_int_eq(fl_projector_init(&f->p, &f->loop, f->st, pf_handlers, &o), 0);
    ck_assert_int_eq(fl_projector_add_tenant(f->p, "acme", f->log), 0);
}

static void on_stopped(void *arg)
{
    (*(int *)arg)++;
}

void pf_stop(pf_t *f)
{
    int stopped = 0;

    fl_projector_stop(f->p, on_stopped, &stopped);
    ck_assert_int_eq(stopped, 0); /* never inside the call */
    pgfix_run_until(&f->loop, &stopped, 1, 10000);
    fl_projector_free(f->p);
    f->p = NULL;
}

/* The model follows each event as its handler will. */
static void model(pf_t *f, const char *type, int id, int name)
{
    if (strcmp(type, "thing.created") == 0) {
        f->names[id] = name;
        f->n[id] = 1;
        f->events++;
    } else if (strcmp(type, "thing.renamed") == 0) {
        f->names[id] = name;
        f->n[id]++;
        f->events++;
    } else if (strcmp(type, "thing.fail") == 0 || strcmp(type, "thing.pgfail") == 0) {
        f->events++;
    }
}

uint64_t pf_append(pf_t *f, const char *type, int id, int name)
{
    char stream[32], json[96];
    fl_log_result_t r;

    ck_assert(id >= 0 && id < PF_MAX_THINGS);
    snprintf(stream, sizeof(stream), "thing:t%04d", id);
    snprintf(json, sizeof(json), "{\"id\": \"t%04d\", \"name\": \"name-%d\"}", id, name);
    ck_assert_int_eq(tu_append1(f->log, stream, type, json, &r), 0);
    model(f, type, id, name);
    if (f->p != NULL)
        fl_projector_kick(f->p, "acme");
    return r.first_pos;
}

uint64_t pf_head(pf_t *f)
{
    fl_log_head_t h;

    ck_assert_int_eq(fl_log_head(f->log, &h), 0);
    return h.pos;
}

typedef struct waited {
    int done;
    bool reached;
} waited_t;

static void on_waited(void *ctx, bool reached)
{
    waited_t *w = ctx;

    w->done++;
    w->reached = reached;
}

bool pf_wait(pf_t *f, uint64_t pos, uint64_t timeout_ms)
{
    waited_t w = {0};

    ck_assert_int_eq(fl_projector_wait(f->p, "acme", pos, timeout_ms, on_waited, &w), 0);
    ck_assert_int_eq(w.done, 0);
    pgfix_run_until(&f->loop, &w.done, 1, (int)timeout_ms + 5000);
    return w.reached;
}

static void on_tick(uv_timer_t *t)
{
    (*(int *)t->data)++;
}

void pf_run_for(pf_t *f, int ms)
{
    uv_timer_t t;
    int fired = 0;

    uv_timer_init(&f->loop, &t);
    t.data = &fired;
    uv_timer_start(&t, on_tick, (uint64_t)ms, 0);
    while (fired == 0)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
}

char *pf_dump(pf_t *f)
{
    char *v = pgfix_exec1(f->c, "tenant_acme",
                          "SELECT string_agg(id || ':' || name || ':' || n, ','"
                          " ORDER BY id COLLATE \"C\") FROM things");

    return v != NULL ? v : strdup("");
}

char *pf_expected(const pf_t *f)
{
    size_t len = 0, cap = 64;
    char *s = malloc(cap);

    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (int k = 0; k < PF_MAX_THINGS; k++) {
        char one[64];
        int n;

        if (f->names[k] < 0)
            continue;
        n = snprintf(one, sizeof(one), "%st%04d:name-%d:%d", len > 0 ? "," : "", k, f->names[k],
                     f->n[k]);
        while (len + (size_t)n + 1 > cap)
            s = realloc(s, cap *= 2);
        ck_assert_ptr_nonnull(s);
        memcpy(s + len, one, (size_t)n + 1);
        len += (size_t)n;
    }
    return s;
}

long pf_counter(pf_t *f)
{
    char *v = pgfix_exec1(f->c, "tenant_acme", "SELECT events FROM counter WHERE k = 'all'");
    long n = v != NULL ? strtol(v, NULL, 10) : 0;

    free(v);
    return n;
}

uint64_t pf_checkpoint(pf_t *f)
{
    uint64_t pos = 0;

    ck_assert_int_eq(fl_projector_checkpoint_sync(f->c, "acme", NULL, &pos), 0);
    return pos;
}

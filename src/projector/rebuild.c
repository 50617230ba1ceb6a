/*
 * Rebuild: a read model made again from the whole log, next to the live one,
 * then swapped in. The shadow schema gets the tenant migrations, the log is
 * replayed into it in chunks of FL_PROJ_REBUILD_CHUNK events (one transaction
 * each, so a huge log never makes one huge transaction), and one last
 * transaction locks the live checkpoint table, replays the tail that arrived
 * meanwhile and renames the schemas. A live projector's next batch waits for
 * that lock, then finds the new schema's checkpoint where it did not expect
 * it and reads it again (batch.c): it never applies an event twice.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define SQL_UPSERT                                                                                 \
    "INSERT INTO projector_checkpoint (name, position) VALUES ($1, $2)"                            \
    " ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()"

/* One rebuild's names and its connection. */
typedef struct rebuild {
    fl_store_conn_t *c;
    fl_log_t *log;
    const fl_proj_handler_t *const *handlers;
    FILE *progress;
    const char *slug;
    char live[FL_STORE_SCHEMA_MAX + 1], shadow[FL_STORE_SCHEMA_MAX + 1],
        old[FL_STORE_SCHEMA_MAX + 1];
    uint64_t pos; /* the shadow's checkpoint */
    fl_proj_out_t out;
} rebuild_t;

__attribute__((format(printf, 2, 3))) static void say(const rebuild_t *r, const char *fmt, ...)
{
    va_list ap;

    if (r->progress == NULL)
        return;
    fprintf(r->progress, "rebuild %s: ", r->slug);
    va_start(ap, fmt);
    vfprintf(r->progress, fmt, ap);
    va_end(ap);
    fputc('\n', r->progress);
    fflush(r->progress);
}

/* Runs one statement; *val (may be NULL) gets the first value of the first row, "" if none. */
static int exec(rebuild_t *r, const char *schema, const char *sql, int n, const char *const *p,
                char *val, size_t len)
{
    fl_store_res_t *res = NULL;
    int rc = fl_store_sync_exec(r->c, schema, sql, n, p, &res);

    if (rc == 0 && val != NULL)
        snprintf(val, len, "%s", fl_store_res_rows(res) > 0 ? fl_store_res_value(res, 0, 0) : "");
    if (rc < 0)
        say(r, "%s: %s", sql, fl_store_sync_error(r->c));
    fl_store_res_free(res);
    return rc;
}

/*
 * DDL names schemas in its text, which parameters cannot do: only the names
 * built by names() below get here, and fl_store_schema_is_valid accepts them
 * all ([a-z_][a-z0-9_]*), so quoting them needs no escaping.
 */
static int drop_schema(rebuild_t *r, const char *name)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"%s\" CASCADE", name);
    return exec(r, NULL, sql, 0, NULL, NULL, 0);
}

static int rename_schema(rebuild_t *r, const char *from, const char *to)
{
    char sql[192];

    snprintf(sql, sizeof(sql), "ALTER SCHEMA \"%s\" RENAME TO \"%s\"", from, to);
    return exec(r, NULL, sql, 0, NULL, NULL, 0);
}

/*
 * Tables the server writes directly rather than deriving from the log (the
 * notifications queue: a reset token must never be in the log). A rebuild
 * cannot replay them, so the swap carries their rows from the live schema
 * into the new one, in the swap's transaction: nothing acknowledged is lost.
 */
static const char *const kept_tables[] = {"notifications"};

static int carry_kept_tables(rebuild_t *r)
{
    char sql[256];
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof(kept_tables) / sizeof(kept_tables[0]); i++) {
        snprintf(sql, sizeof(sql), "INSERT INTO \"%s\".%s SELECT * FROM \"%s\".%s", r->shadow,
                 kept_tables[i], r->live, kept_tables[i]);
        rc = exec(r, NULL, sql, 0, NULL, NULL, 0);
    }
    return rc;
}

static int names(rebuild_t *r, const char *slug)
{
    if (fl_store_schema_name(r->live, sizeof(r->live), slug) < 0)
        return FL_EINVAL;
    snprintf(r->shadow, sizeof(r->shadow), "shadow_%s", slug);
    snprintf(r->old, sizeof(r->old), "old_%s", slug);
    fl_assert(fl_store_schema_is_valid(r->shadow) && fl_store_schema_is_valid(r->old));
    return 0;
}

/*
 * One rebuild per tenant at a time (a session advisory lock, released when
 * the connection closes); then a clean shadow schema with every migration.
 */
static int prepare_shadow(rebuild_t *r)
{
    const char *p[2] = {r->live, r->shadow};
    char got[8];
    int n = 0, rc;

    rc = exec(r, NULL, "SELECT pg_try_advisory_lock(hashtext('fl-rebuild:' || $1))", 1, p, got,
              sizeof(got));
    if (rc == 0 && strcmp(got, "t") != 0) {
        say(r, "another rebuild of this tenant is running");
        return FL_ESTATE;
    }
    if (rc < 0 || (rc = fl_migrate_public(r->c, NULL)) < 0 ||
        (rc = drop_schema(r, r->shadow)) < 0 ||
        (rc = exec(r, NULL, "DELETE FROM public.schema_migrations WHERE scope = $1", 1, p + 1, NULL,
                   0)) < 0)
        return rc;
    rc = fl_migrate_schema(r->c, r->shadow, &n);
    if (rc < 0)
        say(r, "migrations of %s: %s", r->shadow, fl_store_sync_error(r->c));
    else
        say(r, "schema %s created (%d migrations)", r->shadow, n);
    return rc;
}

/* Reads the next run of events into r->out, the shadow checkpoint's move last. */
static int collect(rebuild_t *r, uint64_t to, fl__proj_run_t *run)
{
    const char *p[2];
    int rc;

    *run = (fl__proj_run_t){.after = r->pos, .to = to, .max = FL_PROJ_REBUILD_CHUNK};
    fl__proj_out_reset(&r->out, 0);
    rc = fl__proj_collect(&r->out, r->log, r->handlers, run);
    if (rc < 0) {
        say(r, "%s", run->why);
        return rc;
    }
    p[0] = FL_PROJ_DEFAULT_NAME;
    p[1] = fl__proj_u64(&r->out, run->last);
    return fl_proj_emit(&r->out, SQL_UPSERT, 2, p);
}

/* The log up to `to`, one transaction per chunk. */
static int replay_bulk(rebuild_t *r, uint64_t to)
{
    fl__proj_run_t run;
    int rc;

    while (r->pos < to) {
        if ((rc = collect(r, to, &run)) < 0)
            return rc;
        if (run.count == 0)
            break;
        rc = fl_store_sync_txn(r->c, r->shadow, r->out.stmts, r->out.n, NULL);
        if (rc < 0) {
            say(r, "events %" PRIu64 "..%" PRIu64 ": %s", r->pos + 1, run.last,
                fl_store_sync_error(r->c));
            return rc;
        }
        r->pos = run.last;
        say(r, "replayed %" PRIu64 " of %" PRIu64 " events", r->pos, to);
    }
    return 0;
}

/* Inside the swap's transaction: the rest of the log, statement by statement. */
static int replay_tail(rebuild_t *r)
{
    fl__proj_run_t run;
    int rc;

    do {
        if ((rc = collect(r, 0, &run)) < 0)
            return rc;
        for (int i = 0; i < r->out.n && rc == 0; i++) {
            const fl_store_stmt_t *s = &r->out.stmts[i];

            rc = exec(r, r->shadow, s->sql, s->nparams, s->params, NULL, 0);
        }
        r->pos = run.last;
    } while (rc == 0 && run.count == FL_PROJ_REBUILD_CHUNK);
    return rc;
}

/* Locks the live checkpoint table, when there is one; *exists says whether the live schema does. */
static int lock_live(rebuild_t *r, bool *exists)
{
    const char *p[2] = {r->live, FL_PROJ_DEFAULT_NAME};
    char got[32], sql[160];
    int rc;

    rc = exec(r, NULL, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, p, got,
              sizeof(got));
    if (rc < 0)
        return rc;
    *exists = strcmp(got, "1") == 0;
    rc = exec(r, NULL, "SELECT to_regclass(quote_ident($1) || '.projector_checkpoint') IS NOT NULL",
              1, p, got, sizeof(got));
    if (rc < 0 || strcmp(got, "t") != 0)
        return rc;
    /* EXCLUSIVE blocks the live projector's update (and its batch) but not readers. */
    snprintf(sql, sizeof(sql), "LOCK TABLE \"%s\".projector_checkpoint IN EXCLUSIVE MODE", r->live);
    if ((rc = exec(r, NULL, sql, 0, NULL, NULL, 0)) < 0)
        return rc;
    rc = exec(r, r->live, FL__PROJ_SQL_READ, 1, p + 1, got, sizeof(got));
    if (rc == 0)
        say(r, "live checkpoint locked at %s", got[0] != '\0' ? got : "0 (no row)");
    return rc;
}

/* The swap; migrations record the schema they ran in, so their rows follow the rename. */
static int rename_all(rebuild_t *r, bool live_exists)
{
    const char *p[2] = {r->live, r->shadow};
    int rc = 0;

    if (live_exists &&
        ((rc = drop_schema(r, r->old)) < 0 || (rc = rename_schema(r, r->live, r->old)) < 0))
        return rc;
    if ((rc = rename_schema(r, r->shadow, r->live)) < 0)
        return rc;
    if (live_exists && (rc = drop_schema(r, r->old)) < 0)
        return rc;
    rc = exec(r, NULL, "DELETE FROM public.schema_migrations WHERE scope = $1", 1, p, NULL, 0);
    if (rc == 0)
        rc = exec(r, NULL, "UPDATE public.schema_migrations SET scope = $1 WHERE scope = $2", 2, p,
                  NULL, 0);
    return rc;
}

static int swap(rebuild_t *r)
{
    bool exists = false;
    int rc;

    if ((rc = exec(r, NULL, "BEGIN", 0, NULL, NULL, 0)) < 0)
        return rc;
    if ((rc = lock_live(r, &exists)) < 0 || (rc = replay_tail(r)) < 0 ||
        (exists && (rc = carry_kept_tables(r)) < 0) || (rc = rename_all(r, exists)) < 0 ||
        (rc = exec(r, NULL, "COMMIT", 0, NULL, NULL, 0)) < 0) {
        exec(r, NULL, "ROLLBACK", 0, NULL, NULL, 0);
        return rc;
    }
    return 0;
}

static int run(rebuild_t *r)
{
    fl_log_head_t h;
    int rc = fl_log_head(r->log, &h);

    if (rc < 0) {
        say(r, "cannot read the log's head: %s", fl_strerror(rc));
        return rc;
    }
    if ((rc = prepare_shadow(r)) < 0)
        return rc;
    if ((rc = replay_bulk(r, h.pos)) == 0 && (rc = swap(r)) == 0)
        say(r, "%s swapped in at position %" PRIu64, r->live, r->pos);
    if (rc < 0) {
        /* Best effort: a rebuild that failed leaves the live schema as it was and no shadow. */
        const char *p[1] = {r->shadow};

        if (drop_schema(r, r->shadow) == 0)
            exec(r, NULL, "DELETE FROM public.schema_migrations WHERE scope = $1", 1, p, NULL, 0);
    }
    exec(r, NULL, "SELECT pg_advisory_unlock(hashtext('fl-rebuild:' || $1))", 1,
         (const char *const[]){r->live}, NULL, 0);
    return rc;
}

int fl_projector_rebuild(fl_store_conn_t *c, fl_log_t *log, const char *slug,
                         const fl_proj_handler_t *const *handlers, FILE *progress)
{
    rebuild_t r = {.c = c, .log = log, .handlers = handlers, .progress = progress, .slug = slug};
    int rc;

    if (c == NULL || log == NULL || slug == NULL || names(&r, slug) < 0)
        return FL_EINVAL;
    fl__proj_out_init(&r.out);
    rc = run(&r);
    fl__proj_out_free(&r.out);
    return rc;
}

int fl_projector_checkpoint_sync(fl_store_conn_t *c, const char *slug, const char *name,
                                 uint64_t *pos)
{
    const char *p[1] = {name != NULL ? name : FL_PROJ_DEFAULT_NAME};
    char schema[FL_STORE_SCHEMA_MAX + 1];
    fl_store_res_t *res = NULL;
    int rc;

    *pos = 0;
    if (fl_store_schema_name(schema, sizeof(schema), slug) < 0)
        return FL_EINVAL;
    rc = fl_store_sync_exec(c, schema, FL__PROJ_SQL_READ, 1, p, &res);
    if (rc == 0 && fl_store_res_rows(res) > 0)
        *pos = strtoull(fl_store_res_value(res, 0, 0), NULL, 10);
    fl_store_res_free(res);
    return rc;
}

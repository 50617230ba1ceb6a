/*
 * Events -> SQL on the tenant schema's applications and environments tables
 * (schemas/tenant/0008_applications.sql). Values are always parameters;
 * column names come from the field tables only. Each handler may run again
 * on an equal row (a rebuild replays into an empty schema, a retried batch
 * replays its events), so inserts are upserts and updates set values.
 *
 * Every event also sets the application row's version (the stream version,
 * GET's ETag) and updated_at (the event's ts), as the fold does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS_LEN  40
#define SQL_MAX 3072
#define MAXP    (FL_APPS_MAX_FIELDS + 4)

/* A statement being built: its text and parameters. */
typedef struct stmt {
    char sql[SQL_MAX];
    size_t len;
    const char *p[MAXP];
    int n;
} stmt_t;

__attribute__((format(printf, 2, 3))) static void add(stmt_t *s, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(s->sql + s->len, sizeof(s->sql) - s->len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && (size_t)n < sizeof(s->sql) - s->len); /* the words are all ours */
    s->len += (size_t)n;
}

/* Appends prefix and f's bind with "$?" naming the next parameter, which holds value. */
static void bind_value(stmt_t *s, const char *prefix, const fl__app_field_t *f, const char *value)
{
    const char *q = strstr(f->bind, "$?");

    fl_assert(q != NULL);
    s->p[s->n++] = value;
    add(s, "%s%.*s$%d%s", prefix, (int)(q - f->bind), f->bind, s->n, q + 2);
}

static int emit(fl_proj_out_t *out, stmt_t *s)
{
    char *sql = fl_arena_strndup(fl_proj_arena(out), s->sql, s->len);

    return sql == NULL ? FL_ETOOBIG : fl_proj_emit(out, sql, s->n, s->p);
}

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = json_string_value(json_object_get(data, key));

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/*
 * INSERT INTO table (id, parent, <fields>, created_at, updated_at, deleted_at)
 * upserting every column: id and parent are $1 and $2 (parent_bind casts it).
 */
static int upsert(fl_proj_out_t *out, const char *table, const char *parent,
                  const char *parent_bind, const fl__app_table_t *t, const char *const *head,
                  const json_t *data, const char *ts)
{
    stmt_t *s = fl_arena_alloc(fl_proj_arena(out), sizeof(*s));
    const char *v;

    if (s == NULL)
        return FL_ETOOBIG;
    s->len = 0;
    s->n = 2;
    s->p[0] = head[0], s->p[1] = head[1];
    add(s, "INSERT INTO %s (id, %s", table, parent);
    for (int i = 0; i < t->n; i++)
        add(s, ", %s", t->f[i].name);
    add(s, ", created_at, updated_at, deleted_at) VALUES ($1::uuid, %s", parent_bind);
    for (int i = 0; i < t->n; i++) {
        if (fl__app_value_text(fl_proj_arena(out), json_object_get(data, t->f[i].name), &v) < 0)
            return FL_ETOOBIG;
        bind_value(s, ", ", &t->f[i], v);
    }
    s->p[s->n++] = ts;
    add(s, ", $%d::timestamptz, $%d::timestamptz, NULL) ON CONFLICT (id) DO UPDATE SET", s->n,
        s->n);
    add(s, " %s = EXCLUDED.%s", parent, parent);
    for (int i = 0; i < t->n; i++)
        add(s, ", %s = EXCLUDED.%s", t->f[i].name, t->f[i].name);
    add(s, ", created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,"
           " deleted_at = NULL");
    return emit(out, s);
}

/* UPDATE table SET <changed columns>, updated_at = ts WHERE id = id. */
static int update(fl_proj_out_t *out, const char *table, const fl__app_table_t *t, const char *id,
                  const json_t *changes, const char *ts)
{
    stmt_t *s = fl_arena_alloc(fl_proj_arena(out), sizeof(*s));
    char prefix[64];
    const char *v;

    if (s == NULL)
        return FL_ETOOBIG;
    s->len = 0;
    s->n = 2;
    s->p[0] = id, s->p[1] = ts;
    add(s, "UPDATE %s SET updated_at = $2::timestamptz", table);
    for (int i = 0; i < t->n; i++) {
        const json_t *c = json_object_get(changes, t->f[i].name);
        if (c == NULL)
            continue;
        if (fl__app_value_text(fl_proj_arena(out), json_object_get(c, "to"), &v) < 0)
            return FL_ETOOBIG;
        snprintf(prefix, sizeof(prefix), ", %s = ", t->f[i].name);
        bind_value(s, prefix, &t->f[i], v);
    }
    add(s, " WHERE id = $1::uuid");
    return emit(out, s);
}

/* The stream version and time the application's row now reflects. */
static int set_version(fl_proj_out_t *out, const fl_event_t *ev, const char *app_id)
{
    char v[24], ts[TS_LEN];

    if (app_id == NULL)
        return 0;
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {app_id, v, ts};
    return fl_proj_emit(out,
                        "UPDATE applications SET version = $2, updated_at = $3::timestamptz"
                        " WHERE id = $1::uuid",
                        3, p);
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    const char *head[2] = {id, ev->num != NULL && ev->num[0] != '\0' ? ev->num : id};
    char ts[TS_LEN];

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_time_format(ev->ts, ts, sizeof(ts));
    return upsert(out, "applications", "app_id", "$2", &fl__app_table, head, data, ts);
}

static int on_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN];

    if (id == NULL || !json_is_object(json_object_get(data, "changes")))
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    return update(out, "applications", &fl__app_table, id, json_object_get(data, "changes"), ts);
}

/* Soft: the rows stay (others may refer to them); the environments go with the application. */
static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN];
    int rc;

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, ts};
    rc = fl_proj_emit(
        out, "UPDATE applications SET deleted_at = $2::timestamptz WHERE id = $1::uuid", 2, p);
    if (rc == 0)
        rc = fl_proj_emit(out,
                          "UPDATE environments SET deleted_at = $2::timestamptz"
                          " WHERE application_id = $1::uuid AND deleted_at IS NULL",
                          2, p);
    return rc;
}

static int on_env_added(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *head[2] = {uuid_of(data, "environment_id"), uuid_of(data, "application_id")};
    char ts[TS_LEN];

    if (head[0] == NULL || head[1] == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    return upsert(out, "environments", "application_id", "$2::uuid", &fl__env_table, head, data,
                  ts);
}

static int on_env_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "environment_id");
    char ts[TS_LEN];

    if (id == NULL || !json_is_object(json_object_get(data, "changes")))
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    return update(out, "environments", &fl__env_table, id, json_object_get(data, "changes"), ts);
}

static int on_env_removed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "environment_id");
    char ts[TS_LEN];

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, ts};
    return fl_proj_emit(
        out, "UPDATE environments SET deleted_at = $2::timestamptz WHERE id = $1::uuid", 2, p);
}

#define VERSIONED(name, fn, key)                                                                   \
    static int name(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)                  \
    {                                                                                              \
        int rc = fn(out, ev, data);                                                                \
        return rc < 0 ? rc : set_version(out, ev, uuid_of(data, key));                             \
    }

VERSIONED(v_created, on_created, "id")
VERSIONED(v_updated, on_updated, "id")
VERSIONED(v_deleted, on_deleted, "id")
VERSIONED(v_env_added, on_env_added, "application_id")
VERSIONED(v_env_updated, on_env_updated, "application_id")
VERSIONED(v_env_removed, on_env_removed, "application_id")

const fl_proj_handler_t fl_apps_projections[] = {
    {"application.created", v_created},
    {"application.updated", v_updated},
    {"application.deleted", v_deleted},
    {"application.environment_added", v_env_added},
    {"application.environment_updated", v_env_updated},
    {"application.environment_removed", v_env_removed},
    {NULL, NULL},
};

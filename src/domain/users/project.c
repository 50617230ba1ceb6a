/*
 * Events -> SQL on the tenant schema's users and user_roles tables
 * (schemas/tenant/0001_identity.sql). Values are always parameters. Each
 * handler may run again on an equal row (a rebuild replays into an empty
 * schema, a retried batch replays its events), so every statement is
 * idempotent: inserts are upserts, updates set values, the role set is
 * replaced. Timestamps are the event's ts.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS_LEN 40

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

static void ts_text(const fl_event_t *ev, char buf[TS_LEN])
{
    fl_time_format(ev->ts, buf, TS_LEN);
}

/* The granting user from the envelope's actor ("user:<uuid>"); NULL for others. */
static const char *granter(const fl_event_t *ev)
{
    const char *a = ev->actor;

    if (a != NULL && strncmp(a, "user:", 5) == 0 && fl_uuid_is_valid(a + 5))
        return a + 5;
    return NULL;
}

/* Names of a JSON array as a text[] literal in the batch's arena. */
static const char *roles_literal(fl_proj_out_t *out, const json_t *arr)
{
    const char *names[FL_USERS_MAX_ROLES];
    size_t n = 0, i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && n < FL_USERS_MAX_ROLES)
            names[n++] = json_string_value(v);
    }
    return fl__users_pg_array(fl_proj_arena(out), names, n);
}

/*
 * Replaces the user's direct roles by the named ones: those no longer named
 * go, new ones come with the granter and time, kept ones keep theirs. A
 * granter missing from users (an operator, a system actor) is NULL.
 */
static int replace_roles(fl_proj_out_t *out, const fl_event_t *ev, const char *id,
                         const json_t *roles)
{
    const char *lit = roles_literal(out, roles);
    char ts[TS_LEN];
    int rc;

    if (lit == NULL)
        return FL_ETOOBIG;
    ts_text(ev, ts);
    const char *del[] = {id, lit};
    rc = fl_proj_emit(out,
                      "DELETE FROM user_roles WHERE user_id = $1::uuid AND role_id NOT IN"
                      " (SELECT id FROM roles WHERE name = ANY($2::text[]) AND deleted_at IS NULL)",
                      2, del);
    if (rc < 0)
        return rc;
    const char *ins[] = {id, lit, granter(ev), ts};
    return fl_proj_emit(out,
                        "INSERT INTO user_roles (user_id, role_id, granted_by, granted_at)"
                        " SELECT $1::uuid, r.id, (SELECT g.id FROM users g WHERE g.id = $3::uuid),"
                        " $4::timestamptz FROM roles r WHERE r.name = ANY($2::text[])"
                        " AND r.deleted_at IS NULL"
                        " ON CONFLICT (user_id, role_id) DO NOTHING",
                        4, ins);
}

static int on_user_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    char ts[TS_LEN];
    int rc;

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0; /* not an event this code can read: skipped */
    ts_text(ev, ts);
    const char *p[] = {id,
                       str(data, "email"),
                       str(data, "name"),
                       str(data, "phone"),
                       str(data, "timezone"),
                       str(data, "avatar_url"),
                       str(data, "status"),
                       str(data, "password_hash"),
                       ts};
    rc = fl_proj_emit(out,
                      "INSERT INTO users (id, email, name, phone, timezone, avatar_url, status,"
                      " password_hash, created_at, updated_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
                      " ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email,"
                      " name = EXCLUDED.name, phone = EXCLUDED.phone,"
                      " timezone = EXCLUDED.timezone, avatar_url = EXCLUDED.avatar_url,"
                      " status = EXCLUDED.status, password_hash = EXCLUDED.password_hash,"
                      " created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at",
                      9, p);
    return rc < 0 ? rc : replace_roles(out, ev, id, json_object_get(data, "roles"));
}

/* The columns user.updated may set, by the name its changes use. */
static const char *const updatable[] = {"email",    "name",       "phone",
                                        "timezone", "avatar_url", "status"};
#define N_UPDATABLE (sizeof(updatable) / sizeof(updatable[0]))

/*
 * UPDATE users SET <col> = $k ... for each column in changes. The column
 * names come from `updatable`, never from the event.
 */
static int update_columns(fl_proj_out_t *out, const fl_event_t *ev, const char *id,
                          const json_t *changes)
{
    const char *p[N_UPDATABLE + 2];
    char sql[512], ts[TS_LEN];
    size_t len;
    int n = 0;

    ts_text(ev, ts);
    p[n++] = id;
    p[n++] = ts;
    len = (size_t)snprintf(sql, sizeof(sql), "UPDATE users SET updated_at = $2");
    for (size_t i = 0; i < N_UPDATABLE; i++) {
        const json_t *c = json_object_get(changes, updatable[i]);
        if (c == NULL)
            continue;
        p[n++] = str(c, "to");
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s = $%d", updatable[i], n);
    }
    snprintf(sql + len, sizeof(sql) - len, " WHERE id = $1");
    char *copy = fl_arena_strndup(fl_proj_arena(out), sql, strlen(sql));
    return copy == NULL ? FL_ETOOBIG : fl_proj_emit(out, copy, n, p);
}

static int on_user_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    const json_t *changes = json_object_get(data, "changes");
    const json_t *roles = json_object_get(changes, "roles");
    int rc;

    if (id == NULL || !fl_uuid_is_valid(id) || !json_is_object(changes))
        return 0;
    rc = update_columns(out, ev, id, changes);
    if (rc == 0 && roles != NULL)
        rc = replace_roles(out, ev, id, json_object_get(roles, "to"));
    return rc;
}

static int on_user_deactivated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    char ts[TS_LEN];

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    ts_text(ev, ts);
    const char *p[] = {id, ts};
    return fl_proj_emit(out, "UPDATE users SET status = 'inactive', updated_at = $2 WHERE id = $1",
                        2, p);
}

static int on_password_changed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    char ts[TS_LEN];

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    ts_text(ev, ts);
    const char *p[] = {id, str(data, "password_hash"), ts};
    return fl_proj_emit(out, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                        3, p);
}

/* A sign-in is not an edit of the profile: updated_at stays. */
static int on_logged_in(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    char ts[TS_LEN];

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    ts_text(ev, ts);
    const char *p[] = {id, ts};
    return fl_proj_emit(out, "UPDATE users SET last_login_at = $2 WHERE id = $1", 2, p);
}

/* Every user event also records the stream version its row now reflects (GET's ETag). */
static int set_version(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = str(data, "id");
    char v[24];

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, v};
    return fl_proj_emit(out, "UPDATE users SET version = $2 WHERE id = $1", 2, p);
}

#define VERSIONED(name, fn)                                                                        \
    static int name(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)                  \
    {                                                                                              \
        int rc = fn(out, ev, data);                                                                \
        return rc < 0 ? rc : set_version(out, ev, data);                                           \
    }

VERSIONED(v_user_created, on_user_created)
/* A user.updated this code cannot read is skipped whole, its version too. */
static int v_user_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    int rc = on_user_updated(out, ev, data);
    if (rc < 0 || !json_is_object(json_object_get(data, "changes")))
        return rc;
    return set_version(out, ev, data);
}
VERSIONED(v_user_deactivated, on_user_deactivated)
VERSIONED(v_password_changed, on_password_changed)
VERSIONED(v_logged_in, on_logged_in)

const fl_proj_handler_t fl_users_projections[] = {
    {"user.created", v_user_created},
    {"user.updated", v_user_updated},
    {"user.deactivated", v_user_deactivated},
    {"user.password_changed", v_password_changed},
    /* Password reset: the request only moves the row's version (the token is not a column);
     * the reset sets the hash as a change does. */
    {"user.password_reset_requested", set_version},
    {"user.password_reset", v_password_changed},
    {"user.logged_in", v_logged_in},
    {NULL, NULL},
};

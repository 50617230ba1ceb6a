/*
 * Events -> SQL on the tenant schema's groups and group_members tables
 * (schemas/tenant/0001_identity.sql, 0003_groups.sql). Values are always
 * parameters; column names come from this file only. Each handler may run
 * again on an equal row (a rebuild replays into an empty schema, a retried
 * batch replays its events), so every statement is idempotent: inserts are
 * upserts, updates set values, deletes delete what may already be gone.
 *
 * Every group event also sets the row's version (the stream version, GET's
 * ETag) and updated_at (the event's ts), as the fold does.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS_LEN 40

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

/* The group's id in data (key "id" or "group_id"), or NULL when not a uuid. */
static const char *group_id(const json_t *data, const char *key)
{
    const char *id = str(data, key);

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* The names of a JSON array as a text[] literal; role names need no quoting ([a-z0-9_-]). */
static const char *names_literal(fl_proj_out_t *out, const json_t *arr)
{
    char *lit = fl_arena_alloc(fl_proj_arena(out), FL_GROUPS_MAX_ROLES * 66 + 3);
    size_t n = 0, i;
    json_t *v;

    if (lit == NULL)
        return NULL;
    lit[n++] = '{';
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || i >= FL_GROUPS_MAX_ROLES || strlen(s) > 63 ||
            strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s))
            continue; /* not a role name: no role has it */
        n += (size_t)snprintf(lit + n, 66, "%s%s", n > 1 ? "," : "", s);
    }
    lit[n++] = '}';
    lit[n] = '\0';
    return lit;
}

/* The group's roles become the named live roles (absent or null: none). */
static int replace_roles(fl_proj_out_t *out, const fl_event_t *ev, const char *id,
                         const json_t *roles)
{
    const char *lit = names_literal(out, roles);
    char ts[TS_LEN];
    int rc;

    if (lit == NULL)
        return FL_ETOOBIG;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, lit, ts};
    rc = fl_proj_emit(out,
                      "DELETE FROM group_roles WHERE group_id = $1::uuid AND role_id NOT IN"
                      " (SELECT id FROM roles WHERE name = ANY($2::text[]) AND deleted_at IS NULL)",
                      2, p);
    if (rc < 0)
        return rc;
    return fl_proj_emit(out,
                        "INSERT INTO group_roles (group_id, role_id, granted_at)"
                        " SELECT $1::uuid, r.id, $3::timestamptz FROM roles r"
                        " WHERE r.name = ANY($2::text[]) AND r.deleted_at IS NULL"
                        " ON CONFLICT (group_id, role_id) DO NOTHING",
                        3, p);
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = group_id(data, "id");
    char ts[TS_LEN];

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id,
                       str(data, "name"),
                       str(data, "description"),
                       str(data, "type"),
                       str(data, "parent_id"),
                       str(data, "manager_id"),
                       str(data, "email"),
                       ts};
    int rc = fl_proj_emit(out,
                          "INSERT INTO groups (id, name, description, type, parent_id, manager_id,"
                          " email, created_at, updated_at, deleted_at)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL)"
                          " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                          " description = EXCLUDED.description, type = EXCLUDED.type,"
                          " parent_id = EXCLUDED.parent_id, manager_id = EXCLUDED.manager_id,"
                          " email = EXCLUDED.email, created_at = EXCLUDED.created_at,"
                          " updated_at = EXCLUDED.updated_at, deleted_at = NULL",
                          8, p);
    return rc < 0 ? rc : replace_roles(out, ev, id, json_object_get(data, "roles"));
}

/* The columns group.updated may set, by the name its changes use. */
static const char *const updatable[] = {"name",      "description", "type",
                                        "parent_id", "manager_id",  "email"};
#define N_UPDATABLE (sizeof(updatable) / sizeof(updatable[0]))

/* UPDATE groups SET <col> = $k ... for each column in changes (names from `updatable`). */
static int on_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = group_id(data, "id");
    const json_t *changes = json_object_get(data, "changes");
    const char *p[N_UPDATABLE + 1];
    char sql[512];
    size_t len;
    int n = 0;

    if (id == NULL || !json_is_object(changes))
        return 0;
    p[n++] = id;
    len = (size_t)snprintf(sql, sizeof(sql), "UPDATE groups SET id = id");
    for (size_t i = 0; i < N_UPDATABLE; i++) {
        const json_t *c = json_object_get(changes, updatable[i]);
        if (c == NULL)
            continue;
        p[n++] = str(c, "to");
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s = $%d", updatable[i], n);
    }
    snprintf(sql + len, sizeof(sql) - len, " WHERE id = $1");
    char *copy = fl_arena_strndup(fl_proj_arena(out), sql, strlen(sql));
    int rc = copy == NULL ? FL_ETOOBIG : fl_proj_emit(out, copy, n, p);
    const json_t *roles = json_object_get(changes, "roles");
    if (rc == 0 && roles != NULL)
        rc = replace_roles(out, ev, id, json_object_get(roles, "to"));
    return rc;
}

/* Soft: the row stays (others may refer to it); its members go. */
static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = group_id(data, "id");
    char ts[TS_LEN];
    int rc;

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, ts};
    rc = fl_proj_emit(out, "UPDATE groups SET deleted_at = $2 WHERE id = $1", 2, p);
    if (rc == 0)
        rc = fl_proj_emit(out, "DELETE FROM group_members WHERE group_id = $1", 1, p);
    if (rc == 0)
        rc = fl_proj_emit(out, "DELETE FROM group_roles WHERE group_id = $1", 1, p);
    return rc;
}

static int on_member_added(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *gid = group_id(data, "group_id"), *uid = str(data, "user_id");
    char ts[TS_LEN];

    if (gid == NULL || uid == NULL || !fl_uuid_is_valid(uid))
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {gid, uid, str(data, "role"), ts};
    return fl_proj_emit(out,
                        "INSERT INTO group_members (group_id, user_id, role, joined_at)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, user_id)"
                        " DO UPDATE SET role = EXCLUDED.role, joined_at = EXCLUDED.joined_at",
                        4, p);
}

static int on_member_role_changed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *gid = group_id(data, "group_id"), *uid = str(data, "user_id");
    const json_t *role = json_object_get(json_object_get(data, "changes"), "role");

    (void)ev;
    if (gid == NULL || uid == NULL || !fl_uuid_is_valid(uid) || str(role, "to") == NULL)
        return 0;
    const char *p[] = {gid, uid, str(role, "to")};
    return fl_proj_emit(
        out, "UPDATE group_members SET role = $3 WHERE group_id = $1 AND user_id = $2", 3, p);
}

static int on_member_removed(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *gid = group_id(data, "group_id"), *uid = str(data, "user_id");

    (void)ev;
    if (gid == NULL || uid == NULL || !fl_uuid_is_valid(uid))
        return 0;
    const char *p[] = {gid, uid};
    return fl_proj_emit(out, "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2", 2,
                        p);
}

/* The stream version and time the group's row now reflects. */
static int set_version(fl_proj_out_t *out, const fl_event_t *ev, const char *id)
{
    char v[24], ts[TS_LEN];

    if (id == NULL)
        return 0;
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, v, ts};
    return fl_proj_emit(out, "UPDATE groups SET version = $2, updated_at = $3 WHERE id = $1", 3, p);
}

#define VERSIONED(name, fn, key)                                                                   \
    static int name(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)                  \
    {                                                                                              \
        int rc = fn(out, ev, data);                                                                \
        return rc < 0 ? rc : set_version(out, ev, group_id(data, key));                            \
    }

VERSIONED(v_created, on_created, "id")
VERSIONED(v_deleted, on_deleted, "id")
VERSIONED(v_member_added, on_member_added, "group_id")
VERSIONED(v_member_role_changed, on_member_role_changed, "group_id")
VERSIONED(v_member_removed, on_member_removed, "group_id")

/* A group.updated this code cannot read is skipped whole, its version too. */
static int v_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    int rc = on_updated(out, ev, data);

    if (rc < 0 || !json_is_object(json_object_get(data, "changes")))
        return rc;
    return set_version(out, ev, group_id(data, "id"));
}

const fl_proj_handler_t fl_groups_projections[] = {
    {"group.created", v_created},
    {"group.updated", v_updated},
    {"group.deleted", v_deleted},
    {"group.member_added", v_member_added},
    {"group.member_role_changed", v_member_role_changed},
    {"group.member_removed", v_member_removed},
    {NULL, NULL},
};

/*
 * Events -> SQL on the tenant schema's roles and role_permissions tables
 * (schemas/tenant/0001_identity.sql, 0004_rbac.sql). Values are always
 * parameters. Each handler may run again on an equal row (a rebuild replays
 * into an empty schema, a retried batch replays its events), so every
 * statement is idempotent: upserts, plain sets, and the permission set
 * replaced. Every role event also sets the row's version (the stream
 * version, GET's ETag) and updated_at (the event's ts), as the fold does.
 *
 * role_permissions of a system role are the code's grants at projection
 * time; the API shows a system role's grants from the code, so a release
 * that changes them is right at once and the table after a rebuild.
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

static const char *role_id(const json_t *data)
{
    const char *id = str(data, "id");

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* The set as a text[] literal ("{issues:read,users:read}"); the names need no quoting. */
static const char *perms_literal(fl_proj_out_t *out, const fl_perms_t *p)
{
    char *lit = fl_arena_alloc(fl_proj_arena(out), FL_PERM_COUNT * FL_PERM_NAME_MAX + 3);
    size_t n = 0;

    if (lit == NULL)
        return NULL;
    lit[n++] = '{';
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            if (!fl_perms_has_exact(p, (fl_resource_t)r, (fl_action_t)a))
                continue;
            if (n > 1)
                lit[n++] = ',';
            fl_perm_format((fl_resource_t)r, (fl_action_t)a, lit + n);
            n += strlen(lit + n);
        }
    }
    lit[n++] = '}';
    lit[n] = '\0';
    return lit;
}

static int replace_permissions(fl_proj_out_t *out, const char *id, const fl_perms_t *p)
{
    const char *lit = perms_literal(out, p);
    int rc;

    if (lit == NULL)
        return FL_ETOOBIG;
    const char *params[] = {id, lit};
    rc = fl_proj_emit(out, "DELETE FROM role_permissions WHERE role_id = $1", 1, params);
    if (rc < 0)
        return rc;
    return fl_proj_emit(out,
                        "INSERT INTO role_permissions (role_id, permission_id)"
                        " SELECT $1::uuid, p.id FROM permissions p"
                        " WHERE p.resource || ':' || p.action = ANY($2::text[])"
                        " ON CONFLICT DO NOTHING",
                        2, params);
}

/* The grants of a created role: the code's for a system role, else the event's. */
static void created_perms(const json_t *data, fl_perms_t *p)
{
    const char *name = str(data, "name");

    if (json_is_true(json_object_get(data, "is_system")) && name != NULL &&
        fl_rbac_system_role_perms(name, p))
        return;
    (void)fl__roles_perms_from_json(json_object_get(data, "permissions"), p);
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = role_id(data);
    char ts[TS_LEN];
    fl_perms_t perms;
    int rc;

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id,
                       str(data, "name"),
                       str(data, "display_name"),
                       str(data, "description"),
                       json_is_true(json_object_get(data, "is_system")) ? "true" : "false",
                       ts};
    rc = fl_proj_emit(out,
                      "INSERT INTO roles (id, name, display_name, description, is_system,"
                      " created_at, updated_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $6,"
                      " NULL) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                      " display_name = EXCLUDED.display_name,"
                      " description = EXCLUDED.description, is_system = EXCLUDED.is_system,"
                      " created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,"
                      " deleted_at = NULL",
                      6, p);
    created_perms(data, &perms);
    return rc < 0 ? rc : replace_permissions(out, id, &perms);
}

static int on_updated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = role_id(data);
    const json_t *changes = json_object_get(data, "changes");
    const json_t *dn = json_object_get(changes, "display_name");
    const json_t *desc = json_object_get(changes, "description");
    const json_t *perms = json_object_get(changes, "permissions");
    fl_perms_t set;
    int rc = 0;

    (void)ev;
    if (dn != NULL && str(dn, "to") != NULL) {
        const char *p[] = {id, str(dn, "to")};
        rc = fl_proj_emit(out, "UPDATE roles SET display_name = $2 WHERE id = $1", 2, p);
    }
    if (rc == 0 && desc != NULL) {
        const char *p[] = {id, str(desc, "to")};
        rc = fl_proj_emit(out, "UPDATE roles SET description = $2 WHERE id = $1", 2, p);
    }
    if (rc == 0 && perms != NULL) {
        (void)fl__roles_perms_from_json(json_object_get(perms, "to"), &set);
        rc = replace_permissions(out, id, &set);
    }
    return rc;
}

/*
 * Soft: the row stays for the history. Its grants go, and so do its holders'
 * rows: a delete that raced a grant (the write side does not index holders)
 * leaves no user or group holding a deleted role in the read model.
 */
static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = role_id(data);
    char ts[TS_LEN];
    int rc;

    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, ts};
    rc = fl_proj_emit(out, "UPDATE roles SET deleted_at = $2 WHERE id = $1", 2, p);
    if (rc == 0)
        rc = fl_proj_emit(out, "DELETE FROM role_permissions WHERE role_id = $1", 1, p);
    if (rc == 0)
        rc = fl_proj_emit(out, "DELETE FROM user_roles WHERE role_id = $1", 1, p);
    if (rc == 0)
        rc = fl_proj_emit(out, "DELETE FROM group_roles WHERE role_id = $1", 1, p);
    return rc;
}

static int set_version(fl_proj_out_t *out, const fl_event_t *ev, const char *id)
{
    char v[24], ts[TS_LEN];

    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    fl_time_format(ev->ts, ts, sizeof(ts));
    const char *p[] = {id, v, ts};
    return fl_proj_emit(out, "UPDATE roles SET version = $2, updated_at = $3 WHERE id = $1", 3, p);
}

#define VERSIONED(name, fn, needs_changes)                                                         \
    static int name(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)                  \
    {                                                                                              \
        int rc;                                                                                    \
        if (role_id(data) == NULL ||                                                               \
            (needs_changes && !json_is_object(json_object_get(data, "changes"))))                  \
            return 0; /* not an event this code can read: skipped whole */                         \
        rc = fn(out, ev, data);                                                                    \
        return rc < 0 ? rc : set_version(out, ev, role_id(data));                                  \
    }

VERSIONED(v_created, on_created, false)
VERSIONED(v_updated, on_updated, true)
VERSIONED(v_deleted, on_deleted, false)

const fl_proj_handler_t fl_roles_projections[] = {
    {"role.created", v_created},
    {"role.updated", v_updated},
    {"role.deleted", v_deleted},
    {NULL, NULL},
};

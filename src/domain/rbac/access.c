/*
 * The access model (include/firelater/rbac.h): roles' grants, groups'
 * parents and roles, and users' direct memberships, folded from the log.
 *
 * Everything is keyed by strings in fl_strmap_t tables; a user's effective
 * permissions are computed on demand (a few hash lookups per group and
 * ancestor, at most FL_ACCESS_MAX_DEPTH ancestors each), so no cached answer
 * can go stale.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "firelater/rbac.h"
#include "firelater/strmap.h"

#define FL_ACCESS_MAX_DEPTH 32 /* as groups' FL_GROUPS_MAX_DEPTH: a cycle cannot run away */
#define ROLES_MAX           16 /* roles one group holds */

typedef struct role {
    fl_perms_t perms;
    char *name;
} role_t;

typedef struct group {
    char *parent; /* NULL at the top */
    char *roles[ROLES_MAX];
    size_t n_roles;
} group_t;

/* A user's direct memberships: group ids. */
typedef struct memberships {
    char **ids;
    size_t n, cap;
} memberships_t;

struct fl_access {
    fl_strmap_t roles_by_name; /* name -> role_t (custom roles only) */
    fl_strmap_t role_names;    /* id -> role_t, the same objects */
    fl_strmap_t groups;        /* id -> group_t */
    fl_strmap_t members;       /* user id -> memberships_t */
    uint64_t pos;
    uint64_t skipped; /* events whose data could not be folded */
    fl_arena_t scratch;
};

static char *dup_str(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        fl_oom();
    return d;
}

static void role_free(void *v)
{
    role_t *r = v;
    free(r->name);
    free(r);
}

static void group_clear_roles(group_t *g)
{
    for (size_t i = 0; i < g->n_roles; i++)
        free(g->roles[i]);
    g->n_roles = 0;
}

static void group_free(void *v)
{
    group_t *g = v;
    group_clear_roles(g);
    free(g->parent);
    free(g);
}

static void memberships_free(void *v)
{
    memberships_t *m = v;
    for (size_t i = 0; i < m->n; i++)
        free(m->ids[i]);
    free(m->ids);
    free(m);
}

fl_access_t *fl_access_new(void)
{
    fl_access_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        fl_oom();
    fl_arena_init(&m->scratch, 0);
    return m;
}

void fl_access_free(fl_access_t *m)
{
    if (m == NULL)
        return;
    fl_strmap_free(&m->role_names, NULL);
    fl_strmap_free(&m->roles_by_name, role_free);
    fl_strmap_free(&m->groups, group_free);
    fl_strmap_free(&m->members, memberships_free);
    fl_arena_free(&m->scratch);
    free(m);
}

uint64_t fl_access_pos(const fl_access_t *m)
{
    return m->pos;
}

/* ------------------------------------------------------------------ folding */

static const char *str_at(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* changes.<field>.to, or NULL when the field did not change. */
static const json_t *change_to(const json_t *data, const char *field)
{
    const json_t *c = json_object_get(json_object_get(data, "changes"), field);
    return c != NULL ? json_object_get(c, "to") : NULL;
}

static void perms_from_list(const json_t *list, fl_perms_t *out)
{
    size_t i;
    const json_t *v;
    *out = (fl_perms_t){{0, 0}};
    json_array_foreach(list, i, v)
    {
        fl_resource_t r;
        fl_action_t a;
        if (json_is_string(v) && fl_perm_parse(json_string_value(v), &r, &a))
            fl_perms_add(out, r, a);
    }
}

static int apply_role(fl_access_t *m, const char *type, const json_t *data)
{
    const char *id = str_at(data, "id");
    if (id == NULL)
        return FL_ECORRUPT;
    if (strcmp(type, "role.created") == 0) {
        const char *name = str_at(data, "name");
        if (name == NULL)
            return FL_ECORRUPT;
        if (json_is_true(json_object_get(data, "is_system")))
            return 0; /* grants from the code, by name */
        role_t *r = calloc(1, sizeof(*r));
        if (r == NULL)
            fl_oom();
        r->name = dup_str(name);
        perms_from_list(json_object_get(data, "permissions"), &r->perms);
        role_t *old = fl_strmap_put(&m->roles_by_name, name, r);
        if (old != NULL) {
            fl_strmap_del(&m->role_names, id);
            role_free(old);
        }
        fl_strmap_put(&m->role_names, id, r);
        return 0;
    }
    role_t *r = fl_strmap_get(&m->role_names, id);
    if (r == NULL)
        return 0; /* a system role: nothing folded */
    if (strcmp(type, "role.updated") == 0) {
        const json_t *to = change_to(data, "permissions");
        if (to != NULL)
            perms_from_list(to, &r->perms);
    } else if (strcmp(type, "role.deleted") == 0) {
        fl_strmap_del(&m->role_names, id);
        fl_strmap_del(&m->roles_by_name, r->name);
        role_free(r);
    }
    return 0;
}

static void group_set_parent(group_t *g, const json_t *parent)
{
    free(g->parent);
    g->parent = json_is_string(parent) && *json_string_value(parent) != '\0'
                    ? dup_str(json_string_value(parent))
                    : NULL;
}

static void group_set_roles(group_t *g, const json_t *list)
{
    size_t i;
    const json_t *v;
    group_clear_roles(g);
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && g->n_roles < ROLES_MAX)
            g->roles[g->n_roles++] = dup_str(json_string_value(v));
    }
}

static void member_add(fl_access_t *m, const char *user_id, const char *group_id)
{
    memberships_t *ms = fl_strmap_get(&m->members, user_id);
    if (ms == NULL) {
        ms = calloc(1, sizeof(*ms));
        if (ms == NULL)
            fl_oom();
        fl_strmap_put(&m->members, user_id, ms);
    }
    for (size_t i = 0; i < ms->n; i++) {
        if (strcmp(ms->ids[i], group_id) == 0)
            return;
    }
    if (ms->n == ms->cap) {
        size_t cap = ms->cap > 0 ? ms->cap * 2 : 4;
        char **ids = realloc(ms->ids, cap * sizeof(*ids));
        if (ids == NULL)
            fl_oom();
        ms->ids = ids;
        ms->cap = cap;
    }
    ms->ids[ms->n++] = dup_str(group_id);
}

static void member_remove(fl_access_t *m, const char *user_id, const char *group_id)
{
    memberships_t *ms = fl_strmap_get(&m->members, user_id);
    for (size_t i = 0; ms != NULL && i < ms->n; i++) {
        if (strcmp(ms->ids[i], group_id) == 0) {
            free(ms->ids[i]);
            ms->ids[i] = ms->ids[--ms->n];
            break;
        }
    }
    if (ms != NULL && ms->n == 0)
        memberships_free(fl_strmap_del(&m->members, user_id));
}

static int apply_group(fl_access_t *m, const char *type, const json_t *data)
{
    const char *gid = str_at(data, "group_id");
    const char *uid = str_at(data, "user_id");
    bool added = strcmp(type, "group.member_added") == 0;
    if (added || strcmp(type, "group.member_removed") == 0) {
        if (gid == NULL || uid == NULL)
            return FL_ECORRUPT;
        if (added)
            member_add(m, uid, gid);
        else
            member_remove(m, uid, gid);
        return 0;
    }
    const char *id = str_at(data, "id");
    if (id == NULL)
        return strcmp(type, "group.member_role_changed") == 0 ? 0 : FL_ECORRUPT;
    group_t *g = fl_strmap_get(&m->groups, id);
    if (strcmp(type, "group.created") == 0) {
        if (g == NULL) {
            g = calloc(1, sizeof(*g));
            if (g == NULL)
                fl_oom();
            fl_strmap_put(&m->groups, id, g);
        }
        group_set_parent(g, json_object_get(data, "parent_id"));
        group_set_roles(g, json_object_get(data, "roles"));
    } else if (strcmp(type, "group.updated") == 0 && g != NULL) {
        const json_t *to = change_to(data, "parent_id");
        if (to != NULL)
            group_set_parent(g, to);
        if ((to = change_to(data, "roles")) != NULL)
            group_set_roles(g, to);
    } else if (strcmp(type, "group.deleted") == 0 && g != NULL) {
        size_t i;
        const json_t *v;
        json_array_foreach(json_object_get(data, "members"), i, v)
        {
            if (json_is_string(v))
                member_remove(m, json_string_value(v), id);
        }
        group_free(fl_strmap_del(&m->groups, id));
    }
    return 0;
}

int fl_access_apply(fl_access_t *m, const fl_event_t *ev)
{
    bool role = strncmp(ev->type, "role.", 5) == 0;
    bool group = strncmp(ev->type, "group.", 6) == 0;
    json_t *data = NULL;
    int rc = 0;

    if (role || group) {
        if (fl_codec_to_json(ev->data, ev->data_len, &data) < 0 || !json_is_object(data))
            rc = FL_ECORRUPT;
        else
            rc = role ? apply_role(m, ev->type, data) : apply_group(m, ev->type, data);
        json_decref(data);
    }
    if (ev->pos > m->pos)
        m->pos = ev->pos;
    return rc;
}

int fl_access_sync(fl_access_t *m, fl_log_t *log)
{
    fl_log_head_t head;
    int rc = fl_log_head(log, &head);
    if (rc < 0 || head.pos <= m->pos)
        return rc < 0 ? rc : 0;
    fl_log_query_t q = {.from = m->pos + 1, .to = head.pos};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    if ((rc = fl_log_cursor_open(log, &q, &cur)) < 0)
        return rc;
    /* An event whose data cannot be folded is passed over (counted): it
     * grants nothing, and stopping there would lock the tenant out. */
    while ((rc = fl_log_cursor_next(cur, &m->scratch, &ev)) == 1) {
        if (fl_access_apply(m, &ev) < 0)
            m->skipped++;
        fl_arena_reset(&m->scratch);
    }
    fl_log_cursor_close(cur);
    return rc < 0 ? rc : 0;
}

/* ----------------------------------------------------------------- queries */

bool fl_access_role_perms(const fl_access_t *m, const char *role, fl_perms_t *out)
{
    if (fl_rbac_system_role_perms(role, out))
        return true;
    const role_t *r = fl_strmap_get(&m->roles_by_name, role);
    if (r == NULL)
        return false;
    *out = r->perms;
    return true;
}

static void add_roles(const fl_access_t *m, const char *const *roles, size_t n, fl_perms_t *out)
{
    for (size_t i = 0; i < n; i++) {
        fl_perms_t p;
        if (fl_access_role_perms(m, roles[i], &p))
            fl_perms_union(out, &p);
    }
}

/* Adds the roles of group id and of its ancestors. */
static void add_group(const fl_access_t *m, const char *id, fl_perms_t *out)
{
    for (int depth = 0; id != NULL && depth <= FL_ACCESS_MAX_DEPTH; depth++) {
        const group_t *g = fl_strmap_get(&m->groups, id);
        if (g == NULL)
            return;
        add_roles(m, (const char *const *)g->roles, g->n_roles, out);
        id = g->parent;
    }
}

void fl_access_group_perms(const fl_access_t *m, const char *group_id, fl_perms_t *out)
{
    *out = (fl_perms_t){{0, 0}};
    add_group(m, group_id, out);
}

void fl_access_user_perms(const fl_access_t *m, const char *user_id, const char *const *roles,
                          size_t n_roles, fl_perms_t *out)
{
    *out = (fl_perms_t){{0, 0}};
    add_roles(m, roles, n_roles, out);
    const memberships_t *ms = user_id != NULL ? fl_strmap_get(&m->members, user_id) : NULL;
    for (size_t i = 0; ms != NULL && i < ms->n; i++)
        add_group(m, ms->ids[i], out);
}

bool fl_access_is_member(const fl_access_t *m, const char *user_id, const char *group_id)
{
    const memberships_t *ms = user_id != NULL ? fl_strmap_get(&m->members, user_id) : NULL;

    for (size_t i = 0; ms != NULL && group_id != NULL && i < ms->n; i++) {
        const char *id = ms->ids[i];
        for (int depth = 0; id != NULL && depth <= FL_ACCESS_MAX_DEPTH; depth++) {
            const group_t *g = fl_strmap_get(&m->groups, id);
            if (strcmp(id, group_id) == 0)
                return true;
            id = g != NULL ? g->parent : NULL;
        }
    }
    return false;
}

/*
 * Folds: events -> state for the group and name-claim aggregates. Event
 * types a fold does not know are skipped, so later versions may add events
 * that older code still reads. Strings and the member array go to the
 * fold's arena; the array doubles when full (the old one stays in the arena
 * until the entry goes, at most as large as the new one).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/claim.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

static const char *member_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A copy of a JSON string (NULL for null or absent) into *out. */
static int dup_value(fl_arena_t *a, const json_t *v, const char **out)
{
    const char *s = json_string_value(v);

    *out = s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
    return s != NULL && *out == NULL ? FL_ETOOBIG : 0;
}

static void copy_id(char dst[FL_UUID_LEN + 1], const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
}

/* Sets one field from a JSON value (a `to` of group.updated, or a created member). */
static int set_field(fl_group_state_t *g, fl_arena_t *a, unsigned flag, const json_t *v)
{
    switch (flag) {
    case FL_GROUP_F_NAME:
        return dup_value(a, v, &g->name);
    case FL_GROUP_F_DESCRIPTION:
        return dup_value(a, v, &g->description);
    case FL_GROUP_F_EMAIL:
        return dup_value(a, v, &g->email);
    case FL_GROUP_F_TYPE:
        g->type = fl_group_type_parse(json_string_value(v));
        break;
    case FL_GROUP_F_PARENT_ID:
        copy_id(g->parent_id, v);
        break;
    case FL_GROUP_F_MANAGER_ID:
        copy_id(g->manager_id, v);
        break;
    }
    return 0;
}

/* The role names of a JSON array (absent or null: none), as written: sorted, distinct. */
static int set_roles(fl_group_state_t *g, fl_arena_t *a, const json_t *arr)
{
    size_t i;
    json_t *v;

    g->n_roles = 0;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || g->n_roles == FL_GROUPS_MAX_ROLES)
            continue;
        if (dup_value(a, v, &g->roles[g->n_roles++]) < 0)
            return FL_ETOOBIG;
    }
    return 0;
}

static int apply_created(fl_group_state_t *g, fl_arena_t *a, const fl_event_t *ev,
                         const json_t *data)
{
    int rc = 0;

    copy_id(g->id, json_object_get(data, "id"));
    for (const fl__group_field_t *f = fl__group_fields; f->name != NULL && rc == 0; f++)
        rc = set_field(g, a, f->flag, json_object_get(data, f->name));
    g->exists = true;
    g->created_at = ev->ts;
    return rc == 0 ? set_roles(g, a, json_object_get(data, "roles")) : rc;
}

static int apply_updated(fl_group_state_t *g, fl_arena_t *a, const json_t *data)
{
    const json_t *changes = json_object_get(data, "changes");
    int rc = 0;

    for (const fl__group_field_t *f = fl__group_fields; f->name != NULL && rc == 0; f++) {
        const json_t *c = json_object_get(changes, f->name);
        if (c != NULL)
            rc = set_field(g, a, f->flag, json_object_get(c, "to"));
    }
    if (rc == 0 && json_object_get(changes, "roles") != NULL)
        rc = set_roles(g, a, json_object_get(json_object_get(changes, "roles"), "to"));
    return rc;
}

/* The slot of user_id in the sorted array: its index, or where it would go. */
static size_t member_slot(const fl_group_state_t *g, const char *user_id)
{
    size_t lo = 0, hi = g->n_members;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(g->members[mid].user_id, user_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int grow(fl_group_state_t *g, fl_arena_t *a)
{
    size_t cap = g->cap_members == 0 ? 8 : 2 * g->cap_members;
    fl_group_member_t *m = fl_arena_alloc(a, cap * sizeof(*m));

    if (m == NULL)
        return FL_ETOOBIG;
    if (g->n_members > 0)
        memcpy(m, g->members, g->n_members * sizeof(*m));
    g->members = m;
    g->cap_members = cap;
    return 0;
}

/* Adds or updates a member (a role change is an add of the same user). */
static int put_member(fl_group_state_t *g, fl_arena_t *a, const char *user_id, fl_group_role_t role,
                      fl_time_t ts)
{
    size_t i = member_slot(g, user_id);

    if (i < g->n_members && strcmp(g->members[i].user_id, user_id) == 0) {
        g->members[i].role = role;
        return 0;
    }
    if (g->n_members == g->cap_members && grow(g, a) < 0)
        return FL_ETOOBIG;
    memmove(&g->members[i + 1], &g->members[i], (g->n_members - i) * sizeof(*g->members));
    g->n_members++;
    snprintf(g->members[i].user_id, FL_UUID_LEN + 1, "%s", user_id);
    g->members[i].role = role;
    g->members[i].joined_at = ts;
    return 0;
}

static void drop_member(fl_group_state_t *g, const char *user_id)
{
    size_t i = member_slot(g, user_id);

    if (i == g->n_members || strcmp(g->members[i].user_id, user_id) != 0)
        return;
    memmove(&g->members[i], &g->members[i + 1], (g->n_members - i - 1) * sizeof(*g->members));
    g->n_members--;
}

static int member_event(fl_group_state_t *g, fl_arena_t *a, const fl_event_t *ev,
                        const json_t *data)
{
    const char *user = member_str(data, "user_id");
    const json_t *role = json_object_get(data, "role");

    if (user == NULL)
        return 0;
    if (strcmp(ev->type, "group.member_removed") == 0) {
        drop_member(g, user);
        return 0;
    }
    if (strcmp(ev->type, "group.member_role_changed") == 0)
        role = json_object_get(json_object_get(json_object_get(data, "changes"), "role"), "to");
    return put_member(g, a, user, fl_group_role_parse(json_string_value(role)), ev->ts);
}

static int group_apply(fl_group_state_t *g, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    const char *t = ev->type;

    if (strcmp(t, "group.created") == 0)
        return apply_created(g, a, ev, data);
    if (strcmp(t, "group.updated") == 0)
        return apply_updated(g, a, data);
    if (strcmp(t, "group.deleted") == 0) {
        g->deleted = true;
        g->deleted_at = ev->ts;
        g->n_members = 0; /* the members go with the group */
        return 0;
    }
    if (strncmp(t, "group.member_", 13) == 0)
        return member_event(g, a, ev, data);
    return 1; /* unknown: skipped */
}

static int group_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_group_state_t *g = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = group_apply(g, a, ev, data);
    if (rc == 0)
        g->updated_at = ev->ts;
    json_decref(data);
    g->version = ev->sv;
    return rc < 0 ? rc : 0;
}

static void group_init(void *state)
{
    memset(state, 0, sizeof(fl_group_state_t));
}

const fl_agg_type_t fl_group_agg = {
    .name = "group",
    .state_size = sizeof(fl_group_state_t),
    .init = group_init,
    .fold = group_fold,
};

static const fl_claim_kind_t name_claim = {"group.name_claimed", "group.name_released", "group_id"};

static int claim_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_group_name_claim_state_t *c = state;

    (void)a;
    return fl_claim_fold(&name_claim, ev, &c->claimed, &c->version, c->group_id);
}

static void claim_init(void *state)
{
    memset(state, 0, sizeof(fl_group_name_claim_state_t));
}

const fl_agg_type_t fl_group_name_claim_agg = {
    .name = "group-name-claim",
    .state_size = sizeof(fl_group_name_claim_state_t),
    .init = claim_init,
    .fold = claim_fold,
};

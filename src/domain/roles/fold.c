/*
 * Folds: events -> state for the role and role-name claim aggregates. Event
 * types a fold does not know are skipped, so later versions may add events
 * that older code still reads. Strings go to the fold's arena.
 *
 * A system role's permissions are the code's grants (the seed event names
 * none), so a release that changes the grant table changes them without an
 * event; a custom role's are what its events say.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/claim.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

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

static void set_perms(fl_role_state_t *r, const json_t *arr)
{
    if (r->is_system && r->name != NULL && fl_rbac_system_role_perms(r->name, &r->perms))
        return;
    (void)fl__roles_perms_from_json(arr, &r->perms); /* unknown names grant nothing */
}

static int apply_created(fl_role_state_t *r, fl_arena_t *a, const fl_event_t *ev,
                         const json_t *data)
{
    int rc;

    copy_id(r->id, json_object_get(data, "id"));
    r->exists = true;
    r->is_system = json_is_true(json_object_get(data, "is_system"));
    r->created_at = ev->ts;
    rc = dup_value(a, json_object_get(data, "name"), &r->name);
    if (rc == 0)
        rc = dup_value(a, json_object_get(data, "display_name"), &r->display_name);
    if (rc == 0)
        rc = dup_value(a, json_object_get(data, "description"), &r->description);
    set_perms(r, json_object_get(data, "permissions"));
    return rc;
}

static int apply_updated(fl_role_state_t *r, fl_arena_t *a, const json_t *data)
{
    const json_t *changes = json_object_get(data, "changes");
    const json_t *c;
    int rc = 0;

    if ((c = json_object_get(changes, "display_name")) != NULL)
        rc = dup_value(a, json_object_get(c, "to"), &r->display_name);
    if (rc == 0 && (c = json_object_get(changes, "description")) != NULL)
        rc = dup_value(a, json_object_get(c, "to"), &r->description);
    if ((c = json_object_get(changes, "permissions")) != NULL)
        set_perms(r, json_object_get(c, "to"));
    return rc;
}

static int role_apply(fl_role_state_t *r, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    if (strcmp(ev->type, "role.created") == 0)
        return apply_created(r, a, ev, data);
    if (strcmp(ev->type, "role.updated") == 0)
        return apply_updated(r, a, data);
    if (strcmp(ev->type, "role.deleted") == 0) {
        r->deleted = true;
        r->deleted_at = ev->ts;
        return 0;
    }
    return 1; /* unknown: skipped */
}

static int role_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_role_state_t *r = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = role_apply(r, a, ev, data);
    if (rc == 0)
        r->updated_at = ev->ts;
    json_decref(data);
    r->version = ev->sv;
    return rc < 0 ? rc : 0;
}

static void role_init(void *state)
{
    memset(state, 0, sizeof(fl_role_state_t));
}

const fl_agg_type_t fl_role_agg = {
    .name = "role",
    .state_size = sizeof(fl_role_state_t),
    .init = role_init,
    .fold = role_fold,
};

static const fl_claim_kind_t name_claim = {"role.name_claimed", "role.name_released", "role_id"};

static int claim_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_role_name_claim_state_t *c = state;

    (void)a;
    return fl_claim_fold(&name_claim, ev, &c->claimed, &c->version, c->role_id);
}

static void claim_init(void *state)
{
    memset(state, 0, sizeof(fl_role_name_claim_state_t));
}

const fl_agg_type_t fl_role_name_claim_agg = {
    .name = "role-name-claim",
    .state_size = sizeof(fl_role_name_claim_state_t),
    .init = claim_init,
    .fold = claim_fold,
};

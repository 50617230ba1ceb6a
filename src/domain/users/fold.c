/*
 * Folds: events -> state for the user, email-claim and role aggregates.
 * Event types a fold does not know are skipped, so later versions may add
 * events that older code still reads. Strings go to the fold's arena.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

/* A copy of a string member; NULL when it is absent or null. */
static int dup_member(fl_arena_t *a, const json_t *obj, const char *key, const char **out)
{
    const char *s = json_string_value(json_object_get(obj, key));

    *out = NULL;
    if (s == NULL)
        return 0;
    *out = fl_arena_strndup(a, s, strlen(s));
    return *out != NULL ? 0 : FL_ETOOBIG;
}

static void copy_id(char dst[FL_UUID_LEN + 1], const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    snprintf(dst, FL_UUID_LEN + 1, "%s", s != NULL ? s : "");
}

static int set_roles(fl_user_state_t *u, fl_arena_t *a, const json_t *arr)
{
    size_t i;
    json_t *v;

    u->n_roles = 0;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || u->n_roles == FL_USERS_MAX_ROLES)
            continue;
        u->roles[u->n_roles] = fl_arena_strndup(a, s, strlen(s));
        if (u->roles[u->n_roles++] == NULL)
            return FL_ETOOBIG;
    }
    return 0;
}

/* Sets one profile field from a JSON value (a `to` of user.updated, or a created member). */
static int set_field(fl_user_state_t *u, fl_arena_t *a, unsigned flag, const json_t *v)
{
    const char *s = json_string_value(v);
    const char *copy = s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;

    if (s != NULL && copy == NULL)
        return FL_ETOOBIG;
    switch (flag) {
    case FL_USER_F_EMAIL:
        u->email = copy;
        break;
    case FL_USER_F_NAME:
        u->name = copy;
        break;
    case FL_USER_F_PHONE:
        u->phone = copy;
        break;
    case FL_USER_F_TIMEZONE:
        u->timezone = copy;
        break;
    case FL_USER_F_AVATAR_URL:
        u->avatar_url = copy;
        break;
    case FL_USER_F_STATUS:
        u->status = fl_user_status_parse(s);
        break;
    case FL_USER_F_ROLES:
        return set_roles(u, a, v);
    }
    return 0;
}

static int apply_created(fl_user_state_t *u, fl_arena_t *a, const fl_event_t *ev, json_t *data)
{
    int rc = 0;

    copy_id(u->id, data, "id");
    for (const fl__user_field_t *f = fl__user_fields; f->name != NULL && rc == 0; f++)
        rc = set_field(u, a, f->flag, json_object_get(data, f->name));
    if (rc == 0)
        rc = dup_member(a, data, "password_hash", &u->password_hash);
    u->exists = true;
    u->created_at = ev->ts;
    return rc;
}

static int apply_updated(fl_user_state_t *u, fl_arena_t *a, json_t *data)
{
    const json_t *changes = json_object_get(data, "changes");
    int rc = 0;

    for (const fl__user_field_t *f = fl__user_fields; f->name != NULL && rc == 0; f++) {
        const json_t *c = json_object_get(changes, f->name);
        if (c != NULL)
            rc = set_field(u, a, f->flag, json_object_get(c, "to"));
    }
    return rc;
}

static int user_apply(fl_user_state_t *u, fl_arena_t *a, const fl_event_t *ev, json_t *data)
{
    const char *t = ev->type;

    if (strcmp(t, "user.created") == 0)
        return apply_created(u, a, ev, data);
    if (strcmp(t, "user.updated") == 0)
        return apply_updated(u, a, data);
    if (strcmp(t, "user.deactivated") == 0) {
        u->status = FL_USER_INACTIVE;
        u->tokens_valid_after = ev->ts;
        return 0;
    }
    if (strcmp(t, "user.password_changed") == 0) {
        u->tokens_valid_after = ev->ts;
        return dup_member(a, data, "password_hash", &u->password_hash);
    }
    return 1; /* not a change of the profile (user.logged_in, unknown types) */
}

static int user_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_user_state_t *u = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = user_apply(u, a, ev, data);
    if (rc == 0)
        u->updated_at = ev->ts;
    else if (rc == 1 && strcmp(ev->type, "user.logged_in") == 0)
        u->last_login_at = ev->ts;
    json_decref(data);
    u->version = ev->sv;
    return rc < 0 ? rc : 0;
}

static void user_init(void *state)
{
    memset(state, 0, sizeof(fl_user_state_t));
}

const fl_agg_type_t fl_user_agg = {
    .name = "user",
    .state_size = sizeof(fl_user_state_t),
    .init = user_init,
    .fold = user_fold,
};

static int claim_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_email_claim_state_t *c = state;
    json_t *data = NULL;
    int rc;

    (void)a;
    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "user.email_claimed") == 0) {
        c->claimed = true;
        copy_id(c->user_id, data, "user_id");
    } else if (strcmp(ev->type, "user.email_released") == 0) {
        c->claimed = false;
        c->user_id[0] = '\0';
    }
    json_decref(data);
    c->version = ev->sv;
    return 0;
}

static void claim_init(void *state)
{
    memset(state, 0, sizeof(fl_email_claim_state_t));
}

const fl_agg_type_t fl_email_claim_agg = {
    .name = "email-claim",
    .state_size = sizeof(fl_email_claim_state_t),
    .init = claim_init,
    .fold = claim_fold,
};

static int role_apply(fl_role_state_t *r, fl_arena_t *a, const fl_event_t *ev, json_t *data)
{
    int rc;

    copy_id(r->id, data, "id");
    r->exists = true;
    r->is_system = json_is_true(json_object_get(data, "is_system"));
    r->created_at = ev->ts;
    rc = dup_member(a, data, "name", &r->name);
    if (rc == 0)
        rc = dup_member(a, data, "display_name", &r->display_name);
    if (rc == 0)
        rc = dup_member(a, data, "description", &r->description);
    return rc;
}

static int role_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_role_state_t *r = state;
    json_t *data = NULL;
    int rc = 0;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "role.created") == 0)
        rc = role_apply(r, a, ev, data);
    json_decref(data);
    r->version = ev->sv;
    return rc;
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

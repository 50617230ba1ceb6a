/*
 * Folds: events -> state for the user and email-claim aggregates.
 * Event types a fold does not know are skipped, so later versions may add
 * events that older code still reads. Strings go to the fold's arena.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/claim.h"
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

/* A reset request is not an edit of the profile: updated_at stays (returns 1, as for sign-ins). */
static int apply_reset_requested(fl_user_state_t *u, fl_arena_t *a, json_t *data)
{
    const char *exp = json_string_value(json_object_get(data, "expires_at"));
    fl_time_t at = 0;
    int rc = dup_member(a, data, "token_hash", &u->reset_hash);

    u->reset_expires_at = exp != NULL && fl_time_parse(exp, &at) == 0 ? at : 0;
    return rc < 0 ? rc : 1;
}

/* A new password (changed, or reset with a token): earlier tokens and any pending reset end. */
static int apply_new_password(fl_user_state_t *u, fl_arena_t *a, const fl_event_t *ev, json_t *data)
{
    u->tokens_valid_after = ev->ts;
    u->reset_hash = NULL;
    u->reset_expires_at = 0;
    return dup_member(a, data, "password_hash", &u->password_hash);
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
        u->reset_hash = NULL;
        return 0;
    }
    if (strcmp(t, "user.password_changed") == 0 || strcmp(t, "user.password_reset") == 0)
        return apply_new_password(u, a, ev, data);
    if (strcmp(t, "user.password_reset_requested") == 0)
        return apply_reset_requested(u, a, data);
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

static const fl_claim_kind_t email_claim = {"user.email_claimed", "user.email_released", "user_id"};

static int claim_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_email_claim_state_t *c = state;

    (void)a;
    return fl_claim_fold(&email_claim, ev, &c->claimed, &c->version, c->user_id);
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

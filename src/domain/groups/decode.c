/*
 * JSON bodies -> commands. Every problem of a body is collected, so the
 * client learns all of them at once; the field named is the body's key.
 * Strings are copied into the request's arena: the body is freed first.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/roles.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_group_fields_t *f;
    const char *const *known; /* role names `roles` may hold */
    size_t n_known;
} dec_t;

typedef void (*field_fn)(dec_t *c, const char *field, const json_t *v);

typedef struct field {
    const char *name;
    unsigned flag;
    bool nullable; /* null clears the field */
    field_fn fn;
} field_t;

/* A copy of a string value of at most max bytes, or NULL after recording why not. */
static const char *want_str(fl_arena_t *a, fl_decision_t *d, const char *field, const json_t *v,
                            size_t max)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    const char *copy;

    if (s == NULL) {
        fl_decision_field(d, field, "must be a string");
        return NULL;
    }
    if (len > max || strlen(s) != len) {
        fl_decision_field(d, field, len > max ? "is too long" : "must not contain NUL");
        return NULL;
    }
    copy = fl_arena_strndup(a, s, len);
    if (copy == NULL)
        fl_decision_field(d, field, "is too long");
    return copy;
}

static void dec_name(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c->a, c->d, field, v, 4 * FL_GROUPS_NAME_MAX);

    if (s == NULL)
        return;
    if (s[strspn(s, " \t")] == '\0')
        fl_decision_field(c->d, field, "must not be blank");
    else if (fl__groups_utf8_chars(s) > FL_GROUPS_NAME_MAX)
        fl_decision_field(c->d, field, "must be at most 255 characters");
    else if (fl__groups_has_control(s, strlen(s), false))
        fl_decision_field(c->d, field, "must not contain control characters");
    else
        c->f->name = s;
}

static void dec_description(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c->a, c->d, field, v, 4 * FL_GROUPS_DESC_MAX);

    if (s == NULL)
        return;
    if (fl__groups_utf8_chars(s) > FL_GROUPS_DESC_MAX)
        fl_decision_field(c->d, field, "must be at most 4000 characters");
    else if (fl__groups_has_control(s, strlen(s), true))
        fl_decision_field(c->d, field, "must not contain control characters");
    else
        c->f->description = s;
}

static void dec_type(dec_t *c, const char *field, const json_t *v)
{
    fl_group_type_t t = fl_group_type_parse(json_string_value(v));

    if (t == FL_GROUP_TYPE_NONE)
        fl_decision_field(c->d, field, "must be team, department or distribution");
    else
        c->f->type = t;
}

/* A uuid, kept lowercased so that equal ids compare equal as strings. */
static const char *want_uuid(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c->a, c->d, field, v, FL_UUID_LEN);
    char *lower;

    if (s == NULL)
        return NULL;
    if (!fl_uuid_is_valid(s)) {
        fl_decision_field(c->d, field, "must be a UUID");
        return NULL;
    }
    lower = (char *)s;
    for (; *lower != '\0'; lower++) {
        if (*lower >= 'A' && *lower <= 'F')
            *lower = (char)(*lower - 'A' + 'a');
    }
    return s;
}

static void dec_parent_id(dec_t *c, const char *field, const json_t *v)
{
    c->f->parent_id = want_uuid(c, field, v);
}

static void dec_manager_id(dec_t *c, const char *field, const json_t *v)
{
    c->f->manager_id = want_uuid(c, field, v);
}

static void dec_email(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c->a, c->d, field, v, FL_GROUPS_EMAIL_MAX);

    if (s != NULL && !fl__groups_email_ok(s, strlen(s)))
        fl_decision_field(c->d, field, "must be a valid email address");
    else if (s != NULL)
        c->f->email = s;
}

static void dec_roles(dec_t *c, const char *field, const json_t *v)
{
    fl_roles_decode_names(v, field, c->known, c->n_known, FL_GROUPS_MAX_ROLES, c->a, c->f->roles,
                          &c->f->n_roles, c->d);
}

static const field_t fields[] = {
    {"name", FL_GROUP_F_NAME, false, dec_name},
    {"description", FL_GROUP_F_DESCRIPTION, true, dec_description},
    {"type", FL_GROUP_F_TYPE, false, dec_type},
    {"parent_id", FL_GROUP_F_PARENT_ID, true, dec_parent_id},
    {"manager_id", FL_GROUP_F_MANAGER_ID, true, dec_manager_id},
    {"email", FL_GROUP_F_EMAIL, true, dec_email},
    {"roles", FL_GROUP_F_ROLES, false, dec_roles},
};

/* An unknown key is named as the client spelt it (a copy, the body is freed first). */
static void unknown_field(fl_arena_t *a, fl_decision_t *d, const char *key)
{
    const char *copy = fl_arena_strndup(a, key, strnlen(key, 200));

    fl_decision_field(d, copy != NULL ? copy : "?", "is not a known field");
}

static void dec_one(dec_t *c, const char *key, const json_t *v)
{
    const field_t *f = NULL;

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && f == NULL; i++) {
        if (strcmp(fields[i].name, key) == 0)
            f = &fields[i];
    }
    if (f == NULL) {
        unknown_field(c->a, c->d, key);
        return;
    }
    c->f->set |= f->flag;
    if (json_is_null(v) && f->nullable)
        return;
    if (json_is_null(v))
        fl_decision_field(c->d, f->name, "must not be null");
    else
        f->fn(c, f->name, v);
}

static int dec_body(dec_t *c, const json_t *body)
{
    const char *key;
    json_t *v;

    memset(c->f, 0, sizeof(*c->f));
    if (!json_is_object(body)) {
        fl_decision_field(c->d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_one(c, key, v);
    return fl_decision_failed(c->d) ? FL_EINVAL : 0;
}

int fl_groups_decode_create(const json_t *body, const char *const *known_roles, size_t n_known,
                            fl_arena_t *a, fl_group_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, &cmd->f, known_roles, n_known};

    if (dec_body(&c, body) < 0 && !json_is_object(body))
        return FL_EINVAL;
    if (!(cmd->f.set & FL_GROUP_F_NAME))
        fl_decision_field(d, "name", "is required");
    if (!(cmd->f.set & FL_GROUP_F_TYPE)) {
        cmd->f.set |= FL_GROUP_F_TYPE;
        cmd->f.type = FL_GROUP_TEAM;
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_groups_decode_update(const json_t *body, const char *const *known_roles, size_t n_known,
                            fl_arena_t *a, fl_group_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, &cmd->f, known_roles, n_known};

    return dec_body(&c, body);
}

static void dec_member_one(dec_t *c, fl_group_member_cmd_t *cmd, const char *key, const json_t *v)
{
    if (strcmp(key, "user_id") == 0) {
        cmd->user_id = json_is_null(v) ? NULL : want_uuid(c, "user_id", v);
        if (json_is_null(v))
            fl_decision_field(c->d, "user_id", "must not be null");
    } else if (strcmp(key, "role") == 0) {
        cmd->role = fl_group_role_parse(json_string_value(v));
        if (cmd->role == FL_GROUP_ROLE_NONE)
            fl_decision_field(c->d, "role", "must be member or lead");
    } else {
        unknown_field(c->a, c->d, key);
    }
}

int fl_groups_decode_member(const json_t *body, fl_arena_t *a, fl_group_member_cmd_t *cmd,
                            fl_decision_t *d)
{
    fl_group_fields_t unused;
    dec_t c = {a, d, &unused, NULL, 0};
    const char *key;
    json_t *v;

    memset(cmd, 0, sizeof(*cmd));
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_member_one(&c, cmd, key, v);
    if (json_object_get(body, "user_id") == NULL)
        fl_decision_field(d, "user_id", "is required");
    if (json_object_get(body, "role") == NULL)
        cmd->role = FL_GROUP_MEMBER;
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

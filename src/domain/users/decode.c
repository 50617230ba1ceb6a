/*
 * JSON bodies -> commands. Every problem of a body is collected, so the
 * client learns all of them at once; the field named is the body's key.
 * Strings are copied into the request's arena: the body is freed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_user_fields_t *f;
    const char *const *known; /* role names a body may grant */
    size_t n_known;
    const char **password; /* where "password" goes; NULL when the body may not hold one */
} dec_t;

typedef void (*field_fn)(dec_t *c, const char *field, const json_t *v);

typedef struct field {
    const char *name;
    unsigned flag;
    bool nullable; /* null clears the field */
    field_fn fn;
} field_t;

/* A copy of a string value of at most max bytes, or NULL after recording why not. */
static const char *want_str(dec_t *c, const char *field, const json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    const char *copy;

    if (s == NULL) {
        fl_decision_field(c->d, field, "must be a string");
        return NULL;
    }
    if (len > max || strlen(s) != len) {
        fl_decision_field(c->d, field, len > max ? "is too long" : "must not contain NUL");
        return NULL;
    }
    copy = fl_arena_strndup(c->a, s, len);
    if (copy == NULL)
        fl_decision_field(c->d, field, "is too long");
    return copy;
}

static void dec_email(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c, field, v, FL_USERS_EMAIL_MAX);

    if (s != NULL && !fl__users_email_ok(s, strlen(s)))
        fl_decision_field(c->d, field, "must be a valid email address");
    else if (s != NULL)
        c->f->email = s;
}

static void dec_name(dec_t *c, const char *field, const json_t *v)
{
    /* 4 bytes per character at most: the byte bound only spares counting huge strings. */
    const char *s = want_str(c, field, v, 4 * FL_USERS_NAME_MAX);

    if (s == NULL)
        return;
    if (s[strspn(s, " \t")] == '\0')
        fl_decision_field(c->d, field, "must not be blank");
    else if (fl__utf8_chars(s) > FL_USERS_NAME_MAX)
        fl_decision_field(c->d, field, "must be at most 255 characters");
    else if (fl__has_control(s, strlen(s)))
        fl_decision_field(c->d, field, "must not contain control characters");
    else
        c->f->name = s;
}

static void dec_phone(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c, field, v, 4 * FL_USERS_PHONE_MAX);

    if (s == NULL)
        return;
    if (*s == '\0')
        fl_decision_field(c->d, field, "must not be empty (null clears it)");
    else if (fl__utf8_chars(s) > FL_USERS_PHONE_MAX)
        fl_decision_field(c->d, field, "must be at most 50 characters");
    else if (fl__has_control(s, strlen(s)))
        fl_decision_field(c->d, field, "must not contain control characters");
    else
        c->f->phone = s;
}

static void dec_timezone(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c, field, v, FL_USERS_TZ_MAX);

    if (s != NULL && !fl__users_tz_ok(s, strlen(s)))
        fl_decision_field(c->d, field, "must be a time zone of the tz database");
    else if (s != NULL)
        c->f->timezone = s;
}

static void dec_avatar_url(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c, field, v, FL_USERS_URL_MAX);

    if (s != NULL && !fl__users_url_ok(s, strlen(s)))
        fl_decision_field(c->d, field, "must be an http or https URL");
    else if (s != NULL)
        c->f->avatar_url = s;
}

static void dec_status(dec_t *c, const char *field, const json_t *v)
{
    fl_user_status_t st = fl_user_status_parse(json_string_value(v));

    if (st == FL_USER_NONE)
        fl_decision_field(c->d, field, "must be active or inactive");
    else
        c->f->status = st;
}

static const char *known_role(const dec_t *c, const char *name)
{
    for (size_t i = 0; i < c->n_known; i++) {
        if (strcmp(c->known[i], name) == 0)
            return c->known[i];
    }
    return NULL;
}

/* "unknown role: x", the name cut at 100 bytes; a generic message for non-strings. */
static const char *unknown_role_message(dec_t *c, const json_t *e)
{
    static const char generic[] = "must be the name of an existing role";
    const char *s = json_string_value(e);
    size_t len = sizeof("unknown role: ") + FL_USERS_ROLE_MAX + 1;
    char *msg = s != NULL ? fl_arena_alloc(c->a, len) : NULL;

    if (msg == NULL || strlen(s) != json_string_length(e))
        return generic;
    snprintf(msg, len, "unknown role: %.100s", s);
    return msg;
}

/* "roles[i]", in the arena (the field itself past its budget). */
static const char *element_field(fl_arena_t *a, const char *field, size_t i)
{
    size_t len = strlen(field) + 24;
    char *f = fl_arena_alloc(a, len);

    if (f == NULL)
        return field;
    snprintf(f, len, "%s[%zu]", field, i);
    return f;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorted and without repeats, so that equal sets compare equal. */
static size_t sort_unique(const char **names, size_t n)
{
    size_t out = 0;

    qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (out == 0 || strcmp(names[out - 1], names[i]) != 0)
            names[out++] = names[i];
    }
    return out;
}

static void dec_roles(dec_t *c, const char *field, const json_t *v)
{
    const char *names[FL_USERS_MAX_ROLES];
    size_t i, n = 0;
    json_t *e;

    if (!json_is_array(v) || json_array_size(v) > FL_USERS_MAX_ROLES) {
        fl_decision_field(c->d, field,
                          json_is_array(v) ? "must hold at most 16 roles" : "must be an array");
        return;
    }
    json_array_foreach(v, i, e)
    {
        const char *known = known_role(c, json_is_string(e) ? json_string_value(e) : "");
        if (known == NULL)
            fl_decision_field(c->d, element_field(c->a, field, i), unknown_role_message(c, e));
        else
            names[n++] = known;
    }
    n = sort_unique(names, n);
    memcpy(c->f->roles, names, n * sizeof(*names));
    c->f->n_roles = n;
}

static void dec_password(dec_t *c, const char *field, const json_t *v)
{
    const char *s = want_str(c, field, v, FL_USERS_PASSWORD_MAX);

    if (s != NULL && fl_users_check_password(s, NULL, field, c->d))
        *c->password = s;
}

static const field_t fields[] = {
    {"email", FL_USER_F_EMAIL, false, dec_email},
    {"name", FL_USER_F_NAME, false, dec_name},
    {"phone", FL_USER_F_PHONE, true, dec_phone},
    {"timezone", FL_USER_F_TIMEZONE, false, dec_timezone},
    {"avatar_url", FL_USER_F_AVATAR_URL, true, dec_avatar_url},
    {"status", FL_USER_F_STATUS, false, dec_status},
    {"roles", FL_USER_F_ROLES, false, dec_roles},
    {"password", 0, false, dec_password},
};

static const field_t *find_field(const dec_t *c, const char *key)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].name, key) == 0)
            return fields[i].flag == 0 && c->password == NULL ? NULL : &fields[i];
    }
    return NULL;
}

/* An unknown key is named as the client spelt it (a copy, the body is freed first). */
static void unknown_field(dec_t *c, const char *key)
{
    const char *copy = fl_arena_strndup(c->a, key, strnlen(key, 200));

    fl_decision_field(c->d, copy != NULL ? copy : "?", "is not a known field");
}

static void dec_one(dec_t *c, const char *key, const json_t *v)
{
    const field_t *f = find_field(c, key);

    if (f == NULL) {
        unknown_field(c, key);
        return;
    }
    c->f->set |= f->flag;
    if (json_is_null(v) && f->nullable)
        return;
    if (json_is_null(v)) {
        fl_decision_field(c->d, f->name, "must not be null");
        return;
    }
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

int fl_users_decode_create(const json_t *body, const char *const *known_roles, size_t n_known,
                           fl_arena_t *a, fl_user_create_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, &cmd->f, known_roles, n_known, &cmd->password};

    cmd->password = NULL;
    if (dec_body(&c, body) < 0 && !json_is_object(body))
        return FL_EINVAL;
    if (!(cmd->f.set & FL_USER_F_EMAIL))
        fl_decision_field(d, "email", "is required");
    if (!(cmd->f.set & FL_USER_F_NAME))
        fl_decision_field(d, "name", "is required");
    if (cmd->password != NULL && cmd->f.email != NULL)
        fl_users_check_password(cmd->password, cmd->f.email, "password", d);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_users_decode_update(const json_t *body, const char *const *known_roles, size_t n_known,
                           fl_arena_t *a, fl_user_update_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, &cmd->f, known_roles, n_known, NULL};

    cmd->by_admin = false;
    return dec_body(&c, body);
}

static const char *want_password(const json_t *body, const char *key, fl_arena_t *a,
                                 fl_decision_t *d)
{
    const json_t *v = json_object_get(body, key);
    dec_t c = {a, d, NULL, NULL, 0, NULL};

    if (v == NULL || json_is_null(v))
        return NULL;
    return want_str(&c, key, v, FL_USERS_PASSWORD_MAX);
}

int fl_users_decode_password(const json_t *body, fl_arena_t *a, fl_user_password_cmd_t *cmd,
                             fl_decision_t *d)
{
    const char *key;
    json_t *v;

    memset(cmd, 0, sizeof(*cmd));
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        dec_t c = {a, d, NULL, NULL, 0, NULL};
        if (strcmp(key, "current_password") != 0 && strcmp(key, "new_password") != 0)
            unknown_field(&c, key);
    }
    cmd->current_password = want_password(body, "current_password", a, d);
    cmd->new_password = want_password(body, "new_password", a, d);
    v = json_object_get(body, "new_password");
    if (v == NULL || json_is_null(v))
        fl_decision_field(d, "new_password", "is required");
    else if (cmd->new_password != NULL)
        fl_users_check_password(cmd->new_password, NULL, "new_password", d);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* ---------------------------------------------------------- password reset */

/* Names every key of body not in allowed (NULL-terminated); false when body is no object. */
static bool only_fields(const json_t *body, const char *const *allowed, dec_t *c)
{
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        fl_decision_field(c->d, NULL, "the body must be a JSON object");
        return false;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i] == NULL)
            unknown_field(c, key);
    }
    return true;
}

/* A required string member of at most max bytes, copied; NULL after recording why not. */
static const char *required_str(dec_t *c, const json_t *body, const char *key, size_t max)
{
    const json_t *v = json_object_get(body, key);

    if (v == NULL || json_is_null(v)) {
        fl_decision_field(c->d, key, "is required");
        return NULL;
    }
    return want_str(c, key, v, max);
}

int fl_users_decode_forgot(const json_t *body, fl_arena_t *a, fl_user_forgot_cmd_t *cmd,
                           fl_decision_t *d)
{
    static const char *const allowed[] = {"tenant", "email", NULL};
    fl_user_fields_t f = {0};
    dec_t c = {a, d, &f, NULL, 0, NULL};

    memset(cmd, 0, sizeof(*cmd));
    if (!only_fields(body, allowed, &c))
        return FL_EINVAL;
    cmd->tenant = required_str(&c, body, "tenant", FL_STORE_SLUG_MAX);
    if (json_object_get(body, "email") == NULL)
        fl_decision_field(d, "email", "is required");
    else
        dec_email(&c, "email", json_object_get(body, "email"));
    cmd->email = f.email;
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_users_decode_reset(const json_t *body, fl_arena_t *a, fl_user_reset_cmd_t *cmd,
                          fl_decision_t *d)
{
    static const char *const allowed[] = {"token", "new_password", NULL};
    dec_t c = {a, d, NULL, NULL, 0, NULL};

    memset(cmd, 0, sizeof(*cmd));
    if (!only_fields(body, allowed, &c))
        return FL_EINVAL;
    cmd->token = required_str(&c, body, "token", FL_USERS_RESET_TOKEN_MAX - 1);
    cmd->new_password = required_str(&c, body, "new_password", FL_USERS_PASSWORD_MAX);
    if (cmd->new_password != NULL)
        fl_users_check_password(cmd->new_password, NULL, "new_password", d);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

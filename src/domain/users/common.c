/*
 * What the other files of the module share: field names, stream names,
 * status names and small JSON helpers.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

const char *const fl_users_system_roles[FL_USERS_N_SYSTEM_ROLES] = {"admin", "manager", "agent",
                                                                    "requester"};

const fl__user_field_t fl__user_fields[] = {
    {"email", FL_USER_F_EMAIL},           {"name", FL_USER_F_NAME},
    {"phone", FL_USER_F_PHONE},           {"timezone", FL_USER_F_TIMEZONE},
    {"avatar_url", FL_USER_F_AVATAR_URL}, {"status", FL_USER_F_STATUS},
    {"roles", FL_USER_F_ROLES},           {NULL, 0},
};

const char *fl_user_status_name(fl_user_status_t s)
{
    switch (s) {
    case FL_USER_ACTIVE:
        return "active";
    case FL_USER_INACTIVE:
        return "inactive";
    case FL_USER_NONE:
        break;
    }
    return "";
}

fl_user_status_t fl_user_status_parse(const char *s)
{
    if (s != NULL && strcmp(s, "active") == 0)
        return FL_USER_ACTIVE;
    if (s != NULL && strcmp(s, "inactive") == 0)
        return FL_USER_INACTIVE;
    return FL_USER_NONE;
}

const char *fl__user_text(const fl_user_state_t *u, unsigned flag)
{
    switch (flag) {
    case FL_USER_F_EMAIL:
        return u->email;
    case FL_USER_F_NAME:
        return u->name;
    case FL_USER_F_PHONE:
        return u->phone;
    case FL_USER_F_TIMEZONE:
        return u->timezone;
    case FL_USER_F_AVATAR_URL:
        return u->avatar_url;
    case FL_USER_F_STATUS:
        return fl_user_status_name(u->status);
    }
    return NULL;
}

const char *fl__fields_text(const fl_user_fields_t *f, unsigned flag)
{
    switch (flag) {
    case FL_USER_F_EMAIL:
        return f->email;
    case FL_USER_F_NAME:
        return f->name;
    case FL_USER_F_PHONE:
        return f->phone;
    case FL_USER_F_TIMEZONE:
        return f->timezone;
    case FL_USER_F_AVATAR_URL:
        return f->avatar_url;
    case FL_USER_F_STATUS:
        return fl_user_status_name(f->status);
    }
    return NULL;
}

char *fl__users_lower(fl_arena_t *a, const char *s)
{
    char *out = fl_arena_strndup(a, s, strlen(s));

    for (char *p = out; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

char *fl_users_stream(fl_arena_t *a, const char *user_id)
{
    return fl_arena_concat(a, "user:", user_id);
}

char *fl_users_email_stream(fl_arena_t *a, const char *email)
{
    char *lower = fl__users_lower(a, email);

    return lower == NULL ? NULL : fl_arena_concat(a, "email:", lower);
}

json_t *fl__users_jnames(const char *const *names, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(names[i]));
    return arr;
}

bool fl__users_same_roles(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        if (strcmp(a[i], b[i]) != 0)
            return false;
    }
    return true;
}

/* Each element double-quoted with backslash before " and \: safe for any name. */
char *fl__users_pg_array(fl_arena_t *a, const char *const *names, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(names[i]) + 3;
    char *out = fl_arena_alloc(a, cap), *p = out;
    if (out == NULL)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = names[i]; *s != '\0'; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

/*
 * JWT iat has whole seconds, so the comparison is per second: a token issued
 * in the same second as a password change stays valid (issuing fresh tokens
 * right after the change must work).
 */
bool fl_user_token_is_valid(const fl_user_state_t *u, fl_time_t iat)
{
    const fl_time_t s = 1000000;

    return u->exists && u->status == FL_USER_ACTIVE && iat / s >= u->tokens_valid_after / s;
}

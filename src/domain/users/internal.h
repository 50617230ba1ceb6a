/*
 * Internals shared by the files of src/domain/users/; no other folder
 * includes this.
 */
#ifndef FIRELATER_DOMAIN_USERS_INTERNAL_H
#define FIRELATER_DOMAIN_USERS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/users.h"

/* A profile field: its JSON name and flag, in the order events and responses list them. */
typedef struct fl__user_field {
    const char *name;
    unsigned flag;
} fl__user_field_t;

/* email, name, phone, timezone, avatar_url, status, roles: NULL-name terminated. */
extern const fl__user_field_t fl__user_fields[];

/* The string value of a text field of u or f (phone/avatar_url may be NULL). */
const char *fl__user_text(const fl_user_state_t *u, unsigned flag);
const char *fl__fields_text(const fl_user_fields_t *f, unsigned flag);

/* A NUL-terminated copy of s in the arena, lowercased (ASCII); NULL past the budget. */
char *fl__users_lower(fl_arena_t *a, const char *s);

/* json_string(s), or json_null() when s is NULL. */

/* A JSON array of the names. */
json_t *fl__users_jnames(const char *const *names, size_t n);

/* Same role sets (both sorted and distinct). */
bool fl__users_same_roles(const char *const *a, size_t na, const char *const *b, size_t nb);

/* t as RFC 3339 in a new JSON string, or null when t is 0. */

/* A PostgreSQL text[] literal of the names ("{"a","b"}"), in the arena. */
char *fl__users_pg_array(fl_arena_t *a, const char *const *names, size_t n);

/* Field rules (validate.c). Lengths are in bytes; an embedded NUL fails every rule. */
bool fl__users_email_ok(const char *s, size_t len);
bool fl__users_role_name_ok(const char *s);       /* [a-z0-9_-]{1,100} */
bool fl__users_tz_ok(const char *s, size_t len);  /* reads /usr/share/zoneinfo */
bool fl__users_url_ok(const char *s, size_t len); /* http(s)://host... */
size_t fl__utf8_chars(const char *s);             /* code points (UTF-8 is valid) */
bool fl__has_control(const char *s, size_t len);  /* ASCII controls, NUL included */

/* The actor is the user u. */
bool fl__users_is_self(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u);

/* update.c: who may change what (403/409), and {field: {from, to}} of what really changes. */
int fl__users_update_allowed(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                             const fl_user_update_cmd_t *cmd, fl_decision_t *d);
json_t *fl__users_update_changes(const fl_user_state_t *u, const fl_user_fields_t *f);

#endif

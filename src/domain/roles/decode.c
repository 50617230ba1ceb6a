/*
 * JSON bodies -> commands. Every problem of a body is collected, so the
 * client learns all of them at once; the field named is the body's key (an
 * unknown permission by its index, permissions[i]). Strings are copied into
 * the request's arena: the body is freed first.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct dec {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_role_cmd_t *cmd;
    bool update;
} dec_t;

/* A copy of a string value of at most max bytes, or NULL after recording why not. */
static const char *text(dec_t *c, const char *field, const json_t *v, size_t max_chars,
                        bool newlines)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (s == NULL) {
        fl_decision_field(c->d, field, "must be a string");
        return NULL;
    }
    if (strlen(s) != len || len > 4 * max_chars || fl_utf8_chars(s) > max_chars) {
        fl_decision_field(c->d, field, strlen(s) != len ? "must not contain NUL" : "is too long");
        return NULL;
    }
    if (fl_text_has_control(s, len, newlines)) {
        fl_decision_field(c->d, field, "must not contain control characters");
        return NULL;
    }
    const char *copy = fl_arena_strndup(c->a, s, len);
    if (copy == NULL)
        fl_decision_field(c->d, field, "is too long");
    return copy;
}

static void dec_name(dec_t *c, const json_t *v)
{
    const char *s = json_string_value(v);

    if (c->update) {
        fl_decision_field(c->d, "name", "cannot be changed; create a new role instead");
        return;
    }
    if (s == NULL || strlen(s) != json_string_length(v) || !fl_roles_name_ok(s)) {
        fl_decision_field(c->d, "name",
                          "must be 2 to 63 of a-z, 0-9, _ and -, starting with a letter");
        return;
    }
    c->cmd->name = fl_arena_strndup(c->a, s, strlen(s));
}

static void dec_display_name(dec_t *c, const json_t *v)
{
    const char *s = text(c, "display_name", v, FL_ROLES_DISPLAY_MAX, false);

    if (s != NULL && s[strspn(s, " \t")] == '\0')
        fl_decision_field(c->d, "display_name", "must not be blank");
    else
        c->cmd->display_name = s;
}

static void dec_description(dec_t *c, const json_t *v)
{
    c->cmd->description =
        json_is_null(v) ? NULL : text(c, "description", v, FL_ROLES_DESC_MAX, true);
}

/* permissions[i] for element i, in the arena ("permissions" past its budget). */
static const char *element(fl_arena_t *a, size_t i)
{
    char *f = fl_arena_alloc(a, 40);

    if (f == NULL)
        return "permissions";
    snprintf(f, 40, "permissions[%zu]", i);
    return f;
}

static void dec_permissions(dec_t *c, const json_t *v)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v) || json_array_size(v) > 2 * FL_PERM_COUNT) {
        fl_decision_field(c->d, "permissions",
                          json_is_array(v) ? "holds too many entries"
                                           : "must be an array of \"resource:action\" strings");
        return;
    }
    json_array_foreach(v, i, e)
    {
        fl_resource_t r;
        fl_action_t a;
        const char *s = json_string_value(e);
        if (s != NULL && strlen(s) == json_string_length(e) && fl_perm_parse(s, &r, &a))
            fl_perms_add(&c->cmd->perms, r, a);
        else
            fl_decision_field(c->d, element(c->a, i),
                              "is not a permission (GET /api/v1/permissions lists them)");
    }
}

static const struct field {
    const char *name;
    unsigned flag;
    void (*fn)(dec_t *c, const json_t *v);
} fields[] = {
    {"name", FL_ROLE_F_NAME, dec_name},
    {"display_name", FL_ROLE_F_DISPLAY_NAME, dec_display_name},
    {"description", FL_ROLE_F_DESCRIPTION, dec_description},
    {"permissions", FL_ROLE_F_PERMISSIONS, dec_permissions},
};

static void dec_one(dec_t *c, const char *key, const json_t *v)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].name, key) != 0)
            continue;
        c->cmd->set |= fields[i].flag;
        if (json_is_null(v) && fields[i].flag != FL_ROLE_F_DESCRIPTION)
            fl_decision_field(c->d, fields[i].name, "must not be null");
        else
            fields[i].fn(c, v);
        return;
    }
    const char *copy = fl_arena_strndup(c->a, key, strnlen(key, 200));
    fl_decision_field(c->d, copy != NULL ? copy : "?", "is not a known field");
}

static int dec_body(dec_t *c, const json_t *body)
{
    const char *key;
    json_t *v;

    memset(c->cmd, 0, sizeof(*c->cmd));
    if (!json_is_object(body)) {
        fl_decision_field(c->d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_one(c, key, v);
    return fl_decision_failed(c->d) ? FL_EINVAL : 0;
}

int fl_roles_decode_create(const json_t *body, fl_arena_t *a, fl_role_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, cmd, false};

    if (dec_body(&c, body) < 0 && !json_is_object(body))
        return FL_EINVAL;
    if (!(cmd->set & FL_ROLE_F_NAME))
        fl_decision_field(d, "name", "is required");
    if (!(cmd->set & FL_ROLE_F_DISPLAY_NAME))
        fl_decision_field(d, "display_name", "is required");
    cmd->set |= FL_ROLE_F_PERMISSIONS; /* absent: none */
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_roles_decode_update(const json_t *body, fl_arena_t *a, fl_role_cmd_t *cmd, fl_decision_t *d)
{
    dec_t c = {a, d, cmd, true};

    return dec_body(&c, body);
}

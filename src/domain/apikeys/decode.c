/*
 * POST /api-keys bodies -> commands. Every problem of a body is collected, so
 * the client learns all of them at once; a scope is named by its index
 * (scopes[2]). Strings are copied into the request's arena: the body is freed
 * first.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/apikeys.h"
#include "firelater/err.h"

static const char *indexed(fl_arena_t *a, int i)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "scopes[%d]", i);
    return fl_arena_strndup(a, buf, strlen(buf));
}

static void dec_name(const json_t *v, fl_arena_t *a, fl_api_key_cmd_t *cmd, fl_decision_t *d)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (s == NULL)
        fl_decision_field(d, "name", "must be a string");
    else if (len == 0 || s[strspn(s, " \t")] == '\0')
        fl_decision_field(d, "name", "must not be blank");
    else if (len > 4 * FL_APIKEYS_NAME_MAX || fl_utf8_chars(s) > FL_APIKEYS_NAME_MAX)
        fl_decision_field(d, "name", "must be at most 255 characters");
    else if (fl_text_has_control(s, len, false))
        fl_decision_field(d, "name", "must not contain control characters");
    else if ((cmd->name = fl_arena_strndup(a, s, len)) == NULL)
        fl_decision_field(d, "name", "is too long");
}

/* Scopes are kept as a set: the catalogue's order, whatever the body's. */
static void dec_scopes(const json_t *v, fl_arena_t *a, fl_api_key_cmd_t *cmd, fl_decision_t *d)
{
    size_t i;
    const json_t *e;
    fl_resource_t r;
    fl_action_t act;
    if (!json_is_array(v) || json_array_size(v) == 0) {
        fl_decision_field(d, "scopes", "must be a non-empty array of \"resource:action\" names");
        return;
    }
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (i >= FL_PERM_COUNT) {
            fl_decision_field(d, "scopes", "has more names than the catalogue");
            return;
        }
        if (s == NULL || strlen(s) != json_string_length(e) || !fl_perm_parse(s, &r, &act))
            fl_decision_field(d, indexed(a, (int)i),
                              "is not a permission (\"resource:action\", as users:read)");
        else if (fl_perms_has_exact(&cmd->scopes, r, act))
            fl_decision_field(d, indexed(a, (int)i), "is listed twice");
        else
            fl_perms_add(&cmd->scopes, r, act);
    }
}

static void dec_expires(const json_t *v, fl_api_key_cmd_t *cmd, fl_decision_t *d)
{
    const char *s = json_string_value(v);
    if (json_is_null(v))
        return;
    /* fl_time_parse also takes a date or µs; the API promises RFC 3339 date-times only. */
    if (s == NULL || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't') ||
        fl_time_parse(s, &cmd->expires_at) != 0 || cmd->expires_at <= 0)
        fl_decision_field(d, "expires_at", "must be an RFC 3339 time, or null for no expiry");
}

int fl_apikeys_decode_create(const json_t *body, fl_arena_t *a, fl_api_key_cmd_t *cmd,
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
        if (strcmp(key, "name") == 0)
            dec_name(v, a, cmd, d);
        else if (strcmp(key, "scopes") == 0)
            dec_scopes(v, a, cmd, d);
        else if (strcmp(key, "expires_at") == 0)
            dec_expires(v, cmd, d);
        else
            fl_decision_field(d, fl_arena_strndup(a, key, strnlen(key, 200)),
                              "is not a known field");
    }
    if (json_object_get(body, "name") == NULL)
        fl_decision_field(d, "name", "is required");
    if (json_object_get(body, "scopes") == NULL)
        fl_decision_field(d, "scopes", "is required");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/*
 * POST /users/{id}/delegations bodies -> commands. Every problem of a body
 * is collected, so the client learns all of them at once. Strings are
 * copied into the request's arena: the body is freed first.
 */
#include <string.h>

#include "firelater/delegations.h"
#include "firelater/err.h"

static void dec_delegate(const json_t *v, fl_arena_t *a, fl_delegation_cmd_t *cmd, fl_decision_t *d)
{
    const char *s = json_string_value(v);

    if (s == NULL || strlen(s) != json_string_length(v) || !fl_uuid_is_valid(s))
        fl_decision_field(d, "delegate_id", "must be a user's id (a uuid)");
    else
        cmd->delegate_id = fl_arena_strndup(a, s, strlen(s));
}

/* fl_time_parse also takes a date or µs; the API promises RFC 3339 date-times only. */
static bool rfc3339(const json_t *v, fl_time_t *out)
{
    const char *s = json_string_value(v);

    return s != NULL && strlen(s) == json_string_length(v) && strlen(s) >= 20 &&
           (s[10] == 'T' || s[10] == 't') && fl_time_parse(s, out) == 0 && *out > 0;
}

static void dec_time(const json_t *v, const char *field, bool nullable, fl_time_t *out,
                     fl_decision_t *d)
{
    if (nullable && json_is_null(v))
        return;
    if (!rfc3339(v, out))
        fl_decision_field(d, field,
                          nullable ? "must be an RFC 3339 time, or null for now"
                                   : "must be an RFC 3339 time");
}

static void dec_reason(const json_t *v, fl_arena_t *a, fl_delegation_cmd_t *cmd, fl_decision_t *d)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (json_is_null(v))
        return;
    if (s == NULL)
        fl_decision_field(d, "reason", "must be a string or null");
    else if (len > 4 * FL_DELEG_REASON_MAX || fl_utf8_chars(s) > FL_DELEG_REASON_MAX)
        fl_decision_field(d, "reason", "must be at most 500 characters");
    else if (fl_text_has_control(s, len, true))
        fl_decision_field(d, "reason", "must not contain control characters");
    else if (len > 0)
        cmd->reason = fl_arena_strndup(a, s, len);
}

static void dec_field(const char *key, const json_t *v, fl_arena_t *a, fl_delegation_cmd_t *cmd,
                      fl_decision_t *d)
{
    if (strcmp(key, "delegate_id") == 0)
        dec_delegate(v, a, cmd, d);
    else if (strcmp(key, "starts_at") == 0)
        dec_time(v, "starts_at", true, &cmd->starts_at, d);
    else if (strcmp(key, "ends_at") == 0)
        dec_time(v, "ends_at", false, &cmd->ends_at, d);
    else if (strcmp(key, "reason") == 0)
        dec_reason(v, a, cmd, d);
    else
        fl_decision_field(d, fl_arena_strndup(a, key, strnlen(key, 200)), "is not a known field");
}

int fl_delegations_decode_create(const json_t *body, fl_arena_t *a, fl_delegation_cmd_t *cmd,
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
        dec_field(key, v, a, cmd, d);
    }
    if (json_object_get(body, "delegate_id") == NULL)
        fl_decision_field(d, "delegate_id", "is required");
    if (json_object_get(body, "ends_at") == NULL)
        fl_decision_field(d, "ends_at", "is required");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

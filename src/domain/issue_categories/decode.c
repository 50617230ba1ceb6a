/*
 * JSON bodies -> commands. Every problem of a body is collected (422 naming
 * each field); strings are copied into the request's arena.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

/* Why a string of at most max characters is refused, or NULL. */
static const char *text_problem(const json_t *v, unsigned max, bool lines, bool blank_ok)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (s == NULL)
        return "must be a string";
    if (strlen(s) != len)
        return "must not contain NUL";
    if (len > 4 * (size_t)max || fl_utf8_chars(s) > max)
        return "is too long";
    if (!blank_ok && s[strspn(s, " \t\r\n")] == '\0')
        return "must not be blank";
    if (fl_text_has_control(s, len, lines))
        return "must not contain control characters";
    return NULL;
}

static const char *dec_text(fl_arena_t *a, fl_decision_t *d, const char *field, const json_t *v,
                            unsigned max, bool lines)
{
    const char *why = text_problem(v, max, lines, lines);

    if (why == NULL)
        return fl_arena_strndup(a, json_string_value(v), json_string_length(v));
    fl_decision_field(d, field, why);
    return NULL;
}

static const char *dec_uuid(fl_arena_t *a, fl_decision_t *d, const json_t *v)
{
    const char *s = json_string_value(v);
    char *copy;

    if (s == NULL || strlen(s) != FL_UUID_LEN || !fl_uuid_is_valid(s)) {
        fl_decision_field(d, "parent_id", "must be a UUID or null");
        return NULL;
    }
    copy = fl_arena_strndup(a, s, FL_UUID_LEN);
    for (char *p = copy; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return copy;
}

static void dec_one(fl_arena_t *a, fl_decision_t *d, fl_icat_cmd_t *c, const char *key,
                    const json_t *v)
{
    bool null = json_is_null(v);

    if (strcmp(key, "name") == 0) {
        c->set |= FL_ICAT_F_NAME;
        c->name = dec_text(a, d, "name", v, FL_ICATS_NAME_MAX, false);
    } else if (strcmp(key, "description") == 0) {
        c->set |= FL_ICAT_F_DESCRIPTION;
        c->description = null ? NULL : dec_text(a, d, "description", v, FL_ICATS_DESC_MAX, true);
    } else if (strcmp(key, "parent_id") == 0) {
        c->set |= FL_ICAT_F_PARENT_ID;
        c->parent_id = null ? NULL : dec_uuid(a, d, v);
    } else if (strcmp(key, "sort_order") == 0) {
        c->set |= FL_ICAT_F_SORT_ORDER;
        json_int_t n = json_integer_value(v);
        if (!json_is_integer(v) || n < -2147483647 - 1 || n > 2147483647)
            fl_decision_field(d, "sort_order", "must be an integer from -2147483648 to 2147483647");
        c->sort_order = (long)n;
    } else if (strcmp(key, "is_active") == 0) {
        c->set |= FL_ICAT_F_IS_ACTIVE;
        if (!json_is_boolean(v))
            fl_decision_field(d, "is_active", "must be true or false");
        c->is_active = json_is_true(v);
    } else {
        const char *copy = fl_arena_strndup(a, key, strnlen(key, 200));
        fl_decision_field(d, copy != NULL ? copy : "?", "is not a known field");
    }
}

static int decode(const json_t *body, fl_arena_t *a, fl_icat_cmd_t *cmd, fl_decision_t *d)
{
    const char *key;
    json_t *v;

    memset(cmd, 0, sizeof(*cmd));
    cmd->is_active = true;
    if (!json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v) dec_one(a, d, cmd, key, v);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_icats_decode_create(const json_t *body, fl_arena_t *a, fl_icat_cmd_t *cmd, fl_decision_t *d)
{
    int rc = decode(body, a, cmd, d);

    if (json_is_object(body) && !(cmd->set & FL_ICAT_F_NAME)) {
        fl_decision_field(d, "name", "is required");
        rc = FL_EINVAL;
    }
    return rc;
}

int fl_icats_decode_update(const json_t *body, fl_arena_t *a, fl_icat_cmd_t *cmd, fl_decision_t *d)
{
    return decode(body, a, cmd, d);
}

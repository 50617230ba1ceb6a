/*
 * Request bodies -> commands. Every bad or unknown key is collected into the
 * decision (422 naming it), so one answer lists every problem. Strings are
 * copied into the arena; form_data is borrowed from the body, which the
 * caller keeps until the command is decided.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const priorities[] = {"critical", "high", "medium", "low", NULL};

bool fl__req_is_priority(const char *v)
{
    for (size_t i = 0; v != NULL && priorities[i] != NULL; i++) {
        if (strcmp(priorities[i], v) == 0)
            return true;
    }
    return false;
}

/* The key's name in the arena (keys of unknown fields come from the client). */
static const char *key_copy(fl_arena_t *a, const char *key)
{
    const char *k = fl_arena_strndup(a, key, strnlen(key, 200));
    return k != NULL ? k : "?";
}

/* A uuid, lowercased into the arena; false after naming the problem (null is allowed when
 * nullable: *out NULL). key must outlive the decision (a literal, not the body's). */
static bool uuid_of(const json_t *v, fl_arena_t *a, const char *key, bool nullable,
                    const char **out, fl_decision_t *d)
{
    const char *s = json_string_value(v);

    *out = NULL;
    if (json_is_null(v) && nullable)
        return true;
    if (s == NULL || !fl_uuid_is_valid(s)) {
        fl_decision_field(d, key, "must be a UUID");
        return false;
    }
    char *c = fl_arena_strndup(a, s, strlen(s));
    for (char *p = c; p != NULL && *p != '\0'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    *out = c;
    return true;
}

const char *fl__req_text(const json_t *v, fl_arena_t *a, const char *key, bool required,
                         fl_decision_t *d)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);

    if (v == NULL || json_is_null(v)) {
        if (required)
            fl_decision_field(d, key, "is required");
        return NULL;
    }
    if (s == NULL)
        fl_decision_field(d, key, "must be a string");
    else if (fl_text_has_control(s, len, true))
        fl_decision_field(d, key, "must not hold control characters");
    else if (fl_utf8_chars(s) > FL_REQ_TEXT_MAX)
        fl_decision_field(d, key, "is too long (at most 10000 characters)");
    else if (required && strspn(s, " \t\r\n") == len)
        fl_decision_field(d, key, "must not be blank");
    else
        return fl_arena_strndup(a, s, len);
    return NULL;
}

static void priority_of(const json_t *v, fl_arena_t *a, const char **out, fl_decision_t *d)
{
    const char *s = json_string_value(v);

    *out = NULL;
    if (json_is_null(v))
        return;
    if (!fl__req_is_priority(s))
        fl_decision_field(d, "priority", "must be low, medium, high or critical");
    else
        *out = fl_arena_strndup(a, s, strlen(s));
}

static bool need_object(const json_t *body, fl_decision_t *d)
{
    if (json_is_object(body))
        return true;
    fl_decision_refuse(d, 422, "validation failed", "body", "must be a JSON object");
    return false;
}

/* children[i].<key>, in the arena. */
static const char *child_path(fl_arena_t *a, size_t i, const char *key)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "children[%zu].%s", i, key);
    const char *p = fl_arena_strndup(a, buf, strlen(buf));
    return p != NULL ? p : "children";
}

/* One entry {item_id, form_data} of a bundle's children. */
static void child_of(const json_t *v, fl_arena_t *a, size_t i, fl_req_child_cmd_t *out,
                     fl_decision_t *d)
{
    const char *key;
    json_t *x;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(v)) {
        fl_decision_field(d, child_path(a, i, "item_id"),
                          "each child must be an object {item_id, form_data}");
        return;
    }
    json_object_foreach((json_t *)v, key, x)
    {
        if (strcmp(key, "item_id") == 0)
            uuid_of(x, a, child_path(a, i, "item_id"), false, &out->item_id, d);
        else if (strcmp(key, "form_data") == 0 && (json_is_object(x) || json_is_null(x)))
            out->form_data = json_is_object(x) ? x : NULL;
        else if (strcmp(key, "form_data") == 0)
            fl_decision_field(d, child_path(a, i, "form_data"),
                              "must be an object keyed by field id");
        else
            fl_decision_field(d, child_path(a, i, key_copy(a, key)), "is not a known field");
    }
    if (json_object_get(v, "item_id") == NULL)
        fl_decision_field(d, child_path(a, i, "item_id"), "is required");
}

static void children_of(const json_t *v, fl_arena_t *a, fl_req_create_cmd_t *out, fl_decision_t *d)
{
    size_t i, n = json_array_size(v);
    json_t *x;

    if (!json_is_array(v) || n == 0)
        fl_decision_field(d, "children",
                          "must be an array of {item_id, form_data}, one per item "
                          "and quantity of the bundle");
    else if (n > FL_REQ_MAX_CHILDREN)
        fl_decision_field(d, "children", "a bundle request has at most 20 children");
    else
        json_array_foreach(v, i, x)
        {
            child_of(x, a, i, &out->children[i], d);
        }
    if (json_is_array(v) && n <= FL_REQ_MAX_CHILDREN)
        out->n_children = n;
}

int fl_requests_decode_create(const json_t *body, fl_arena_t *a, fl_req_create_cmd_t *out,
                              fl_decision_t *d)
{
    const char *key;
    json_t *v;
    bool item = false, bundle = false;

    memset(out, 0, sizeof(*out));
    if (!need_object(body, d))
        return FL_EINVAL;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "catalog_item_id") == 0) {
            item = true;
            uuid_of(v, a, "catalog_item_id", false, &out->catalog_item_id, d);
        } else if (strcmp(key, "bundle_id") == 0) {
            bundle = true;
            uuid_of(v, a, "bundle_id", false, &out->bundle_id, d);
        } else if (strcmp(key, "children") == 0)
            children_of(v, a, out, d);
        else if (strcmp(key, "requested_for_id") == 0)
            uuid_of(v, a, "requested_for_id", true, &out->requested_for_id, d);
        else if (strcmp(key, "priority") == 0)
            priority_of(v, a, &out->priority, d);
        else if (strcmp(key, "form_data") == 0 && (json_is_object(v) || json_is_null(v)))
            out->form_data = json_is_object(v) ? v : NULL;
        else if (strcmp(key, "form_data") == 0)
            fl_decision_field(d, "form_data", "must be an object keyed by field id");
        else
            fl_decision_field(d, key_copy(a, key), "is not a known field");
    }
    if (!item && !bundle)
        fl_decision_field(d, "catalog_item_id", "is required (or bundle_id)");
    if (item && bundle)
        fl_decision_field(d, "bundle_id", "give catalog_item_id or bundle_id, not both");
    if (bundle && json_object_get(body, "children") == NULL)
        fl_decision_field(d, "children", "is required for a bundle request");
    if (bundle && json_object_get(body, "form_data") != NULL)
        fl_decision_field(d, "form_data", "a bundle request has form data per child (children)");
    if (!bundle && json_object_get(body, "children") != NULL)
        fl_decision_field(d, "children", "is only for a bundle request (bundle_id)");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* due_date: an RFC 3339 instant, kept as the clock formats it; null clears it. */
static void due_of(const json_t *v, fl_arena_t *a, fl_req_update_cmd_t *out, fl_decision_t *d)
{
    fl_time_t t;
    const char *s = json_string_value(v);

    out->due_date = NULL;
    if (json_is_null(v))
        return;
    if (s == NULL || fl_time_parse(s, &t) != 0 || t <= 0) {
        fl_decision_field(d, "due_date", "must be an RFC 3339 date-time");
        return;
    }
    char *buf = fl_arena_alloc(a, 40);
    if (buf != NULL)
        fl_time_format(t, buf, 40);
    out->due_date = buf;
}

int fl_requests_decode_update(const json_t *body, fl_arena_t *a, fl_req_update_cmd_t *out,
                              fl_decision_t *d)
{
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!need_object(body, d))
        return FL_EINVAL;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "priority") == 0) {
            out->set |= FL_REQ_UPD_PRIORITY;
            if (json_is_null(v))
                fl_decision_field(d, "priority", "must be low, medium, high or critical");
            else
                priority_of(v, a, &out->priority, d);
        } else if (strcmp(key, "due_date") == 0) {
            out->set |= FL_REQ_UPD_DUE_DATE;
            due_of(v, a, out, d);
        } else if (strcmp(key, "form_data") == 0) {
            out->set |= FL_REQ_UPD_FORM;
            out->form_data = v;
            if (!json_is_object(v))
                fl_decision_field(d, "form_data", "must be an object keyed by field id");
        } else {
            fl_decision_field(d, key_copy(a, key), "is not a known field");
        }
    }
    if (out->set == 0 && !fl_decision_failed(d))
        fl_decision_refuse(d, 422, "validation failed", "body",
                           "must name priority, due_date or form_data");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* The one text key each action takes, and whether it must be given. */
static const struct {
    const char *key;
    bool required;
} texts[] = {
    [FL_REQ_ACT_APPROVE] = {"comments", false}, [FL_REQ_ACT_REJECT] = {"comments", true},
    [FL_REQ_ACT_ASSIGN] = {"reason", false},    [FL_REQ_ACT_REASSIGN] = {"reason", false},
    [FL_REQ_ACT_START] = {NULL, false},         [FL_REQ_ACT_COMPLETE] = {"completion_notes", true},
    [FL_REQ_ACT_CANCEL] = {"reason", false},    [FL_REQ_ACT_REOPEN] = {"reason", true},
};

int fl_requests_decode_action(fl_req_action_kind_t kind, const json_t *body, fl_arena_t *a,
                              fl_req_action_t *out, fl_decision_t *d)
{
    const char *key, *tk = texts[kind].key;
    json_t *v;
    bool assign = kind == FL_REQ_ACT_ASSIGN || kind == FL_REQ_ACT_REASSIGN;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (body != NULL && !need_object(body, d))
        return FL_EINVAL;
    json_object_foreach((json_t *)body, key, v)
    {
        if (tk != NULL && strcmp(key, tk) == 0)
            continue;
        if (assign && strcmp(key, "assigned_to") == 0)
            uuid_of(v, a, "assigned_to", true, &out->assigned_to, d);
        else if (assign && strcmp(key, "assigned_group") == 0)
            uuid_of(v, a, "assigned_group", true, &out->assigned_group, d);
        else
            fl_decision_field(d, key_copy(a, key), "is not a known field");
    }
    if (tk != NULL)
        out->text = fl__req_text(json_object_get(body, tk), a, tk, texts[kind].required, d);
    if (assign && out->assigned_to == NULL && out->assigned_group == NULL && !fl_decision_failed(d))
        fl_decision_field(d, "assigned_to", "assigned_to or assigned_group is required");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/*
 * The fold (delegations:<user> -> fl_delegations_state_t), the helpers on a
 * delegation's period, and fl_delegation_find for the requests module.
 * Unknown event types are skipped, so later versions may add events.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/codec.h"
#include "firelater/delegations.h"
#include "firelater/err.h"

char *fl_delegations_stream(fl_arena_t *a, const char *user_id)
{
    size_t n = strlen("delegations:") + FL_UUID_LEN + 1;
    char *out;

    if (user_id == NULL || !fl_uuid_is_valid(user_id) || (out = fl_arena_alloc(a, n)) == NULL)
        return NULL;
    snprintf(out, n, "delegations:%s", user_id);
    for (char *p = out; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

fl_time_t fl_delegation_end(const fl_delegation_t *x)
{
    return x->revoked_at != 0 && x->revoked_at < x->ends_at ? x->revoked_at : x->ends_at;
}

const char *fl_delegation_status(const fl_delegation_t *x, fl_time_t now)
{
    if (x->revoked_at != 0 && x->revoked_at < x->ends_at)
        return "revoked";
    if (now >= x->ends_at)
        return "ended";
    return now < x->starts_at ? "scheduled" : "active";
}

const fl_delegation_t *fl_delegations_get(const fl_delegations_state_t *s, const char *id)
{
    for (size_t i = 0; id != NULL && i < s->n; i++) {
        if (strcmp(s->items[i].id, id) == 0)
            return &s->items[i];
    }
    return NULL;
}

static void copy(char *dst, size_t cap, const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, cap, "%s", s != NULL ? s : "");
}

static fl_time_t time_of(const json_t *v, fl_time_t fallback)
{
    fl_time_t t;
    const char *s = json_string_value(v);

    return s != NULL && fl_time_parse(s, &t) == 0 ? t : fallback;
}

/* Room for one more delegation: the array doubles in the fold's arena (the old one is left). */
static fl_delegation_t *grow(fl_delegations_state_t *s, fl_arena_t *a)
{
    if (s->n == s->cap) {
        size_t cap = s->cap == 0 ? 4 : 2 * s->cap;
        fl_delegation_t *items = fl_arena_alloc(a, cap * sizeof(*items));
        if (items == NULL)
            return NULL;
        if (s->n > 0)
            memcpy(items, s->items, s->n * sizeof(*items));
        s->items = items;
        s->cap = cap;
    }
    fl_delegation_t *x = &s->items[s->n];
    memset(x, 0, sizeof(*x));
    return x;
}

static int on_created(fl_delegations_state_t *s, fl_arena_t *a, const json_t *data,
                      const fl_event_t *ev)
{
    fl_delegation_t *x = grow(s, a);
    const char *reason = json_string_value(json_object_get(data, "reason"));

    if (x == NULL)
        return FL_ETOOBIG;
    copy(s->user_id, sizeof(s->user_id), json_object_get(data, "delegator_id"));
    copy(x->id, sizeof(x->id), json_object_get(data, "id"));
    copy(x->delegate_id, sizeof(x->delegate_id), json_object_get(data, "delegate_id"));
    copy(x->created_by, sizeof(x->created_by), json_object_get(data, "created_by"));
    x->starts_at = time_of(json_object_get(data, "starts_at"), ev->ts);
    x->ends_at = time_of(json_object_get(data, "ends_at"), ev->ts);
    x->reason = reason != NULL ? fl_arena_strndup(a, reason, strlen(reason)) : NULL;
    x->created_at = ev->ts;
    x->version = ev->sv;
    s->last = s->n++;
    return 0;
}

static void on_revoked(fl_delegations_state_t *s, const json_t *data, const fl_event_t *ev)
{
    const fl_delegation_t *found =
        fl_delegations_get(s, json_string_value(json_object_get(data, "id")));

    if (found == NULL)
        return;
    fl_delegation_t *x = &s->items[found - s->items];
    x->revoked_at = time_of(json_object_get(data, "revoked_at"), ev->ts);
    copy(x->revoked_by, sizeof(x->revoked_by), json_object_get(data, "revoked_by"));
    x->version = ev->sv;
    s->last = (size_t)(found - s->items);
}

static int deleg_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_delegations_state_t *s = state;
    json_t *data = NULL;
    int rc = 0;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "delegation.created") == 0)
        rc = on_created(s, a, data, ev);
    else if (strcmp(ev->type, "delegation.revoked") == 0)
        on_revoked(s, data, ev);
    s->version = ev->sv;
    json_decref(data);
    return rc;
}

static void deleg_init(void *state)
{
    memset(state, 0, sizeof(fl_delegations_state_t));
}

const fl_agg_type_t fl_delegations_agg = {
    .name = "delegations",
    .state_size = sizeof(fl_delegations_state_t),
    .init = deleg_init,
    .fold = deleg_fold,
};

/* True when x covered instant at: started, not yet ended, not revoked at or before at. */
static bool covers(const fl_delegation_t *x, fl_time_t at)
{
    return x->starts_at <= at && at < fl_delegation_end(x);
}

int fl_delegation_find(fl_agg_cache_t *cache, fl_arena_t *a, const char *delegator_id,
                       const char *delegate_id, fl_time_t at, fl_delegation_ref_t *out)
{
    char stream[64];
    const void *state;
    uint64_t v = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (delegator_id == NULL || delegate_id == NULL || !fl_uuid_is_valid(delegator_id) ||
        !fl_uuid_is_valid(delegate_id))
        return 0;
    snprintf(stream, sizeof(stream), "delegations:%s", delegator_id);
    for (char *p = stream; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    if ((rc = fl_agg_load(cache, &fl_delegations_agg, stream, &state, &v)) < 0)
        return rc;
    const fl_delegations_state_t *s = state;
    for (size_t i = 0; i < s->n; i++) {
        const fl_delegation_t *x = &s->items[i];
        if (strcasecmp(x->delegate_id, delegate_id) != 0 || !covers(x, at))
            continue;
        memcpy(out->id, x->id, sizeof(out->id));
        out->starts_at = x->starts_at;
        out->ends_at = x->ends_at;
        out->revoked_at = x->revoked_at;
        out->reason = x->reason != NULL ? fl_arena_strndup(a, x->reason, strlen(x->reason)) : NULL;
        return 1;
    }
    return 0;
}

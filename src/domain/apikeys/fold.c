/*
 * The API key aggregate folded from its events. Unknown event types are
 * skipped, so older code reads a newer log; a created event of the wrong
 * shape is FL_ECORRUPT rather than a half-built key that might authenticate.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/apikeys.h"
#include "firelater/codec.h"
#include "firelater/err.h"

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

/* An optional time member: 0 when null or absent; FL_ECORRUPT when unreadable. */
static int time_of(const json_t *data, const char *key, fl_time_t *out)
{
    const char *s = str(data, key);
    *out = 0;
    return s == NULL || fl_time_parse(s, out) == 0 ? 0 : FL_ECORRUPT;
}

static int scopes_of(const json_t *data, fl_perms_t *out)
{
    size_t i;
    const json_t *e;
    fl_resource_t r;
    fl_action_t a;
    json_array_foreach(json_object_get(data, "scopes"), i, e)
    {
        /* A scope a later catalogue renamed or dropped grants nothing. */
        if (json_string_value(e) != NULL && fl_perm_parse(json_string_value(e), &r, &a))
            fl_perms_add(out, r, a);
    }
    return 0;
}

static int apply_created(fl_api_key_state_t *k, fl_arena_t *a, const fl_event_t *ev,
                         const json_t *data)
{
    const char *id = str(data, "id"), *name = str(data, "name"), *prefix = str(data, "prefix"),
               *hash = str(data, "secret_hash"), *by = str(data, "created_by");
    size_t n = 0;
    if (id == NULL || name == NULL || prefix == NULL || hash == NULL || by == NULL ||
        strlen(id) > FL_UUID_LEN || strlen(by) > FL_UUID_LEN ||
        strlen(prefix) > FL_APIKEYS_PREFIX_MAX ||
        sodium_hex2bin(k->secret_hash, sizeof(k->secret_hash), hash, strlen(hash), NULL, &n,
                       NULL) != 0 ||
        n != sizeof(k->secret_hash) || time_of(data, "expires_at", &k->expires_at) != 0)
        return FL_ECORRUPT;
    snprintf(k->id, sizeof(k->id), "%s", id);
    snprintf(k->prefix, sizeof(k->prefix), "%s", prefix);
    snprintf(k->created_by, sizeof(k->created_by), "%s", by);
    if ((k->name = fl_arena_strndup(a, name, strlen(name))) == NULL)
        return FL_ETOOBIG;
    k->exists = true;
    k->created_at = ev->ts;
    return scopes_of(data, &k->scopes);
}

static int apply(fl_api_key_state_t *k, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    fl_time_t at;
    if (strcmp(ev->type, "api_key.created") == 0)
        return apply_created(k, a, ev, data);
    if (!k->exists)
        return 0;
    if (strcmp(ev->type, "api_key.revoked") == 0 && !k->revoked) {
        k->revoked = true;
        k->revoked_at = ev->ts;
    } else if (strcmp(ev->type, "api_key.used") == 0 && time_of(data, "at", &at) == 0 &&
               at > k->last_used_at) {
        k->last_used_at = at;
    }
    return 0;
}

static int api_key_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_api_key_state_t *k = state;
    json_t *data = NULL;
    int rc = 0;
    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = apply(k, a, ev, data);
    json_decref(data);
    k->version = ev->sv;
    return rc;
}

static void api_key_init(void *state)
{
    memset(state, 0, sizeof(fl_api_key_state_t));
}

const fl_agg_type_t fl_api_key_agg = {
    .name = "api-key",
    .state_size = sizeof(fl_api_key_state_t),
    .init = api_key_init,
    .fold = api_key_fold,
};

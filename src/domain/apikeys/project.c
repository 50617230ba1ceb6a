/*
 * Events -> SQL on the tenant schema's api_keys table
 * (schemas/tenant/0005_api_keys.sql). Values are always parameters. Every
 * statement is idempotent (a rebuild or a retried batch applies an event
 * again) and sets the row's version to the event's stream version, as the
 * fold does. The row keeps the hash of the secret, never the secret: it
 * cannot be turned back into a key.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/apikeys.h"
#include "firelater/err.h"

#define TS_LEN 40

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

static const char *key_id(const json_t *data)
{
    const char *id = str(data, "id");
    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* The scopes as a text[] literal; names the catalogue does not know are left out. */
static char *scopes_literal(fl_arena_t *a, const json_t *scopes)
{
    size_t i, len = 1;
    const json_t *e;
    fl_resource_t r;
    fl_action_t act;
    char *out = fl_arena_alloc(a, json_array_size(scopes) * (FL_PERM_NAME_MAX + 1) + 3);
    if (out == NULL)
        return NULL;
    out[0] = '{';
    json_array_foreach(scopes, i, e)
    {
        const char *s = json_string_value(e);
        if (s == NULL || !fl_perm_parse(s, &r, &act))
            continue;
        if (len > 1)
            out[len++] = ',';
        fl_perm_format(r, act, out + len);
        len += strlen(out + len);
    }
    memcpy(out + len, "}", 2);
    return out;
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = key_id(data), *by = str(data, "created_by");
    char ts[TS_LEN], v[24];
    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    char *scopes = scopes_literal(fl_proj_arena(out), json_object_get(data, "scopes"));
    if (scopes == NULL)
        return FL_ETOOBIG;
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id,
                       str(data, "name"),
                       str(data, "prefix"),
                       str(data, "secret_hash"),
                       scopes,
                       str(data, "expires_at"),
                       by != NULL && fl_uuid_is_valid(by) ? by : NULL,
                       ts,
                       v};
    return fl_proj_emit(out,
                        "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, expires_at,"
                        " created_by, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7,"
                        " $8, $9) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
                        " prefix = EXCLUDED.prefix, key_hash = EXCLUDED.key_hash,"
                        " scopes = EXCLUDED.scopes, expires_at = EXCLUDED.expires_at,"
                        " created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,"
                        " version = EXCLUDED.version",
                        9, p);
}

static int on_revoked(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = key_id(data);
    char ts[TS_LEN], v[24];
    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, ts, v};
    return fl_proj_emit(out,
                        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2), version = $3"
                        " WHERE id = $1",
                        3, p);
}

static int on_used(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = key_id(data), *at = str(data, "at");
    fl_time_t t;
    char v[24];
    if (id == NULL || at == NULL || fl_time_parse(at, &t) != 0)
        return 0;
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, at, v};
    return fl_proj_emit(
        out,
        "UPDATE api_keys SET last_used_at = GREATEST(last_used_at, $2::timestamptz),"
        " version = $3 WHERE id = $1",
        3, p);
}

const fl_proj_handler_t fl_apikeys_projections[] = {
    {"api_key.created", on_created},
    {"api_key.revoked", on_revoked},
    {"api_key.used", on_used},
    {NULL, NULL},
};

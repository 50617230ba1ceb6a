/*
 * Events -> SQL on the tenant schema's delegations table
 * (schemas/tenant/0018_delegations.sql). Values are always parameters; each
 * handler may run again on an equal row (rebuild, retried batch), so the
 * insert is an upsert and the revocation sets values.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/delegations.h"
#include "firelater/err.h"

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = str(data, key);

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

static const char *time_of(const json_t *data, const char *key)
{
    const char *s = str(data, key);
    fl_time_t t;

    return s != NULL && fl_time_parse(s, &t) == 0 ? s : NULL;
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *from = time_of(data, "starts_at"),
               *to = time_of(data, "ends_at");
    char ts[40], v[24];

    if (id == NULL || uuid_of(data, "delegator_id") == NULL ||
        uuid_of(data, "delegate_id") == NULL || from == NULL || to == NULL)
        return 0; /* not an event this code can read: skipped */
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, str(data, "delegator_id"), str(data, "delegate_id"),    from,
                       to, str(data, "reason"),       uuid_of(data, "created_by"), ts,
                       v};
    return fl_proj_emit(out,
                        "INSERT INTO delegations (id, delegator_id, delegate_id, starts_at,"
                        " ends_at, reason, created_by, created_at, version) VALUES ($1::uuid,"
                        " $2::uuid, $3::uuid, $4::timestamptz, $5::timestamptz, $6, $7::uuid,"
                        " $8::timestamptz, $9) ON CONFLICT (id) DO UPDATE SET delegator_id ="
                        " EXCLUDED.delegator_id, delegate_id = EXCLUDED.delegate_id, starts_at ="
                        " EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, reason = EXCLUDED.reason,"
                        " created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,"
                        " revoked_at = NULL, revoked_by = NULL, version = EXCLUDED.version",
                        9, p);
}

static int on_revoked(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *at = time_of(data, "revoked_at");
    char ts[40], v[24];

    if (id == NULL)
        return 0;
    fl_time_format(ev->ts, ts, sizeof(ts));
    snprintf(v, sizeof(v), "%llu", (unsigned long long)ev->sv);
    const char *p[] = {id, at != NULL ? at : ts, uuid_of(data, "revoked_by"), v};
    return fl_proj_emit(out,
                        "UPDATE delegations SET revoked_at = $2::timestamptz, revoked_by ="
                        " $3::uuid, version = $4 WHERE id = $1::uuid",
                        4, p);
}

const fl_proj_handler_t fl_delegations_projections[] = {
    {"delegation.created", on_created},
    {"delegation.revoked", on_revoked},
    {NULL, NULL},
};

/*
 * Events -> SQL on the tenant schema's attachments table
 * (schemas/tenant/0015_attachments.sql). Values are always parameters; each
 * handler may run again on an equal row (rebuild, retried batch), so the
 * insert is an upsert and the updates set values.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/attachments.h"
#include "firelater/err.h"

#define TS_LEN 40

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = str(data, key);

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

/* The event's time and stream version as text. */
static void stamp(const fl_event_t *ev, char ts[TS_LEN], char v[24])
{
    fl_time_format(ev->ts, ts, TS_LEN);
    snprintf(v, 24, "%llu", (unsigned long long)ev->sv);
}

static int on_uploaded(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], v[24], size[24];

    if (id == NULL)
        return 0; /* not an event this code can read: skipped */
    stamp(ev, ts, v);
    snprintf(size, sizeof(size), "%lld",
             (long long)json_integer_value(json_object_get(data, "size_bytes")));
    const char *p[] = {id,
                       str(data, "hash"),
                       str(data, "filename"),
                       str(data, "content_type"),
                       size,
                       uuid_of(data, "uploaded_by"),
                       str(data, "entity_type"),
                       uuid_of(data, "entity_id"),
                       ts,
                       v};
    return fl_proj_emit(out,
                        "INSERT INTO attachments (id, hash, filename, content_type, size_bytes,"
                        " uploaded_by, entity_type, entity_id, created_at, updated_at, version)"
                        " VALUES ($1::uuid, $2, $3, $4, $5::bigint, $6::uuid, $7, $8::uuid,"
                        " $9::timestamptz, $9::timestamptz, $10)"
                        " ON CONFLICT (id) DO UPDATE SET hash = EXCLUDED.hash, filename ="
                        " EXCLUDED.filename, content_type = EXCLUDED.content_type, size_bytes ="
                        " EXCLUDED.size_bytes, uploaded_by = EXCLUDED.uploaded_by, entity_type ="
                        " EXCLUDED.entity_type, entity_id = EXCLUDED.entity_id, created_at ="
                        " EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, deleted_at = NULL,"
                        " version = EXCLUDED.version",
                        10, p);
}

static int on_linked(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], v[24];

    if (id == NULL)
        return 0;
    stamp(ev, ts, v);
    const char *p[] = {id, str(data, "entity_type"), uuid_of(data, "entity_id"), ts, v};
    return fl_proj_emit(out,
                        "UPDATE attachments SET entity_type = $2, entity_id = $3::uuid,"
                        " updated_at = $4::timestamptz, version = $5 WHERE id = $1::uuid",
                        5, p);
}

/* Soft: the row stays for the audit trail; every read leaves deleted rows out. */
static int on_deleted(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char ts[TS_LEN], v[24];

    if (id == NULL)
        return 0;
    stamp(ev, ts, v);
    const char *p[] = {id, ts, v};
    return fl_proj_emit(out,
                        "UPDATE attachments SET deleted_at = $2::timestamptz, updated_at ="
                        " $2::timestamptz, version = $3 WHERE id = $1::uuid",
                        3, p);
}

const fl_proj_handler_t fl_attach_projections[] = {
    {"attachment.uploaded", on_uploaded},
    {"attachment.linked", on_linked},
    {"attachment.deleted", on_deleted},
    {NULL, NULL},
};

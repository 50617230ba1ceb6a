/*
 * Every event -> one audit_logs row (schemas/tenant/0007_audit_logs.sql).
 * The handler is a wildcard (FL_PROJ_ANY_TYPE): it runs for every event,
 * whatever module it belongs to, so the trail cannot miss a change. The
 * insert is idempotent (ON CONFLICT (position) DO NOTHING): a retried batch
 * or a rebuild writes the same row again, which changes nothing. Every value
 * is a parameter, and every value is one PostgreSQL accepts (see redact.c),
 * so no event can stall the projector here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

/*
 * One statement per batch for all its rows (fl_proj_emit_row): the audit
 * trail is a table only this handler writes, keyed by position, so its rows
 * commute with every other statement of the batch.
 */
#define SQL_INSERT                                                                                 \
    "INSERT INTO audit_logs (position, user_id, actor, action, event_type, entity_type,"           \
    " entity_id, stream, stream_version, changes, data, request_id, ip_address, user_agent,"       \
    " hash, created_at) SELECT (x->>'position')::bigint, (x->>'user_id')::uuid, x->>'actor',"      \
    " x->>'action', x->>'event_type', x->>'entity_type', x->>'entity_id', x->>'stream',"           \
    " (x->>'stream_version')::bigint, x->'changes', x->'data', x->>'request_id',"                  \
    " (x->>'ip')::inet, x->>'user_agent', x->>'hash', (x->>'ts')::timestamptz"                     \
    " FROM jsonb_array_elements($1::jsonb) x ON CONFLICT (position) DO NOTHING"

static int emit_row(fl_proj_out_t *out, const fl_event_t *ev, const fl_audit_row_t *row)
{
    char pos[24], sv[24], ts[40];
    json_t *o;
    char *text;
    int rc = FL_ETOOBIG;

    snprintf(pos, sizeof(pos), "%" PRIu64, ev->pos);
    snprintf(sv, sizeof(sv), "%" PRIu64, ev->sv);
    fl_time_format(ev->ts, ts, sizeof(ts));
    /* The row's strings are valid UTF-8 without NUL already; "s?" is null for NULL. */
    o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:O?, s:O, s:s?, s:s?,"
                  " s:s?, s:s, s:s}",
                  "position", pos, "user_id", row->user_id, "actor", row->actor, "action",
                  row->action, "event_type", row->event_type, "entity_type", row->entity_type,
                  "entity_id", row->entity_id, "stream", row->stream, "stream_version", sv,
                  "changes", row->changes, "data", row->data, "request_id", row->request_id, "ip",
                  row->ip, "user_agent", row->user_agent, "hash", row->hash, "ts", ts);
    if (o != NULL && (text = fl_json_dumps(o, 0)) != NULL) {
        rc = fl_proj_emit_row(out, SQL_INSERT, text, FL_PROJ_ROW_ANYWHERE);
        free(text);
    }
    json_decref(o);
    return rc;
}

static int on_event(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    fl_audit_row_t row;
    int rc = fl_audit_row_build(ev, data, fl_proj_arena(out), &row);

    if (rc == 0)
        rc = emit_row(out, ev, &row);
    fl_audit_row_release(&row);
    return rc;
}

const fl_proj_handler_t fl_audit_projections[] = {
    {FL_PROJ_ANY_TYPE, on_event},
    {NULL, NULL},
};

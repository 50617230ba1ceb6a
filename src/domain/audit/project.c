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
#include "internal.h"

#define SQL_INSERT                                                                                 \
    "INSERT INTO audit_logs (position, user_id, actor, action, event_type, entity_type,"           \
    " entity_id, stream, stream_version, changes, data, request_id, ip_address, user_agent,"       \
    " hash, created_at) VALUES ($1::bigint, $2::uuid, $3, $4, $5, $6, $7, $8, $9::bigint,"         \
    " $10::jsonb, $11::jsonb, $12, $13::inet, $14, $15, $16::timestamptz)"                         \
    " ON CONFLICT (position) DO NOTHING"

static int emit_row(fl_proj_out_t *out, const fl_event_t *ev, const fl_audit_row_t *row)
{
    char pos[24], sv[24], ts[40];
    char *changes = row->changes != NULL ? json_dumps(row->changes, JSON_COMPACT) : NULL;
    char *data = json_dumps(row->data, JSON_COMPACT);
    int rc = FL_ETOOBIG;

    snprintf(pos, sizeof(pos), "%" PRIu64, ev->pos);
    snprintf(sv, sizeof(sv), "%" PRIu64, ev->sv);
    fl_time_format(ev->ts, ts, sizeof(ts));
    if (data != NULL && (row->changes == NULL || changes != NULL)) {
        const char *p[] = {pos,
                           row->user_id,
                           row->actor,
                           row->action,
                           row->event_type,
                           row->entity_type,
                           row->entity_id,
                           row->stream,
                           sv,
                           changes,
                           data,
                           row->request_id,
                           row->ip,
                           row->user_agent,
                           row->hash,
                           ts};
        rc = fl_proj_emit(out, SQL_INSERT, 16, p);
    }
    free(changes);
    free(data);
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

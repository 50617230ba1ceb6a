/*
 * The read side's list: the live attachments linked to one entity, newest
 * first, paged ({data, meta}), each row the same JSON as
 * fl_attach_to_json (built by PostgreSQL over idx_attachments_entity).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/attachments.h"
#include "firelater/err.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static const char list_sql[] =
    "SELECT c._total, p.j FROM (SELECT count(*) AS _total FROM attachments a WHERE"
    " a.entity_type = $1 AND a.entity_id = $2::uuid AND a.deleted_at IS NULL) c LEFT JOIN LATERAL"
    " (SELECT json_build_object('id', a.id, 'hash', a.hash, 'filename', a.filename,"
    " 'content_type', a.content_type, 'size_bytes', a.size_bytes, 'uploaded_by', a.uploaded_by,"
    " 'entity_type', a.entity_type, 'entity_id', a.entity_id, 'created_at', " TS(
        "a.created_at") ", 'version', a.version)::text AS j, a.created_at AS _k, a.id AS _id FROM "
                        "attachments a"
                        " WHERE a.entity_type = $1 AND a.entity_id = $2::uuid AND a.deleted_at IS "
                        "NULL"
                        " ORDER BY a.created_at DESC, a.id DESC LIMIT $3 OFFSET $4) p ON true"
                        " ORDER BY p._k DESC NULLS LAST, p._id DESC";

static const char *num(fl_arena_t *a, long v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%ld", v);
    return fl_arena_strndup(a, buf, strlen(buf));
}

int fl_attach_list_query(const char *entity_type, const char *entity_id,
                         const fl_http_param_t *query, size_t n, fl_arena_t *a,
                         fl_attach_query_t *out, fl_decision_t *d)
{
    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    if (fl_attach_entity(entity_type) == NULL || entity_id == NULL || !fl_uuid_is_valid(entity_id))
        return FL_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const char *name = query[i].name, *why = "unknown parameter";
        if (strcmp(name, "page") == 0)
            why = fl_param_count(query[i].value, 1000000, &out->page);
        else if (strcmp(name, "per_page") == 0)
            why = fl_param_count(query[i].value, 100, &out->per_page);
        if (why != NULL)
            fl_decision_field(d, fl_arena_strndup(a, name, strlen(name)), why);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    out->sql = list_sql;
    out->params[0] = entity_type;
    out->params[1] = entity_id;
    out->params[2] = num(a, out->per_page);
    out->params[3] = num(a, (out->page - 1) * out->per_page);
    out->nparams = 4;
    return out->params[2] == NULL || out->params[3] == NULL ? FL_ETOOBIG : 0;
}

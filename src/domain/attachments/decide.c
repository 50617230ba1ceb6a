/*
 * Deciders: attachment:<id> commands -> events. Pure: no I/O, no clock.
 *
 * Lifecycle (one stream per attachment):
 *
 *   state      command  ->  event                 next
 *   (none)     upload       attachment.uploaded   live (linked when given an entity)
 *   live       link         attachment.linked     live, linked (once: 409 after)
 *   live       delete       attachment.deleted    deleted
 *   deleted    any          404
 */
#include <stdio.h>
#include <string.h>

#include "firelater/attachments.h"
#include "firelater/err.h"

static int emit(const fl_cmd_ctx_t *ctx, fl_decision_t *d, const char *stream, int64_t expect,
                const char *type, json_t *data)
{
    int rc = fl_decision_expect(d, stream, expect);

    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type, data, NULL);
    else
        json_decref(data);
    return rc;
}

static bool hex64(const char *h)
{
    return h != NULL && strlen(h) == FL_ATTACH_HASH_HEX &&
           strspn(h, "0123456789abcdef") == FL_ATTACH_HASH_HEX;
}

int fl_attach_decide_upload(const fl_cmd_ctx_t *ctx, const fl_attach_upload_t *u, fl_decision_t *d)
{
    char *id, *loc;
    size_t n;

    if (!hex64(u->hash))
        fl_decision_field(d, "hash", "must be 64 hex digits");
    if (u->size_bytes == 0 || u->size_bytes > FL_ATTACH_MAX_BYTES)
        fl_decision_field(d, "size_bytes", "must be 1 byte to 25 MiB");
    if (fl_attach_filename_problem(u->filename) != NULL)
        fl_decision_field(d, "filename", fl_attach_filename_problem(u->filename));
    if (u->entity_type != NULL && fl_attach_entity(u->entity_type) == NULL)
        fl_decision_field(d, "entity_type", "must be issue or request");
    if (u->entity_type != NULL && !fl_uuid_is_valid(u->entity_id))
        fl_decision_field(d, "entity_id", "must be a uuid");
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?, s:o, s:o}", "id", id, "hash", u->hash,
                             "filename", u->filename, "content_type", u->content_type, "size_bytes",
                             (json_int_t)u->size_bytes, "uploaded_by", ctx->actor_id, "entity_type",
                             fl_json_str_or_null(u->entity_type), "entity_id",
                             fl_json_str_or_null(u->entity_type != NULL ? u->entity_id : NULL));
    int rc =
        emit(ctx, d, fl_attach_stream(ctx->a, id), FL_LOG_NO_STREAM, "attachment.uploaded", data);
    n = strlen("/api/v1/attachments/") + FL_UUID_LEN + 1;
    if ((loc = fl_arena_alloc(ctx->a, n)) == NULL)
        return FL_ETOOBIG;
    snprintf(loc, n, "/api/v1/attachments/%s", id);
    d->location = loc;
    return rc;
}

static int refuse_missing(const fl_attach_state_t *s, fl_decision_t *d)
{
    if (s == NULL || !s->exists || s->deleted)
        return fl_decision_fail(d, 404, "not found", "no such attachment");
    return 0;
}

int fl_attach_decide_link(const fl_cmd_ctx_t *ctx, const fl_attach_state_t *s,
                          const char *entity_type, const char *entity_id, fl_decision_t *d)
{
    if (refuse_missing(s, d) < 0)
        return FL_EINVAL;
    if (fl_attach_entity(entity_type) == NULL)
        fl_decision_field(d, "entity_type", "must be issue or request");
    if (!fl_uuid_is_valid(entity_id))
        fl_decision_field(d, "entity_id", "must be a uuid");
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (s->entity_type[0] != '\0') {
        if (strcmp(s->entity_type, entity_type) == 0 && strcmp(s->entity_id, entity_id) == 0)
            return fl_decision_fail(d, 409, "already linked", "the attachment is linked to it");
        return fl_decision_fail(d, 409, "already linked",
                                "the attachment is linked to another entity");
    }
    return emit(ctx, d, fl_attach_stream(ctx->a, s->id), (int64_t)s->version, "attachment.linked",
                json_pack("{s:s, s:s, s:s}", "id", s->id, "entity_type", entity_type, "entity_id",
                          entity_id));
}

int fl_attach_decide_delete(const fl_cmd_ctx_t *ctx, const fl_attach_state_t *s, int64_t expected,
                            fl_decision_t *d)
{
    if (refuse_missing(s, d) < 0)
        return FL_EINVAL;
    if (expected != FL_LOG_ANY && (uint64_t)expected != s->version)
        return fl_decision_fail(d, 412, "version mismatch", "the attachment changed meanwhile");
    return emit(ctx, d, fl_attach_stream(ctx->a, s->id), (int64_t)s->version, "attachment.deleted",
                json_pack("{s:s, s:s}", "id", s->id, "hash", s->hash));
}

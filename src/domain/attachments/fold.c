/*
 * The fold (attachment:<id> -> fl_attach_state_t), the state's JSON and the
 * write-side lookup other modules call. Unknown event types are skipped, so
 * later versions may add events.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/attachments.h"
#include "firelater/codec.h"
#include "firelater/err.h"

char *fl_attach_stream(fl_arena_t *a, const char *id)
{
    size_t n = strlen("attachment:") + strlen(id) + 1;
    char *out = fl_arena_alloc(a, n);

    if (out != NULL)
        snprintf(out, n, "attachment:%s", id);
    return out;
}

static void copy(char *dst, size_t cap, const json_t *v)
{
    const char *s = json_string_value(v);

    snprintf(dst, cap, "%s", s != NULL ? s : "");
}

static const char *dup_str(fl_arena_t *a, const json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

static void on_uploaded(fl_attach_state_t *s, fl_arena_t *a, const json_t *data, fl_time_t ts)
{
    s->exists = true;
    s->created_at = ts;
    copy(s->id, sizeof(s->id), json_object_get(data, "id"));
    copy(s->hash, sizeof(s->hash), json_object_get(data, "hash"));
    s->filename = dup_str(a, json_object_get(data, "filename"));
    s->content_type = dup_str(a, json_object_get(data, "content_type"));
    s->size_bytes = (uint64_t)json_integer_value(json_object_get(data, "size_bytes"));
    copy(s->uploaded_by, sizeof(s->uploaded_by), json_object_get(data, "uploaded_by"));
    copy(s->entity_type, sizeof(s->entity_type), json_object_get(data, "entity_type"));
    copy(s->entity_id, sizeof(s->entity_id), json_object_get(data, "entity_id"));
}

static int attach_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_attach_state_t *s = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "attachment.uploaded") == 0) {
        on_uploaded(s, a, data, ev->ts);
    } else if (strcmp(ev->type, "attachment.linked") == 0) {
        copy(s->entity_type, sizeof(s->entity_type), json_object_get(data, "entity_type"));
        copy(s->entity_id, sizeof(s->entity_id), json_object_get(data, "entity_id"));
    } else if (strcmp(ev->type, "attachment.deleted") == 0) {
        s->deleted = true;
        s->deleted_at = ev->ts;
    }
    s->updated_at = ev->ts;
    s->version = ev->sv;
    json_decref(data);
    return 0;
}

static void attach_init(void *state)
{
    memset(state, 0, sizeof(fl_attach_state_t));
}

const fl_agg_type_t fl_attach_agg = {
    .name = "attachment",
    .state_size = sizeof(fl_attach_state_t),
    .init = attach_init,
    .fold = attach_fold,
};

json_t *fl_attach_to_json(const fl_attach_state_t *s)
{
    bool linked = s->entity_type[0] != '\0';

    return json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:s, s:s?, s:s?, s:o, s:I}", "id", s->id, "hash",
                     s->hash, "filename", s->filename, "content_type", s->content_type,
                     "size_bytes", (json_int_t)s->size_bytes, "uploaded_by", s->uploaded_by,
                     "entity_type", linked ? s->entity_type : NULL, "entity_id",
                     linked ? s->entity_id : NULL, "created_at",
                     fl_json_time_or_null(s->created_at), "version", (json_int_t)s->version);
}

int fl_attach_lookup(fl_agg_cache_t *cache, fl_arena_t *a, const char *id, fl_attach_ref_t *out)
{
    char stream[64];
    const void *state;
    uint64_t v = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    snprintf(stream, sizeof(stream), "attachment:%s", id);
    for (char *p = stream; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    if ((rc = fl_agg_load(cache, &fl_attach_agg, stream, &state, &v)) < 0)
        return rc;
    const fl_attach_state_t *s = state;
    out->exists = s->exists;
    out->deleted = s->deleted;
    out->size_bytes = s->size_bytes;
    out->filename =
        s->filename != NULL ? fl_arena_strndup(a, s->filename, strlen(s->filename)) : NULL;
    out->content_type = s->content_type != NULL
                            ? fl_arena_strndup(a, s->content_type, strlen(s->content_type))
                            : NULL;
    memcpy(out->uploaded_by, s->uploaded_by, sizeof(out->uploaded_by));
    return 0;
}

/*
 * An event's fields for the SLA fold (fl_slafacts_in_t), from its msgpack
 * data or from the same data decoded to JSON. Both readers must give the same
 * fields for the same data: tests/unit/slaclock/test_facts_in.c folds random
 * events through both.
 *
 * The msgpack reader walks the data map once and looks only into the members
 * the fold reads (and into data.changes and its members); everything else is
 * skipped unread. As in JSON, the last of two equal keys counts. It differs
 * from the JSON codec only on data no writer of this code base produces: a
 * binary value is not a string here (the codec makes it base64 text), and a
 * key that is not a string is refused only in the maps read (the codec
 * refuses it anywhere).
 */
#include <stddef.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/mp.h"
#include "firelater/slafacts.h"

static const fl_slafacts_event_t issue_events[] = {
    {"issue.created", FL_SLAFT_CREATED},
    {"issue.updated", FL_SLAFT_UPDATED},
    {"issue.deleted", FL_SLAFT_DELETED},
    {"issue.comment_added", FL_SLAFT_COMMENT},
    {"issue.sla_warning", FL_SLAFT_WARNED},
    {"issue.sla_breached", FL_SLAFT_BREACHED},
    {"issue.assigned", FL_SLAFT_ASSIGNED},
    {"issue.resolved", FL_SLAFT_RESOLVED},
    {"issue.closed", FL_SLAFT_CLOSED},
    {"issue.reopened", FL_SLAFT_REOPENED},
    {"issue.status_changed", FL_SLAFT_STATUS_CHANGED},
    {NULL, 0},
};

static const fl_slafacts_class_t issue_classes[] = {
    {"new", FL_SLAFS_NEW},
    {"pending", FL_SLAFS_PENDING},
    {"resolved", FL_SLAFS_RESOLVED},
    {"closed", FL_SLAFS_CLOSED},
    {NULL, 0},
};

const fl_slafacts_entity_t fl_slafacts_issue = {
    .id = 0, /* FL_SLA_ISSUE */
    .name = "issue",
    .stream_prefix = "issue:",
    .stream_prefix_len = 6,
    .event_prefix = "issue.",
    .warned = "issue.sla_warning",
    .breached = "issue.sla_breached",
    .events = issue_events,
    .classes = issue_classes,
    .attr_keys = {"priority", "issue_type", "application_id"},
    .respond_leaving_new = true,
};

/*
 * A request's moves all carry data.to (request.approved only when it completes
 * the chain), so they are STATUS_CHANGED; the first of assign and start is the
 * response. Comments, child_moved and the rest give no facts.
 */
static const fl_slafacts_event_t request_events[] = {
    {"request.created", FL_SLAFT_CREATED},           {"request.updated", FL_SLAFT_UPDATED},
    {"request.sla_warning", FL_SLAFT_WARNED},        {"request.sla_breached", FL_SLAFT_BREACHED},
    {"request.assigned", FL_SLAFT_FULFIL},           {"request.started", FL_SLAFT_FULFIL},
    {"request.submitted", FL_SLAFT_STATUS_CHANGED},  {"request.approved", FL_SLAFT_STATUS_CHANGED},
    {"request.rejected", FL_SLAFT_STATUS_CHANGED},   {"request.completed", FL_SLAFT_STATUS_CHANGED},
    {"request.cancelled", FL_SLAFT_STATUS_CHANGED},  {"request.reopened", FL_SLAFT_STATUS_CHANGED},
    {"request.progressed", FL_SLAFT_STATUS_CHANGED}, {NULL, 0},
};

static const fl_slafacts_class_t request_classes[] = {
    {"new", FL_SLAFS_NEW},
    {"pending_approval", FL_SLAFS_PENDING},
    {"completed", FL_SLAFS_RESOLVED},
    {"cancelled", FL_SLAFS_RESOLVED},
    {"rejected", FL_SLAFS_RESOLVED},
    {NULL, 0},
};

const fl_slafacts_entity_t fl_slafacts_request = {
    .id = 1, /* FL_SLA_REQUEST */
    .name = "request",
    .stream_prefix = "request:",
    .stream_prefix_len = 8,
    .event_prefix = "request.",
    .warned = "request.sla_warning",
    .breached = "request.sla_breached",
    .events = request_events,
    .classes = request_classes,
    .attr_keys = {"priority", "sla_policy_id", "catalog_item_id"},
    .respond_leaving_new = false,
};

const fl_slafacts_entity_t *const fl_slafacts_entities[FL_SLAFACTS_ENTITIES] = {
    &fl_slafacts_issue, &fl_slafacts_request};

const fl_slafacts_entity_t *fl_slafacts_entity_of_stream(const char *stream)
{
    for (int i = 0; stream != NULL && i < FL_SLAFACTS_ENTITIES; i++) {
        const fl_slafacts_entity_t *e = fl_slafacts_entities[i];
        if (strncmp(stream, e->stream_prefix, e->stream_prefix_len) == 0 &&
            stream[e->stream_prefix_len] != '\0')
            return e;
    }
    return NULL;
}

/* The entity of an event type (by its prefix; the issue's for any other) and its type. */
static uint8_t type_of(const char *t, const fl_slafacts_entity_t **entity)
{
    *entity = &fl_slafacts_issue;
    for (int i = 0; t != NULL && i < FL_SLAFACTS_ENTITIES; i++) {
        const fl_slafacts_entity_t *e = fl_slafacts_entities[i];
        if (strncmp(t, e->event_prefix, strlen(e->event_prefix)) != 0)
            continue;
        *entity = e;
        for (const fl_slafacts_event_t *ev = e->events; ev->name != NULL; ev++) {
            if (strcmp(t, ev->name) == 0)
                return ev->type;
        }
    }
    return FL_SLAFT_OTHER;
}

static void in_init(fl_slafacts_in_t *in, const char *type, fl_time_t ts, const char *actor)
{
    memset(in, 0, sizeof(*in));
    in->type = type_of(type, &in->entity);
    in->ts = ts;
    in->actor = actor != NULL ? actor : "";
}

/* --------------------------------------------------------------- from JSON */

static fl_slafacts_str_t jstr(const json_t *v)
{
    const char *s = json_string_value(v);

    if (v == NULL)
        return (fl_slafacts_str_t){0};
    if (s == NULL)
        return (fl_slafacts_str_t){.has = FL_SLAFACTS_NOSTR};
    return (fl_slafacts_str_t){.p = s, .len = (uint32_t)strlen(s), .has = FL_SLAFACTS_STR};
}

static const json_t *changed_to(const json_t *data, const char *key)
{
    return json_object_get(json_object_get(json_object_get(data, "changes"), key), "to");
}

void fl_slafacts_in_json(fl_slafacts_in_t *in, const fl_event_t *ev, const json_t *data)
{
    in_init(in, ev->type, ev->ts, ev->actor);
    in->status = jstr(json_object_get(data, "status"));
    in->reporter_id = jstr(json_object_get(data, "reporter_id"));
    in->user_id = jstr(json_object_get(data, "user_id"));
    in->to = jstr(json_object_get(data, "to"));
    in->metric = jstr(json_object_get(data, "metric"));
    in->crossed_at = jstr(json_object_get(data, "crossed_at"));
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        in->attr[i] = jstr(json_object_get(data, in->entity->attr_keys[i]));
        in->changed[i] = jstr(changed_to(data, in->entity->attr_keys[i]));
    }
    in->changed_status = jstr(changed_to(data, "status"));
    in->is_internal = json_is_true(json_object_get(data, "is_internal"));
}

/* ----------------------------------------------------------- from msgpack */

static bool key_is(const char *k, uint32_t klen, const char *lit)
{
    return strlen(lit) == klen && memcmp(k, lit, klen) == 0;
}

/* Skips what follows a container's header (its items), nested no deeper than depth. */
static int skip_items(fl_mp_t *r, const fl_mp_item_t *it, int depth)
{
    uint64_t n = it->kind == FL_MP_MAP ? (uint64_t)it->v.n * 2 : 0;

    if (it->kind == FL_MP_ARRAY)
        n = it->v.n;
    for (uint64_t i = 0; i < n; i++) {
        if (fl_mp_skip(r, depth - 1) < 0)
            return FL_ECORRUPT;
    }
    return 0;
}

/* The next value as a field: a string (up to its first NUL), or present but not one. */
static int read_str(fl_mp_t *r, int depth, fl_slafacts_str_t *out)
{
    fl_mp_item_t it;
    const char *nul;

    if (fl_mp_next(r, &it) < 0)
        return FL_ECORRUPT;
    if (it.kind != FL_MP_STR) {
        *out = (fl_slafacts_str_t){.has = FL_SLAFACTS_NOSTR};
        return skip_items(r, &it, depth);
    }
    nul = memchr(it.v.s.ptr, '\0', it.v.s.len);
    *out = (fl_slafacts_str_t){.p = (const char *)it.v.s.ptr,
                               .len = nul != NULL ? (uint32_t)(nul - (const char *)it.v.s.ptr)
                                                  : it.v.s.len,
                               .has = FL_SLAFACTS_STR};
    return 0;
}

/*
 * Calls fn for each member of the map that follows (anything else is skipped,
 * and *is_map says which); fn reads the member's value.
 */
typedef int (*member_fn)(fl_mp_t *r, const char *k, uint32_t klen, int depth, void *ctx);

static int each_member(fl_mp_t *r, int depth, member_fn fn, void *ctx, bool *is_map)
{
    fl_mp_item_t it;
    const char *k;
    uint32_t klen;
    int rc;

    if (depth < 0 || fl_mp_next(r, &it) < 0)
        return FL_ECORRUPT;
    *is_map = it.kind == FL_MP_MAP;
    if (!*is_map)
        return skip_items(r, &it, depth);
    for (uint32_t i = 0; i < it.v.n; i++) {
        if (fl_mp_read_str(r, &k, &klen) < 0 || (rc = fn(r, k, klen, depth - 1, ctx)) < 0)
            return FL_ECORRUPT;
    }
    return 0;
}

/* data.changes.<key>: its "to". */
static int change_member(fl_mp_t *r, const char *k, uint32_t klen, int depth, void *ctx)
{
    if (key_is(k, klen, "to"))
        return read_str(r, depth, ctx);
    return fl_mp_skip(r, depth);
}

/* A member of data.changes. */
static int changes_member(fl_mp_t *r, const char *k, uint32_t klen, int depth, void *ctx)
{
    fl_slafacts_in_t *in = ctx;
    fl_slafacts_str_t *to = key_is(k, klen, "status") ? &in->changed_status : NULL;
    bool is_map;

    for (int i = 0; to == NULL && i < FL_SLAFACTS_ATTRS; i++) {
        if (key_is(k, klen, in->entity->attr_keys[i]))
            to = &in->changed[i];
    }
    if (to == NULL)
        return fl_mp_skip(r, depth);
    *to = (fl_slafacts_str_t){0}; /* a later equal key replaces the whole member */
    return each_member(r, depth, change_member, to, &is_map);
}

/* The field a member of data fills (NULL: none). */
static fl_slafacts_str_t *field_of(fl_slafacts_in_t *in, const char *k, uint32_t klen)
{
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"status", offsetof(fl_slafacts_in_t, status)},
        {"reporter_id", offsetof(fl_slafacts_in_t, reporter_id)},
        {"user_id", offsetof(fl_slafacts_in_t, user_id)},
        {"to", offsetof(fl_slafacts_in_t, to)},
        {"metric", offsetof(fl_slafacts_in_t, metric)},
        {"crossed_at", offsetof(fl_slafacts_in_t, crossed_at)},
    };

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (key_is(k, klen, fields[i].key))
            return (fl_slafacts_str_t *)((char *)in + fields[i].off);
    }
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        if (key_is(k, klen, in->entity->attr_keys[i]))
            return &in->attr[i];
    }
    return NULL;
}

static int data_member(fl_mp_t *r, const char *k, uint32_t klen, int depth, void *ctx)
{
    fl_slafacts_in_t *in = ctx;
    fl_slafacts_str_t *f = field_of(in, k, klen);
    fl_mp_item_t it;
    bool is_map;

    if (f != NULL)
        return read_str(r, depth, f);
    if (key_is(k, klen, "is_internal")) {
        if (fl_mp_next(r, &it) < 0)
            return FL_ECORRUPT;
        in->is_internal = it.kind == FL_MP_BOOL && it.v.b;
        return skip_items(r, &it, depth);
    }
    if (!key_is(k, klen, "changes"))
        return fl_mp_skip(r, depth);
    memset(in->changed, 0, sizeof(in->changed));
    in->changed_status = (fl_slafacts_str_t){0};
    return each_member(r, depth, changes_member, in, &is_map);
}

int fl_slafacts_in_mp(fl_slafacts_in_t *in, const char *type, fl_time_t ts, const char *actor,
                      const uint8_t *data, size_t len)
{
    fl_mp_t r;
    bool is_map;

    in_init(in, type, ts, actor);
    if (len == 0 || in->type == FL_SLAFT_OTHER)
        return 0;
    fl_mp_init(&r, data, len);
    if (each_member(&r, FL_CODEC_MAX_DEPTH, data_member, in, &is_map) < 0 || fl_mp_left(&r) != 0) {
        in_init(in, type, ts, actor);
        return FL_ECORRUPT;
    }
    return 0;
}

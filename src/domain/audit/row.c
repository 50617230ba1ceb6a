/*
 * One event -> one audit_logs row: the entity it concerns, the verb, who,
 * from where, and what changed, with secrets redacted. Pure: the row depends
 * on the event alone, so a rebuild produces the same rows.
 */
#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

#define ADDR_MAX 64 /* bytes of an address without its port */

/* s as clean text in the arena; "" for NULL. */
static const char *text(fl_arena_t *a, const char *s)
{
    return fl__audit_text(a, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* s as clean text, or NULL when absent or empty (the envelope's "" means absent). */
static const char *text_or_null(fl_arena_t *a, const char *s, bool *full)
{
    const char *t;

    if (s == NULL || *s == '\0')
        return NULL;
    t = text(a, s);
    *full = *full || t == NULL;
    return t;
}

/* "user.updated" -> "user" and "updated"; a type without a dot is both. */
static void split_type(fl_arena_t *a, const char *type, fl_audit_row_t *row)
{
    const char *dot = strchr(type, '.');

    if (dot == NULL) {
        row->entity_type = row->action = text(a, type);
        return;
    }
    row->entity_type = fl__audit_text(a, type, (size_t)(dot - type));
    row->action = text(a, dot + 1);
}

/* A non-empty string member of data, or NULL. */
static const char *member(const json_t *data, const char *key)
{
    const char *s = json_string_value(json_object_get(data, key));

    return s != NULL && *s != '\0' ? s : NULL;
}

/* data.id, else data.<entity>_id, else the stream after its first ':' (or the whole stream). */
static const char *entity_id(fl_arena_t *a, const fl_event_t *ev, const json_t *data,
                             const char *entity)
{
    const char *id = member(data, "id");
    const char *stream = ev->stream != NULL ? ev->stream : "";

    if (id == NULL && entity != NULL) {
        size_t n = strlen(entity) + sizeof("_id");
        char *key = fl_arena_alloc(a, n);
        if (key == NULL)
            return NULL;
        memcpy(key, entity, n - sizeof("_id"));
        memcpy(key + n - sizeof("_id"), "_id", sizeof("_id"));
        id = member(data, key);
    }
    if (id == NULL)
        id = strchr(stream, ':') != NULL ? strchr(stream, ':') + 1 : stream;
    return text(a, id);
}

/* The uuid of a "user:<uuid>" actor, or NULL. */
static const char *actor_user(const char *actor)
{
    if (actor != NULL && strncmp(actor, "user:", 5) == 0 && fl_uuid_is_valid(actor + 5))
        return actor + 5;
    return NULL;
}

/*
 * The address of a client "host:port", "[v6]:port", or a bare address, in
 * the arena; NULL when absent or not an IPv4 or IPv6 address (it would make
 * the INET cast, and with it the whole batch, fail).
 */
static const char *client_address(fl_arena_t *a, const char *client)
{
    char host[ADDR_MAX];
    unsigned char bin[sizeof(struct in6_addr)];
    const char *start = client, *end, *colon;

    if (client == NULL || *client == '\0')
        return NULL;
    colon = strchr(client, ':');
    if (client[0] == '[') {
        start = client + 1;
        end = strchr(start, ']');
    } else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
        end = colon; /* IPv4 with a port */
    } else {
        end = client + strlen(client); /* bare IPv4 or IPv6 */
    }
    if (end == NULL || end == start || (size_t)(end - start) >= sizeof(host))
        return NULL;
    memcpy(host, start, (size_t)(end - start));
    host[end - start] = '\0';
    if (inet_pton(AF_INET, host, bin) != 1 && inet_pton(AF_INET6, host, bin) != 1)
        return NULL;
    return fl_arena_strndup(a, host, strlen(host));
}

/*
 * data.changes as the event carries it; for a "created" event every field
 * but id as {from: null, to: value}; else NULL. Redacted either way.
 */
static json_t *changes_of(const char *action, const json_t *data)
{
    json_t *changes = json_object_get(data, "changes"), *out, *v;
    const char *key;

    if (json_is_object(changes))
        return fl_audit_redact(changes);
    if (action == NULL || strcmp(action, "created") != 0 || !json_is_object(data))
        return NULL;
    out = json_object();
    json_object_foreach((json_t *)data, key, v)
    {
        if (strcmp(key, "id") == 0)
            continue;
        json_object_set_new(out, key,
                            fl_audit_key_is_secret(key)
                                ? json_string(FL_AUDIT_REDACTED)
                                : json_pack("{s:n,s:o}", "from", "to", fl_audit_redact(v)));
    }
    return out;
}

int fl_audit_row_build(const fl_event_t *ev, const json_t *data, fl_arena_t *a, fl_audit_row_t *row)
{
    uint8_t hash[FL_LOG_HASH_LEN];
    bool full = false;

    memset(row, 0, sizeof(*row));
    row->event_type = text(a, ev->type);
    split_type(a, ev->type != NULL ? ev->type : "", row);
    row->entity_id = entity_id(a, ev, data, row->entity_type);
    row->user_id = text_or_null(a, actor_user(ev->actor), &full);
    row->ip = client_address(a, ev->ip);
    row->actor = text(a, ev->actor);
    row->stream = text(a, ev->stream);
    row->request_id = text_or_null(a, ev->cid, &full);
    row->user_agent = text_or_null(a, ev->ua, &full);
    row->changes = changes_of(row->action, data);
    row->data = data != NULL ? fl_audit_redact(data) : json_object();
    fl_log_hash(ev->raw, ev->raw_len, hash);
    sodium_bin2hex(row->hash, sizeof(row->hash), hash, sizeof(hash));
    if (full || row->event_type == NULL || row->entity_type == NULL || row->action == NULL ||
        row->entity_id == NULL || row->actor == NULL || row->stream == NULL)
        return FL_ETOOBIG;
    return 0;
}

void fl_audit_row_release(fl_audit_row_t *row)
{
    json_decref(row->changes);
    json_decref(row->data);
    row->changes = row->data = NULL;
}

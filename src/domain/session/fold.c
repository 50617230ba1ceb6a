/*
 * The session aggregate folded from its events. The fold trusts the log
 * (only decide.c wrote these events) but not blindly: data that is missing
 * or of the wrong shape is FL_ECORRUPT rather than a half-built session.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/session.h"

static void session_init(void *state)
{
    fl_session_t *s = state;

    memset(s, 0, sizeof(*s));
    s->client = "";
    s->user_agent = "";
}

/* A string member copied into dst[cap]; FL_ECORRUPT if absent or too long. */
static int str_copy(const json_t *data, const char *key, char *dst, size_t cap)
{
    const char *v = json_string_value(json_object_get(data, key));

    if (v == NULL || strlen(v) >= cap)
        return FL_ECORRUPT;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* An optional string member copied into the arena ("" when absent or null). */
static const char *str_dup(fl_arena_t *a, const json_t *data, const char *key)
{
    const char *v = json_string_value(json_object_get(data, key));

    return v == NULL ? "" : fl_arena_strndup(a, v, strlen(v));
}

static int apply_started(fl_session_t *s, fl_arena_t *a, const json_t *data, const fl_event_t *ev)
{
    const char *exp = json_string_value(json_object_get(data, "expires_at"));
    int rc = str_copy(data, "family", s->family, sizeof(s->family));

    if (rc == 0)
        rc = str_copy(data, "user_id", s->user_id, sizeof(s->user_id));
    if (rc == 0)
        rc = str_copy(data, "token_hash", s->token_hash, sizeof(s->token_hash));
    if (rc == 0 && (exp == NULL || fl_time_parse(exp, &s->expires_at) != 0))
        rc = FL_ECORRUPT;
    if (rc != 0)
        return rc;
    s->client = str_dup(a, data, "client");
    s->user_agent = str_dup(a, data, "user_agent");
    if (s->client == NULL || s->user_agent == NULL)
        return FL_ETOOBIG;
    s->exists = true;
    s->started_at = ev->ts;
    return 0;
}

/*
 * The current hash moves into the ring of rotated-out ones, overwriting the
 * oldest when the ring is full: memory per session stays fixed.
 */
static int apply_refreshed(fl_session_t *s, const json_t *data, const fl_event_t *ev)
{
    char next[FL_TOKEN_HASH_HEX];
    uint8_t *slot = s->rotated[s->rotated_next];

    if (!s->exists || str_copy(data, "token_hash", next, sizeof(next)) != 0 ||
        sodium_hex2bin(slot, 32, s->token_hash, strlen(s->token_hash), NULL, NULL, NULL) != 0)
        return FL_ECORRUPT;
    s->rotated_next = (s->rotated_next + 1) % FL_SESSION_ROTATED_MAX;
    if (s->n_rotated < FL_SESSION_ROTATED_MAX)
        s->n_rotated++;
    memcpy(s->token_hash, next, sizeof(next));
    s->refreshes++;
    s->refreshed_at = ev->ts;
    return 0;
}

static int apply_revoked(fl_session_t *s, const json_t *data, const fl_event_t *ev)
{
    fl_session_reason_t r =
        fl_session_reason_parse(json_string_value(json_object_get(data, "reason")));

    if (!s->exists)
        return FL_ECORRUPT;
    /* A reason this version does not know still revokes: it reads as "admin". */
    s->reason = r != FL_SESSION_ACTIVE ? r : FL_SESSION_ADMIN;
    s->revoked = true;
    s->revoked_at = ev->ts;
    return 0;
}

/* Unknown event types are skipped, so older code can read a newer log. */
static int session_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_session_t *s = state;
    json_t *data = NULL;
    int rc = 0;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    if (strcmp(ev->type, "session.started") == 0)
        rc = apply_started(s, a, data, ev);
    else if (strcmp(ev->type, "session.refreshed") == 0)
        rc = apply_refreshed(s, data, ev);
    else if (strcmp(ev->type, "session.revoked") == 0)
        rc = apply_revoked(s, data, ev);
    json_decref(data);
    return rc;
}

const fl_agg_type_t fl_session_agg = {
    .name = "session",
    .state_size = sizeof(fl_session_t),
    .init = session_init,
    .fold = session_fold,
};

bool fl_session_is_active(const fl_session_t *s, fl_time_t now)
{
    return s->exists && !s->revoked && now < s->expires_at;
}

bool fl_session_was_rotated(const fl_session_t *s, const char *hash)
{
    uint8_t h[32];
    size_t n = 0;

    if (strlen(hash) != 64 || sodium_hex2bin(h, sizeof(h), hash, 64, NULL, &n, NULL) != 0 ||
        n != sizeof(h))
        return false;
    for (unsigned i = 0; i < s->n_rotated; i++) {
        if (memcmp(s->rotated[i], h, sizeof(h)) == 0)
            return true;
    }
    return false;
}

static json_t *time_or_null(fl_time_t t)
{
    char buf[40];

    if (t == 0)
        return json_null();
    fl_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

json_t *fl_session_to_json(const void *state, uint64_t version)
{
    const fl_session_t *s = state;
    const char *reason = fl_session_reason_name(s->reason);

    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s?, s:I}", "family", s->family,
                     "user_id", s->user_id, "client", s->client, "user_agent", s->user_agent,
                     "started_at", time_or_null(s->started_at), "expires_at",
                     time_or_null(s->expires_at), "refreshed_at", time_or_null(s->refreshed_at),
                     "revoked", s->revoked, "reason", reason, "version", (json_int_t)version);
}

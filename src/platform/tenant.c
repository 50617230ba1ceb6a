/*
 * Tenant lifecycle commands: each one reads the tenant's stream, decides, and
 * appends one event with the version it decided on (see the transition table
 * in tenant.h). The platform log is the only record of the registry.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "firelater/tenant.h"
#include "internal.h"

/* A lost race re-reads and decides again; past this many, something is very wrong. */
#define TRANSITION_ATTEMPTS 8

bool fl_tenant_slug_is_valid(const char *slug)
{
    size_t n;

    if (slug == NULL || !(slug[0] >= 'a' && slug[0] <= 'z'))
        return false;
    for (n = 1; slug[n] != '\0'; n++) {
        char c = slug[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
        if (n >= FL_TENANT_SLUG_MAX)
            return false;
    }
    return n >= 2;
}

const char *fl_tenant_status_name(fl_tenant_status_t status)
{
    switch (status) {
    case FL_TENANT_ACTIVE:
        return "active";
    case FL_TENANT_SUSPENDED:
        return "suspended";
    }
    return "unknown";
}

int fl__tenant_stream(const char *slug, char *buf, size_t len)
{
    int n;

    if (!fl_tenant_slug_is_valid(slug))
        return FL_EINVAL;
    n = snprintf(buf, len, "%s%s", FL__TENANT_STREAM_PREFIX, slug);
    if (n < 0 || (size_t)n >= len)
        return FL_ETOOBIG;
    return 0;
}

/* Control characters in a name or reason would garble every table that shows it. */
static bool text_is_valid(const char *s, size_t max, bool empty_ok)
{
    size_t n;

    if (s == NULL)
        return empty_ok;
    for (n = 0; s[n] != '\0'; n++) {
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= max)
            return false;
    }
    return n > 0 || empty_ok;
}

/* Encodes obj (a new reference, consumed) as event data; NULL obj means invalid UTF-8. */
static int encode_data(json_t *obj, fl_arena_t *a, uint8_t **out, size_t *len)
{
    int rc;

    if (obj == NULL)
        return FL_EINVAL;
    rc = fl_codec_from_json(obj, a, out, len);
    json_decref(obj);
    return rc;
}

static int append_one(fl_log_t *platform, const char *stream, const char *type, int64_t expect,
                      const uint8_t *data, size_t len, const char *actor)
{
    fl_log_new_t ev = {.stream = stream, .type = type, .v = 1, .actor = actor};
    fl_log_expect_t ex = {.stream = stream, .version = expect};
    fl_log_batch_t batch = {.events = &ev, .n_events = 1, .expects = &ex, .n_expects = 1};
    fl_log_result_t res;

    ev.data = data;
    ev.data_len = len;
    return fl_log_append(platform, &batch, &res);
}

int fl_tenant_create(fl_log_t *platform, const char *data_dir, const char *slug, const char *name,
                     const char *actor)
{
    char stream[FL_TENANT_SLUG_MAX + sizeof(FL__TENANT_STREAM_PREFIX)];
    fl_arena_t a;
    uint8_t *data;
    size_t len;
    bool existed;
    int rc;

    if (!text_is_valid(name, FL_TENANT_NAME_MAX, false))
        return FL_EINVAL;
    rc = fl__tenant_stream(slug, stream, sizeof(stream));
    if (rc < 0)
        return rc;
    fl_arena_init(&a, 0);
    rc = encode_data(json_pack("{s:s, s:s}", "slug", slug, "name", name), &a, &data, &len);
    if (rc < 0)
        goto out_free_arena;
    rc = append_one(platform, stream, "tenant.created", FL_LOG_NO_STREAM, data, len, actor);
    if (rc < 0 && rc != FL_EVERSION)
        goto out_free_arena;
    /*
     * The event is the commitment; the directory follows it. Initialising is
     * idempotent, so a create whose directory step failed (a crash, a full
     * disk) is completed by the next create of the same slug, which still
     * reports FL_EEXIST because the tenant was registered by the first.
     */
    existed = rc == FL_EVERSION;
    rc = fl__data_tenant_init(data_dir, slug);
    if (rc == 0 && existed)
        rc = FL_EEXIST;
out_free_arena:
    fl_arena_free(&a);
    return rc;
}

/* One attempt at a transition: FL_EVERSION means another writer came first. */
static int transition_once(fl_log_t *platform, fl_arena_t *a, const char *slug, const char *type,
                           fl_tenant_status_t from, const char *reason, const char *actor)
{
    char stream[FL_TENANT_SLUG_MAX + sizeof(FL__TENANT_STREAM_PREFIX)];
    fl_tenant_t t;
    json_t *obj;
    uint8_t *data;
    size_t len;
    int rc;

    rc = fl__tenant_stream(slug, stream, sizeof(stream));
    if (rc == 0)
        rc = fl_tenant_get(platform, slug, a, &t);
    if (rc < 0)
        return rc;
    if (t.status != from)
        return FL_ESTATE;
    obj = reason != NULL ? json_pack("{s:s}", "reason", reason) : json_object();
    rc = encode_data(obj, a, &data, &len);
    if (rc < 0)
        return rc;
    return append_one(platform, stream, type, (int64_t)t.version, data, len, actor);
}

static int transition(fl_log_t *platform, const char *slug, const char *type,
                      fl_tenant_status_t from, const char *reason, const char *actor)
{
    fl_arena_t a;
    int rc = FL_EVERSION;
    int i;

    if (!text_is_valid(reason, FL_TENANT_REASON_MAX, true))
        return FL_EINVAL;
    fl_arena_init(&a, 0);
    for (i = 0; i < TRANSITION_ATTEMPTS && rc == FL_EVERSION; i++) {
        fl_arena_reset(&a);
        rc = transition_once(platform, &a, slug, type, from, reason, actor);
    }
    fl_arena_free(&a);
    return rc;
}

int fl_tenant_suspend(fl_log_t *platform, const char *slug, const char *reason, const char *actor)
{
    return transition(platform, slug, "tenant.suspended", FL_TENANT_ACTIVE, reason, actor);
}

int fl_tenant_resume(fl_log_t *platform, const char *slug, const char *reason, const char *actor)
{
    return transition(platform, slug, "tenant.resumed", FL_TENANT_SUSPENDED, reason, actor);
}

/*
 * Decisions: the events a command produces, or the problem that refuses it.
 */
#include <string.h>

#include <sodium.h>

#include "firelater/codec.h"
#include "firelater/domain.h"
#include "firelater/err.h"

void fl_decision_init(fl_decision_t *d)
{
    memset(d, 0, sizeof(*d));
}

void fl_decision_release(fl_decision_t *d)
{
    if (d->result != NULL)
        json_decref(d->result);
    d->result = NULL;
}

int fl_decision_emit(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                     const char *type, json_t *data, const char *number)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = 0;
    if (d->n_events == FL_DECISION_MAX_EVENTS)
        rc = FL_ETOOBIG;
    else if (data != NULL)
        rc = fl_codec_from_json(data, ctx->a, &bytes, &len);
    if (data != NULL)
        json_decref(data);
    if (rc != 0)
        return rc;
    fl_log_new_t *e = &d->events[d->n_events++];
    *e = (fl_log_new_t){.stream = fl_arena_strndup(ctx->a, stream, strlen(stream)),
                        .type = type,
                        .v = 1,
                        .actor = ctx->actor,
                        .cid = ctx->request_id,
                        .corr = ctx->corr,
                        .ip = ctx->client,
                        .ua = ctx->user_agent,
                        .number = number,
                        .data = bytes,
                        .data_len = len};
    return e->stream == NULL ? FL_ETOOBIG : 0;
}

int fl_decision_expect(fl_decision_t *d, const char *stream, int64_t version)
{
    for (size_t i = 0; i < d->n_expects; i++) {
        if (strcmp(d->expects[i].stream, stream) == 0) {
            d->expects[i].version = version;
            return 0;
        }
    }
    if (d->n_expects == FL_DECISION_MAX_EXPECTS)
        return FL_ETOOBIG;
    d->expects[d->n_expects++] = (fl_log_expect_t){.stream = stream, .version = version};
    return 0;
}

int fl_decision_fail(fl_decision_t *d, int status, const char *title, const char *detail)
{
    d->status = status;
    d->problem.title = title;
    d->problem.detail = detail;
    return FL_EINVAL;
}

void fl_decision_field(fl_decision_t *d, const char *field, const char *message)
{
    if (d->status == 0) {
        d->status = 422;
        d->problem.title = "validation failed";
        d->problem.slug = "validation";
    }
    if (d->problem.n_errors < FL_DECISION_MAX_ERRORS) {
        d->errors[d->problem.n_errors].field = field;
        d->errors[d->problem.n_errors].message = message;
        d->problem.n_errors++;
    }
    d->problem.errors = d->errors;
}

int fl_decision_refuse(fl_decision_t *d, int status, const char *title, const char *field,
                       const char *message)
{
    fl_decision_fail(d, status, title, NULL);
    if (field != NULL)
        fl_decision_field(d, field, message != NULL ? message : title);
    return FL_EINVAL;
}

int fl_decision_emit_at(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                        int64_t expected, const char *type, json_t *data)
{
    int rc = stream == NULL ? FL_ETOOBIG : 0;

    if (rc == 0 && expected != FL_LOG_ANY)
        rc = fl_decision_expect(d, stream, expected);
    if (rc == 0)
        return fl_decision_emit(d, ctx, stream, type, data, NULL);
    json_decref(data);
    return rc;
}

bool fl_decision_failed(const fl_decision_t *d)
{
    return d->status != 0;
}

char *fl_uuid_new(fl_arena_t *a)
{
    uint8_t b[16];
    char *s = fl_arena_alloc(a, FL_UUID_LEN + 1);
    if (s == NULL)
        return NULL;
    randombytes_buf(b, sizeof(b));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    for (int i = 0, o = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s[o++] = '-';
        s[o++] = hex[b[i] >> 4];
        s[o++] = hex[b[i] & 15];
    }
    s[FL_UUID_LEN] = '\0';
    return s;
}

bool fl_uuid_is_valid(const char *s)
{
    if (s == NULL || strlen(s) != FL_UUID_LEN)
        return false;
    for (int i = 0; i < FL_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int fl_decision_restamp(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                        fl_decision_step_fn step, fl_decision_stamp_fn stamp, void *arg)
{
    int rc = 0;

    for (size_t i = 0; i < d->n_events && rc == 0; i++) {
        fl_log_new_t *e = &d->events[i];
        json_t *data = NULL;
        bool wants = false;

        if (strcmp(e->stream, stream) != 0 || e->data_len == 0)
            continue; /* an event without data has nothing to stamp */
        if ((rc = fl_codec_to_json(e->data, e->data_len, &data)) < 0)
            return rc;
        rc = step(arg, e, data, &wants);
        if (rc == 0 && wants && json_is_object(data)) {
            uint8_t *bytes;
            size_t len;
            stamp(arg, data);
            if ((rc = fl_codec_from_json(data, ctx->a, &bytes, &len)) == 0)
                e->data = bytes, e->data_len = len;
        }
        json_decref(data);
    }
    return rc;
}

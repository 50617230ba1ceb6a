/*
 * The JSON-lines form of events shared by dump, tail and replay:
 * {pos, ts, type, v, stream, sv, actor, cid, corr, num?, data, prev, hash?}
 * with ts in RFC 3339 (µs), data decoded from msgpack and hashes in hex.
 */
#include <stdio.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "flctl.h"

void flctl_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    out[2 * n] = '\0';
}

void flctl_print_json_line(json_t *j)
{
    json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
}

static void set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
    char hex[2 * FL_LOG_HASH_LEN + 1];

    flctl_hex(p, n, hex);
    json_object_set_new(obj, key, json_string(hex));
}

/* Strings from the log are checked UTF-8 by jansson; one that is not shows as null. */
static json_t *str_or_null(const char *s)
{
    json_t *j = json_string(s);

    return j != NULL ? j : json_null();
}

/* The event as a JSON object, or NULL when its data does not decode. */
json_t *flctl_event_json(const fl_event_t *ev, bool with_hash)
{
    char ts[40];
    json_t *obj, *data = NULL;

    if (ev->data_len > 0 && fl_codec_to_json(ev->data, ev->data_len, &data) < 0)
        return NULL;
    fl_time_format(ev->ts, ts, sizeof(ts));
    obj = json_object();
    json_object_set_new(obj, "pos", json_integer((json_int_t)ev->pos));
    json_object_set_new(obj, "ts", json_string(ts));
    json_object_set_new(obj, "type", str_or_null(ev->type));
    json_object_set_new(obj, "v", json_integer(ev->v));
    json_object_set_new(obj, "stream", str_or_null(ev->stream));
    json_object_set_new(obj, "sv", json_integer((json_int_t)ev->sv));
    json_object_set_new(obj, "actor", str_or_null(ev->actor));
    json_object_set_new(obj, "cid", str_or_null(ev->cid));
    json_object_set_new(obj, "corr", str_or_null(ev->corr));
    json_object_set_new(obj, "ip", str_or_null(ev->ip));
    json_object_set_new(obj, "ua", str_or_null(ev->ua));
    if (ev->num != NULL && ev->num[0] != '\0')
        json_object_set_new(obj, "num", str_or_null(ev->num));
    json_object_set_new(obj, "data", data != NULL ? data : json_object());
    set_hex(obj, "prev", ev->prev, FL_LOG_HASH_LEN);
    if (with_hash) {
        uint8_t hash[FL_LOG_HASH_LEN];
        fl_log_hash(ev->raw, ev->raw_len, hash);
        set_hex(obj, "hash", hash, FL_LOG_HASH_LEN);
    }
    return obj;
}

int flctl_print_events(fl_log_t *log, const flctl_target_t *t, const fl_log_query_t *q,
                       bool with_hash, uint64_t *last)
{
    fl_log_cursor_t *c;
    fl_event_t ev;
    fl_arena_t a;
    bool reported = false;
    json_t *obj;
    int rc;

    rc = fl_log_cursor_open(log, q, &c);
    if (rc < 0) {
        flctl_err("cannot read %s: %s", t->label, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    fl_arena_init(&a, 0);
    /* One event at a time: the arena is reset after each, so a dump runs in constant memory. */
    while ((rc = fl_log_cursor_next(c, &a, &ev)) == 1) {
        obj = flctl_event_json(&ev, with_hash);
        if (obj == NULL) {
            flctl_err("%s: the data of the event at position %llu does not decode", t->label,
                      (unsigned long long)ev.pos);
            rc = FL_ECORRUPT;
            reported = true;
            break;
        }
        flctl_print_json_line(obj);
        *last = ev.pos;
        fl_arena_reset(&a);
    }
    if (rc < 0 && rc != FL_ECORRUPT)
        flctl_err("cannot read %s: %s", t->label, fl_strerror(rc));
    else if (rc < 0 && !reported)
        flctl_err("%s: the record at position %llu is damaged: %s", t->label,
                  (unsigned long long)fl_log_cursor_pos(c), fl_strerror(rc));
    fl_log_cursor_close(c);
    fl_arena_free(&a);
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

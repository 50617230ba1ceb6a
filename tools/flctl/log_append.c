/*
 * flctl log append: one event, written as the server would write it (same
 * envelope, expected versions, idempotency keys, numbers). For operators'
 * repairs and for tests; a typo here is a permanent event, so the input is
 * checked here before the log sees it, and every refusal says why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "flctl.h"

/* "ISS-" and at least five digits must fit FL_LOG_NUM_MAX with room to grow. */
#define NUMBER_PREFIX_MAX 4

static const char append_help[] =
    "Appends one event and prints its position. With a key seen before, appends\n"
    "nothing and prints the positions of the first append ('duplicate' on stderr).\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log\n"
    "  --stream STREAM   the event's stream, e.g. issue:42 (required)\n"
    "  --type TYPE       the event type, e.g. issue.created (required)\n"
    "  --data JSON       the event's data, a JSON object (default {})\n"
    "  --expect VERSION  the stream's current version (0: it must not exist yet;\n"
    "                    'any', the default: no check); a mismatch appends nothing\n"
    "                    and exits 1\n"
    "  --key KEY         an idempotency key\n"
    "  --actor ACTOR     who did it (default flctl:<unix user>)\n"
    "  --number PREFIX   allocate the next number for PREFIX (ISS gives ISS-00001)\n";

typedef struct append_args {
    const char *stream, *type, *data, *expect, *key, *actor, *number;
} append_args_t;

static bool prefix_is_valid(const char *p)
{
    size_t n;

    for (n = 0; p[n] != '\0'; n++) {
        if (p[n] < 'A' || p[n] > 'Z' || n >= NUMBER_PREFIX_MAX)
            return false;
    }
    return n > 0;
}

/* Rejected input (exit 1), as opposed to malformed options (exit 2). */
static int check_input(const append_args_t *in)
{
    if (strlen(in->stream) > FL_LOG_STREAM_MAX)
        flctl_err("invalid --stream: longer than %d bytes", FL_LOG_STREAM_MAX);
    else if (strlen(in->type) > FL_LOG_TYPE_MAX)
        flctl_err("invalid --type: longer than %d bytes", FL_LOG_TYPE_MAX);
    else if (in->key != NULL && strlen(in->key) > FL_LOG_KEY_MAX)
        flctl_err("invalid --key: longer than %d bytes", FL_LOG_KEY_MAX);
    else if (in->number != NULL && !prefix_is_valid(in->number))
        flctl_err("invalid --number '%s': expected 1 to %d upper-case letters (ISS)", in->number,
                  NUMBER_PREFIX_MAX);
    else
        return 0;
    return FLCTL_FAIL;
}

static int parse_expect(const flctl_spec_t *spec, const char *s, int64_t *out)
{
    uint64_t v;
    int rc;

    *out = FL_LOG_ANY;
    if (s == NULL || strcmp(s, "any") == 0)
        return 0;
    rc = flctl_parse_u64(spec, "--expect", s, 0, INT64_MAX, &v);
    *out = (int64_t)v;
    return rc;
}

static int encode_data(const char *text, fl_arena_t *a, uint8_t **out, size_t *len)
{
    json_error_t err;
    json_t *j;
    int rc;

    j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        flctl_err("invalid --data: %s (line %d, column %d)", err.text, err.line, err.column);
        return FLCTL_FAIL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        flctl_err("invalid --data: event data must be a JSON object ({...})");
        return FLCTL_FAIL;
    }
    rc = fl_codec_from_json(j, a, out, len);
    json_decref(j);
    if (rc < 0) {
        flctl_err("invalid --data: %s (nested deeper than %d?)", fl_strerror(rc),
                  FL_CODEC_MAX_DEPTH);
        return FLCTL_FAIL;
    }
    return 0;
}

static int report(const flctl_target_t *t, const append_args_t *in, const fl_log_result_t *res)
{
    uint32_t i;

    if (res->rc == FL_EVERSION) {
        flctl_err("version conflict on stream '%s' of %s: expected version %" PRId64
                  ", actual version %" PRId64,
                  res->stream[0] != '\0' ? res->stream : in->stream, t->label, res->expected,
                  res->actual);
        return FLCTL_FAIL;
    }
    if (res->rc < 0) {
        flctl_err("cannot append to stream '%s' of %s: %s", in->stream, t->label,
                  res->detail != NULL ? res->detail : fl_strerror(res->rc));
        return FLCTL_FAIL;
    }
    for (i = 0; i < res->count; i++)
        printf("%" PRIu64 "\n", res->first_pos + i);
    if (res->duplicate)
        flctl_err("duplicate idempotency key '%s': nothing appended; the positions printed "
                  "are those of the first append",
                  in->key);
    return FLCTL_OK;
}

static int append(fl_log_t *log, const flctl_target_t *t, const append_args_t *in, int64_t expect)
{
    char actor[300];
    fl_log_new_t ev = {.stream = in->stream, .type = in->type, .v = 1, .number = in->number};
    fl_log_expect_t ex = {.stream = in->stream, .version = expect};
    fl_log_batch_t batch = {.events = &ev, .n_events = 1, .idem_key = in->key};
    fl_log_result_t res = {0};
    fl_arena_t a;
    int rc;

    ev.actor = in->actor != NULL ? in->actor : flctl_actor(actor, sizeof(actor));
    if (expect != FL_LOG_ANY) {
        batch.expects = &ex;
        batch.n_expects = 1;
    }
    fl_arena_init(&a, 0);
    rc = encode_data(in->data != NULL ? in->data : "{}", &a, (uint8_t **)&ev.data, &ev.data_len);
    if (rc == 0) {
        fl_log_append(log, &batch, &res);
        rc = report(t, in, &res);
    }
    fl_arena_free(&a);
    return rc;
}

int flctl_log_append(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    append_args_t in = {0};
    const flctl_opt_t opts[] = {FLCTL_TARGET_OPTS(&t),
                                {"stream", "STREAM", &in.stream, NULL},
                                {"type", "TYPE", &in.type, NULL},
                                {"data", "JSON", &in.data, NULL},
                                {"expect", "VERSION", &in.expect, NULL},
                                {"key", "KEY", &in.key, NULL},
                                {"actor", "ACTOR", &in.actor, NULL},
                                {"number", "PREFIX", &in.number, NULL},
                                {0}};
    const flctl_spec_t spec = {.name = "log append",
                               .usage =
                                   "flctl log append (--tenant SLUG | --platform) --stream STREAM "
                                   "--type TYPE [--data JSON] [--expect VERSION] [--key KEY] "
                                   "[--actor ACTOR] [--number PREFIX]",
                               .help = append_help,
                               .opts = opts};
    int64_t expect;
    fl_log_t *log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc == 0 && (in.stream == NULL || in.type == NULL))
        rc = flctl_usage_err(&spec, "'log append' needs '--stream STREAM' and '--type TYPE'");
    if (rc == 0)
        rc = parse_expect(&spec, in.expect, &expect);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = check_input(&in);
    if (rc == 0)
        rc = flctl_target_open(ctx, &spec, &t, false, &log);
    if (rc != 0)
        return rc;
    rc = append(log, &t, &in, expect);
    fl_log_close(log);
    return rc;
}

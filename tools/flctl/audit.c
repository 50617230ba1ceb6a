/*
 * flctl audit export: the events of a time range as JSON lines, each with its
 * stored bytes (raw, base64), its own hash and the previous one (prev). An
 * auditor checks the chain without FireLater: BLAKE2b-256 of each line's raw
 * is its hash, each prev is the previous line's hash, and raw decodes (it is
 * msgpack) to the JSON fields printed beside it.
 */
#include <sodium.h>
#include <stdlib.h>

#include "firelater/err.h"
#include "flctl.h"

static const char audit_help[] =
    "Exports events recorded from --from up to --to (RFC 3339 times; default: the whole\n"
    "log) as JSON lines with their stored bytes and hashes.\n\n"
    "  --from TIME       the first instant (inclusive)\n"
    "  --to TIME         the last instant (inclusive)\n";

static json_t *audit_line(const fl_event_t *ev)
{
    json_t *obj = flctl_event_json(ev, true);
    size_t n = sodium_base64_ENCODED_LEN(ev->raw_len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(n);
    if (obj == NULL || b64 == NULL) {
        free(b64);
        json_decref(obj);
        return NULL;
    }
    sodium_bin2base64(b64, n, ev->raw, ev->raw_len, sodium_base64_VARIANT_ORIGINAL);
    json_object_set_new(obj, "raw", json_string(b64));
    free(b64);
    return obj;
}

static int export(fl_log_t *log, const flctl_target_t *t, const fl_log_query_t *q)
{
    fl_log_cursor_t *c;
    fl_event_t ev;
    fl_arena_t a;
    int rc = fl_log_cursor_open(log, q, &c);
    if (rc < 0) {
        flctl_err("cannot read %s: %s", t->label, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    fl_arena_init(&a, 0);
    while ((rc = fl_log_cursor_next(c, &a, &ev)) == 1) {
        json_t *line = audit_line(&ev);
        if (line == NULL) {
            rc = FL_ECORRUPT;
            break;
        }
        flctl_print_json_line(line);
        fl_arena_reset(&a);
    }
    if (rc < 0)
        flctl_err("%s: the record at position %llu cannot be exported: %s", t->label,
                  (unsigned long long)fl_log_cursor_pos(c), fl_strerror(rc));
    fl_log_cursor_close(c);
    fl_arena_free(&a);
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

static int parse_times(const flctl_spec_t *spec, const char *from, const char *to,
                       fl_time_t *t_from, fl_time_t *t_to)
{
    if (from != NULL && fl_time_parse(from, t_from) != 0)
        return flctl_usage_err(spec, "invalid --from '%s': expected an RFC 3339 time", from);
    if (to != NULL && fl_time_parse(to, t_to) != 0)
        return flctl_usage_err(spec, "invalid --to '%s': expected an RFC 3339 time", to);
    return 0;
}

int flctl_audit_export(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const char *from = NULL, *to = NULL;
    const flctl_opt_t opts[] = {
        FLCTL_TARGET_OPTS(&t), {"from", "TIME", &from, NULL}, {"to", "TIME", &to, NULL}, {0}};
    const flctl_spec_t spec = {.name = "audit export",
                               .usage = "flctl audit export (--tenant SLUG | --platform) "
                                        "[--from TIME] [--to TIME]",
                               .help = audit_help,
                               .opts = opts};
    fl_time_t t_from = 0, t_to = 0;
    fl_log_query_t q = {0};
    fl_log_t *log;
    int rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    if ((rc = parse_times(&spec, from, to, &t_from, &t_to)) != 0)
        return rc;
    if ((rc = flctl_target_open(ctx, &spec, &t, true, &log)) != 0)
        return rc;
    if (from != NULL && (rc = fl_log_first_at(log, t_from, &q.from)) != 0) {
        flctl_err("cannot search %s: %s", t.label, fl_strerror(rc));
        fl_log_close(log);
        return FLCTL_FAIL;
    }
    q.until = to != NULL ? t_to : 0;
    rc = export(log, &t, &q);
    fl_log_close(log);
    return rc;
}

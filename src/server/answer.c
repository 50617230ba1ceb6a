/*
 * Answering a command: the problem that refused it, the error that stopped
 * its append, or the aggregate it produced, rendered from the write side's
 * state with its version (ETag) and log position.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"

/* The stream of the event at pos (for a duplicate: the first append's). */
static const char *stream_at(fl_log_t *log, uint64_t pos, fl_arena_t *a)
{
    fl_log_query_t q = {.from = pos, .to = pos};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    const char *stream = NULL;
    if (fl_log_cursor_open(log, &q, &cur) != 0)
        return NULL;
    if (fl_log_cursor_next(cur, a, &ev) == 1)
        stream = ev.stream;
    fl_log_cursor_close(cur);
    return stream;
}

static void answer_append_error(fl_commit_t *c, int rc)
{
    fl_http_req_t *req = c->req;
    const fl_log_result_t *r = &c->result;
    char *detail = fl_arena_alloc(&req->arena, 600);
    fl_decision_release(&c->d);
    if (rc == FL_EVERSION && strncmp(r->stream, "email:", 6) == 0) {
        static const fl_problem_error_t err = {"email", "is already in use"};
        fl_problem_t p = {
            .slug = "conflict", .title = "email already in use", .errors = &err, .n_errors = 1};
        fl_http_respond_problem(req, 409, &p);
        return;
    }
    if (rc == FL_EVERSION) {
        bool if_match = fl_http_header(req, "If-Match") != NULL;
        snprintf(detail, 600, "%s is at version %" PRId64 ", not %" PRId64 "%s", r->stream,
                 r->actual, r->expected,
                 if_match ? "" : ": it changed while this request was decided; retry");
        fl_problem_t p = {.slug = if_match ? "version-mismatch" : "conflict",
                          .title = if_match ? "version mismatch" : "concurrent change",
                          .detail = detail};
        fl_http_respond_problem(req, if_match ? 412 : 409, &p);
        return;
    }
    snprintf(detail, 600, "the event log refused the command: %s", fl_strerror(rc));
    fl_http_respond_error(req, rc == FL_ENOSPACE ? 507 : 500, detail);
}

static void set_headers(fl_commit_t *c, uint64_t version, bool behind, json_t *body)
{
    fl_http_req_t *req = c->req;
    char buf[64];
    snprintf(buf, sizeof(buf), "\"%" PRIu64 "\"", version);
    fl_http_set_header(req, "ETag", buf);
    if (c->result.count > 0) {
        snprintf(buf, sizeof(buf), "%" PRIu64, c->result.first_pos + c->result.count - 1);
        fl_http_set_header(req, "X-Log-Position", buf);
    }
    if (behind)
        fl_http_set_header(req, "X-Read-Model", "behind");
    const char *id = json_string_value(json_object_get(body, "id"));
    if (c->status == 201 && c->location != NULL && id != NULL) {
        size_t n = strlen(c->location) + strlen(id) + 1;
        char *loc = fl_arena_alloc(&req->arena, n);
        snprintf(loc, n, "%s%s", c->location, id);
        fl_http_set_header(req, "Location", loc);
    }
}

static void answer_rendered(fl_server_t *s, fl_commit_t *c, bool behind)
{
    fl_http_req_t *req = c->req;
    const void *state;
    uint64_t version;
    const char *stream = c->result.duplicate
                             ? stream_at(c->tenant->log, c->result.first_pos, &req->arena)
                         : c->stream != NULL ? c->stream
                                             : c->d.events[0].stream;
    int status = c->status;
    fl_decision_release(&c->d);
    (void)s;
    if (stream == NULL || fl_agg_load(c->tenant->cache, c->type, stream, &state, &version) != 0) {
        fl_http_respond_error(req, 500, "the committed entity could not be read back");
        return;
    }
    json_t *body = c->render(state, version);
    set_headers(c, version, behind, body);
    fl_http_respond_json(req, status, body);
}

void fl_commit_answer(fl_server_t *s, fl_commit_t *c, int rc, bool behind)
{
    fl_http_req_t *req = c->req;
    if (rc != 0) {
        answer_append_error(c, rc);
        return;
    }
    if (fl_decision_failed(&c->d)) {
        fl_problem_t p = c->d.problem;
        int status = c->d.status;
        fl_decision_release(&c->d);
        fl_http_respond_problem(req, status, &p);
        return;
    }
    if (c->render == NULL) {
        fl_decision_release(&c->d);
        fl_http_respond(req, 204, NULL, NULL, 0);
        return;
    }
    answer_rendered(s, c, behind);
}

int64_t fl_srv_if_match(fl_http_req_t *req)
{
    const char *h = fl_http_header(req, "If-Match");
    char *end;
    if (h == NULL || strcmp(h, "*") == 0)
        return FL_LOG_ANY;
    if (*h == '"')
        h++;
    long long v = strtoll(h, &end, 10);
    if (end == h || v < 0 || (*end != '\0' && strcmp(end, "\"") != 0))
        return FL_SRV_BAD_IF_MATCH;
    return v;
}

/*
 * Time travel: GET /<entities>/{id}?as_of=TIME answers the entity as it was
 * at that instant, folded from the log up to it. The read model is not
 * involved, so this works for any past instant and while PostgreSQL is down.
 */
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "firelater/err.h"

int fl_srv_fold_until(fl_srv_tenant_t *t, fl_arena_t *a, const fl_agg_type_t *type,
                      const char *stream, fl_time_t until, void *state, uint64_t *version)
{
    fl_log_query_t q = {.stream = stream, .until = until};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    int rc = fl_log_cursor_open(t->log, &q, &cur);
    if (rc != 0)
        return rc;
    type->init(state);
    *version = 0;
    while ((rc = fl_log_cursor_next(cur, a, &ev)) == 1) {
        if ((rc = type->fold(state, a, &ev)) < 0)
            break;
        *version = ev.sv;
    }
    fl_log_cursor_close(cur);
    return rc < 0 ? rc : 0;
}

bool fl_srv_answer_as_of(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                         const char *stream, fl_render_fn render, bool (*exists)(const void *))
{
    const char *as_of = fl_http_query(req, "as_of");
    fl_time_t until;
    uint64_t version;
    char etag[32];
    if (as_of == NULL)
        return false;
    if (fl_time_parse(as_of, &until) != 0) {
        static const fl_problem_error_t e = {"as_of", "must be an RFC 3339 time"};
        fl_problem_t p = {
            .slug = "validation", .title = "validation failed", .errors = &e, .n_errors = 1};
        fl_http_respond_problem(req, 422, &p);
        return true;
    }
    void *state = fl_arena_alloc(&req->arena, type->state_size);
    int rc = stream != NULL
                 ? fl_srv_fold_until(t, &req->arena, type, stream, until, state, &version)
                 : FL_ENOTFOUND;
    if (rc != 0 || version == 0 || !exists(state)) {
        fl_http_respond_error(req, rc == 0 || rc == FL_ENOTFOUND ? 404 : 500,
                              "it did not exist at that time");
        return true;
    }
    snprintf(etag, sizeof(etag), "\"%" PRIu64 "\"", version);
    fl_http_set_header(req, "ETag", etag);
    fl_http_respond_json(req, 200, render(state, version));
    return true;
}

/*
 * problem+json (RFC 9457), the only place a user's error becomes bytes, and
 * the status table both the status line and default titles come from.
 */
#include <stdio.h>

#include "firelater/err.h"
#include "firelater/jsontext.h"
#include "internal.h"

#define PROBLEM_BASE "https://firelater.dev/problems/"

typedef struct status_text {
    int status;
    const char *phrase; /* the status line's, as RFC 9110 spells it */
    const char *title;  /* ours: short and lower-case */
} status_text_t;

static const status_text_t statuses[] = {
    {100, "Continue", "continue"},
    {200, "OK", "ok"},
    {201, "Created", "created"},
    {202, "Accepted", "accepted"},
    {204, "No Content", "no content"},
    {206, "Partial Content", "partial content"},
    {301, "Moved Permanently", "moved permanently"},
    {302, "Found", "found"},
    {304, "Not Modified", "not modified"},
    {400, "Bad Request", "malformed request"},
    {401, "Unauthorized", "authentication required"},
    {403, "Forbidden", "forbidden"},
    {404, "Not Found", "not found"},
    {405, "Method Not Allowed", "method not allowed"},
    {408, "Request Timeout", "request timeout"},
    {409, "Conflict", "conflict"},
    {412, "Precondition Failed", "version mismatch"},
    {413, "Content Too Large", "body too large"},
    {415, "Unsupported Media Type", "unsupported media type"},
    {416, "Range Not Satisfiable", "range not satisfiable"},
    {417, "Expectation Failed", "expectation failed"},
    {422, "Unprocessable Content", "validation failed"},
    {429, "Too Many Requests", "too many requests"},
    {431, "Request Header Fields Too Large", "headers too large"},
    {499, "Client Closed Request", "client closed request"},
    {500, "Internal Server Error", "internal error"},
    {501, "Not Implemented", "not implemented"},
    {503, "Service Unavailable", "service unavailable"},
    {507, "Insufficient Storage", "storage full"},
};

static const status_text_t *find_status(int status)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].status == status)
            return &statuses[i];
    return NULL;
}

const char *fl_http_status_reason(int status)
{
    const status_text_t *st = find_status(status);

    return st != NULL ? st->title : "unknown status";
}

/* Clients ignore the reason phrase, so an unknown code gets a generic one. */
const char *fl__http_status_phrase(int status)
{
    const status_text_t *st = find_status(status);

    return st != NULL ? st->phrase : "Status";
}

static json_t *errors_json(const fl_problem_error_t *e, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s?, s:s}", "field", e[i].field, "message",
                              e[i].message != NULL ? e[i].message : "");
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *fl_problem_to_json(const fl_problem_t *p, int status, const char *request_id)
{
    json_t *o = json_object();
    char type[160];

    if (o == NULL)
        fl_oom();
    if (p != NULL && p->slug != NULL)
        snprintf(type, sizeof(type), PROBLEM_BASE "%s", p->slug);
    else
        snprintf(type, sizeof(type), "about:blank");
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(
        o, "title",
        json_string(p != NULL && p->title != NULL ? p->title : fl_http_status_reason(status)));
    json_object_set_new(o, "status", json_integer(status));
    if (p != NULL && p->detail != NULL)
        json_object_set_new(o, "detail", json_string(p->detail));
    if (p != NULL && p->n_errors > 0)
        json_object_set_new(o, "errors", errors_json(p->errors, p->n_errors));
    if (request_id != NULL && request_id[0] != '\0')
        json_object_set_new(o, "request_id", json_string(request_id));
    return o;
}

int fl_http_respond_problem(fl_http_req_t *req, int status, const fl_problem_t *p)
{
    json_t *j = fl_problem_to_json(p, status, req->request_id);
    size_t n = 0;
    char *text = fl_json_arena(&req->arena, j, 0, &n);

    fl_assert(text != NULL);
    json_decref(j);
    return fl_http_respond(req, status, "application/problem+json", text, n);
}

int fl_http_respond_error(fl_http_req_t *req, int status, const char *detail)
{
    fl_problem_t p = {.detail = detail};

    return fl_http_respond_problem(req, status, &p);
}

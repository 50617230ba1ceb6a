/*
 * An issue's comments and work logs (list, add, edit, delete), its status
 * history and its related issues. Writes are events on the issue's stream;
 * a written note is answered from the read model once the projector has
 * applied it (read-your-writes). Requesters see the comments of their own
 * issues without the internal ones, and may add public comments; only the
 * author, or a principal with issues:manage, edits or deletes a note.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/issues.h"

typedef int (*note_decode_fn)(const json_t *, bool, fl_arena_t *, fl_issue_note_cmd_t *,
                              fl_decision_t *);
typedef int (*note_decide_fn)(const fl_cmd_ctx_t *, const fl_issue_state_t *, const char *,
                              const fl_issue_note_cmd_t *, fl_issue_note_who_t, fl_decision_t *);

typedef struct note_kind {
    fl_issue_sub_t sub;
    const char *param; /* the note's path parameter */
    note_decode_fn decode;
    note_decide_fn decide;
} note_kind_t;

static const note_kind_t comments = {FL_ISSUE_SUB_COMMENTS, "cid", fl_issues_decode_comment,
                                     fl_issues_decide_comment};
static const note_kind_t worklogs = {FL_ISSUE_SUB_WORKLOGS, "wid", fl_issues_decode_worklog,
                                     fl_issues_decide_worklog};

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_apps_query_t q;
} read_ctx_t;

static void on_page(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_apps_page_to_json(res, &rc->q));
}

static read_ctx_t *read_ctx(fl_http_req_t *req)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    return rc;
}

/* The issue of {id} that p may see: NULL after answering 404. */
static const fl_issue_state_t *issue_of(fl_http_req_t *req, fl_principal_t *p)
{
    const fl_issue_state_t *i = fl_srv_issue_load(req, p, fl_http_param(req, "id"));
    if (i == NULL)
        fl_http_respond_error(req, 404, "no such issue");
    return i;
}

static int list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, fl_issue_sub_t sub)
{
    fl_decision_t d;
    const fl_issue_state_t *i = issue_of(req, p);
    if (i == NULL)
        return 0;
    read_ctx_t *rc = read_ctx(req);
    fl_decision_init(&d);
    if (fl_issues_sub_query(sub, i->id, fl_srv_issue_own_only(p) != NULL, req->query, req->n_query,
                            &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, on_page,
                        rc);
}

int fl_api_issues_comments(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, FL_ISSUE_SUB_COMMENTS);
}

int fl_api_issues_worklogs(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, FL_ISSUE_SUB_WORKLOGS);
}

int fl_api_issues_history(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, FL_ISSUE_SUB_HISTORY);
}

int fl_api_issues_related(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, FL_ISSUE_SUB_RELATED);
}

/* ----------------------------------------------------------------- writes */

typedef struct note_answer {
    fl_server_t *s;
    const note_kind_t *kind;
    const char *issue_id;
    const char *note_id; /* NULL on add until decided */
} note_answer_t;

/* After the append (and the projector): the note from the read model (fl_srv_readback). */
static void on_note_done(fl_commit_t *c, int rc)
{
    note_answer_t *w = c->ctx;
    fl_apps_query_t q;
    if (rc != 0 || fl_decision_failed(&c->d)) {
        fl_commit_answer(w->s, c, rc, false);
        return;
    }
    if (w->note_id == NULL && c->d.location != NULL)
        w->note_id = strrchr(c->d.location, '/') + 1;
    if (w->note_id == NULL ||
        fl_issues_note_get_query(w->kind->sub, w->issue_id, w->note_id, &c->req->arena, &q) != 0) {
        fl_decision_release(&c->d);
        fl_http_respond_error(c->req, 500, "the note could not be read back");
        return;
    }
    fl_srv_readback(w->s, c, &q);
}

static int write_note(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p,
                      const note_kind_t *kind, bool create, bool remove)
{
    fl_cmd_ctx_t ctx;
    fl_issue_note_cmd_t cmd;
    json_t *body = NULL;
    const fl_issue_state_t *i = issue_of(req, p);
    if (i == NULL)
        return 0;
    const char *note_id = create ? NULL : fl_http_param(req, kind->param);
    if (!create && (note_id == NULL || !fl_uuid_is_valid(note_id)))
        return fl_http_respond_error(req, 404, "no such note");
    if (!remove && fl_http_read_json(req, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_issue_commit(req, p, i->id);
    note_answer_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    *w = (note_answer_t){.s = s, .kind = kind, .issue_id = i->id, .note_id = note_id};
    if (remove) {
        c->render = NULL; /* 204 */
    } else {
        c->done = on_note_done;
        c->ctx = w;
        c->status = create ? 201 : 200;
    }
    int rc = remove ? 0 : kind->decode(body, create, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        fl_issue_note_who_t who = {
            .requester = fl_srv_issue_own_only(p) != NULL,
            .may_moderate = fl_srv_can(p, FL_RES_ISSUES, FL_ACT_MANAGE),
        };
        fl_srv_cmd_ctx(req, p, &ctx);
        kind->decide(&ctx, i, note_id, remove ? NULL : &cmd, who, &c->d);
        if (kind == &comments && create) /* a first response */
            fl_srv_issue_stamp(p->tenant, &ctx, i, i->v[FL_ISSUE_APPLICATION_ID], &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_issues_comment_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &comments, true, false);
}

int fl_api_issues_comment_edit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &comments, false, false);
}

int fl_api_issues_comment_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &comments, false, true);
}

int fl_api_issues_worklog_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &worklogs, true, false);
}

int fl_api_issues_worklog_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &worklogs, false, false);
}

int fl_api_issues_worklog_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return write_note(s, req, p, &worklogs, false, true);
}

/*
 * Comments, work logs and links of an issue -> events on the issue's
 * stream (so its history, time travel and SLA clocks see them: a public
 * comment by someone other than the reporter is a first response).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

static const fl_issue_note_t *find(const fl_issue_note_t *notes, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++) {
        if (!notes[i].deleted && strcasecmp(notes[i].id, id) == 0)
            return &notes[i];
    }
    return NULL;
}

const fl_issue_note_t *fl_issue_comment_find(const fl_issue_state_t *s, const char *id)
{
    return find(s->comments, s->n_comments, id);
}

const fl_issue_note_t *fl_issue_worklog_find(const fl_issue_state_t *s, const char *id)
{
    return find(s->worklogs, s->n_worklogs, id);
}

/* What differs between comments and work logs. */
typedef struct kind {
    const char *key;     /* comment_id */
    const char *prefix;  /* issue.comment */
    const char *path;    /* comments */
    const char *missing; /* the 404's title */
    const fl_issue_note_t *(*find)(const fl_issue_state_t *, const char *);
    size_t (*count)(const fl_issue_state_t *);
    json_t *(*body)(const fl_cmd_ctx_t *, const fl_issue_note_cmd_t *, bool create);
} kind_t;

static size_t count_comments(const fl_issue_state_t *s)
{
    return s->n_comments;
}

static size_t count_worklogs(const fl_issue_state_t *s)
{
    return s->n_worklogs;
}

static json_t *comment_body(const fl_cmd_ctx_t *ctx, const fl_issue_note_cmd_t *c, bool create)
{
    json_t *j = json_object();

    (void)ctx;
    if (create || (c->set & FL_ISSUE_NOTE_CONTENT))
        json_object_set_new(j, "content", json_string(c->content));
    if (create || (c->set & FL_ISSUE_NOTE_IS_INTERNAL))
        json_object_set_new(j, "is_internal", json_boolean(c->is_internal));
    if (create || (c->set & FL_ISSUE_NOTE_CONTENT_TYPE))
        json_object_set_new(j, "content_type", json_string(c->content_type));
    return j;
}

static json_t *worklog_body(const fl_cmd_ctx_t *ctx, const fl_issue_note_cmd_t *c, bool create)
{
    json_t *j = json_object();
    char today[32];

    if (create || (c->set & FL_ISSUE_WLOG_TIME_SPENT))
        json_object_set_new(j, "time_spent", json_integer(c->time_spent));
    if (create && c->work_date == NULL) {
        fl_time_format(ctx->now, today, sizeof(today));
        today[10] = '\0'; /* the UTC day of the command */
        json_object_set_new(j, "work_date", json_string(today));
    } else if (create || (c->set & FL_ISSUE_WLOG_WORK_DATE)) {
        json_object_set_new(j, "work_date", json_string(c->work_date));
    }
    if (create || (c->set & FL_ISSUE_WLOG_DESCRIPTION))
        json_object_set_new(j, "description",
                            c->description != NULL ? json_string(c->description) : json_null());
    if (create || (c->set & FL_ISSUE_WLOG_BILLABLE))
        json_object_set_new(j, "billable", json_boolean(c->billable));
    return j;
}

static const kind_t comments = {"comment_id",      "issue.comment",       "comments",
                                "no such comment", fl_issue_comment_find, count_comments,
                                comment_body};
static const kind_t worklogs = {"worklog_id",       "issue.worklog",       "worklogs",
                                "no such work log", fl_issue_worklog_find, count_worklogs,
                                worklog_body};

static char *event_type(fl_arena_t *a, const kind_t *k, const char *suffix)
{
    size_t n = strlen(k->prefix) + strlen(suffix) + 1;
    char *t = fl_arena_alloc(a, n);

    if (t != NULL)
        snprintf(t, n, "%s%s", k->prefix, suffix);
    return t;
}

static int add(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, const kind_t *k,
               const fl_issue_note_cmd_t *cmd, fl_decision_t *d)
{
    char *id = fl_uuid_new(ctx->a), *type = event_type(ctx->a, k, "_added"), *loc;
    size_t n = 64 + strlen(k->path) + 2 * FL_UUID_LEN;
    json_t *data;

    if (k->count(s) >= FL_ISSUES_NOTES_MAX)
        return fl__iss_refuse(d, 409, "too many notes", NULL, NULL);
    if (id == NULL || type == NULL || (loc = fl_arena_alloc(ctx->a, n)) == NULL)
        return FL_ETOOBIG;
    snprintf(loc, n, "/api/v1/issues/%s/%s/%s", s->id, k->path, id);
    d->location = loc;
    data = k->body(ctx, cmd, true);
    json_object_set_new(data, "id", json_string(s->id));
    json_object_set_new(data, k->key, json_string(id));
    json_object_set_new(data, "user_id",
                        ctx->actor_id != NULL ? json_string(ctx->actor_id) : json_null());
    return fl__iss_emit(ctx, s, FL_LOG_ANY, type, data, d);
}

static int decide(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, const kind_t *k,
                  const char *note_id, const fl_issue_note_cmd_t *cmd, fl_issue_note_who_t who,
                  fl_decision_t *d)
{
    const fl_issue_note_t *note;
    json_t *data;
    char *type;

    if (fl__iss_check_live(s, d) < 0)
        return FL_EINVAL;
    if (cmd != NULL && who.requester && (cmd->set & FL_ISSUE_NOTE_IS_INTERNAL) &&
        cmd->is_internal && k == &comments)
        return fl__iss_refuse(d, 403, "forbidden", "is_internal",
                              "a requester's comments are public");
    if (note_id == NULL)
        return add(ctx, s, k, cmd, d);
    if ((note = k->find(s, note_id)) == NULL || (who.requester && note->is_internal)) {
        return fl__iss_refuse(d, 404, k->missing, NULL, NULL);
    }
    if (!who.may_moderate && (ctx->actor_id == NULL || strcmp(note->user_id, ctx->actor_id) != 0))
        return fl__iss_refuse(d, 403, "forbidden", NULL, NULL);
    type = event_type(ctx->a, k,
                      cmd == NULL      ? "_deleted"
                      : k == &comments ? "_edited"
                                       : "_updated");
    if (type == NULL)
        return FL_ETOOBIG;
    data = cmd != NULL ? k->body(ctx, cmd, false) : json_object();
    json_object_set_new(data, "id", json_string(s->id));
    json_object_set_new(data, k->key, json_string(note->id));
    return fl__iss_emit(ctx, s, FL_LOG_ANY, type, data, d);
}

int fl_issues_decide_comment(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                             const char *note_id, const fl_issue_note_cmd_t *cmd,
                             fl_issue_note_who_t who, fl_decision_t *d)
{
    return decide(ctx, s, &comments, note_id, cmd, who, d);
}

int fl_issues_decide_worklog(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                             const char *note_id, const fl_issue_note_cmd_t *cmd,
                             fl_issue_note_who_t who, fl_decision_t *d)
{
    return decide(ctx, s, &worklogs, note_id, cmd, who, d);
}

/* ------------------------------------------------------------------ links */

/* The same link seen from the target: A parent of B is B child of A. */
static const char *inverse(const char *t)
{
    return strcmp(t, "parent") == 0 ? "child" : strcmp(t, "child") == 0 ? "parent" : t;
}

static bool has_link(const fl_issue_state_t *s, const char *target, const char *type)
{
    for (size_t i = 0; i < s->n_links; i++) {
        if (strcmp(s->links[i].target_id, target) == 0 && strcmp(s->links[i].link_type, type) == 0)
            return true;
    }
    return false;
}

static bool has_parent(const fl_issue_state_t *s)
{
    for (size_t i = 0; i < s->n_links; i++) {
        if (strcmp(s->links[i].link_type, "parent") == 0)
            return true;
    }
    return false;
}

int fl_issues_decide_link(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                          const fl_issue_link_cmd_t *cmd, const fl_issue_state_t *target,
                          fl_decision_t *d)
{
    char *id;

    if (fl__iss_check_live(s, d) < 0)
        return FL_EINVAL;
    if (strcmp(cmd->target_type, "issue") != 0)
        return fl__iss_refuse(d, 422, "validation failed", "target_id",
                              "no such change (change management is not in FireLater yet)");
    if (strcmp(cmd->target_id, s->id) == 0)
        return fl__iss_refuse(d, 422, "validation failed", "target_id",
                              "an issue is not linked to itself");
    if (target == NULL || !target->exists || target->deleted ||
        strcmp(target->id, cmd->target_id) != 0)
        return fl__iss_refuse(d, 422, "validation failed", "target_id", "no such issue");
    if (has_link(s, cmd->target_id, cmd->link_type) ||
        has_link(target, s->id, inverse(cmd->link_type)))
        return fl__iss_refuse(d, 409, "the link exists", "target_id",
                              "the issues are already linked so");
    if (strcmp(cmd->link_type, "parent") == 0 && has_parent(s))
        return fl__iss_refuse(d, 409, "the issue has a parent", "link_type",
                              "an issue has one parent");
    if (s->n_links >= FL_ISSUES_LINKS_MAX)
        return fl__iss_refuse(d, 409, "too many links", "target_id", "the issue has 200 links");
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    return fl__iss_emit(ctx, s, FL_LOG_ANY, "issue.linked",
                        json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", s->id, "link_id", id,
                                  "target_type", cmd->target_type, "target_id", cmd->target_id,
                                  "link_type", cmd->link_type, "created_by",
                                  ctx->actor_id != NULL ? json_string(ctx->actor_id) : json_null()),
                        d);
}

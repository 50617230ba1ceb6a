/*
 * Commands -> events for an issue's fields: create, update (a status
 * change only along the machine's issue.status_changed moves), delete.
 * Pure: the state comes in, the decision goes out; time is ctx->now.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

int fl__iss_refuse(fl_decision_t *d, int status, const char *title, const char *field,
                   const char *message)
{
    /* a conflict's message says what stands in the way: it is the detail too */
    fl_decision_fail(d, status, title, status == 409 ? message : NULL);
    if (field != NULL)
        fl_decision_field(d, field, message != NULL ? message : title);
    return FL_EINVAL;
}

int fl__iss_check_live(const fl_issue_state_t *s, fl_decision_t *d)
{
    return s->exists && !s->deleted ? 0 : fl__iss_refuse(d, 404, "issue not found", NULL, NULL);
}

int fl__iss_emit(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                 const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_issues_stream(ctx->a, s->id);
    int rc = 0;

    if (stream == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    if (d->n_events == 0)
        rc = fl_decision_expect(d, stream,
                                !s->exists               ? FL_LOG_NO_STREAM
                                : expected == FL_LOG_ANY ? (int64_t)s->version
                                                         : expected);
    if (rc == 0)
        return fl_decision_emit(d, ctx, stream, type, data,
                                s->exists ? NULL : FL_ISSUES_NUMBER_PREFIX);
    json_decref(data);
    return rc;
}

/* ------------------------------------------------------------- references */

static int field_error(fl_decision_t *d, int field, const char *message)
{
    fl_decision_field(d, fl_issue_field_name(field), message);
    return FL_EINVAL;
}

/* The value field will have after cmd (old: the current values, or NULL). */
static const char *after(const char *const *old, const fl_issue_values_t *cmd, int field)
{
    if (cmd->set & (1u << field))
        return cmd->v[field];
    return old != NULL ? old[field] : NULL;
}

static bool changes(const char *const *old, const fl_issue_values_t *cmd, int field)
{
    return (cmd->set & (1u << field)) && (old == NULL || !fl__iss_same(old[field], cmd->v[field]));
}

static int check_refs(const char *const *old, const fl_issue_values_t *cmd,
                      const fl_issue_refs_t *refs, const char *reporter, fl_decision_t *d)
{
    const char *app = after(old, cmd, FL_ISSUE_APPLICATION_ID);
    const char *env = after(old, cmd, FL_ISSUE_ENVIRONMENT_ID);
    const fl_user_state_t *u = refs->reporter;
    const fl_app_state_t *a = refs->application;
    int rc = 0;

    if (reporter != NULL && (old == NULL || changes(old, cmd, FL_ISSUE_REPORTER_ID))) {
        if (u == NULL || !u->exists || strcmp(u->id, reporter) != 0)
            rc = field_error(d, FL_ISSUE_REPORTER_ID, "no such user");
        else if (u->status != FL_USER_ACTIVE)
            rc = field_error(d, FL_ISSUE_REPORTER_ID, "the user is inactive");
    }
    if (app != NULL && changes(old, cmd, FL_ISSUE_APPLICATION_ID)) {
        if (a == NULL || !a->exists || a->deleted || strcmp(a->id, app) != 0)
            rc = field_error(d, FL_ISSUE_APPLICATION_ID, "no such application");
    }
    if (env != NULL && (changes(old, cmd, FL_ISSUE_ENVIRONMENT_ID) ||
                        changes(old, cmd, FL_ISSUE_APPLICATION_ID))) {
        if (app == NULL)
            rc = field_error(d, FL_ISSUE_ENVIRONMENT_ID, "needs an application_id");
        else if (a == NULL || strcmp(a->id, app) != 0 || fl_app_env_find(a, env) == NULL)
            rc =
                field_error(d, FL_ISSUE_ENVIRONMENT_ID, "is not an environment of the application");
    }
    return rc;
}

/* ----------------------------------------------------------------- create */

int fl_issues_decide_create(const fl_cmd_ctx_t *ctx, const fl_issue_values_t *cmd,
                            const fl_issue_refs_t *refs, fl_decision_t *d)
{
    fl_issue_state_t s = {0};
    static const char prefix[] = "/api/v1/issues/";
    fl_issue_values_t full = *cmd;
    char *id, *loc;
    json_t *data;
    int rc;

    if (!(full.set & (1u << FL_ISSUE_REPORTER_ID)) || full.v[FL_ISSUE_REPORTER_ID] == NULL) {
        full.set |= 1u << FL_ISSUE_REPORTER_ID;
        full.v[FL_ISSUE_REPORTER_ID] = ctx->actor_id;
    }
    full.v[FL_ISSUE_STATUS] = fl_issue_status_name(FL_ISSUE_NEW);
    if (check_refs(NULL, &full, refs, full.v[FL_ISSUE_REPORTER_ID], d) < 0)
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    memcpy(s.id, id, FL_UUID_LEN + 1);
    data = json_pack("{s:s}", "id", id);
    for (int i = 0; i < FL_ISSUE_F__N; i++)
        json_object_set_new(data, fl_issue_field_name(i), fl__iss_value_json(i, full.v[i]));
    rc = fl__iss_emit(ctx, &s, FL_LOG_NO_STREAM, "issue.created", data, d);
    if ((loc = fl_arena_alloc(ctx->a, sizeof(prefix) + FL_UUID_LEN)) != NULL) {
        memcpy(loc, prefix, sizeof(prefix) - 1);
        memcpy(loc + sizeof(prefix) - 1, id, FL_UUID_LEN + 1);
    }
    d->location = loc;
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* ----------------------------------------------------------------- update */

static int status_move(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                       const char *to, fl_decision_t *d)
{
    int from = fl_issue_status_parse(s->v[FL_ISSUE_STATUS]), want = fl_issue_status_parse(to);
    const char *event;

    if (from < 0 || want < 0)
        return fl__iss_refuse(d, 409, "invalid status transition", "status", "unknown status");
    if (fl_issue_check_transition(from, want, ctx->a, d) < 0)
        return FL_EINVAL;
    event = fl_issue_transition_event(from, want);
    if (strcmp(event, "issue.status_changed") != 0)
        return fl__iss_refuse(
            d, 409, "invalid status transition", "status",
            strcmp(event, "issue.assigned") == 0   ? "use POST /issues/{id}/assign"
            : strcmp(event, "issue.resolved") == 0 ? "use POST /issues/{id}/resolve"
            : strcmp(event, "issue.closed") == 0   ? "use POST /issues/{id}/close"
                                                   : "use POST /issues/{id}/reopen");
    return fl_issues_emit_move(ctx, s, expected, event, to, NULL, NULL, d);
}

int fl_issues_decide_update(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            const fl_issue_values_t *cmd, const fl_issue_refs_t *refs,
                            fl_decision_t *d)
{
    json_t *diff;
    int rc = 0;

    if (fl__iss_check_live(s, d) < 0 ||
        check_refs(s->v, cmd, refs, after(s->v, cmd, FL_ISSUE_REPORTER_ID), d) < 0)
        return FL_EINVAL;
    diff = json_object();
    for (int i = 0; i < FL_ISSUE_F__N; i++) {
        if (i == FL_ISSUE_STATUS || !changes(s->v, cmd, i))
            continue;
        json_object_set_new(diff, fl_issue_field_name(i),
                            json_pack("{s:o,s:o}", "from", fl__iss_value_json(i, s->v[i]), "to",
                                      fl__iss_value_json(i, cmd->v[i])));
    }
    if (changes(s->v, cmd, FL_ISSUE_STATUS) &&
        (rc = status_move(ctx, s, expected, cmd->v[FL_ISSUE_STATUS], d)) != 0) {
        json_decref(diff);
        return rc;
    }
    if (json_object_size(diff) == 0) {
        json_decref(diff);
        return 0;
    }
    return fl__iss_emit(ctx, s, expected, "issue.updated",
                        json_pack("{s:s,s:o}", "id", s->id, "changes", diff), d);
}

/* ----------------------------------------------------------------- delete */

int fl_issues_decide_delete(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                            fl_decision_t *d)
{
    if (fl__iss_check_live(s, d) < 0)
        return FL_EINVAL;
    return fl__iss_emit(ctx, s, expected, "issue.deleted",
                        json_pack("{s:s,s:s}", "id", s->id, "issue_number", s->number), d);
}

/* ------------------------------------------------------------------ moves */

int fl_issues_emit_move(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s, int64_t expected,
                        const char *type, const char *to, const char *reason, json_t *extra,
                        fl_decision_t *d)
{
    char *history_id = fl_uuid_new(ctx->a);
    json_t *data;

    if (history_id == NULL) {
        json_decref(extra);
        return FL_ETOOBIG;
    }
    data = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", s->id, "history_id", history_id, "from",
                     s->v[FL_ISSUE_STATUS], "to", to, "changed_by",
                     ctx->actor_id != NULL ? json_string(ctx->actor_id) : json_null(), "reason",
                     reason != NULL ? json_string(reason) : json_null());
    if (extra != NULL)
        json_object_update(data, extra);
    json_decref(extra);
    return fl__iss_emit(ctx, s, expected, type, data, d);
}
